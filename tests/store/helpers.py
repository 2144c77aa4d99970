"""Small builders shared by the store tests and the subprocesses they start (no engine needed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

from checklists.models import (
    AlertSpan, Case, CaseRow, CaseSummary, Change, Event, ItemRecord, PlannedItem, Policy,
)
from store.repository import Repository

FIXED_NOW = datetime(2025, 3, 1, 9, 30, 0, tzinfo=timezone.utc)
PATIENT = "DEMO-SECRET-NAME"  # a label no message may ever show


def fixed_clock() -> datetime:
    return FIXED_NOW


def make_case(case_id: str, patient: str = PATIENT, events: int = 0, note: str | None = None) -> Case:
    return Case(
        id=case_id,
        patient=patient,
        pathways=("steroid-atrophy",),
        onset=date(2025, 1, 10),
        enrolment=date(2025, 1, 15),
        injection_date=date(2024, 12, 1),
        site="left deltoid",
        note=note,
        events=tuple(
            Event(id=f"e{n}", seq=n, kind="saline", date=date(2025, 2, 1), volume_ml=10.0)
            for n in range(1, events + 1)
        ),
        items={"review-6m": ItemRecord(item="review-6m", state="open")},
    )


def fake_summarize(case: Case, catalogue, policy: Policy) -> CaseSummary:
    """Stands in for checklists.engine.summarize: one planned item per item record."""
    fake_summarize.calls += 1
    items = tuple(
        PlannedItem(r.item, r.item.title(), r.state, case.onset, date(2025, 12, 31), r.until)
        for r in case.items.values()
    )
    alerts = (AlertSpan("EVENTS", "info", case.onset, None),) if case.events else ()
    return CaseSummary(case.id, case.patient, case.pathways, case.status, case.onset, items, alerts)


fake_summarize.calls = 0


def fake_case_row(summary: CaseSummary, today: date, policy: Policy) -> CaseRow:
    open_items = [i for i in summary.items if i.state == "open"]
    return CaseRow(
        id=summary.id,
        patient=summary.patient,
        pathways=summary.pathways,
        status=summary.status,
        urgency="upcoming" if open_items else "done",
        next_due=None,
        alert_codes=tuple(a.code for a in summary.alerts),
        alert_severities=tuple(a.severity for a in summary.alerts),
        onset=summary.onset,
    )


def make_repo(db_dir: Path, **options) -> Repository:
    options.setdefault("now", fixed_clock)
    options.setdefault("summarize", fake_summarize)
    options.setdefault("case_row", fake_case_row)
    return Repository(db_dir, catalogue=None, **options)


def add_saline(volume_ml: float = 10.0, note: str | None = None):
    """A pure mutation like checklists.actions.log_event: appends an event with the next sequence."""

    def mutate(case: Case) -> tuple[Case, list[Change]]:
        seq = max((e.seq for e in case.events), default=0) + 1
        event = Event(id=f"e{seq}", seq=seq, kind="saline", date=date(2025, 2, 2), volume_ml=volume_ml, note=note)
        return replace(case, events=case.events + (event,)), [Change("event-log", event.id, None, "saline")]

    return mutate


def resolve_item(item: str, state: str = "done", day: date = date(2025, 3, 1)):
    def mutate(case: Case) -> tuple[Case, list[Change]]:
        old = case.items.get(item, ItemRecord(item=item))
        new = replace(old, state=state, date=day)
        items = {**case.items, item: new}
        return replace(case, items=items), [Change(f"item-{state}", item, old.state, state)]

    return mutate


def set_note(text: str):
    def mutate(case: Case) -> tuple[Case, list[Change]]:
        return replace(case, note=text), [Change("field-set", "note", case.note, text)]

    return mutate
