"""iCalendar (RFC 5545) export: the follow-ups still to do, one entry each, never a multi-week bar.

What is in it: the open items of cases in active follow-up (resolved, closed and lost cases are left
out) whose window has not closed yet (`past` adds those whose window has closed); a snoozed item
appears on the day its snooze ends. Done, skipped, missed and unscheduled items are not in it.

How each looks: by default a one-day event on the day the window opens (the window itself is in
the description); with `tasks`, a to-do (VTODO) that starts when the window opens and is due when it
closes. `remind_days` adds a reminder (VALARM) that many days before the entry's day.

The UID is `<case id>-<item id>@rounds`, without the occurrence of a recurring item: importing a
newer export moves the one entry to the next window instead of leaving the done occurrence behind.
SEQUENCE is the case revision, so a calendar sees a changed case as an update of the same entry.

De-identified, the calendar is the same whatever day it is made: every open window (as with
`past`), snoozed items on their recorded snooze end, no status words, and a fixed DTSTAMP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Sequence

from checklists.models import CaseView, ItemView
from checklists.text import printable, printable_line
from store.export.context import ExportContext
from store.export.readable import source_names

# A de-identified calendar carries no real date, not even when it was made (DTSTAMP is required);
# SEQUENCE still orders updates.
DEID_STAMP = datetime(1970, 1, 1, tzinfo=timezone.utc)
CALENDAR_CASE_STATUSES = ("active",)
_NOT_IN_CALENDAR = ("done", "skipped", "missed")


def uid(case_id: str, item_id: str) -> str:
    return f"{case_id}-{item_id}@rounds"


@dataclass(slots=True, frozen=True)
class Entry:
    """One follow-up as the calendar shows it: on `day`, due by `due` (None: no later due day)."""

    item: ItemView
    day: date
    due: date | None
    snoozed: bool


def entries(view: CaseView, today: date, *, past: bool, deidentified: bool) -> list[Entry]:
    """The calendar entries of one case (see the module docstring for what is in and out)."""
    if view.case.status not in CALENDAR_CASE_STATUSES:
        return []
    found = []
    for item in view.items:
        if item.state in _NOT_IN_CALENDAR or item.status in _NOT_IN_CALENDAR:
            continue
        snooze_end = _snooze_end(view, item, deidentified)
        if snooze_end is not None:
            due = item.closes if item.closes and item.closes > snooze_end else None
            found.append(Entry(item, snooze_end, due, snoozed=True))
            continue
        if item.opens is None or item.closes is None:
            continue
        if not (past or deidentified) and item.closes < today:  # (a record view has no today)
            continue
        found.append(Entry(item, item.opens, item.closes if item.closes > item.opens else None, snoozed=False))
    return found


def _snooze_end(view: CaseView, item: ItemView, deidentified: bool) -> date | None:
    """When a snoozed item comes back. De-identified: as recorded, whether or not it has lapsed today."""
    if deidentified:
        record = view.case.items.get(item.id)
        return record.until if record is not None and record.state == "snoozed" else None
    return item.until if item.state == "snoozed" else None


def render(views: Sequence[CaseView], ctx: ExportContext) -> str:
    from icalendar import Alarm, Calendar, Event, Todo  # deferred: only this format needs it

    calendar = Calendar()
    calendar.add("prodid", "-//Rounds//Follow-up checklists//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Rounds follow-up")
    calendar.add("x-wr-caldesc", "Follow-ups from Rounds, each on the day its window opens. Rounds is decision "
                 "support and does not replace clinical judgement.")
    stamp = DEID_STAMP if ctx.deidentified else ctx.now
    for view in views:
        case = view.case
        # A de-identified export holds record views, with no day: every open window is in it.
        for entry in entries(view, view.today or date.min, past=ctx.past, deidentified=ctx.deidentified):
            item = entry.item
            title = item.title + (f" (occurrence {item.occurrence})" if item.occurrence else "")
            summary = f"{case.id}: {title}"
            if ctx.with_patient and case.patient:
                summary = f"{printable_line(case.patient)} · {summary}"
            component = Todo() if ctx.tasks else Event()
            component.add("uid", uid(case.id, item.id))
            component.add("dtstamp", stamp)
            component.add("dtstart", entry.day)
            if ctx.tasks:
                if entry.due is not None:
                    component.add("due", entry.due)
                component.add("status", "NEEDS-ACTION")
            else:
                component.add("dtend", entry.day + timedelta(days=1))  # one all-day event (DTEND is exclusive)
                component.add("transp", "TRANSPARENT")  # a reminder, not a busy slot
            component.add("summary", summary)
            component.add("description", _description(view, entry, ctx))
            component.add("sequence", case.revision)
            if ctx.remind_days is not None:
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", f"Rounds: {title}")
                alarm.add("trigger", timedelta(days=-ctx.remind_days), parameters={"RELATED": "START"})
                component.add_component(alarm)
            calendar.add_component(component)
        ctx.tick()
    return calendar.to_ical().decode("utf-8")


def _description(view: CaseView, entry: Entry, ctx: ExportContext) -> str:
    item = entry.item
    pathway = ctx.catalogue.pathways.get(item.pathway)
    lines = [f"Case {view.case.id}: {item.title} ({pathway.title if pathway else item.pathway})."]
    if item.opens and item.closes:
        lines.append(f"Window {item.opens.isoformat()} to {item.closes.isoformat()}.")
    if entry.snoozed:
        lines.append(f"Snoozed until {entry.day.isoformat()}.")
    if not ctx.deidentified and view.today is not None:
        lines.append(f"Status on {view.today.isoformat()}: {item.status}.")
    if item.detail:
        lines.append(item.detail)
    lines.append(f"Source: {source_names(item.sources, ctx.catalogue)}.")
    return printable("\n".join(lines))
