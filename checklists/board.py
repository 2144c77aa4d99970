"""Filtering and ordering of the case board, shared by `case list` and the TUI."""

from __future__ import annotations

from datetime import date

from checklists.models import CLOSED_CASE_STATUSES, OPEN_CASE_STATUSES, SEVERITY_ORDER, CaseRow
from checklists.status import urgency_rank

FILTERS = ("overdue", "due", "soon", "active", "closed", "all")
_NEEDS = {"overdue": ("overdue",), "due": ("overdue", "due"), "soon": ("overdue", "due", "due-soon")}
_NO_ALERT = len(SEVERITY_ORDER)


def matches_filter(row: CaseRow, filter_name: str) -> bool:
    if filter_name == "all":
        return True
    if filter_name == "closed":
        return row.status in CLOSED_CASE_STATUSES
    if filter_name == "active":
        return row.status in OPEN_CASE_STATUSES
    return row.urgency in _NEEDS[filter_name]


def matches_search(row: CaseRow, search: str | None) -> bool:
    """Case-insensitive substring over the case id and the patient label."""
    if not search:
        return True
    needle = search.strip().casefold()
    return needle in row.id.casefold() or needle in row.patient.casefold()


def filter_rows(rows, filter_name: str = "active", pathway: str | None = None,
                search: str | None = None) -> list[CaseRow]:
    if filter_name not in FILTERS:
        raise ValueError(f"unknown filter {filter_name}")
    return [
        r for r in rows
        if matches_filter(r, filter_name) and (pathway is None or pathway in r.pathways)
        and matches_search(r, search)
    ]


_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITY_ORDER)}


def sort_key(row: CaseRow) -> tuple:
    """Urgency, then the most severe alert, then the next window's date, then the id."""
    # A dict and map() rather than tuple.index in a generator: this runs for every row of every list.
    severities = row.alert_severities
    severity = min(map(_SEVERITY_RANK.__getitem__, severities)) if severities else _NO_ALERT
    next_date = row.next_due.opens if row.next_due else date.max
    return (urgency_rank(row.urgency), severity, next_date, row.id)


def sort_rows(rows) -> list[CaseRow]:
    return sorted(rows, key=sort_key)
