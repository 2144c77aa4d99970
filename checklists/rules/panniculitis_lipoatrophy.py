"""Alert rules of the `panniculitis-lipoatrophy` pathway: diagnosis first, no graft into inflamed fat,
and maintenance therapy kept up for a year (pathways.md)."""

from __future__ import annotations

from checklists.dates import add_months
from checklists.facts import CaseFacts, drug_key, is_glucocorticoid
from checklists.models import Case, Event, Policy
from checklists.rules.base import AlertPlan, PathwayRules, listed
from seeds.loader import PathwayDef


def plan(case: Case, facts: CaseFacts, policy: Policy, pathway: PathwayDef) -> list[AlertPlan]:
    alerts: list[AlertPlan] = []
    alerts += _biopsy_not_deep(facts)
    alerts += _aat_untested(case, facts)
    alerts += _fat_graft_during_inflammation(case, facts)
    if case.etiology == "idiopathic":
        alerts += _therapy_stopped_early(facts)
    return alerts


def _biopsy_not_deep(facts: CaseFacts) -> list[AlertPlan]:
    shallow = [b for b in facts.biopsies if b.depth != "deep-excisional"]
    if not shallow or len(shallow) != len(facts.biopsies):
        return []
    return [AlertPlan("biopsy-not-deep", None,
                      "No deep excisional biopsy; only: " + listed(shallow, lambda e: e.depth or "depth not recorded"))]


def _aat_untested(case: Case, facts: CaseFacts) -> list[AlertPlan]:
    if not (case.etiology == "idiopathic" or facts.therapy_starts) or facts.aat_tests:
        return []
    why = "etiology set to idiopathic" if case.etiology == "idiopathic" else "therapy started"
    return [AlertPlan("aat-untested", None, f"No alpha-1 antitrypsin test logged ({why})")]


def _fat_graft_during_inflammation(case: Case, facts: CaseFacts) -> list[AlertPlan]:
    resolved = case.inflammation_date if case.inflammation == "resolved" else None
    grafts = [g for g in facts.fat_grafts if resolved is None or g.date < resolved]
    if not grafts:
        return []
    when = (f"before inflammation was recorded resolved on {resolved.isoformat()}" if resolved
            else "while inflammation is not recorded as resolved")
    return [AlertPlan("fat-graft-during-inflammation", None, f"Fat graft {when}: " + listed(grafts))]


def _therapy_stopped_early(facts: CaseFacts) -> list[AlertPlan]:
    early: list[tuple[Event, Event]] = []
    for stop in facts.therapy_stops:
        if is_glucocorticoid(stop.drug):
            continue
        starts = [s for s in facts.therapy_starts
                  if drug_key(s.drug) == drug_key(stop.drug) and s.date <= stop.date]
        if starts and stop.date < add_months(starts[-1].date, 12):
            early.append((stop, starts[-1]))
    if not early:
        return []
    parts = [f"{stop.id} {drug_key(stop.drug)} stopped {stop.date.isoformat()}, started {start.date.isoformat()}"
             for stop, start in early]
    return [AlertPlan("therapy-stopped-early", None,
                      "Maintenance therapy stopped less than 12 months after it started: " + "; ".join(parts))]


RULES = PathwayRules(
    pathway="panniculitis-lipoatrophy",
    conditions={
        "biopsy-not-deep": "biopsies are logged and none of them is deep excisional",
        "aat-untested":
            "the etiology is set to idiopathic, or a therapy start is logged, and no alpha-1 antitrypsin "
            "test is logged",
        "fat-graft-during-inflammation":
            "a fat graft dated before inflammation was recorded as resolved, or while it is not resolved",
        "therapy-stopped-early":
            "idiopathic disease: a maintenance therapy stopped less than 12 calendar months after the latest "
            "start of the same drug (prednisone, prednisolone and methylprednisolone for flares are exempt)",
    },
    plan=plan,
)
