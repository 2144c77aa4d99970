"""Alert rules of the `hip-injection` pathway: exercise first, image guidance, and how often (pathways.md)."""

from __future__ import annotations

from checklists.facts import CaseFacts
from checklists.models import Case, Event, Policy
from checklists.rules.base import AlertPlan, PathwayRules, listed
from seeds.loader import PathwayDef


def plan(case: Case, facts: CaseFacts, policy: Policy, pathway: PathwayDef) -> list[AlertPlan]:
    alerts: list[AlertPlan] = []
    injections = facts.injections
    before_pt = [i for i in injections if not any(p.date <= i.date for p in facts.pt_starts)]
    if before_pt:
        alerts.append(AlertPlan("injection-before-pt", None,
                                "Injection with no physiotherapy start on or before it: " + listed(before_pt)))
    blind = [i for i in injections if i.guidance == "landmark"]
    if blind:
        alerts.append(AlertPlan("blind-injection", None, "Landmark-guided injection: " + listed(blind)))
    crowded = _over_limit_within_a_year(injections, policy.max_injections_per_year)
    if crowded:
        alerts.append(AlertPlan("injection-frequency", None,
                                f"More than {policy.max_injections_per_year} injections within 365 days: "
                                + listed(crowded)))
    return alerts


def _over_limit_within_a_year(injections: tuple[Event, ...], limit: int) -> list[Event]:
    """Injections in any run of dates at most 364 days apart that holds more than `limit`."""
    offending: set[int] = set()
    start = 0
    for end, event in enumerate(injections):
        while (event.date - injections[start].date).days > 364:
            start += 1
        if end - start + 1 > limit:
            offending.update(range(start, end + 1))
    return [injections[i] for i in sorted(offending)]


RULES = PathwayRules(
    pathway="hip-injection",
    conditions={
        "injection-before-pt": "an injection logged with no physiotherapy start on or before its date",
        "blind-injection": "an injection logged with landmark (blind) guidance",
        "injection-frequency":
            "more injections than max_injections_per_year (clinic policy) within any 365 consecutive days",
    },
    plan=plan,
)
