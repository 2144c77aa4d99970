"""Alert rules of the `panniculitis-lipoatrophy` pathway: diagnosis first, no graft into inflamed fat,
and maintenance therapy kept up for a year (pathways.md)."""

from __future__ import annotations

from datetime import date

from checklists.dates import add_months
from checklists.facts import CaseFacts
from checklists.inflammation import changes as inflammation_changes, episode_on
from checklists.models import Case, Event, Policy
from checklists.rules.base import AlertPlan, PathwayRules, Piece, ids, listed, merged
from checklists.therapy import maintenance_blocks
from seeds.loader import PathwayDef


def plan(case: Case, facts: CaseFacts, policy: Policy, pathway: PathwayDef) -> list[AlertPlan]:
    alerts: list[AlertPlan] = []
    alerts += _biopsy_not_deep(facts)
    alerts += _aat_untested(case, facts)
    alerts += _fat_graft_during_inflammation(case, facts)
    alerts += _treatment_before_diagnosis(facts)
    if case.etiology == "idiopathic":
        alerts += _therapy_stopped_early(facts, policy)
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
    """Each graft judged by the inflammation on its own day (every change of state is kept).

    Critical while the episode the graft went into is still active (the graft is at risk: control the
    disease); once that episode settles, a past fact asking to check how the graft took, until
    acknowledged. A graft made while inflammation was recorded resolved is never flagged, whatever
    happens later: a relapse after it is not this pitfall.
    """
    history = inflammation_changes(case)
    pieces: list[Piece] = []
    for graft in facts.fat_grafts:
        episode = episode_on(history, graft.date)
        if episode is None:
            continue
        words = f"{graft.id} {graft.date.isoformat()} (into inflammation {episode.words()})"
        pieces.append(Piece(graft.date, episode.resolved, "critical", graft, words))
        if episode.resolved is not None:
            pieces.append(Piece(episode.resolved, None, "warning", graft, words))
    return merged("fat-graft-during-inflammation", pieces, {
        "critical": "Fat graft into inflammation that is still active: ",
        "warning": "Fat graft made while inflammation was active, which has since settled: ",
    }, {"warning": "The inflammation the graft went into has since settled: check how the graft has taken, "
                   "then acknowledge this with what was found."})


def _therapy_stopped_early(facts: CaseFacts, policy: Policy) -> list[AlertPlan]:
    """All maintenance therapy stopped less than 12 months after the stretch of it began.

    Counted across drugs (checklists/therapy.py): a switch from one maintenance drug to another is
    not a stop. Holds from the day the last drug stopped until a maintenance drug starts again.
    """
    blocks = maintenance_blocks(facts, policy.therapy_gap_days)
    plans: list[AlertPlan] = []
    for n, block in enumerate(blocks):
        ended = block.ends
        if ended is None or ended >= add_months(block.starts, 12):
            continue
        resumed = blocks[n + 1].starts if n + 1 < len(blocks) else None
        months = _whole_months(block.starts, ended)
        plans.append(AlertPlan(
            "therapy-stopped-early", None,
            f"All maintenance therapy stopped on {ended.isoformat()}, {months} month{'s' if months != 1 else ''} "
            f"after it began on {block.starts.isoformat()}: " + "; ".join(c.words() for c in block.courses),
            starts=ended, ends=resumed, evidence=ids(block.stops)))
    return plans


def _whole_months(start: date, end: date) -> int:
    months = 0
    while add_months(start, months + 1) <= end:
        months += 1
    return months


def _treatment_before_diagnosis(facts: CaseFacts) -> list[AlertPlan]:
    """A therapy started before the deep biopsy or the systemic work-up was on record (seed 001 puts
    confirming the diagnosis and its cause before any treatment).

    Every therapy counts, glucocorticoids most of all (they can blunt the histology); a start on the
    same day as the biopsy counts as after it. While a diagnostic step is still missing the advice is
    to do it now; once both are on record it is a past fact (histology taken on treatment is read
    with care) until acknowledged, for example with the reason treatment could not wait.
    """
    deep = [b for b in facts.biopsies if b.depth == "deep-excisional"]
    biopsied = deep[0].date if deep else None
    worked_up = facts.events("workup")[0].date if facts.events("workup") else None
    early: list[tuple[Event, list[str]]] = []
    for start in facts.therapy_starts:
        missing = [what for what, day in (("deep biopsy", biopsied), ("work-up", worked_up))
                   if day is None or day > start.date]
        if missing:
            early.append((start, missing))
    if not early:
        return []
    parts = [f"{start.id} {start.date.isoformat()} {start.drug or 'therapy'} (before the {' and the '.join(missing)})"
             for start, missing in early]
    pending = [what for what, day in (("deep biopsy", biopsied), ("work-up", worked_up)) if day is None]
    action = (f"Complete the diagnosis now: the {' and the '.join(pending)} (a deep excisional biopsy including "
              "fat; the search for vasculitis, malignancy and autoimmune disease), or acknowledge this with the "
              "reason treatment could not wait." if pending else
              "The diagnosis was completed after treatment began: read histology taken on treatment with care, "
              "then acknowledge this (with the reason treatment came first, if there was one).")
    return [AlertPlan("treatment-before-diagnosis", None,
                      "Treatment started before the diagnosis was confirmed: " + "; ".join(parts),
                      starts=early[0][0].date, evidence=ids(start for start, _ in early), action=action)]


RULES = PathwayRules(
    pathway="panniculitis-lipoatrophy",
    conditions={
        "biopsy-not-deep": "biopsies are logged and none of them is deep excisional",
        "aat-untested":
            "the etiology is set to idiopathic, or a therapy start is logged, and no alpha-1 antitrypsin "
            "test is logged",
        "fat-graft-during-inflammation":
            "a fat graft dated while inflammation was not recorded as resolved, each graft judged by the "
            "inflammation on its own date (every change of state is kept, so a relapse after a graft made in "
            "a quiet spell never flags it); critical until that episode is recorded resolved, a warning after "
            "it until acknowledged",
        "therapy-stopped-early":
            "idiopathic disease: every maintenance drug has stopped, less than 12 calendar months after the "
            "stretch of maintenance therapy began, counted across drugs (a switch from one to another is not a "
            "stop; drugs that follow one another within therapy_gap_days, clinic policy, are one stretch; "
            "glucocorticoid flare courses, cyclophosphamide and alpha-1 antitrypsin do not count); it holds "
            "until a maintenance drug starts again",
        "treatment-before-diagnosis":
            "a therapy start dated before the first deep excisional biopsy or before the first systemic "
            "work-up (either still missing, or logged later; the same day counts as after)",
    },
    plan=plan,
)
