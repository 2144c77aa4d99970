"""The JSON shapes of cli.md (`case show --json`, `case list --json`): keys are added, never renamed."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from checklists.inflammation import changes as inflammation_changes, history_json
from checklists.models import Alert, AlertAck, CaseRow, CaseView, Counts, Event, ItemView, NextDue, Policy


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def event_json(event: Event) -> dict:
    data: dict[str, object] = {"id": event.id, "kind": event.kind, "date": event.date.isoformat()}
    data.update(event.details())
    data["voided"] = event.voided
    if event.voided:
        data["void_reason"] = event.void_reason
    return data


def item_json(item: ItemView) -> dict:
    return {
        "id": item.id, "pathway": item.pathway, "title": item.title, "phase": item.phase,
        "state": item.state, "opens": _iso(item.opens), "closes": _iso(item.closes), "status": item.status,
        "sources": list(item.sources), "provenance": item.provenance,
        "resolved_on": _iso(item.resolved_on), "reason": item.reason, "until": _iso(item.until),
        "checks": [c.isoformat() for c in item.checks], "occurrence": item.occurrence, "detail": item.detail,
        "kind": item.kind, "waits": item.waits, "early": item.early,
        "window_provenance": item.window_provenance,
    }


def ack_json(ack: AlertAck | None) -> dict | None:
    """cli.md: `{"by": str, "on": date, "note": str}`; `covers` names what it was given for."""
    if ack is None:
        return None
    return {"by": ack.by, "on": ack.on.isoformat(), "note": ack.note, "covers": list(ack.covers)}


def alert_json(alert: Alert) -> dict:
    return {
        "code": alert.code, "severity": alert.severity, "message": alert.message, "action": alert.action,
        "sources": list(alert.sources), "provenance": alert.provenance, "pathway": alert.pathway,
        "past_fact": alert.past_fact, "acknowledged": ack_json(alert.acknowledged),
    }


def next_due_json(next_due: NextDue | None) -> dict | None:
    if next_due is None:
        return None
    return {"item": next_due.item, "title": next_due.title, "opens": next_due.opens.isoformat(),
            "closes": next_due.closes.isoformat(), "status": next_due.status}


def counts_json(counts: Counts) -> dict:
    """The cli.md shape: {"saline": {"done", "min", "max"}, "abi": {"done"}, "injection": {"done", ...}}."""
    injection: dict[str, int] = {"done": counts.injections}
    if counts.injections_last_365_days is not None:  # a record view (de-identified) has no day to count from
        injection["last_365_days"] = counts.injections_last_365_days
    return {
        "saline": {"done": counts.saline, "min": counts.saline_min, "max": counts.saline_max},
        "abi": {"done": counts.abi},
        "fat_graft": {"done": counts.fat_grafts},
        "injection": injection,
    }


def case_json(view: CaseView) -> dict:
    case = view.case
    return {
        "id": case.id, "patient": case.patient, "pathways": list(case.pathways), "status": case.status,
        "onset": case.onset.isoformat(), "injection_date": _iso(case.injection_date),
        "etiology": case.etiology, "inflammation": case.inflammation,
        "etiology_date": _iso(case.etiology_date), "inflammation_date": _iso(case.inflammation_date),
        # Every change of inflammation state (the current one last), and the recorded severity.
        "inflammation_history": history_json(inflammation_changes(case)),
        "severity": case.severity, "severity_date": _iso(case.severity_date),
        "enrolment": case.enrolment.isoformat(), "site": case.site, "note": case.note,
        "revision": case.revision, "today": _iso(view.today), "urgency": view.urgency,
        "items": [item_json(i) for i in view.items],
        "events": [_flagged(event_json(e), view.event_flags.get(e.id))
                   for e in sorted(case.events, key=lambda e: (e.date, e.seq))],
        "counts": counts_json(view.counts),
        "alerts": [alert_json(a) for a in view.alerts],
        "alert_codes": view.alert_codes,
        "next_due": next_due_json(view.next_due),
    }


def _flagged(data: dict, flag: str | None) -> dict:
    if flag:
        data["flag"] = flag
    return data


def row_json(row: CaseRow) -> dict:
    return {
        "id": row.id, "patient": row.patient, "pathways": list(row.pathways), "status": row.status,
        "onset": _iso(row.onset), "urgency": row.urgency, "next_due": next_due_json(row.next_due),
        "alert_codes": list(row.alert_codes), "alert_severities": list(row.alert_severities),
    }


def policy_json(policy: Policy) -> dict:
    return asdict(policy)
