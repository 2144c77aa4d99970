"""The one status function: where an item stands on a given day. Used by every view and export."""

from __future__ import annotations

from datetime import date, timedelta

from checklists.models import URGENCY_ORDER

_RANK = {status: rank for rank, status in enumerate(URGENCY_ORDER)}


def effective_state(state: str, until: date | None, today: date) -> str:
    """A snooze holds while today < until and lapses on the until date itself."""
    if state == "snoozed" and (until is None or today >= until):
        return "open"
    return state


def item_status(
    state: str,
    opens: date | None,
    closes: date | None,
    today: date,
    soon_days: int,
    until: date | None = None,
    missed: bool = False,
    gated: bool = False,
) -> str:
    """Status of one item on `today` (pathways.md "Time and status"; all bounds inclusive).

    done / skipped if resolved; missed for a time-point item whose window closed before enrolment
    (planned without today: windows.py); snoozed while a snooze holds; unscheduled without a window,
    and for a gated item (escalation after first-line treatment) until its window opens;
    upcoming before opens - soon_days; due-soon from then until opens; due from opens to closes;
    overdue after closes.
    """
    state = effective_state(state, until, today)
    if state in ("done", "skipped"):
        return state  # a resolved item's status is its state
    if missed:
        return "missed"  # never overdue: the clinic could not have done it
    if state == "snoozed":
        return state
    if opens is None or closes is None or (gated and today < opens):
        return "unscheduled"
    if today > closes:
        return "overdue"
    if today >= opens:
        return "due"
    if today >= opens - timedelta(days=soon_days):
        return "due-soon"
    return "upcoming"


def urgency_rank(status: str | None) -> int:
    """Lower is more urgent (overdue = 0); a status not in URGENCY_ORDER (None in a record view) sorts
    after every known one."""
    return _RANK.get(status, len(_RANK)) if status is not None else len(_RANK)


def most_urgent(statuses) -> str:
    """The most urgent of some statuses; a case with nothing at all counts as unscheduled.

    Missed items are no part of a case's urgency: they are left out.
    """
    return min((s for s in statuses if s != "missed"), key=urgency_rank, default="unscheduled")
