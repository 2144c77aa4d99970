"""Alert rules of the `panniculitis-lipoatrophy` pathway: diagnosis first, no graft into inflamed fat,
and maintenance therapy kept up for a year (pathways.md)."""

from __future__ import annotations

from checklists.dates import add_months
from checklists.facts import CaseFacts
from checklists.models import Case, Event, Policy
from checklists.rules.base import AlertPlan, PathwayRules, ids, listed
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
                      "No deep excisional biopsy; only: " + listed(shallow, lambda e: e.depth or "depth not recorded"),
                      evidence=ids(shallow))]


def _aat_untested(case: Case, facts: CaseFacts) -> list[AlertPlan]:
    if not (case.etiology == "idiopathic" or facts.therapy_starts) or facts.aat_tests:
        return []
    why = "etiology set to idiopathic" if case.etiology == "idiopathic" else "therapy started"
    # "Before immunosuppression" no longer fits once a therapy has started: say what still does.
    action = ("Therapy has started without an alpha-1 antitrypsin test: test the level and phenotype now; "
              "deficiency changes the treatment.") if facts.therapy_starts else None
    return [AlertPlan("aat-untested", None, f"No alpha-1 antitrypsin test logged ({why})", action=action)]


def _fat_graft_during_inflammation(case: Case, facts: CaseFacts) -> list[AlertPlan]:
    """Critical while the inflammation a graft went into is still active; a past fact once it settles.

    After the resolution it stays (as a warning) until acknowledged: someone should look at how the
    graft took. A new graft into inflamed fat raises it again.
    """
    resolved = case.inflammation_date if case.inflammation == "resolved" else None
    grafts = [g for g in facts.fat_grafts if resolved is None or g.date < resolved]
    if not grafts:
        return []
    listing = listed(grafts)
    if resolved is None:
        return [AlertPlan("fat-graft-during-inflammation", "critical",
                          "Fat graft while inflammation is not recorded as resolved: " + listing,
                          starts=grafts[0].date, evidence=ids(grafts))]
    return [
        AlertPlan("fat-graft-during-inflammation", "critical",
                  f"Fat graft before inflammation was recorded resolved on {resolved.isoformat()}: " + listing,
                  starts=grafts[0].date, ends=resolved, evidence=ids(grafts)),
        AlertPlan("fat-graft-during-inflammation", "warning",
                  f"Fat graft before inflammation was recorded resolved on {resolved.isoformat()}: " + listing,
                  starts=resolved, evidence=ids(grafts),
                  action=(f"Inflammation has since resolved ({resolved.isoformat()}): check how the graft has "
                          "taken, then acknowledge this with what was found.")),
    ]


def _therapy_stopped_early(facts: CaseFacts) -> list[AlertPlan]:
    """Per drug (generic names through seeds/drugs.toml): a stop less than 12 months after the latest
    start of the same drug, with no start of it again since. Glucocorticoid flare courses are exempt."""
    early: list[tuple[Event, Event, str]] = []
    for stop in facts.therapy_stops:
        if facts.drugs.is_glucocorticoid(stop.drug):
            continue
        for key in facts.drug_keys(stop):
            same = [s for s in facts.therapy_starts if key in facts.drug_keys(s)]
            before = [s for s in same if s.date <= stop.date]
            restarted = any(s.date > stop.date for s in same)
            if before and not restarted and stop.date < add_months(before[-1].date, 12):
                early.append((stop, before[-1], key))
    if not early:
        return []
    parts = [f"{stop.id} {key} stopped {stop.date.isoformat()}, started {start.date.isoformat()}"
             for stop, start, key in early]
    return [AlertPlan("therapy-stopped-early", None,
                      "Maintenance therapy stopped less than 12 months after it started: " + "; ".join(parts),
                      evidence=tuple(dict.fromkeys(stop.id for stop, _, _ in early)))]


RULES = PathwayRules(
    pathway="panniculitis-lipoatrophy",
    conditions={
        "biopsy-not-deep": "biopsies are logged and none of them is deep excisional",
        "aat-untested":
            "the etiology is set to idiopathic, or a therapy start is logged, and no alpha-1 antitrypsin "
            "test is logged",
        "fat-graft-during-inflammation":
            "a fat graft dated before inflammation was recorded as resolved, or while it is not resolved "
            "(critical until the resolution, a warning after it until acknowledged)",
        "therapy-stopped-early":
            "idiopathic disease: a maintenance therapy stopped less than 12 calendar months after the latest "
            "start of the same drug, and not started again since (drug names compared through the drug list, "
            "so MTX is methotrexate; glucocorticoid courses for flares are exempt)",
    },
    plan=plan,
)
