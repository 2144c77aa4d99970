"""iCalendar (RFC 5545) export: one all-day event per open, scheduled checklist item.

The UID is `<case id>-<item id>@rounds`, without the occurrence of a recurring item: importing a
newer export moves the one entry to the next window instead of leaving the done occurrence behind.
SEQUENCE is the case revision, so a calendar sees a changed case as an update of the same entry.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Sequence

from checklists.models import CaseView
from checklists.text import printable, printable_line
from store.export.context import ExportContext

SCHEDULED = ("overdue", "due", "due-soon", "upcoming")
# A de-identified calendar carries no real date, not even when it was made (DTSTAMP is required);
# SEQUENCE still orders updates.
DEID_STAMP = datetime(1970, 1, 1, tzinfo=timezone.utc)


def uid(case_id: str, item_id: str) -> str:
    return f"{case_id}-{item_id}@rounds"


def render(views: Sequence[CaseView], ctx: ExportContext) -> str:
    from icalendar import Calendar, Event  # deferred: only this format needs it

    calendar = Calendar()
    calendar.add("prodid", "-//Rounds//Follow-up checklists//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Rounds follow-up")
    calendar.add("x-wr-caldesc", "Follow-up windows from Rounds. Rounds is decision support and does not "
                 "replace clinical judgement.")
    for view in views:
        case = view.case
        stamp = DEID_STAMP if ctx.deidentified else ctx.now
        for item in view.items:
            if item.state != "open" or not item.opens or not item.closes:
                continue
            if not ctx.deidentified and item.status not in SCHEDULED:
                continue  # (a de-identified calendar has every open window: statuses depend on the day)
            title = item.title + (f" (occurrence {item.occurrence})" if item.occurrence else "")
            summary = f"{case.id}: {title}"
            if ctx.with_patient and case.patient:
                summary = f"{printable_line(case.patient)} · {summary}"
            event = Event()
            event.add("uid", uid(case.id, item.id))
            event.add("dtstamp", stamp)
            event.add("dtstart", item.opens)
            event.add("dtend", item.closes + timedelta(days=1))  # DTEND of an all-day event is exclusive
            event.add("summary", summary)
            event.add("description", _description(view, item, ctx))
            event.add("sequence", case.revision)
            event.add("transp", "TRANSPARENT")  # a reminder, not a busy slot
            calendar.add_component(event)
        ctx.tick()
    return calendar.to_ical().decode("utf-8")


def _description(view: CaseView, item, ctx: ExportContext) -> str:
    pathway = ctx.catalogue.pathways.get(item.pathway)
    window = f"Window {item.opens.isoformat()} to {item.closes.isoformat()}"
    lines = [
        f"Case {view.case.id}, item {item.id} ({pathway.title if pathway else item.pathway}).",
        f"{window}." if ctx.deidentified else f"{window}; status on {view.today.isoformat()}: {item.status}.",
    ]
    if item.detail:
        lines.append(item.detail)
    lines.append(f"Sources: {', '.join(item.sources)} ({item.provenance}).")
    return printable("\n".join(lines))
