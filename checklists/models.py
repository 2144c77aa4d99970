"""Typed, frozen domain objects passed between the layers: a case as recorded, and what it means today.

Recorded objects (`Case`, `Event`, `ItemRecord`, `Policy`) come from the store; computed objects
(`ItemView`, `Alert`, `CaseView`, `CaseRow`) come from the engine. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime as dt
from datetime import date

from seeds.vocabulary import EVENT_FIELDS, SEVERITIES

CASE_STATUSES = ("active", "resolved", "closed", "lost")
OPEN_CASE_STATUSES = ("active", "resolved")
CLOSED_CASE_STATUSES = ("closed", "lost")
INFLAMMATION_STATES = ("active", "resolved")
ITEM_STATES = ("open", "done", "skipped", "snoozed")
# Most urgent first; the board, `case list` and the exports all sort by this order. `missed` (a
# time-point item whose window closed before enrolment) comes last: it never makes a case urgent.
URGENCY_ORDER = ("overdue", "due", "due-soon", "upcoming", "snoozed", "unscheduled", "done", "skipped", "missed")
SEVERITY_ORDER = SEVERITIES  # most severe first


@dataclass(slots=True, frozen=True)
class Policy:
    """Clinic-chosen numbers (provenance `clinic-policy`); shared by every user of a database."""

    soon_days: int = 14
    saline_min_ml: float = 5.0
    saline_max_ml: float = 20.0
    saline_min_sessions: int = 3
    saline_max_sessions: int = 6
    recurrence_months: int = 6
    max_injections_per_year: int = 3
    # A hip injection this many months or more after the previous one starts a new run (issue 15).
    injection_run_gap_months: int = 12
    # Maintenance drugs that follow one another within this many days count as one stretch of therapy.
    therapy_gap_days: int = 30


@dataclass(slots=True, frozen=True)
class Event:
    """Something that happened to the patient, recorded once and never deleted (only voided)."""

    id: str
    seq: int
    kind: str
    date: date
    volume_ml: float | None = None
    site: str | None = None
    what: str | None = None
    guidance: str | None = None
    drug: str | None = None
    dose: str | None = None
    depth: str | None = None
    result: str | None = None
    improvement: str | None = None
    size_mm: float | None = None
    depth_mm: float | None = None
    pigment: str | None = None
    photo: bool | None = None
    mrc: int | None = None
    pain: int | None = None
    tendon: str | None = None
    joint: str | None = None
    note: str | None = None
    voided: bool = False
    void_reason: str | None = None
    recorded_at: str | None = None
    recorded_by: str | None = None

    def details(self) -> dict[str, object]:
        """The detail fields that are set, in display order."""
        return {name: getattr(self, name) for name in EVENT_FIELDS if getattr(self, name) is not None}


@dataclass(slots=True, frozen=True)
class ItemRecord:
    """What a clinician decided about one checklist item (absent means: open, untouched).

    `reopened_after_seq`: after a reopen, only events with a higher sequence number satisfy the
    item again. `checks`: the dated checks recorded on a recurring check item.
    """

    item: str
    state: str = "open"  # open | done | skipped | snoozed
    date: dt.date | None = None  # `dt.`: inside this class, `date` is the field
    reason: str | None = None
    until: dt.date | None = None
    reopened_after_seq: int | None = None
    checks: tuple[dt.date, ...] = ()
    early: bool = False  # marked done well before its window opened, and confirmed as such


@dataclass(slots=True, frozen=True)
class AlertAck:
    """A clinician's acknowledgement of an alert whose cause is a past fact.

    `covers`: the evidence (event ids and marks) the alert rested on when it was acknowledged; a new
    occurrence of the same cause brings evidence it does not cover, and the alert is raised again.
    """

    code: str
    by: str
    on: date
    note: str
    covers: tuple[str, ...] = ()


@dataclass(slots=True, frozen=True)
class InflammationChange:
    """Inflammation recorded as `state` (active | resolved) from `date` on (checklists/inflammation.py)."""

    state: str
    date: date


@dataclass(slots=True, frozen=True)
class Case:
    id: str
    patient: str
    pathways: tuple[str, ...]
    onset: date
    enrolment: date
    status: str = "active"
    injection_date: date | None = None
    site: str | None = None
    note: str | None = None
    etiology: str | None = None
    etiology_date: date | None = None
    inflammation: str | None = None
    inflammation_date: date | None = None
    events: tuple[Event, ...] = ()
    items: dict[str, ItemRecord] = field(default_factory=dict)
    revision: int = 0
    acks: dict[str, AlertAck] = field(default_factory=dict)  # alert code -> acknowledgement
    # Every change of inflammation state, oldest first; `inflammation` and `inflammation_date` are its
    # last entry (the current state). Empty in cases written before it: they hold one change at most.
    inflammation_history: tuple[InflammationChange, ...] = ()
    # How severe the disease is, as the pathway's `severities` name it (None: the pathway's first, unknown).
    severity: str | None = None
    severity_date: date | None = None

    def live_events(self, kind: str | None = None) -> list[Event]:
        """Events that count (not voided), oldest first, optionally of one kind."""
        return sorted(
            (e for e in self.events if not e.voided and (kind is None or e.kind == kind)),
            key=lambda e: (e.date, e.seq),
        )

    def event(self, event_id: str) -> Event | None:
        return next((e for e in self.events if e.id == event_id), None)


@dataclass(slots=True, frozen=True)
class ItemView:
    """One checklist item as it stands today (or, from `engine.record_view`, on no particular day)."""

    id: str
    pathway: str
    title: str
    phase: str
    state: str  # open | done | skipped | snoozed (effective today; as recorded in a record view)
    opens: date | None
    closes: date | None
    status: str | None  # one of URGENCY_ORDER; None in a record view, which has no today
    sources: tuple[str, ...]
    provenance: str
    rationale: str
    resolved_on: date | None = None
    reason: str | None = None
    until: date | None = None
    checks: tuple[date, ...] = ()
    occurrence: int | None = None  # recurring items: which occurrence the window is for
    detail: str | None = None  # a short line such as "saline 2 of 3-6"
    kind: str = "action"  # action | time-point (what a late presentation means for it)
    waits: str | None = None  # what it waits for while its gate is shut ("after the saline course")
    early: bool = False  # done before its window, confirmed as early
    # How strong the source of its timing is (the clinic's window around a literature step, say);
    # None for an item with no window at all.
    window_provenance: str | None = None
    label: str = ""  # the short title for narrow lists ("6-month review", "Saline session 2 of 3-6")


@dataclass(slots=True, frozen=True)
class Alert:
    code: str
    severity: str
    message: str
    action: str
    sources: tuple[str, ...]
    provenance: str
    pathway: str
    past_fact: bool = False  # can be acknowledged
    evidence: tuple[str, ...] = ()  # what it rests on (event ids, marks): an acknowledgement covers these
    acknowledged: AlertAck | None = None


@dataclass(slots=True, frozen=True)
class NextDue:
    item: str
    title: str
    opens: date
    closes: date
    status: str
    label: str = ""  # the short title for narrow lists: the board, `case list` ("Saline session 2 of 3-6")


@dataclass(slots=True, frozen=True)
class Counts:
    """What a case has had so far, with the course limits the protocol sets (clinic policy)."""

    saline: int = 0
    saline_min: int = 3
    saline_max: int = 6
    abi: int = 0
    fat_grafts: int = 0
    injections: int = 0
    injections_last_365_days: int | None = 0  # None in a record view: it depends on the day


@dataclass(slots=True, frozen=True)
class CaseView:
    """Everything Rounds says about a case on a given day.

    A record view (`engine.record_view`, for de-identified exports) has no day: `today`, `urgency`,
    `next_due` and each item's `status` are None, and its alerts are those the record raises at any time.
    """

    case: Case
    today: date | None
    items: tuple[ItemView, ...]
    alerts: tuple[Alert, ...]
    counts: Counts
    next_due: NextDue | None
    urgency: str | None
    event_flags: dict[str, str] = field(default_factory=dict)  # event id -> what is odd about it

    @property
    def active_alerts(self) -> tuple[Alert, ...]:
        """The alerts that count: every alert not acknowledged (acknowledged ones stay listed)."""
        return tuple(a for a in self.alerts if a.acknowledged is None)

    @property
    def alert_codes(self) -> list[str]:
        """The codes of the alerts that count (not acknowledged), as the board shows them."""
        return [a.code for a in self.active_alerts]

    def item(self, item_id: str) -> ItemView | None:
        return next((i for i in self.items if i.id == item_id), None)


@dataclass(slots=True, frozen=True)
class CaseRow:
    """One line of the case board / `case list`: enough to sort, filter and show, nothing more."""

    id: str
    patient: str
    pathways: tuple[str, ...]
    status: str
    urgency: str
    next_due: NextDue | None
    alert_codes: tuple[str, ...]
    alert_severities: tuple[str, ...]
    onset: date | None = None
    # The snoozed item that comes back first: (its label, the day it returns); the board says it when
    # nothing else waits, so that a snoozed case says what is snoozed and until when.
    snoozed: tuple[str, date] | None = None


@dataclass(slots=True, frozen=True)
class Change:
    """One audited change made by an action: what was touched, and its value before and after.

    The store adds who and when; the engine says what. Values are plain JSON-able data.
    """

    action: str  # e.g. "case-add", "event-log", "event-void", "item-done", "field-set", "policy-set"
    target: str  # e.g. "case", an event id, an item id, a field or policy key
    old: object = None
    new: object = None
    reason: str | None = None
    details: dict | None = None  # e.g. which earlier change an undo reverts, where a restore came from


@dataclass(slots=True, frozen=True)
class PlannedItem:
    """An item's window and recorded state; independent of today, so the list index can keep it."""

    id: str
    title: str
    state: str  # recorded: open | done | skipped | snoozed
    opens: date | None
    closes: date | None
    until: date | None = None
    missed: bool = False  # a time-point item whose window closed before enrolment
    gated: bool = False  # unscheduled until its window opens (escalation after first-line treatment)
    label: str = ""  # the short title for narrow lists (ItemView.label)


@dataclass(slots=True, frozen=True)
class AlertSpan:
    """An alert that holds from `starts` (inclusive) until `ends` (exclusive); None = unbounded."""

    code: str
    severity: str
    starts: date | None = None
    ends: date | None = None


@dataclass(slots=True, frozen=True)
class CaseSummary:
    """What the case board needs of a case, computed without `today` so that it can be cached.

    `checklists.engine.case_row(summary, today, policy)` turns it into a `CaseRow` using the same
    status function as the case view.
    """

    id: str
    patient: str
    pathways: tuple[str, ...]
    status: str
    onset: date
    items: tuple[PlannedItem, ...]
    alerts: tuple[AlertSpan, ...]
