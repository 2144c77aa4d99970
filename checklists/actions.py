"""What a clinician can do to a case, as pure functions: `Case -> (Case, [Change])`.

Each validates first and raises `ValidationError` (one line, naming the field) before anything is
built, so a rejected action changes nothing. The store applies the result under its lock.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any, Mapping, Sequence

from checklists.dates import parse_date
from checklists.errors import ValidationError
from checklists.inflammation import changes as inflammation_changes, record_change
from checklists.models import (
    CASE_STATUSES, INFLAMMATION_STATES, AlertAck, Case, Change, Event, InflammationChange, ItemRecord, ItemView,
    Policy,
)
from checklists.serialize import ack_json, event_json
from checklists.validation import check_choice, check_event_fields, check_new_event, check_past_date, check_text
from seeds.loader import Catalogue, ItemDef, PathwayDef

MAX_LABEL = 120
ITEM_ACTIONS = ("done", "skip", "reopen", "snooze")
CASE_FIELDS = ("etiology", "inflammation", "severity", "status", "site", "onset", "injection-date", "patient",
               "note")
_DATED_FIELDS = ("etiology", "inflammation", "severity")
_CLEAR_WORDS = ("", "none", "-")


def check_patient(value: object) -> str:
    text = check_text(value, "patient")
    if "\n" in text or "\t" in text:
        raise ValidationError("patient label must be a single line", "patient")
    if len(text) > MAX_LABEL:
        raise ValidationError(f"patient label is longer than {MAX_LABEL} characters", "patient")
    return text


def check_pathways(pathways: Sequence[str], catalogue: Catalogue) -> tuple[str, ...]:
    known = catalogue.pathway_ids
    if not pathways:
        raise ValidationError(f"a case needs at least one pathway: {', '.join(known)}", "pathways")
    chosen: list[str] = []
    for pathway in pathways:
        check_choice(pathway, "pathway", known)
        if pathway in chosen:
            raise ValidationError(f"pathway {pathway} is given twice", "pathways")
        chosen.append(pathway)
    return tuple(chosen)


def _check_anchor_order(onset: date, injection_date: date | None, field: str, pathways: Sequence[str],
                        catalogue: Catalogue) -> None:
    """Only where the onset is a complication of the injection (the pathway says so) must the
    injection come first; on the hip pathway the pain comes first and the injection treats it."""
    if injection_date is None or injection_date <= onset:
        return
    complication = catalogue.onset_after_injection(pathways)
    if complication is not None:
        raise ValidationError(injection_after_onset(injection_date, onset, complication), field)


def injection_after_onset(injection_date: date, onset: date, pathway: PathwayDef) -> str:
    """The one-line refusal: names the pathway and what its onset means, in its own words."""
    return (f"injection date {injection_date.isoformat()} is after onset {onset.isoformat()}: on {pathway.id} "
            f"the onset ({pathway.onset}) follows the injection that caused it")


def new_case(*, case_id: str, patient: object, pathways: Sequence[str], onset: date | str, enrolment: date,
             injection_date: date | str | None = None, site: object = None, note: object = None,
             catalogue: Catalogue) -> tuple[Case, list[Change]]:
    """A new case enrolled on `enrolment` (the effective today); dates may not be after it."""
    label = check_patient(patient)
    chosen = check_pathways(pathways, catalogue)
    onset_day = check_past_date(onset, "onset", enrolment)
    injection_day = None
    if injection_date not in (None, ""):
        injection_day = check_past_date(injection_date, "injection_date", enrolment)
    _check_anchor_order(onset_day, injection_day, "injection_date", chosen, catalogue)
    case = Case(
        id=case_id, patient=label, pathways=chosen, onset=onset_day, enrolment=enrolment,
        injection_date=injection_day, site=check_text(site, "site", required=False),
        note=check_text(note, "note", required=False),
        # A pathway that sorts its treatment by etiology starts at its first one ("unknown").
        etiology=next(iter(catalogue.etiologies_for(chosen)), None),
        # Likewise a pathway that grades its disease starts at its first severity ("unknown").
        severity=next(iter(catalogue.severities_for(chosen)), None),
    )
    created = {"pathways": list(chosen), "onset": onset_day.isoformat(), "enrolment": enrolment.isoformat()}
    return case, [Change(action="case-add", target="case", old=None, new=created)]


def log_event(case: Case, kind: str, fields: Mapping[str, object], *, today: date) -> tuple[Case, list[Change]]:
    day, details = check_event_fields(kind, fields, today)
    check_new_event(kind, details)
    seq = max((e.seq for e in case.events), default=0) + 1
    event = Event(id=f"e{seq}", seq=seq, kind=kind, date=day, **details)
    updated = replace(case, events=case.events + (event,))
    return updated, [Change(action="event-log", target=event.id, old=None, new=event_json(event))]


def void_event(case: Case, event_id: str, reason: object) -> tuple[Case, list[Change]]:
    event = case.event(event_id)
    if event is None:
        raise ValidationError(f"no event {event_id} in case {case.id}", "event")
    if event.voided:
        raise ValidationError(f"event {event_id} is already void", "event")
    why = check_text(reason, "reason")
    voided = replace(event, voided=True, void_reason=why)
    events = tuple(voided if e.id == event_id else e for e in case.events)
    return replace(case, events=events), [
        Change(action="event-void", target=event_id, old=False, new=True, reason=why)
    ]


def record_json(record: ItemRecord | None) -> dict | None:
    """An item record as the item actions write it into the audit trail (and `rounds undo` reads it)."""
    if record is None:
        return None
    return {
        "state": record.state,
        "date": record.date.isoformat() if record.date else None,
        "reason": record.reason,
        "until": record.until.isoformat() if record.until else None,
        "checks": [c.isoformat() for c in record.checks],
        # Kept so that `rounds undo` can bring an item back exactly as it was.
        "reopened_after_seq": record.reopened_after_seq,
        "early": record.early,
    }


# Series whose `done` records one dated check (and the series goes on): recurrence checks, and the
# checks after hip injections.
RECORDED_CHECKS = ("recurrence", "per-injection")


def records_a_check(item: ItemDef | None) -> bool:
    """`done` on it records one dated check rather than closing it."""
    return item is not None and item.series is not None and item.series.kind in RECORDED_CHECKS


def logged_not_marked(item: ItemDef | None) -> bool:
    """A series of sessions (saline) is recorded session by session, never marked done by hand."""
    return item is not None and item.series is not None and item.series.kind == "saline"


def early_for(item: ItemView, day: date, policy: Policy) -> date | None:
    """The day a time-point item's window opens, when `day` is before it is even due soon.

    A review at 11 weeks is not a six-month review: marking one done that early needs confirming.
    "Early" is where the item would still read `upcoming` (more than `soon_days` before it opens).
    """
    if item.kind != "time-point" or item.opens is None:
        return None
    return item.opens if day < item.opens - timedelta(days=policy.soon_days) else None


def resolve_item(case: Case, item_id: str, action: str, *, today: date, catalogue: Catalogue,
                 policy: Policy | None = None, date: date | str | None = None, reason: object = None,
                 until: date | str | None = None, early: bool = False) -> tuple[Case, list[Change]]:
    """done (dated) / skip (reason) / snooze (reason, until after today) / reopen an item of this case.

    `early`: confirms a time-point item done well before its window opens (see `early_for`).
    """
    check_choice(action, "action", ITEM_ACTIONS)
    policy = policy or Policy()
    from checklists.engine import evaluate  # here: logging an event plans nothing

    view = evaluate(case, catalogue, policy, today)
    item = view.item(item_id)
    if item is None:
        raise ValidationError(f"item {item_id} is not part of case {case.id}", "item")
    _reject_inapplicable(action, date, reason, until)
    if early and action != "done":
        raise ValidationError(f"early applies only to done, not {action}", "early")
    definition = catalogue.item(item_id)
    old = case.items.get(item_id)
    base = old or ItemRecord(item=item_id)
    if action == "done":
        if logged_not_marked(definition):
            raise ValidationError(
                f"{item_id} is not marked done by hand: each session is logged as an event, and a course "
                "ended early is skipped with the reason", "item")
        day = check_past_date(date if date not in (None, "") else today, "date", today)
        # A recurring check is one dated check whenever it is made, not an early review.
        opens = early_for(item, day, policy) if definition is None or definition.series is None else None
        if opens is not None and not early:
            raise ValidationError(
                f"{day.isoformat()} is more than {policy.soon_days} days before the window of {item_id} opens "
                f"({opens.isoformat()}): confirm it as done early", "early")
        record = replace(_done(base, definition, day), early=opens is not None)
    elif action == "skip":
        day = check_past_date(date if date not in (None, "") else today, "date", today)
        record = ItemRecord(item=item_id, state="skipped", date=day, reason=check_text(reason, "reason"),
                            checks=base.checks, reopened_after_seq=base.reopened_after_seq)
    elif action == "snooze":
        why = check_text(reason, "reason")
        if until in (None, ""):
            raise ValidationError("snooze needs an until date after today", "until")
        end = _future_date(until, today)
        record = ItemRecord(item=item_id, state="snoozed", reason=why, until=end, checks=base.checks,
                            reopened_after_seq=base.reopened_after_seq)
    else:
        if item.state == "open":
            raise ValidationError(f"item {item_id} is already open", "item")
        seq = max((e.seq for e in case.events), default=0)
        record = ItemRecord(item=item_id, state="open", checks=base.checks, reopened_after_seq=seq)
    items = dict(case.items)
    items[item_id] = record
    change = Change(action=f"item-{action}", target=item_id, old=record_json(old), new=record_json(record),
                    reason=record.reason if action in ("skip", "snooze") else None)
    return replace(case, items=items), [change]


def _reject_inapplicable(action: str, date, reason, until) -> None:
    if until not in (None, "") and action != "snooze":
        raise ValidationError(f"an until date applies only to snooze, not {action}", "until")
    if date not in (None, "") and action not in ("done", "skip"):
        raise ValidationError(f"a date applies only to done and skip, not {action}", "date")
    if reason not in (None, "") and action == "reopen":
        raise ValidationError("a reason does not apply to reopen", "reason")


def _done(base: ItemRecord, item: ItemDef | None, day: date) -> ItemRecord:
    if item is not None and item.series is not None and item.series.kind in RECORDED_CHECKS:
        # A recurring check records the dated check and stays open for the next one.
        checks = tuple(sorted(set(base.checks) | {day}))
        return ItemRecord(item=base.item, state="open", checks=checks, reopened_after_seq=base.reopened_after_seq)
    return ItemRecord(item=base.item, state="done", date=day, checks=base.checks,
                      reopened_after_seq=base.reopened_after_seq)


def _future_date(value: date | str, today: date) -> date:
    day = parse_date(value, "until")
    if day <= today:
        raise ValidationError(f"until {day.isoformat()} must be after today ({today.isoformat()})", "until")
    return day


def set_field(case: Case, field: str, value: object, *, today: date, catalogue: Catalogue,
              date: date | str | None = None) -> tuple[Case, list[Change]]:
    """Set one case field; `date` (default today) applies to etiology, inflammation and severity only.

    Inflammation is kept as a history: a new state is a change added to it (checklists/inflammation.py).
    """
    check_choice(field, "field", CASE_FIELDS)
    if date not in (None, "") and field not in _DATED_FIELDS:
        raise ValidationError(f"a date does not apply to {field}", "date")
    dated = date not in (None, "")
    day = check_past_date(date if dated else today, "date", today)
    changes_to = _field_update(case, field, value, today, day, catalogue, dated)
    if not dated and field in _DATED_FIELDS and getattr(case, field) == changes_to[field]:
        # Re-stating the same value without a date keeps its date: overdue windows must not move quietly.
        return case, []
    updated = replace(case, **changes_to)
    changes = [
        Change(action="field-set", target=name, old=plain_value(getattr(case, name)), new=plain_value(new))
        for name, new in changes_to.items() if getattr(case, name) != new
    ]
    return (updated, changes) if changes else (case, [])


def plain_value(value: object) -> object:
    """A value as the audit trail keeps it (plain JSON); `rounds undo` reads it back (store/undo.py)."""
    if isinstance(value, tuple) and all(isinstance(v, InflammationChange) for v in value):
        return [{"state": c.state, "date": c.date.isoformat()} for c in value]
    return value.isoformat() if isinstance(value, date) else value


def _pathways_with(catalogue: Catalogue, what: str) -> str:
    """`panniculitis-lipoatrophy` (the pathways whose cases record `what`), for a message."""
    ids = [p.id for p in catalogue.pathways.values() if getattr(p, what)]
    return ", ".join(ids) or "no pathway"


def _field_update(case: Case, field: str, value: object, today: date, day: date,
                  catalogue: Catalogue, dated: bool = True) -> dict[str, Any]:
    text = "" if value is None else str(value).strip()
    if field == "etiology":
        etiologies = catalogue.etiologies_for(case.pathways)
        if not etiologies:
            raise ValidationError(f"etiology applies only to cases of {_pathways_with(catalogue, 'etiologies')}",
                                  "field")
        return {"etiology": check_choice(text, "etiology", etiologies), "etiology_date": day}
    if field == "inflammation":
        if not catalogue.records_inflammation(case.pathways):
            raise ValidationError(
                f"inflammation applies only to cases of {_pathways_with(catalogue, 'inflammation')}", "field")
        state = check_choice(text, "inflammation", INFLAMMATION_STATES)
        history = record_change(inflammation_changes(case), state, day, dated)
        return {"inflammation": history[-1].state, "inflammation_date": history[-1].date,
                "inflammation_history": history}
    if field == "severity":
        severities = catalogue.severities_for(case.pathways)
        if not severities:
            raise ValidationError(f"severity applies only to cases of {_pathways_with(catalogue, 'severities')}",
                                  "field")
        return {"severity": check_choice(text, "severity", severities), "severity_date": day}
    if field == "status":
        return {"status": check_choice(text, "status", CASE_STATUSES)}
    if field == "patient":
        return {"patient": check_patient(text)}
    if field in ("site", "note"):
        return {field: check_text(text, field, required=False)}
    if field == "onset":
        onset = check_past_date(text, "onset", today)
        _check_anchor_order(onset, case.injection_date, "onset", case.pathways, catalogue)
        return {"onset": onset}
    injection = None if text.lower() in _CLEAR_WORDS else check_past_date(text, "injection-date", today)
    _check_anchor_order(case.onset, injection, "injection-date", case.pathways, catalogue)
    return {"injection_date": injection}


def acknowledge_alert(case: Case, code: str, note: object, *, today: date, by: str, catalogue: Catalogue,
                      policy: Policy | None = None) -> tuple[Case, list[Change]]:
    """Acknowledge an alert whose cause is a past fact, with a note; dated today, signed by `by`.

    The acknowledgement covers the evidence the alert rests on today (and whatever an earlier one
    covered), so a new occurrence of the same cause raises the alert again.
    """
    from checklists.engine import evaluate

    view = evaluate(case, catalogue, policy or Policy(), today)
    alert = next((a for a in view.alerts if a.code == code), None)
    if alert is None:
        raise ValidationError(f"alert {code} is not raised on case {case.id} today", "alert")
    if not alert.past_fact:
        raise ValidationError(
            f"alert {code} describes the case as it stands, not a past fact: it cannot be acknowledged, it "
            "clears by itself once what it asks for is recorded", "alert")
    if alert.acknowledged is not None:
        raise ValidationError(f"alert {code} is already acknowledged", "alert")
    why = check_text(note, "note")
    who = check_text(by, "by")
    previous = case.acks.get(code)
    covers = tuple(dict.fromkeys((*(previous.covers if previous else ()), *alert.evidence)))
    ack = AlertAck(code=code, by=who, on=today, note=why, covers=covers)
    acks = dict(case.acks)
    acks[code] = ack
    return replace(case, acks=acks), [
        Change(action="alert-ack", target=code, old=ack_json(previous), new=ack_json(ack), reason=why)
    ]


def unacknowledge_alert(case: Case, code: str) -> tuple[Case, list[Change]]:
    """Withdraw an acknowledgement: the alert counts again (if its cause is still on record)."""
    previous = case.acks.get(code)
    if previous is None:
        raise ValidationError(f"alert {code} is not acknowledged on case {case.id}", "alert")
    acks = {k: v for k, v in case.acks.items() if k != code}
    return replace(case, acks=acks), [Change(action="alert-unack", target=code, old=ack_json(previous), new=None)]
