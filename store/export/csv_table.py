"""CSV export: one row per case (or, with `events`, one row per event), UTF-8, ISO dates, header row.

Every cell is neutralised against formula injection: a spreadsheet treats a cell that starts with
`=`, `+`, `-`, `@` (or a tab or line break before them) as a formula, so such a cell gets a leading `'`.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Sequence

from checklists.models import EVENT_FIELDS, CaseView
from checklists.text import printable

CASE_COLUMNS = (
    "id", "patient", "pathways", "status", "onset", "injection_date", "enrolment", "urgency",
    "next_due_item", "next_due_title", "next_due_opens", "next_due_closes", "next_due_status",
    "saline_done", "saline_min", "saline_max", "abi_done", "injections_done", "injections_last_365_days",
    "alert_codes", "as_of", "missed_items", "acknowledged_alert_codes", "fat_grafts_done",
)
# A de-identified export holds nothing that depends on the day it is made (deidentify.py).
_DAY_COLUMNS = ("urgency", "next_due_item", "next_due_title", "next_due_opens", "next_due_closes",
                "next_due_status", "injections_last_365_days", "as_of")
DEID_CASE_COLUMNS = tuple(c for c in CASE_COLUMNS if c not in _DAY_COLUMNS)
EVENT_COLUMNS = ("case", "event", "seq", "kind", "date") + EVENT_FIELDS + (
    "voided", "void_reason", "recorded_at", "recorded_by",
)
# Full-width forms too: some spreadsheets normalise them to the ASCII ones before parsing.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value)
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return printable(text)  # a cell shown with `cat` must not drive the terminal


def render(views: Sequence[CaseView], ctx) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if ctx.events:
        writer.writerow(EVENT_COLUMNS)
        for view in views:
            for event in sorted(view.case.events, key=lambda e: (e.date, e.seq)):
                row = [view.case.id, event.id, event.seq, event.kind, event.date]
                row += [getattr(event, name) for name in EVENT_FIELDS]
                row += [event.voided, event.void_reason, event.recorded_at, event.recorded_by]
                writer.writerow([safe_cell(v) for v in row])
            ctx.tick()
    else:
        columns = DEID_CASE_COLUMNS if ctx.deidentified else CASE_COLUMNS
        writer.writerow(columns)
        for view in views:
            values = dict(zip(CASE_COLUMNS, _case_row(view)))
            writer.writerow([safe_cell(values[c]) for c in columns])
            ctx.tick()
    return buffer.getvalue()


def _case_row(view: CaseView) -> list[object]:
    case, counts, due = view.case, view.counts, view.next_due
    return [
        case.id, case.patient or None, ";".join(case.pathways), case.status, case.onset,
        case.injection_date, case.enrolment, view.urgency,
        due.item if due else None, due.title if due else None, due.opens if due else None,
        due.closes if due else None, due.status if due else None,
        counts.saline, counts.saline_min, counts.saline_max, counts.abi,
        counts.injections, counts.injections_last_365_days,
        # The alerts that count; acknowledged ones have their own column (cli.md: they leave the counts).
        ";".join(a.code for a in view.active_alerts), view.today,
        ";".join(i.id for i in view.items if i.status == "missed"),
        ";".join(a.code for a in view.alerts if a.acknowledged is not None),
        counts.fat_grafts,
    ]
