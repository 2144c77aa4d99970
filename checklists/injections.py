"""Hip injections in runs, and the checks that follow them (issue 15; pathways.md "Revisions").

Seed 002: muscle wasting and weakness usually show 2 to 4 months after an injection, sometimes as
late as a year. With an injection every three months, a check counted from the *latest* injection
never reaches its year, and the months between go unchecked. So:

- a *run* is a sequence of injections each less than `injection_run_gap_months` (clinic policy,
  default 12: the source's horizon for late atrophy) after the one before; a longer gap starts a new run;
- an `each-injection` series has one occurrence after every injection;
- an `each-run` series has one occurrence after the first injection of every run, and one after its
  last when the run has more than one (the year after the last injection, which the seed also asks for).

An *assessment* recording what the item needs answers every occurrence whose window it falls in, from
a week before it opens until it closes: one visit can answer two injections given a month apart, but a
visit months after a window closed does not answer that check (pathways.md "Revisions": "logged within
a review's window"). A check missed in its window stays overdue until the clinician marks it done by
hand (a deliberate, dated check, which answers every occurrence whose window has opened by its date)
or skips it with a reason. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from checklists.dates import add_months, window_from
from checklists.models import Event
from seeds.loader import WindowRule

LEAD = timedelta(days=7)  # a check from a week before an occurrence's window opens counts for it


@dataclass(slots=True, frozen=True)
class Occurrence:
    """One check due after an injection: its window, what it follows, and what answered it."""

    number: int  # 1, 2, ... in date order
    anchor: date
    opens: date
    closes: date
    follows: str  # "the injection of 2026-04-10", "the first injection of the run from 2026-01-10"
    checked: date | None = None  # the first check that answered it
    missed: bool = False  # its whole window closed before enrolment, and nothing from inside it answers it


def runs(injections: tuple[Event, ...] | list[Event], gap_months: int) -> list[list[Event]]:
    """Injections (oldest first) grouped into runs: a gap of `gap_months` or more starts a new one."""
    grouped: list[list[Event]] = []
    for injection in injections:
        if grouped and injection.date < add_months(grouped[-1][-1].date, gap_months):
            grouped[-1].append(injection)
        else:
            grouped.append([injection])
    return grouped


def anchors(rule: WindowRule, injections: tuple[Event, ...], gap_months: int) -> list[tuple[date, str]]:
    """(anchor day, what it is) for each occurrence the series places, oldest first."""
    if rule.anchor == "each-injection":
        return [(i.date, f"the injection of {i.date.isoformat()}") for i in injections]
    placed: list[tuple[date, str]] = []
    for run in runs(injections, gap_months):
        start = run[0].date
        if len(run) == 1:
            placed.append((start, f"the injection of {start.isoformat()}"))
            continue
        placed.append((start, f"the first injection of the run from {start.isoformat()}"))
        placed.append((run[-1].date, f"the last injection ({run[-1].date.isoformat()}) of the run from "
                                     f"{start.isoformat()}"))
    return placed


def occurrences(rule: WindowRule, injections: tuple[Event, ...], gap_months: int, checks: list[date],
                enrolment: date, *, seen: list[date] | None = None) -> list[Occurrence]:
    """Every occurrence with the check that answered it (if any). `checks`: dates of checks marked done
    by hand; `seen`: dates of assessments that record what the item needs (both in any order)."""
    by_hand, assessed = sorted(checks), sorted(seen or [])
    found = []
    for number, (anchor, follows) in enumerate(anchors(rule, injections, gap_months), start=1):
        opens, closes = window_from(anchor, rule.opens, rule.closes)
        missed_window = closes < enrolment
        in_window = [c for c in assessed if opens - LEAD <= c <= closes]
        # A missed check is answered only by a record from inside its window (another clinic's, say); a
        # check marked done by hand is the clinician's word, late or not.
        late_ok = [c for c in by_hand if c >= opens - LEAD and (not missed_window or c <= closes)]
        answer = min(in_window + late_ok, default=None)
        found.append(Occurrence(number, anchor, opens, closes, follows, answer, missed_window and answer is None))
    return found
