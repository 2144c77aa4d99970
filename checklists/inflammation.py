"""Inflammation as a history of dated changes of state, and the episodes they make (pathways.md "Revisions").

Panniculitis relapses. One "current state" cannot say whether a fat graft went into inflamed fat: the
answer depends on the state on the graft's day. A case therefore keeps every change of inflammation
state with its date (`Case.inflammation_history`, oldest first); the state on a day is the latest
change dated on or before it. Before the first recorded change the inflammation counts as not
resolved: a lipoatrophic panniculitis is inflamed until someone records that it has settled.

An *episode* is a stretch of active (not resolved) inflammation: from an `active` change (or from
before the record, when the history starts later or starts with a resolution) to the next
`resolved` change, or still going on. A *relapse* is an `active` change after a resolution.
Pure: no I/O, no today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from checklists.errors import ValidationError
from checklists.models import INFLAMMATION_STATES, Case, InflammationChange


@dataclass(slots=True, frozen=True)
class Episode:
    """Active inflammation from `starts` (None: from before the record) until `resolved` (None: still going)."""

    starts: date | None
    resolved: date | None

    def holds_on(self, day: date) -> bool:
        return (self.starts is None or day >= self.starts) and (self.resolved is None or day < self.resolved)

    def words(self) -> str:
        """`active from 2026-10-01, resolved 2027-01-01`, `active before 2026-06-01 (resolved then)`."""
        since = f"active from {self.starts.isoformat()}" if self.starts else "active before any recorded change"
        return since + (f", resolved {self.resolved.isoformat()}" if self.resolved else ", not yet resolved")


def changes(case: Case) -> tuple[InflammationChange, ...]:
    """The case's changes of inflammation state, oldest first.

    A case written before the history existed has only its current state and date: that is one change.
    """
    if case.inflammation_history:
        return case.inflammation_history
    if case.inflammation is not None and case.inflammation_date is not None:
        return (InflammationChange(case.inflammation, case.inflammation_date),)
    return ()


def state_on(history: tuple[InflammationChange, ...], day: date) -> str | None:
    """The state recorded as holding on `day` (a change takes effect on its own date); None before any."""
    found = None
    for change in history:
        if change.date > day:
            break
        found = change.state
    return found


def resolved_on(history: tuple[InflammationChange, ...], day: date) -> bool:
    return state_on(history, day) == "resolved"


def episodes(history: tuple[InflammationChange, ...]) -> list[Episode]:
    """Every stretch of inflammation not recorded as resolved, oldest first."""
    found: list[Episode] = []
    open_since: date | None = None
    active = True  # before the first change: not recorded as resolved
    for change in history:
        if change.state == "resolved" and active:
            found.append(Episode(open_since, change.date))
            active = False
        elif change.state == "active" and not active:
            open_since, active = change.date, True
    if active:
        found.append(Episode(open_since, None))
    return found


def episode_on(history: tuple[InflammationChange, ...], day: date) -> Episode | None:
    """The episode of inflammation `day` fell in; None when inflammation was recorded resolved that day."""
    return next((e for e in episodes(history) if e.holds_on(day)), None)


def current_remission(history: tuple[InflammationChange, ...]) -> date | None:
    """The day the current quiet spell began (the latest resolution), if inflammation is resolved now."""
    if not history or history[-1].state != "resolved":
        return None
    return history[-1].date


def latest_relapse(history: tuple[InflammationChange, ...]) -> date | None:
    """The latest `active` change that followed a resolution (a relapse), if any."""
    found = None
    for before, after in zip(history, history[1:]):
        if before.state == "resolved" and after.state == "active":
            found = after.date
    return found


def check_history(history: tuple[InflammationChange, ...]) -> None:
    """A history alternates between states on strictly later dates; ValidationError (one line) if not."""
    for n, change in enumerate(history):
        if change.state not in INFLAMMATION_STATES:
            raise ValidationError(f"inflammation history entry {n + 1}: state must be one of "
                                  f"{', '.join(INFLAMMATION_STATES)}", "inflammation_history")
        if n and change.date <= history[n - 1].date:
            raise ValidationError(f"inflammation history entry {n + 1}: dates must follow one another",
                                  "inflammation_history")
        if n and change.state == history[n - 1].state:
            raise ValidationError(f"inflammation history entry {n + 1}: a change must change the state",
                                  "inflammation_history")


def record_change(history: tuple[InflammationChange, ...], state: str, day: date,
                  dated: bool) -> tuple[InflammationChange, ...]:
    """The history once `state` is recorded on `day` (`dated`: the clinician gave the date).

    - the state it already is, without a date: nothing changes (its date stays; windows do not move);
    - the state it already is, with a date: the date of that change is corrected;
    - another state: a new change, dated after the last one (a history is written forwards; a slip
      is put right with `rounds undo`).
    """
    if not history:
        return (InflammationChange(state, day),)
    last = history[-1]
    if state == last.state:
        if not dated or day == last.date:
            return history
        if len(history) > 1 and day <= history[-2].date:
            raise ValidationError(
                f"inflammation became {last.state} after it was recorded {history[-2].state} on "
                f"{history[-2].date.isoformat()}: the corrected date must be after that", "date")
        return history[:-1] + (InflammationChange(state, day),)
    if day <= last.date:
        raise ValidationError(
            f"inflammation was recorded {last.state} on {last.date.isoformat()}: a change to {state} must be "
            "dated after it (rounds undo takes back a change entered by mistake)", "date")
    return history + (InflammationChange(state, day),)


def history_json(history: tuple[InflammationChange, ...]) -> list[dict[str, str]]:
    return [{"state": c.state, "date": c.date.isoformat()} for c in history]


def history_words(history: tuple[InflammationChange, ...]) -> str:
    """`active 2026-01-10 → resolved 2026-06-01 → active 2026-10-01 (relapse)`."""
    parts = []
    for n, change in enumerate(history):
        relapse = " (relapse)" if change.state == "active" and n and history[n - 1].state == "resolved" else ""
        parts.append(f"{change.state} {change.date.isoformat()}{relapse}")
    return " → ".join(parts)
