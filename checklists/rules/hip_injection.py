"""Alert rules of the `hip-injection` pathway: exercise first, image guidance, how often, and the
tendons (pathways.md)."""

from __future__ import annotations

from datetime import date

from checklists.facts import CaseFacts
from checklists.models import Case, Event, Policy
from checklists.rules.base import AlertPlan, PathwayRules, ids, listed
from seeds.loader import PathwayDef


def plan(case: Case, facts: CaseFacts, policy: Policy, pathway: PathwayDef) -> list[AlertPlan]:
    alerts: list[AlertPlan] = []
    alerts += _injection_before_pt(facts)
    injections = facts.injections
    blind = [i for i in injections if i.guidance == "landmark"]
    if blind:
        alerts.append(AlertPlan("blind-injection", None, "Landmark-guided injection: " + listed(blind),
                                evidence=ids(blind)))
    crowded = _over_limit_within_a_year(injections, policy.max_injections_per_year)
    if crowded:
        alerts.append(AlertPlan("injection-frequency", None,
                                f"More than {policy.max_injections_per_year} injections within 365 days: "
                                + listed(crowded), evidence=ids(crowded)))
    alerts += _tendon_damage(facts)
    return alerts


def _injection_before_pt(facts: CaseFacts) -> list[AlertPlan]:
    before_pt = [i for i in facts.injections if not any(p.date <= i.date for p in facts.pt_starts)]
    if not before_pt:
        return []
    # Once physiotherapy has started, "start physiotherapy" would ask for what is on record.
    action = (f"Physiotherapy has started since ({facts.pt_starts[0].date.isoformat()}): acknowledge this "
              "with a note (for example, injected before the referral).") if facts.pt_starts else None
    return [AlertPlan("injection-before-pt", None,
                      "Injection with no physiotherapy start on or before it: " + listed(before_pt),
                      evidence=ids(before_pt), action=action)]


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


def _tendon_damage(facts: CaseFacts) -> list[AlertPlan]:
    """A rupture recorded (critical), or new tendon pain: `worse`, or `pain` after a record of `none`.

    The first tendon record is the reference: pain there from the start is often why the hip was
    injected, not a complication. New pain clears once a later assessment records `none`; a rupture
    is a past fact that stays until acknowledged.
    """
    checked = [a for a in facts.assessments if a.tendon is not None]
    plans: list[AlertPlan] = []
    ruptures = [a for a in checked if a.tendon == "rupture"]
    if ruptures:
        plans.append(AlertPlan("tendon-damage", "critical", "Tendon rupture recorded: " + listed(ruptures),
                               starts=ruptures[0].date, evidence=ids(ruptures)))
    new_pain: list[Event] = []
    since: date | None = None
    previous: str | None = None
    for assessment in checked:
        is_new = assessment.tendon == "worse" or (assessment.tendon == "pain" and previous == "none")
        if is_new:
            new_pain.append(assessment)
            since = since or assessment.date
        elif assessment.tendon == "none" and since is not None:
            plans.append(_pain_plan(new_pain, since, assessment.date))
            new_pain, since = [], None
        previous = assessment.tendon
    if since is not None:
        plans.append(_pain_plan(new_pain, since, None))
    return plans


def _pain_plan(events: list[Event], since: date, until: date | None) -> AlertPlan:
    return AlertPlan("tendon-damage", "warning",
                     "New or worse tendon pain recorded: " + listed(events, lambda e: e.tendon or ""),
                     starts=since, ends=until, evidence=ids(events))


RULES = PathwayRules(
    pathway="hip-injection",
    conditions={
        "injection-before-pt": "an injection logged with no physiotherapy start on or before its date",
        "blind-injection": "an injection logged with landmark (blind) guidance",
        "injection-frequency":
            "more injections than max_injections_per_year (clinic policy) within any 365 consecutive days",
        "tendon-damage":
            "an assessment records a tendon rupture (critical), or new tendon pain: 'worse', or 'pain' after "
            "an earlier record of 'none' (a warning until a later assessment records 'none')",
    },
    plan=plan,
)
