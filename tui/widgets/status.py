"""How a status or a severity is written on screen: always a symbol and a word, colour only on top.

Over SSH a terminal may have 16 colours or NO_COLOR set, so the word carries the meaning and the
colour (a component class named after the status) is a help, never the message.
"""

from __future__ import annotations

from datetime import date

# status -> (symbol, word). Urgent statuses are upper case so they stand out in monochrome too.
# Symbols are chosen from characters every UTF-8 terminal draws in one cell (tmux with TERM=screen too).
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "overdue": ("!", "OVERDUE"),
    "due": ("●", "DUE"),
    "due-soon": ("◐", "DUE SOON"),
    "upcoming": ("○", "upcoming"),
    "snoozed": ("z", "snoozed"),
    "unscheduled": ("·", "unscheduled"),
    "done": ("✓", "done"),
    "skipped": ("–", "skipped"),
}
# Follow-up has ended for closed and lost cases, so the board shows that instead of an urgency.
CASE_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "closed": ("×", "closed"),
    "lost": ("?", "lost"),
}
SEVERITY_LABELS: dict[str, tuple[str, str]] = {
    "critical": ("‼", "CRITICAL"),
    "warning": ("!", "WARNING"),
    "info": ("i", "info"),
}
# One letter per severity for the board's narrow alert column ("C1 W2").
SEVERITY_LETTERS = {"critical": "C", "warning": "W", "info": "I"}
PROVENANCE_LABELS = {
    "literature": "literature (verified citation)",
    "seed-summary": "seed summary (not yet traced to a verified paper)",
    "clinic-policy": "clinic policy (a number the clinic chose)",
}
PATHWAY_SHORT = {
    "steroid-atrophy": "ATR",
    "panniculitis-lipoatrophy": "PAN",
    "hip-injection": "HIP",
}


def status_label(status: str) -> str:
    """`! OVERDUE`, `○ upcoming`, ...; an unknown status is shown as it is rather than hidden."""
    symbol, word = STATUS_LABELS.get(status) or CASE_STATUS_LABELS.get(status) or ("?", status)
    return f"{symbol} {word}"


def severity_label(severity: str) -> str:
    symbol, word = SEVERITY_LABELS.get(severity, ("?", severity))
    return f"{symbol} {word}"


def severity_counts(severities) -> str:
    """`C1 W2`: how many alerts of each severity, most severe first; empty when there are none."""
    severities = list(severities)
    parts = []
    for severity, letter in SEVERITY_LETTERS.items():
        count = sum(1 for s in severities if s == severity)
        if count:
            parts.append(f"{letter}{count}")
    return " ".join(parts)


def pathways_short(pathways) -> str:
    return "+".join(PATHWAY_SHORT.get(p, p[:3].upper()) for p in pathways)


def window_text(opens: date | None, closes: date | None) -> str:
    """`2026-12-20..01-10`: a window in ISO dates, the year of `closes` left out when it is the same."""
    if opens is None or closes is None:
        return "no window"
    if opens.year == closes.year:
        return f"{opens.isoformat()}..{closes.strftime('%m-%d')}"
    return f"{opens.isoformat()}..{closes.isoformat()}"


def short_id(case_id: str, length: int = 10) -> str:
    """A case id as typed at the CLI (10 characters); a longer one is cut, and any unique prefix works."""
    return case_id if len(case_id) <= length else case_id[: length - 1] + "…"
