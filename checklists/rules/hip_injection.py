"""Alert rules of the `hip-injection` pathway: exercise first, image guidance, how often, and the
tendons (pathways.md)."""

from __future__ import annotations

from datetime import date

from checklists.facts import CaseFacts
from checklists.models import Case, Event, Policy
from checklists.rules.base import AlertPlan, PathwayRules, Piece, ids, listed, merged
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
    alerts += _muscle_weakness(facts)
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


WEAK_MRC = 3  # MRC 3/5 or less: the muscle cannot work against resistance (pathways.md "Revisions")
GRAVITY_MRC = 2  # MRC 2/5 or less: it cannot even lift the limb against gravity


def _muscle_weakness(facts: CaseFacts) -> list[AlertPlan]:
    """Weakness recorded at a check: MRC 3/5 or less, or a fall of a grade or more from the previous MRC
    recorded for the same muscle group (the assessment's site; none recorded is its own group).

    A warning, critical at MRC 2/5 or less (the limb cannot be lifted against gravity: a tear, a nerve
    injury or a myopathy needs looking at now). It clears when a later assessment of that group records
    MRC 4/5 or more and no less than the grade before the fall; it can be acknowledged when the weakness
    has another known cause (a past fact, like the rest of this pathway's alerts).
    """
    groups: dict[str, list[Event]] = {}
    for assessment in facts.assessments:
        if assessment.mrc is not None:
            groups.setdefault(_muscle_group(assessment.site), []).append(assessment)
    pieces: list[Piece] = []
    for assessments in groups.values():
        pieces += _weak_spells(assessments)
    return merged("muscle-weakness", pieces, {
        "critical": "Muscle strength recorded at MRC 2/5 or less: ",
        "warning": "Muscle weakness recorded (MRC 3/5 or less, or down a grade): ",
    })


def _muscle_group(site: str | None) -> str:
    return " ".join((site or "").casefold().split())


def _weak_spells(assessments: list[Event]) -> list[Piece]:
    """The spells of weakness of one muscle group, each assessment that showed it a piece of its spell."""
    pieces: list[Piece] = []
    spell: list[tuple[Event, str]] = []  # the weak assessments of the spell going on, with their words
    reference: int | None = None  # the grade before the fall that began the spell
    previous: int | None = None
    for assessment in assessments:
        grade = assessment.mrc
        assert grade is not None
        fell = previous is not None and grade <= previous - 1
        if spell:
            if grade >= WEAK_MRC + 1 and (reference is None or grade >= reference):
                pieces += _spell_pieces(spell, assessment.date)
                spell, reference = [], None
            elif grade <= WEAK_MRC or fell:
                spell.append((assessment, _weak_words(assessment, previous)))
        elif grade <= WEAK_MRC or fell:
            spell, reference = [(assessment, _weak_words(assessment, previous))], previous
        previous = grade
    if spell:
        pieces += _spell_pieces(spell, None)
    return pieces


def _spell_pieces(spell: list[tuple[Event, str]], recovered: date | None) -> list[Piece]:
    """Each weak assessment stays listed until the spell ends; the latest one alone sets the severity
    (a grade of 2/5 that has since risen to 3/5 is a warning, not a critical)."""
    pieces = []
    for n, (event, words) in enumerate(spell):
        later = spell[n + 1][0].date if n + 1 < len(spell) else recovered
        severity = "critical" if (event.mrc or 0) <= GRAVITY_MRC else "warning"
        if severity == "critical" and later is not None and later != recovered:
            pieces += [Piece(event.date, later, "critical", event, words),
                       Piece(later, recovered, "warning", event, words)]
        else:
            pieces.append(Piece(event.date, recovered, severity, event, words))
    return pieces


def _weak_words(assessment: Event, previous: int | None) -> str:
    site = f", {assessment.site}" if assessment.site else ""
    fall = f", down from {previous}/5" if previous is not None and assessment.mrc is not None \
        and assessment.mrc < previous else ""
    return f"{assessment.id} {assessment.date.isoformat()} MRC {assessment.mrc}/5{fall}{site}"


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
        "muscle-weakness":
            "an assessment records muscle strength (MRC) of 3/5 or less, or a grade or more below the previous "
            "MRC recorded for the same muscle group (the assessment's site); critical at 2/5 or less; it "
            "clears when a later assessment of that group records 4/5 or more and no less than the grade "
            "before the fall",
    },
    plan=plan,
)
