"""What every pathway's rules module builds on: the planned alert, the registration record, wording."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from checklists.facts import CaseFacts
from checklists.models import Case, Event, Policy
from seeds.loader import PathwayDef
from seeds.vocabulary import SEVERITIES


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


@dataclass(slots=True, frozen=True)
class Piece:
    """One cause of an alert and the time it holds: from `starts` until `ends` (exclusive; None: on).

    Several causes of one code (two grafts, two weak muscle groups) are merged by `merged` into
    spans that each list every cause holding then, so that the one alert of a code names them all.
    """

    starts: date
    ends: date | None
    severity: str
    event: Event
    words: str  # the cause as the message lists it: "e4 2026-08-01 (into inflammation active from ...)"


def merged(code: str, pieces: Iterable[Piece], heads: dict[str, str],
           actions: dict[str, str | None] | None = None) -> list[AlertPlan]:
    """Spans of one alert code from its causes: between any two days where a cause starts or ends,
    the causes that hold, at the most severe of their severities, each named in the message.

    `heads`: the message's opening words by severity; `actions`: the advice by severity (None or a
    missing severity: the pathway file's advice).
    """
    pieces = list(pieces)
    days = sorted({p.starts for p in pieces} | {p.ends for p in pieces if p.ends is not None})
    plans: list[AlertPlan] = []
    for n, day in enumerate(days):
        until = days[n + 1] if n + 1 < len(days) else None
        holding = [p for p in pieces if p.starts <= day and (p.ends is None or p.ends > day)]
        if not holding:
            continue
        severity = min((p.severity for p in holding), key=SEVERITIES.index)
        message = heads[severity] + "; ".join(p.words for p in holding)
        evidence = tuple(dict.fromkeys(p.event.id for p in holding))
        action = (actions or {}).get(severity)
        last = plans[-1] if plans else None
        if last is not None and last.ends == day and (last.severity, last.message, last.evidence) == (
                severity, message, evidence):
            plans[-1] = AlertPlan(code, severity, message, starts=last.starts, ends=until, evidence=evidence,
                                  action=action)
            continue
        plans.append(AlertPlan(code, severity, message, starts=day, ends=until, evidence=evidence, action=action))
    return plans
