"""Maintenance immunosuppression counted across drugs: courses, and the blocks they make (issue 15).

Seed 001 asks for immunosuppression kept up for at least a year. That is a year of *treatment*, not a
year of one drug: switching hydroxychloroquine to methotrexate at six months is not stopping. So:

- a *course* of a drug runs from a start to the next stop of the same drug (names compared through
  seeds/drugs.toml; a second start without a stop continues the course; a stop with no start before
  it is ignored here, and marked "no recorded start" on the record);
- only *maintenance* drugs count: the drug list's `maintenance` role, and any drug the list does not
  know (so an unlisted switch is never mistaken for stopping). Glucocorticoid flare courses,
  induction (cyclophosphamide), alpha-1 antitrypsin replacement and what is injected into a hip do not;
- courses that overlap, or follow one another within `therapy_gap_days` (clinic policy: a hold for an
  infection, a washout between drugs), make one *block*; a block ends when its last drug stops.

Pure: from the live events alone, never from today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from checklists.facts import CaseFacts
from checklists.models import Event

NOT_MAINTENANCE = ("glucocorticoid", "induction", "augmentation", "injected-steroid", "local-anaesthetic")


@dataclass(slots=True, frozen=True)
class Course:
    drug: str  # the generic name (or, for a drug the list does not know, its folded words)
    start: Event
    stop: Event | None  # None: still running

    @property
    def ends(self) -> date | None:
        return self.stop.date if self.stop else None

    def words(self) -> str:
        """`methotrexate e3 2026-02-10 to e7 2026-06-01`: the course with the events that bound it."""
        until = f" to {self.stop.id} {self.stop.date.isoformat()}" if self.stop else ", still running"
        return f"{self.drug} {self.start.id} {self.start.date.isoformat()}{until}"


@dataclass(slots=True, frozen=True)
class Block:
    """Maintenance therapy without a break longer than the clinic's gap: from `starts` to `ends`."""

    courses: tuple[Course, ...]

    @property
    def starts(self) -> date:
        return min(c.start.date for c in self.courses)

    @property
    def ends(self) -> date | None:
        """The day the last of its drugs stopped; None while one is still running."""
        if any(c.stop is None for c in self.courses):
            return None
        return max(c.stop.date for c in self.courses if c.stop is not None)

    @property
    def stops(self) -> tuple[Event, ...]:
        return tuple(c.stop for c in self.courses if c.stop is not None)


def is_maintenance(facts: CaseFacts, key: str) -> bool:
    """A drug kept up as immunosuppression: the list's maintenance role, or a drug it does not know."""
    role = facts.drugs.role(key)
    return role is None or role not in NOT_MAINTENANCE


def maintenance_courses(facts: CaseFacts) -> list[Course]:
    """Every course of a maintenance drug, by start date."""
    courses: list[Course] = []
    keys = dict.fromkeys(k for e in facts.therapy_starts for k in facts.drug_keys(e))
    for key in keys:
        if not is_maintenance(facts, key):
            continue
        timeline = sorted((e for e in (*facts.therapy_starts, *facts.therapy_stops) if key in facts.drug_keys(e)),
                          key=lambda e: (e.date, e.seq))
        running: Event | None = None
        for event in timeline:
            if event.kind == "therapy-start":
                running = running or event  # a second start without a stop continues the course
            elif running is not None:
                courses.append(Course(key, running, event))
                running = None
        if running is not None:
            courses.append(Course(key, running, None))
    return sorted(courses, key=lambda c: (c.start.date, c.start.seq))


def maintenance_blocks(facts: CaseFacts, gap_days: int) -> list[Block]:
    """Courses joined into blocks: overlapping, or starting within `gap_days` of the block's end."""
    blocks: list[list[Course]] = []
    end: date | None = None
    for course in maintenance_courses(facts):
        joins = blocks and (end is None or course.start.date <= end + timedelta(days=gap_days))
        if joins:
            blocks[-1].append(course)
            end = None if end is None or course.ends is None else max(end, course.ends)
        else:
            blocks.append([course])
            end = course.ends
    return [Block(tuple(b)) for b in blocks]


def current_block_start(facts: CaseFacts, gap_days: int) -> date | None:
    """When the latest block of maintenance therapy began (the year of treatment counts from it)."""
    blocks = maintenance_blocks(facts, gap_days)
    return blocks[-1].starts if blocks else None
