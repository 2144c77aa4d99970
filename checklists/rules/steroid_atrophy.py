"""Alert rules of the `steroid-atrophy` pathway: the saline course and escalation (pathways.md)."""

from __future__ import annotations

from datetime import date, timedelta

from checklists.dates import add_months, window_from
from checklists.escalation import SALINE_RESPONSE_WEEKS, saline_skip
from checklists.facts import CaseFacts
from checklists.models import Case, Event, Policy
from checklists.rules.base import AlertPlan, PathwayRules, ids, listed, ml
from seeds.loader import PathwayDef

SALINE_GAP_DAYS = 14  # the course is incomplete once the last session is more than 14 days old


def plan(case: Case, facts: CaseFacts, policy: Policy, pathway: PathwayDef) -> list[AlertPlan]:
    alerts: list[AlertPlan] = []
    alerts += _volume_out_of_range(facts, policy)
    alerts += _course_incomplete(case, facts, policy, pathway)
    alerts += _course_exceeded(facts, policy)
    alerts += _no_response(case, facts)
    alerts += _waiting_too_long(case, facts, pathway)
    alerts += _fat_graft_before_saline(case, facts, pathway)
    return alerts


def _volume_out_of_range(facts: CaseFacts, policy: Policy) -> list[AlertPlan]:
    out_of_range = [s for s in facts.saline if s.volume_ml is not None
                    and not policy.saline_min_ml <= s.volume_ml <= policy.saline_max_ml]
    if not out_of_range:
        return []
    return [AlertPlan("saline-volume-out-of-range", None,
                      f"Saline volume outside {policy.saline_min_ml:g}-{policy.saline_max_ml:g} mL: "
                      + listed(out_of_range, lambda e: ml(e.volume_ml)), evidence=ids(out_of_range))]


def _course_incomplete(case: Case, facts: CaseFacts, policy: Policy, pathway: PathwayDef) -> list[AlertPlan]:
    saline = facts.saline
    count = len(saline)
    skipped = saline_skip(case, [pathway]) is not None
    if not 0 < count < policy.saline_min_sessions or facts.complete_improvement or skipped:
        # Complete improvement in the latest assessment needs no more sessions (not an early "partial").
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
                      + listed(facts.saline, lambda e: ml(e.volume_ml)), evidence=ids(facts.saline))]


def _no_response(case: Case, facts: CaseFacts) -> list[AlertPlan]:
    """From 8 weeks after the first session until improvement is recorded or the case is escalated.

    The alert asks for a look at the response; an assessment from then on that records improvement
    answers it (a later "none" raises it again), and so does an autologous blood injection or a graft.
    """
    if not facts.saline or case.status == "resolved":
        return []
    first = facts.saline[0].date
    start = first + timedelta(weeks=SALINE_RESPONSE_WEEKS)
    escalated = min((e.date for e in facts.abi + facts.fat_grafts), default=None)
    if escalated is not None and escalated <= start:
        return []
    latest = facts.latest_improvement(as_of=start)
    holding: tuple[date, Event | None] | None = None if latest and latest.improvement == "complete" else (start, None)
    spans: list[tuple[date, date | None, Event | None]] = []
    for assessment in facts.assessments:
        if assessment.improvement is None or assessment.date < start:
            continue
        if assessment.improvement in ("partial", "complete"):
            if holding is not None:
                spans.append((holding[0], assessment.date, holding[1]))
                holding = None
        elif holding is None:
            holding = (assessment.date, assessment)
    if holding is not None:
        spans.append((holding[0], None, holding[1]))
    plans = []
    for begins, ends, because in spans:
        if escalated is not None:
            ends = escalated if ends is None else min(ends, escalated)
        if ends is not None and ends <= begins:
            continue
        if because is None:
            basis = facts.latest_improvement(as_of=begins)
            judged = (f" (latest assessment {basis.date.isoformat()}: {basis.improvement})"
                      if basis is not None else "")
            message = (f"No complete improvement recorded since saline began on {first.isoformat()}{judged} "
                       "and no escalation logged")
            action = None
        else:
            message = (f"No improvement at the assessment on {because.date.isoformat()}, "
                       f"{(because.date - first).days // 7} weeks after saline began, and no escalation logged")
            action = ("Saline has not worked: consider autologous blood injection or fat grafting "
                      "(the escalation items of the checklist).")
        plans.append(AlertPlan("saline-no-response", None, message, starts=begins, ends=ends, action=action))
    return plans


def _waiting_too_long(case: Case, facts: CaseFacts, pathway: PathwayDef) -> list[AlertPlan]:
    """No treatment and no improvement from 6 months after onset (critical from 12 months).

    A patient first seen late is not critical on the day the clinic meets them: the critical stage
    starts once the first saline window (from enrolment) has passed with nothing logged. A decision
    not to treat, recorded as a skip of the saline course once the wait had reached 6 months, ends it.
    """
    treated = facts.saline or facts.abi or facts.fat_grafts
    if treated or facts.improving() or case.status == "resolved":
        return []
    six, twelve = add_months(case.onset, 6), add_months(case.onset, 12)
    series = pathway.series_item("saline")
    first_window_closes = (window_from(case.enrolment, series.series.first.opens, series.series.first.closes)[1]
                           if series and series.series else case.enrolment)
    critical_from = max(twelve, first_window_closes + timedelta(days=1))
    declined = saline_skip(case, [pathway])
    ends = declined if declined is not None and declined >= six else None
    message = f"No treatment logged and no improvement recorded since onset on {case.onset.isoformat()}"
    if case.enrolment > six:
        message += f"; first seen on {case.enrolment.isoformat()}"
    latest = facts.latest_improvement()
    if latest is not None:
        # Improvement is judged on the most recent assessment: say which one.
        message += f"; latest assessment {latest.date.isoformat()}: {latest.improvement}"
    action = _waiting_action(facts, declined, six)
    late = critical_from > twelve  # first seen too late for the 12-month mark to be the clinic's own doing
    warning_words = (f" (12 months or more; critical from {critical_from.isoformat()} if no treatment is "
                     "logged by then)" if late else " (6 months or more)")
    spans = [("warning", six, critical_from, warning_words),
             ("critical", critical_from, None, " (12 months or more)")]
    plans = []
    for severity, begins, until, words in spans:
        if ends is not None:
            until = ends if until is None else min(until, ends)
        if until is not None and until <= begins:
            continue
        plans.append(AlertPlan("waiting-too-long", severity, message + words, starts=begins, ends=until,
                               action=action))
    return plans


def _waiting_action(facts: CaseFacts, declined: date | None, six: date) -> str | None:
    """The advice for what is on record: never ask for an assessment or a decision already made."""
    if declined is not None and declined < six:
        return (f"The saline course was set aside on {declined.isoformat()}; six months on with no improvement, "
                "reconsider saline (reopen the course), or confirm waiting by skipping it again with the reason.")
    latest = facts.latest_improvement()
    if latest is not None:
        return (f"Assessed on {latest.date.isoformat()} without improvement: start saline infiltration, the "
                "first-line treatment, or record a decision to wait by skipping the saline course with the reason.")
    return None


def _fat_graft_before_saline(case: Case, facts: CaseFacts, pathway: PathwayDef) -> list[AlertPlan]:
    declined = saline_skip(case, [pathway])

    def bypassed(day: date) -> bool:
        # No saline on or before it, and no recorded decision against saline (a skip with its reason).
        return not any(s.date <= day for s in facts.saline) and not (declined is not None and declined <= day)

    grafts = [g for g in facts.fat_grafts if bypassed(g.date)]
    parts = [listed(grafts)] if grafts else []
    evidence = list(ids(grafts))
    # A referral for grafting marked done by hand counts as going to a graft.
    for item in pathway.items_satisfied_by("fat-graft"):
        referral = case.items.get(item.id)
        if referral and referral.state == "done" and referral.date and bypassed(referral.date):
            parts.append(f"{item.id} marked done {referral.date.isoformat()}")
            evidence.append(f"item:{item.id}@{referral.date.isoformat()}")
    if not parts:
        return []
    return [AlertPlan("fat-graft-before-saline", None,
                      "Fat graft with no saline session on or before it: " + "; ".join(parts),
                      evidence=tuple(evidence))]


def _requires(pathway: PathwayDef) -> list[str]:
    return [] if pathway.series_item("saline") else ["an item with a saline series (the course the alerts watch)"]


RULES = PathwayRules(
    pathway="steroid-atrophy",
    conditions={
        "saline-volume-out-of-range":
            "a saline session's volume is below saline_min_ml or above saline_max_ml (clinic policy)",
        "saline-course-incomplete":
            "fewer saline sessions than saline_min_sessions, the last more than 14 days ago, no complete "
            "improvement in the latest assessment, and the saline course not skipped",
        "saline-course-exceeded": "more saline sessions than saline_max_sessions",
        "saline-no-response":
            "from 8 weeks after the first saline session, until an assessment from then on records improvement "
            "(a later 'none' raises it again) or an autologous blood injection or fat graft is logged",
        "waiting-too-long":
            "6 months or more since onset with no saline, autologous blood or fat graft logged and no "
            "improvement in the latest assessment; critical from 12 months, or for a patient first seen later, "
            "once the first saline window has passed; a skip of the saline course dated from 6 months ends it",
        "fat-graft-before-saline":
            "a fat graft logged, or the graft referral marked done, with no saline session on or before it and "
            "no recorded decision against saline (the course skipped) by then",
    },
    plan=plan,
    requires=_requires,
)
