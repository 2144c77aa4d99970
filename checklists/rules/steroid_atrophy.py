"""Alert rules of the `steroid-atrophy` pathway: the saline course and escalation (pathways.md)."""

from __future__ import annotations

from datetime import date, timedelta

from checklists.dates import add_months
from checklists.facts import CaseFacts
from checklists.models import Case, Policy
from checklists.rules.base import AlertPlan, PathwayRules, listed, ml
from seeds.loader import PathwayDef

SALINE_GAP_DAYS = 14  # the course is incomplete once the last session is more than 14 days old
SALINE_RESPONSE_WEEKS = 8


def plan(case: Case, facts: CaseFacts, policy: Policy, pathway: PathwayDef) -> list[AlertPlan]:
    alerts: list[AlertPlan] = []
    alerts += _volume_out_of_range(facts, policy)
    alerts += _course_incomplete(case, facts, policy, pathway)
    alerts += _course_exceeded(facts, policy)
    alerts += _no_response(facts)
    alerts += _waiting_too_long(case, facts)
    alerts += _fat_graft_before_saline(case, facts, pathway)
    return alerts


def _volume_out_of_range(facts: CaseFacts, policy: Policy) -> list[AlertPlan]:
    out_of_range = [s for s in facts.saline if s.volume_ml is not None
                    and not policy.saline_min_ml <= s.volume_ml <= policy.saline_max_ml]
    if not out_of_range:
        return []
    return [AlertPlan("saline-volume-out-of-range", None,
                      f"Saline volume outside {policy.saline_min_ml:g}-{policy.saline_max_ml:g} mL: "
                      + listed(out_of_range, lambda e: ml(e.volume_ml)))]


def _course_incomplete(case: Case, facts: CaseFacts, policy: Policy, pathway: PathwayDef) -> list[AlertPlan]:
    saline = facts.saline
    count = len(saline)
    series = pathway.series_item("saline")
    record = case.items.get(series.id) if series else None
    skipped = record is not None and record.state == "skipped"
    if not 0 < count < policy.saline_min_sessions or facts.complete_improvement or skipped:
        return []
    last = saline[-1].date
    return [AlertPlan("saline-course-incomplete", None,
                      f"{count} of at least {policy.saline_min_sessions} saline sessions, the last on "
                      f"{last.isoformat()}: " + listed(saline),
                      starts=last + timedelta(days=SALINE_GAP_DAYS + 1))]


def _course_exceeded(facts: CaseFacts, policy: Policy) -> list[AlertPlan]:
    count = len(facts.saline)
    if count <= policy.saline_max_sessions:
        return []
    return [AlertPlan("saline-course-exceeded", None,
                      f"{count} saline sessions, more than the {policy.saline_max_sessions} of the protocol: "
                      + listed(facts.saline, lambda e: ml(e.volume_ml)))]


def _no_response(facts: CaseFacts) -> list[AlertPlan]:
    if not facts.saline or facts.complete_improvement or facts.abi or facts.fat_grafts:
        return []
    first = facts.saline[0].date
    return [AlertPlan("saline-no-response", None,
                      f"No complete improvement recorded since saline began on {first.isoformat()} "
                      "and no escalation logged",
                      starts=first + timedelta(weeks=SALINE_RESPONSE_WEEKS))]


def _waiting_too_long(case: Case, facts: CaseFacts) -> list[AlertPlan]:
    treated = facts.saline or facts.abi or facts.fat_grafts
    if treated or facts.any_improvement or case.status == "resolved":
        return []
    six, twelve = add_months(case.onset, 6), add_months(case.onset, 12)
    message = f"No treatment logged and no improvement recorded since onset on {case.onset.isoformat()}"
    return [
        AlertPlan("waiting-too-long", "warning", message + " (6 months or more)", starts=six, ends=twelve),
        AlertPlan("waiting-too-long", "critical", message + " (12 months or more)", starts=twelve),
    ]


def _fat_graft_before_saline(case: Case, facts: CaseFacts, pathway: PathwayDef) -> list[AlertPlan]:
    def no_saline_by(day: date) -> bool:
        return not any(s.date <= day for s in facts.saline)

    grafts = [g for g in facts.fat_grafts if no_saline_by(g.date)]
    parts = [listed(grafts)] if grafts else []
    # A referral for grafting marked done by hand counts as going to a graft.
    for item in pathway.items_satisfied_by("fat-graft"):
        referral = case.items.get(item.id)
        if referral and referral.state == "done" and referral.date and no_saline_by(referral.date):
            parts.append(f"{item.id} marked done {referral.date.isoformat()}")
    if not parts:
        return []
    return [AlertPlan("fat-graft-before-saline", None,
                      "Fat graft with no saline session on or before it: " + "; ".join(parts))]


def _requires(pathway: PathwayDef) -> list[str]:
    return [] if pathway.series_item("saline") else ["an item with a saline series (the course the alerts watch)"]


RULES = PathwayRules(
    pathway="steroid-atrophy",
    conditions={
        "saline-volume-out-of-range":
            "a saline session's volume is below saline_min_ml or above saline_max_ml (clinic policy)",
        "saline-course-incomplete":
            "fewer saline sessions than saline_min_sessions, the last more than 14 days ago, no complete "
            "improvement recorded, and the saline course not skipped",
        "saline-course-exceeded": "more saline sessions than saline_max_sessions",
        "saline-no-response":
            "8 weeks or more since the first saline session, no complete improvement recorded, and no "
            "autologous blood injection or fat graft logged",
        "waiting-too-long":
            "6 months or more since onset (critical from 12 months) with no saline, autologous blood or "
            "fat graft logged and no improvement recorded",
        "fat-graft-before-saline":
            "a fat graft logged, or the graft referral marked done, with no saline session on or before it",
    },
    plan=plan,
    requires=_requires,
)
