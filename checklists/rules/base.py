"""What every pathway's rules module builds on: the planned alert, the registration record, wording."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from checklists.facts import CaseFacts
from checklists.models import Case, Event, Policy
from seeds.loader import PathwayDef


@dataclass(slots=True, frozen=True)
class AlertPlan:
    """An alert as a rule plans it, without `today`: it holds from `starts` until `ends` (exclusive).

    `evidence`: what a past-fact alert rests on (event ids, or marks such as `item:x@date`); an
    acknowledgement covers exactly these, so a new occurrence raises the alert again. `action`: what
    to do in this state, when the pathway file's general advice would ask for something on record.
    """

    code: str
    severity: str | None  # None: the severity the pathway file gives the code
    message: str
    starts: date | None = None
    ends: date | None = None
    evidence: tuple[str, ...] = ()
    action: str | None = None


Plan = Callable[[Case, CaseFacts, Policy, PathwayDef], list[AlertPlan]]


@dataclass(slots=True, frozen=True)
class PathwayRules:
    """The alert rules of one pathway, registered under its id (checklists/rules/__init__.py).

    `conditions`: every code the module can raise, with the condition in words (shown in the
    protocol document, so what it says is what the code does). `requires(pathway)` lists what the
    rules need of the pathway's items (say, a saline series), checked when the catalogue loads.
    """

    pathway: str
    conditions: dict[str, str]
    plan: Plan
    requires: Callable[[PathwayDef], list[str]] = field(default=lambda pathway: [])

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.conditions)


def listed(events: Iterable[Event], describe: Callable[[Event], str] | None = None) -> str:
    """Offending events by id and date, each with a detail when `describe` is given."""
    parts = []
    for e in events:
        extra = f" ({describe(e)})" if describe else ""
        parts.append(f"{e.id} {e.date.isoformat()}{extra}")
    return "; ".join(parts)


def ids(events: Iterable[Event]) -> tuple[str, ...]:
    return tuple(e.id for e in events)


def ml(value: float | None) -> str:
    return f"{value:g} mL" if value is not None else "no volume"
