"""A case chart built the way a clinician builds one: through the public actions, one step at a time.

`Chart` wraps `checklists.actions` and `checklists.engine` so that a test reads like a clinic visit:
add the case, log what happened on which day, decide on items, then ask what Rounds says on a day.
All labels are synthetic (`DEMO-…`).
"""

from __future__ import annotations

from datetime import date, timedelta

from checklists import actions
from checklists.engine import case_row, evaluate, summarize
from checklists.models import Alert, CaseRow, CaseView, ItemView, Policy
from checklists.policy import set_policy
from checklists.serialize import case_json
from store.protocol import shipped_protocol

CATALOGUE = shipped_protocol()
DEFAULT_POLICY = Policy()

SA = "steroid-atrophy"
PL = "panniculitis-lipoatrophy"
HIP = "hip-injection"


def row_of(view: CaseView) -> CaseRow:
    """The board line read straight off a fully evaluated case: what `case_row(summarize(...))` must equal."""
    c = view.case
    return CaseRow(
        id=c.id, patient=c.patient, pathways=c.pathways, status=c.status, urgency=view.urgency,
        # Acknowledged alerts stay on the case but leave the board (pathways.md "Revisions").
        next_due=view.next_due, alert_codes=tuple(a.code for a in view.active_alerts),
        alert_severities=tuple(a.severity for a in view.active_alerts), onset=c.onset,
        snoozed=min(((i.label or i.title, i.until) for i in view.items if i.status == "snoozed" and i.until),
                    key=lambda pair: (pair[1], pair[0]), default=None),
    )


def d(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def policy(**values) -> Policy:
    """A clinic policy changed through `set_policy`, as `rounds config set` would change it."""
    current = Policy()
    for key, value in values.items():
        current, _ = set_policy(current, key, str(value))
    return current


class Chart:
    """One synthetic case and the clinic policy it is read with."""

    def __init__(self, *pathways: str, onset, enrolled, injection_date=None, label: str = "DEMO-001",
                 case_id: str = "c0000001", clinic_policy: Policy | None = None):
        self.policy = clinic_policy or DEFAULT_POLICY
        self.case, self.changes = actions.new_case(
            case_id=case_id, patient=label, pathways=list(pathways), onset=onset, enrolment=d(enrolled),
            injection_date=injection_date, catalogue=CATALOGUE,
        )

    # --- what a clinician does -------------------------------------------------------------
    def log(self, kind: str, on, *, today=None, **fields) -> str:
        """Log an event dated `on` (entered on `today`, default the same day); returns its id."""
        fields = {"date": on, **fields}
        self.case, _ = actions.log_event(self.case, kind, fields, today=d(today or on))
        return self.case.events[-1].id

    def act(self, item: str, action: str, *, today, **kwargs) -> None:
        self.case, _ = actions.resolve_item(self.case, item, action, today=d(today), catalogue=CATALOGUE,
                                            policy=self.policy, **kwargs)

    def done(self, item: str, on) -> None:
        self.act(item, "done", today=on, date=on)

    def set(self, field: str, value, *, today, date=None) -> None:
        self.case, _ = actions.set_field(self.case, field, value, today=d(today), catalogue=CATALOGUE,
                                         date=date)

    def void(self, event_id: str, reason: str = "entered on the wrong case") -> None:
        self.case, _ = actions.void_event(self.case, event_id, reason)

    def ack(self, code: str, note: str, *, today, by: str = "dr-demo") -> list:
        """Acknowledge an alert (a past fact) as `by`; returns the audited changes."""
        self.case, changes = actions.acknowledge_alert(self.case, code, note, today=d(today), by=by,
                                                       catalogue=CATALOGUE, policy=self.policy)
        return changes

    # --- what Rounds says -------------------------------------------------------------------
    def view(self, today, clinic_policy: Policy | None = None) -> CaseView:
        return evaluate(self.case, CATALOGUE, clinic_policy or self.policy, d(today))

    def item(self, item_id: str, today) -> ItemView | None:
        return self.view(today).item(item_id)

    def status(self, item_id: str, today) -> str:
        found = self.item(item_id, today)
        assert found is not None, f"{item_id} is not on the checklist"
        return found.status

    def window(self, item_id: str, today=None) -> tuple[date | None, date | None]:
        found = self.item(item_id, today or self.case.enrolment)
        assert found is not None, f"{item_id} is not on the checklist"
        return found.opens, found.closes

    def item_ids(self, today=None) -> list[str]:
        return [i.id for i in self.view(today or self.case.enrolment).items]

    def alerts(self, today) -> dict[str, str]:
        """code -> severity of the alerts that hold on `today`."""
        return {a.code: a.severity for a in self.view(today).alerts}

    def alert(self, code: str, today) -> Alert | None:
        return next((a for a in self.view(today).alerts if a.code == code), None)

    def json(self, today) -> dict:
        return case_json(self.view(today))

    def row(self, today, clinic_policy: Policy | None = None):
        """The board line, computed the cached way (summary first, today later)."""
        used = clinic_policy or self.policy
        return case_row(summarize(self.case, CATALOGUE, used), d(today), used)

    def detail_row(self, today, clinic_policy: Policy | None = None):
        return row_of(self.view(today, clinic_policy))


def status_around(chart: Chart, item_id: str, day, clinic_policy: Policy | None = None) -> tuple[str, str, str]:
    """The item's status the day before, on, and the day after `day`."""
    day = d(day)
    used = clinic_policy or chart.policy
    return tuple(chart.view(day + days(k), used).item(item_id).status for k in (-1, 0, 1))


def alert_around(chart: Chart, code: str, day) -> tuple[str | None, str | None, str | None]:
    """The alert's severity (None when absent) the day before, on, and the day after `day`."""
    day = d(day)
    return tuple(chart.alerts(day + days(k)).get(code) for k in (-1, 0, 1))
