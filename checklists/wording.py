"""How Rounds words what it computes: statuses, severities, provenance, windows, events and counts.

One module, so the board, the case screen, the command line and the exports say the same thing the
same way. Status is always a symbol and a word, never a colour alone: over SSH a terminal may have
16 colours or NO_COLOR set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

from checklists.models import AlertAck, Case, Counts, Event, ItemView
from checklists.text import printable_line
from seeds.loader import Catalogue

# status -> (symbol, word). Urgent statuses are upper case so they stand out in monochrome too.
# Symbols are characters every UTF-8 terminal draws in one cell (tmux with TERM=screen too).
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "overdue": ("!", "OVERDUE"),
    "due": ("●", "DUE"),
    "due-soon": ("◐", "DUE SOON"),
    "upcoming": ("○", "upcoming"),
    "snoozed": ("z", "snoozed"),
    "unscheduled": ("·", "unscheduled"),
    "done": ("✓", "done"),
    "skipped": ("–", "skipped"),
    # A time-point item whose window closed before the case was enrolled: not a failure of the clinic.
    "missed": ("⊘", "missed before enrolment"),
}
# Follow-up has ended for closed and lost cases, so lists show that instead of an urgency.
CASE_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "closed": ("×", "closed"),
    "lost": ("?", "lost"),
}
# A resolved case (the lesion has resolved; monitoring goes on) with nothing to do now.
RESOLVED_LABEL = ("✓", "resolved")
# The words of a letter, where a symbol would not survive and "unscheduled" means nothing to a reader.
STATUS_WORDS = {
    "overdue": "OVERDUE", "due": "DUE", "due-soon": "due soon", "upcoming": "upcoming",
    "snoozed": "snoozed", "unscheduled": "open", "done": "done", "skipped": "skipped",
    "missed": "missed before enrolment",
}
NO_SET_DATE = "no set date"
# What was recorded of an item, for a de-identified export, which says nothing of where it stands today.
STATE_WORDS = {"open": "open", "done": "done", "skipped": "skipped", "snoozed": "snoozed"}
# The heading under which missed items are shown apart from the rest of a checklist.
BEFORE_ENROLMENT = "Before enrolment"
SEVERITY_LABELS: dict[str, tuple[str, str]] = {
    "critical": ("‼", "CRITICAL"),
    "warning": ("!", "WARNING"),
    "info": ("i", "info"),
}
# One letter per severity for a narrow alert column ("C1 W2"), most severe first.
SEVERITY_LETTERS = {"critical": "C", "warning": "W", "info": "I"}
PROVENANCE_LABELS = {
    "literature": "literature (verified citation)",
    "seed-summary": "seed summary (not yet traced to a verified paper)",
    "clinic-policy": "clinic policy (a number the clinic chose)",
}
PROVENANCE_ORDER = tuple(PROVENANCE_LABELS)  # strongest first
EVENT_WORDS = {
    "saline": "Saline infiltration", "abi": "Autologous blood injection", "fat-graft": "Fat graft",
    "injection": "Corticosteroid injection", "pt-start": "Physiotherapy started", "biopsy": "Biopsy",
    "aat-test": "Alpha-1 antitrypsin test", "workup": "Systemic work-up", "therapy-start": "Therapy started",
    "therapy-dose": "Dose changed", "therapy-stop": "Therapy stopped", "assessment": "Assessment", "mri": "MRI",
    "note": "Note",
}


def status_label(status: str) -> str:
    """`! OVERDUE`, `○ upcoming`, ...; an unknown status is shown as it is rather than hidden."""
    symbol, word = STATUS_LABELS.get(status) or CASE_STATUS_LABELS.get(status) or ("?", status)
    return f"{symbol} {word}"


def shown_status(case_status: str, urgency: str) -> str:
    """What a list says of a case (board, `case list`): its end of follow-up (closed, lost); for a
    resolved case "resolved" unless an item needs doing now; else its most urgent item's status."""
    if case_status in CASE_STATUS_LABELS:
        return case_status
    if case_status == "resolved" and urgency not in ("overdue", "due", "due-soon"):
        return "resolved"
    return urgency


def shown_status_label(case_status: str, urgency: str) -> str:
    status = shown_status(case_status, urgency)
    return f"{RESOLVED_LABEL[0]} {RESOLVED_LABEL[1]}" if status == "resolved" else status_label(status)


def severity_label(severity: str) -> str:
    symbol, word = SEVERITY_LABELS.get(severity, ("?", severity))
    return f"{symbol} {word}"


def severity_counts(severities: Iterable[str]) -> str:
    """`C1 W2`: how many alerts of each severity, most severe first; empty when there are none."""
    severities = list(severities)
    parts = []
    for severity, letter in SEVERITY_LETTERS.items():
        count = sum(1 for s in severities if s == severity)
        if count:
            parts.append(f"{letter}{count}")
    return " ".join(parts)


def provenance_label(provenance: str) -> str:
    return PROVENANCE_LABELS.get(provenance, provenance)


def provenance_rank(provenance: str) -> int:
    return PROVENANCE_ORDER.index(provenance) if provenance in PROVENANCE_ORDER else len(PROVENANCE_ORDER)


def window_text(opens: date | None, closes: date | None) -> str:
    """`2026-12-20..01-10`: a window in ISO dates, the year of `closes` left out when it is the same."""
    if opens is None or closes is None:
        return "no window"
    if opens.year == closes.year:
        return f"{opens.isoformat()}..{closes.strftime('%m-%d')}"
    return f"{opens.isoformat()}..{closes.isoformat()}"


def day_text(day: date, today: date | None = None) -> str:
    """`11-02` for a day in `today`'s year, else `2025-11-02`: a date from another year always carries
    its year, so an item a year overdue cannot pass for a recent one. Without `today`, the whole date."""
    return day.strftime("%m-%d") if today is not None and day.year == today.year else day.isoformat()


def count_of(count: int, noun: str, plural: str | None = None) -> str:
    """`1 case`, `6 cases`: a count with its noun in the right number, never `case(s)`."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def window_words(opens: date | None, closes: date | None) -> str:
    """`2026-12-20 to 2027-01-10`, for letters and printed summaries."""
    if opens is None or closes is None:
        return NO_SET_DATE
    return f"{opens.isoformat()} to {closes.isoformat()}"


def pathways_short(pathways: Iterable[str], catalogue: Catalogue) -> str:
    """`ATR+HIP`: the pathways' short labels from the catalogue."""
    return "+".join(catalogue.short_label(p) for p in pathways)


def one_line(text: str) -> str:
    """Free text on one line (tables, headings and list lines cannot hold a newline), with anything a
    terminal would obey shown as a visible escape (checklists/text.py)."""
    return printable_line(text)


def describe_event(event: Event) -> str:
    """An event's details in one line (`10 mL; site: left cheek`): the event log, forms, CLI and exports."""
    parts: list[str] = []
    if event.volume_ml is not None:
        parts.append(f"{event.volume_ml:g} mL")
    if event.drug:
        parts.append(event.drug + (f" {event.dose}" if event.dose else ""))
    elif event.dose:
        parts.append(f"dose {event.dose}")
    if event.guidance:
        parts.append(f"{event.guidance} guidance")
    if event.depth:
        parts.append(f"depth: {event.depth}")
    if event.what:
        parts.append(f"what: {event.what}")
    if event.result:
        parts.append(f"result: {event.result}")
    if event.size_mm is not None:
        parts.append(f"size {event.size_mm:g} mm")
    if event.depth_mm is not None:
        parts.append(f"depth {event.depth_mm:g} mm")
    if event.pigment:
        parts.append(f"pigment: {event.pigment}")
    if event.photo is not None:
        parts.append("photo taken" if event.photo else "no photo")
    if event.improvement:
        parts.append(f"improvement: {event.improvement}")
    if event.mrc is not None:
        parts.append(f"MRC {event.mrc}/5")
    if event.pain is not None:
        parts.append(f"pain {event.pain}/10")
    if event.tendon:
        parts.append(f"tendon: {event.tendon}")
    if event.joint:
        parts.append(f"joint: {event.joint}")
    if event.site:
        parts.append(f"site: {event.site}")
    if event.note:
        parts.append(f"note: {event.note}")
    return one_line("; ".join(parts))


def item_remark(item: ItemView) -> str:
    """The short note after an item (count, when done, reason, snooze, checks): CLI and exports alike."""
    bits = []
    status = item.status or item.state  # a record view (de-identified) has states, no statuses
    if item.waits:
        bits.append(item.waits)
    if item.detail:
        bits.append(item.detail)
    if status == "done" and item.resolved_on:
        bits.append(f"done {item.resolved_on.isoformat()}" + (" (early, confirmed)" if item.early else ""))
    if status == "skipped":
        bits.append("skipped" + (f" {item.resolved_on.isoformat()}" if item.resolved_on else ""))
    if item.until:
        bits.append(f"snoozed until {item.until.isoformat()}")
    if item.reason:
        bits.append(f"reason: {item.reason}")
    if item.checks:
        bits.append("checks " + ", ".join(d.isoformat() for d in item.checks))
    return one_line("; ".join(bits))


def counts_parts(counts: Counts, counted: Iterable[str]) -> list[str]:
    """`saline 2 of 3-6`, `autologous blood 1`, `injections 4 (3 in 365 days)`.

    `counted`: what the case's pathways count (Catalogue.counted); anything else shows only once
    there is something to count, so a hip case with a stray saline session still shows it.
    """
    wanted = set(counted)
    parts = []
    if "saline" in wanted or counts.saline:
        parts.append(f"saline {counts.saline} of {counts.saline_min}-{counts.saline_max}")
    if "abi" in wanted or counts.abi:
        parts.append(f"autologous blood {counts.abi}")
    if "fat-graft" in wanted or counts.fat_grafts:
        parts.append(f"fat grafts {counts.fat_grafts}")
    if "injection" in wanted or counts.injections:
        recent = counts.injections_last_365_days  # None in a record view: it depends on the day
        parts.append(f"injections {counts.injections}" + (f" ({recent} in 365 days)" if recent is not None else ""))
    return parts


def counts_text(counts: Counts, counted: Iterable[str]) -> str:
    return " · ".join(counts_parts(counts, counted)) or "nothing counted for these pathways"


def ack_words(ack: AlertAck) -> str:
    """`acknowledged by jdoe on 2026-11-25: note`, for the case screen, the CLI and the exports."""
    return one_line(f"acknowledged by {ack.by} on {ack.on.isoformat()}: {ack.note}")


def split_missed(items: Iterable[ItemView]) -> tuple[list[ItemView], list[ItemView]]:
    """(the checklist proper, the items missed before enrolment): missed ones are shown apart."""
    items = list(items)
    return [i for i in items if i.status != "missed"], [i for i in items if i.status == "missed"]


_ISO_DAY = r"\d{4}-\d{2}-\d{2}"


def event_word(event: Event) -> str:
    """`Saline infiltration`: an event's kind in words."""
    return EVENT_WORDS.get(event.kind, event.kind)


def alert_text(message: str, case: Case, titles: Mapping[str, str]) -> str:
    """An engine message with events named as the event lists show them and item slugs as titles:
    the case screen, letters and exports alike (none of them shows event ids).

    `e3 2026-10-04 (25 mL)` becomes `Saline infiltration on 2026-10-04 (25 mL)`; an id not followed
    by its date is dropped (the rest of the phrase names the event); `fat-graft-referral` becomes
    its title in quotes. Only this case's own ids are touched.
    """
    events = {e.id: e for e in case.events}

    def dated(match: re.Match) -> str:
        event = events.get(match.group(1))
        return f"{event_word(event)} on {match.group(2)}" if event else match.group(0)

    def bare(match: re.Match) -> str:
        return "" if match.group(1) in events else match.group(0)

    text = re.sub(rf"\b(e\d+) ({_ISO_DAY})\b", dated, message)
    text = re.sub(r"\b(e\d+) (?=\S)", bare, text)
    for item_id, title in titles.items():
        if item_id in text:
            text = re.sub(rf"(?<![\w-]){re.escape(item_id)}(?![\w-])", f"\u201c{title}\u201d", text)
    return text
