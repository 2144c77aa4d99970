"""Plan each checklist item of a case: its window, its recorded or event-derived state. No `today`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from checklists.dates import add_months, window_from
from checklists.errors import UnknownPathway
from checklists.escalation import FirstLine, first_line
from checklists.facts import CaseFacts
from checklists.inflammation import changes as inflammation_changes, current_remission, latest_relapse, resolved_on
from checklists.injections import Occurrence, occurrences
from checklists.therapy import current_block_start
from checklists.models import OPEN_CASE_STATUSES, Case, Event, ItemRecord, Policy
from seeds.loader import Catalogue, ItemDef, PathwayDef, SeriesRule, WindowRule

# An assessment from a week before a review's window opens counts for it (pathways.md "Revisions").
IN_WINDOW_LEAD = timedelta(days=7)
# Anchors that are gates: the day first-line treatment failed. An item on one is not shown as coming
# (upcoming, due soon) before that day, because until then it may never be needed.
GATE_ANCHORS = ("saline-failed", "first-line-failed")


@dataclass(slots=True, frozen=True)
class ItemPlan:
    """An item's window and state as planned from the record alone (valid on any day)."""

    definition: ItemDef
    state: str  # open | done | skipped | snoozed (snoozed still needs `until` against today)
    opens: date | None
    closes: date | None
    resolved_on: date | None = None
    reason: str | None = None
    until: date | None = None
    checks: tuple[date, ...] = ()
    occurrence: int | None = None
    detail: str | None = None
    missed: bool = False  # a time-point item whose whole window closed before enrolment
    waits: str | None = None  # the item's gate is shut: what it waits for (shown while unscheduled)
    early: bool = False
    gated: bool = False  # unscheduled until its window opens


@dataclass(slots=True, frozen=True)
class _Plan:
    """What every item of one case is planned against."""

    case: Case
    facts: CaseFacts
    policy: Policy
    first_line: FirstLine


def case_pathways(case: Case, catalogue: Catalogue) -> list[PathwayDef]:
    """The definitions of the pathways the case follows; UnknownPathway if one is not in the catalogue."""
    found = []
    for pathway_id in case.pathways:
        pathway = catalogue.pathways.get(pathway_id)
        if pathway is None:
            raise UnknownPathway(case.id, pathway_id)
        found.append(pathway)
    return found


def case_items(case: Case, catalogue: Catalogue) -> list[ItemDef]:
    """The items that are part of this case: its pathways' items, less other etiologies' items."""
    return [
        item for pathway in case_pathways(case, catalogue) for item in pathway.items
        if item.etiology is None or item.etiology == case.etiology
    ]


def plan_items(case: Case, facts: CaseFacts, catalogue: Catalogue, policy: Policy) -> list[ItemPlan]:
    pathways = case_pathways(case, catalogue)
    context = _Plan(case, facts, policy, first_line(case, facts, policy, pathways))
    return [plan_item(context, item) for item in case_items(case, catalogue)]


def plan_item(context: _Plan, item: ItemDef) -> ItemPlan:
    case = context.case
    record = case.items.get(item.id) or ItemRecord(item=item.id)
    if item.series and item.series.kind == "saline":
        return _plan_saline(context, item, item.series, record)
    if item.series and item.series.kind == "recurrence":
        return _plan_recurrence(context, item, item.series, record)
    if item.series and item.series.kind == "per-injection":
        return _plan_per_injection(context, item, item.series, record)
    opens, closes = _window(context, item.window, item) if _schedulable(case, item) else (None, None)
    opens, closes, missed = late_presentation(case, item, opens, closes)
    state, resolved_on = _resolution(context, record, item, opens, closes, missed)
    describe = DETAIL_LINES[item.detail] if item.detail else None
    return ItemPlan(
        definition=item, state=state, opens=opens, closes=closes, resolved_on=resolved_on,
        reason=record.reason if state in ("skipped", "snoozed") else None,
        until=record.until if state == "snoozed" else None,
        detail=describe(context, item) if describe else None,
        missed=missed and state not in ("done", "skipped"),
        waits=_waits(context, item, state, opens),
        early=record.early and state == "done",
        gated=item.window is not None and item.window.anchor in GATE_ANCHORS,
    )


def late_presentation(case: Case, item: ItemDef, opens: date | None,
                      closes: date | None) -> tuple[date | None, date | None, bool]:
    """(opens, closes, missed) once a window that closed before enrolment is accounted for.

    A time-point item (a review or check at a set time) keeps its window and is missed: what it
    would have seen cannot be seen now. An action item (a test, a referral, a treatment step) is
    still to be done: it opens at enrolment with its usual length. A window that straddles
    enrolment is simply open.
    """
    if opens is None or closes is None or closes >= case.enrolment:
        return opens, closes, False
    if item.time_point:
        return opens, closes, True
    return case.enrolment, case.enrolment + (closes - opens), False


def _waits(context: _Plan, item: ItemDef, state: str, opens: date | None) -> str | None:
    """The item's `waits` text while its gate is shut (no window yet, or inflammation not settled)."""
    if item.waits is None or state not in ("open", "snoozed") or context.case.status not in OPEN_CASE_STATUSES:
        return None
    if item.needs_severity is not None and context.case.severity != item.needs_severity:
        return item.waits
    if not _schedulable(context.case, item):
        return None
    if item.needs_resolved_inflammation and _inflammation_resolved(context.case) is None:
        return item.waits
    if (item.window is not None or item.series is not None) and opens is None:
        return item.waits
    if item.window is not None and item.window.anchor in GATE_ANCHORS and opens is not None:
        return f"opens {opens.isoformat()} if still needed then"  # shown only before that day
    return None


def _injection_log(context: _Plan, item: ItemDef) -> str | None:
    """Each injection's drug and dose with the running count, for the dose review."""
    injections = context.facts.injections
    if not injections:
        return None
    parts = [
        f"#{n} {e.date.isoformat()} {' '.join(x for x in (e.drug, e.dose) if x) or 'drug not recorded'}"
        for n, e in enumerate(injections, start=1)
    ]
    return f"{len(parts)} injection{'s' if len(parts) != 1 else ''}: " + "; ".join(parts)


def _graft_count(context: _Plan, item: ItemDef) -> str | None:
    """How many grafts so far, and which one the window is for (serial grafting is counted)."""
    grafts = context.facts.fat_grafts
    if not grafts:
        return None
    count = len(grafts)
    return f"graft {count} of {count} on {grafts[-1].date.isoformat()}" if count > 1 else \
        f"graft 1 on {grafts[-1].date.isoformat()}"


def _dose_history(context: _Plan, item: ItemDef) -> str | None:
    """The doses of the item's drug in its current course: `methotrexate: 10 mg 2026-01-05 → 15 mg ...`."""
    generic = (item.window.drug if item.window else None) or (item.satisfied_by.drug if item.satisfied_by else None)
    facts = context.facts
    start = facts.course_start(generic) if generic else None
    if generic is None or start is None:
        return None
    events = [e for kind in ("therapy-start", "therapy-dose") for e in facts.events(kind)
              if generic in facts.drug_keys(e) and e.date >= start]
    steps = [f"{e.dose or 'dose not recorded'} {e.date.isoformat()}"
             for e in sorted(events, key=lambda e: (e.date, e.seq))]
    return f"{generic}: " + " → ".join(steps)


def _improvement_basis(context: _Plan, item: ItemDef) -> str | None:
    """Which assessment the escalation decision rests on: the latest one recording improvement, as of
    the day the gate opened (or as of now when it is closed), named with its date and its finding."""
    facts, first = context.facts, context.first_line
    if context.case.status == "resolved":
        return "not needed: the case is resolved"
    latest = facts.latest_improvement()
    if first.complete and latest is not None:
        return f"not needed: complete improvement at the assessment of {latest.date.isoformat()}"
    anchor = item.window.anchor if item.window else None
    gate = first.failed if anchor == "saline-failed" else first.escalation if anchor == "first-line-failed" else None
    if gate is not None:
        basis = facts.latest_improvement(as_of=gate)
        if basis is None:
            return f"no assessment of improvement recorded by {gate.isoformat()}"
        return f"judged on the assessment of {basis.date.isoformat()} ({basis.improvement})"
    if latest is None:
        return None
    return f"latest assessment {latest.date.isoformat()}: {latest.improvement}"


# The running records an item can show on its line (`detail = "..."` in its TOML; seeds/loader.DETAILS).
DETAIL_LINES = {"injection-log": _injection_log, "graft-count": _graft_count, "dose-history": _dose_history,
                "improvement-basis": _improvement_basis}


def _schedulable(case: Case, item: ItemDef) -> bool:
    """Closed or lost cases schedule nothing; a resolved lesion stops its treatment items; an item kept
    for a severity the case is not recorded with waits for it."""
    if case.status not in OPEN_CASE_STATUSES:
        return False
    if item.needs_severity is not None and case.severity != item.needs_severity:
        return False
    return not (item.stops_when_resolved and case.status == "resolved")


def _inflammation_resolved(case: Case) -> date | None:
    """The day the current quiet spell began, if inflammation is recorded resolved now (else None)."""
    return current_remission(inflammation_changes(case))


def _qualifying_events(context: _Plan, record: ItemRecord, item: ItemDef, opens: date | None,
                       closes: date | None) -> list[Event]:
    match = item.satisfied_by
    assert match is not None
    facts, after_seq = context.facts, record.reopened_after_seq
    events = [
        e for e in context.case.live_events(match.kind)
        if (match.depth is None or e.depth == match.depth)
        and (match.drug is None or facts.drugs.names(e.drug, match.drug))
        and all(getattr(e, name) is not None for name in match.needs)
        and (after_seq is None or e.seq > after_seq)
    ]
    if match.before:
        # A baseline is taken before treatment starts: an assessment after the first session is a
        # follow-up, not the baseline (same day counts: measure, then infiltrate).
        started = [e.date for kind in match.before for e in context.case.live_events(kind)]
        if started:
            events = [e for e in events if e.date <= min(started)]
    if item.needs_resolved_inflammation:
        # A graft into still-inflamed fat is the pitfall, not the step: it does not tick this off. Each
        # event is judged by the state on its own day, so a relapse since does not undo a graft made in
        # a quiet spell.
        history = inflammation_changes(context.case)
        events = [e for e in events if resolved_on(history, e.date)]
    if match.in_window:
        # A review is done by seeing the patient at about its time: from a week before it opens until it
        # closes (pathways.md "Revisions": "logged within a review's window"). A look after the window
        # closed does not answer it: the review stays overdue (or missed) until the clinician marks it
        # done by hand, dated, or skips it with a reason; it is never ticked off quietly.
        if opens is None or closes is None:
            return []
        events = [e for e in events if opens - IN_WINDOW_LEAD <= e.date <= closes]
    return events


def _resolution(context: _Plan, record: ItemRecord, item: ItemDef, opens: date | None, closes: date | None,
                missed: bool) -> tuple[str, date | None]:
    """Recorded state, with event satisfaction and re-opening by a newer event applied."""
    state, resolved_on = record.state, record.date
    if state != "done" and item.satisfied_by is not None:
        events = _qualifying_events(context, record, item, opens, closes)
        if len(events) >= item.satisfied_by.count:
            state, resolved_on = "done", events[item.satisfied_by.count - 1].date
    if item.reopened_by and state in ("done", "skipped"):
        newer = context.facts.events(item.reopened_by)
        last = newer[-1].date if newer else None
        if last is not None and resolved_on is not None and resolved_on < last:
            state, resolved_on = "open", None
    if state == "open":
        resolved_on = None
    return state, resolved_on


def anchor_date(context: _Plan, rule: WindowRule) -> date | None:
    case, facts = context.case, context.facts
    anchor = rule.anchor
    if anchor == "enrolment":
        return case.enrolment
    if anchor == "onset":
        return case.onset
    if anchor == "first-saline":
        return facts.first_saline
    if anchor == "etiology-set":
        return case.etiology_date
    if anchor == "first-therapy-start":
        return facts.first_therapy_start
    if anchor == "last-injection":
        return facts.last_injection
    if anchor == "inflammation-resolved":
        return _inflammation_resolved(case)
    if anchor == "saline-failed":
        return context.first_line.failed
    if anchor == "first-line-failed":
        return context.first_line.escalation
    if anchor == "last-fat-graft":
        return facts.last_fat_graft
    if anchor == "drug-course-start":
        return facts.course_start(rule.drug) if rule.drug else None
    if anchor == "maintenance-start":
        return current_block_start(facts, context.policy.therapy_gap_days)
    raise ValueError(f"unknown anchor {anchor}")  # the loader admits only known anchors


def _window(context: _Plan, rule: WindowRule | None, item: ItemDef | None = None) -> tuple[date | None, date | None]:
    if rule is None:
        return None, None
    anchor = anchor_date(context, rule)
    if anchor is None:
        return None, None
    severity_set = context.case.severity_date
    if item is not None and item.needs_severity is not None and severity_set is not None:
        # Kept for severe disease: its time starts when the disease is graded so, if that is later.
        anchor = max(anchor, severity_set)
    return window_from(anchor, rule.opens, rule.closes)


def _plan_saline(context: _Plan, item: ItemDef, series: SeriesRule, record: ItemRecord) -> ItemPlan:
    """Weekly sessions counted against the course; the window is for the next session."""
    case, facts, policy = context.case, context.facts, context.policy
    sessions = facts.saline
    count = len(sessions)
    detail = f"saline {count} of {policy.saline_min_sessions}-{policy.saline_max_sessions}"
    state, resolved_on = record.state, record.date
    counted = [s for s in sessions if record.reopened_after_seq is None or s.seq > record.reopened_after_seq]
    course_complete = count >= policy.saline_max_sessions or (
        count >= policy.saline_min_sessions and facts.complete_improvement
    )
    if state != "done" and course_complete and counted:
        state, resolved_on = "done", sessions[-1].date
    latest = facts.latest_improvement()
    if latest is not None and latest.improvement == "complete" and count < policy.saline_max_sessions:
        detail += f"; complete improvement at the assessment of {latest.date.isoformat()}"
    if state == "open":
        resolved_on = None
    opens: date | None = None
    closes: date | None = None
    if _schedulable(case, item):
        if count == 0:
            opens, closes = _window(context, series.first)
        else:
            # The loader insists on both for a saline series.
            assert series.next_opens is not None and series.next_closes is not None
            opens, closes = window_from(sessions[-1].date, series.next_opens, series.next_closes)
        opens, closes, _ = late_presentation(case, item, opens, closes)
    return ItemPlan(
        definition=item, state=state, opens=opens, closes=closes, resolved_on=resolved_on,
        reason=record.reason if state in ("skipped", "snoozed") else None,
        until=record.until if state == "snoozed" else None,
        occurrence=count + 1, detail=detail,
    )


def _plan_recurrence(context: _Plan, item: ItemDef, series: SeriesRule, record: ItemRecord) -> ItemPlan:
    """Checks every `recurrence_months` from the latest resolution of inflammation, then from the last check.

    The series has no fixed end: relapses come late (seed 001 tells of one 8 years on), so checks go on
    until a clinician ends monitoring with a reason (a skip). A relapse restarts it: while inflammation
    is active again there is nothing to check for, and from the next resolution the series counts
    afresh; a decision to end monitoring taken before the relapse no longer holds.

    A check whose window closed before enrolment could not have been done here: the series moves on
    along its grid to the first check that closes on or after enrolment, and says how many it passed.
    """
    case, policy = context.case, context.policy
    history = inflammation_changes(case)
    resolved = current_remission(history)
    relapse = latest_relapse(history)
    checks = tuple(sorted(record.checks))
    state, resolved_on = record.state, record.date
    if relapse is not None and state in ("done", "skipped") and (resolved_on is None or resolved_on < relapse):
        state, resolved_on = "open", None  # monitoring was ended for a quiet spell that has since ended
    opens: date | None = None
    closes: date | None = None
    occurrence = None
    passed = 0
    since: list[date] = []
    if resolved is not None and case.status in OPEN_CASE_STATUSES:
        since = [c for c in checks if c >= resolved]
        base = since[-1] if since else resolved
        length = series.first.closes.amount - series.first.opens.amount
        opens = add_months(base, policy.recurrence_months)
        closes = add_months(base, policy.recurrence_months + length)
        while closes < case.enrolment:
            passed += 1
            opens = add_months(base, policy.recurrence_months * (passed + 1))
            closes = add_months(base, policy.recurrence_months * (passed + 1) + length)
        occurrence = len(since) + passed + 1
    if state == "open":
        resolved_on = None
    return ItemPlan(
        definition=item, state=state, opens=opens, closes=closes, resolved_on=resolved_on,
        reason=record.reason if state in ("skipped", "snoozed") else None,
        until=record.until if state == "snoozed" else None,
        checks=checks, occurrence=occurrence,
        detail=_recurrence_remarks(checks, since, passed, relapse, resolved),
        waits=_waits(context, item, state, opens),
    )


def _recurrence_remarks(checks: tuple[date, ...], since: list[date], passed: int, relapse: date | None,
                        resolved: date | None) -> str | None:
    remarks = []
    if checks:
        remarks.append(f"{len(checks)} check{'s' if len(checks) != 1 else ''} recorded")
        if relapse is not None and resolved is not None and len(since) < len(checks):
            remarks.append(f"{len(since)} since the relapse settled on {resolved.isoformat()}")
    if relapse is not None:
        settled = f", settled {resolved.isoformat()}" if resolved is not None else ""
        remarks.append(f"relapse {relapse.isoformat()}{settled}")
    if passed:
        remarks.append(f"{passed} check{'s' if passed != 1 else ''} before enrolment")
    return "; ".join(remarks) or None


def _plan_per_injection(context: _Plan, item: ItemDef, series: SeriesRule, record: ItemRecord) -> ItemPlan:
    """Checks placed by the injections (checklists/injections.py): the window shown is the first one
    not yet answered; earlier ones answered, missed before enrolment, or covered by a skip.

    A skip covers the checks of injections given on or before its date; a later injection brings
    checks of its own (as a new injection reopened the single check before runs were counted).
    """
    case, facts = context.case, context.facts
    seen = [e.date for e in _qualifying_checks(context, record, item)]
    placed = occurrences(series.first, facts.injections, context.policy.injection_run_gap_months,
                         _hand_checks(record), case.enrolment, seen=seen) if _schedulable(case, item) else []
    skipped_to = record.date if record.state == "skipped" else None
    covered = [o for o in placed if skipped_to is not None and o.anchor <= skipped_to]
    live = [o for o in placed if o not in covered]
    pending = [o for o in live if o.checked is None and not o.missed]
    missed = [o for o in live if o.missed]
    state, resolved_on = record.state, record.date
    shown: Occurrence | None = None
    if pending:
        shown = pending[0]
        state = "snoozed" if record.state == "snoozed" else "open"
    elif missed:
        shown, state = missed[-1], "open"
    elif live:
        state, resolved_on = "done", max(o.checked for o in live if o.checked is not None)
    elif placed and covered:
        state = "skipped"
    elif state == "done":
        state = "open"  # a check marked done before any injection: nothing to answer yet
    if state == "open":
        resolved_on = None
    return ItemPlan(
        definition=item, state=state, opens=shown.opens if shown else None, closes=shown.closes if shown else None,
        resolved_on=resolved_on, reason=record.reason if state in ("skipped", "snoozed") else None,
        until=record.until if state == "snoozed" else None, checks=tuple(sorted(record.checks)),
        occurrence=shown.number if shown else None, detail=_injection_remarks(placed, shown, len(missed)),
        missed=shown is not None and shown.missed,
        waits=_waits(context, item, state, shown.opens if shown else None),
    )


def _hand_checks(record: ItemRecord) -> list[date]:
    """Checks recorded by hand; an older file's single "done" (from before runs) is one such check."""
    found = list(record.checks)
    if record.state == "done" and record.date is not None:
        found.append(record.date)
    return found


def _qualifying_checks(context: _Plan, record: ItemRecord, item: ItemDef) -> list[Event]:
    """Assessments that answer the item's checks: of its kind, recording what it needs."""
    match = item.satisfied_by
    if match is None:
        return []
    after_seq = record.reopened_after_seq
    return [e for e in context.case.live_events(match.kind)
            if all(getattr(e, name) is not None for name in match.needs)
            and (after_seq is None or e.seq > after_seq)]


def _injection_remarks(placed: list[Occurrence], shown: Occurrence | None, missed: int) -> str | None:
    if not placed:
        return None
    remarks = []
    if shown is not None:
        remarks.append(f"check {shown.number} of {len(placed)}, after {shown.follows}")
    answered = sum(1 for o in placed if o.checked is not None)
    if answered:
        remarks.append(f"{answered} answered")
    if missed:
        remarks.append(f"{missed} before enrolment")
    return "; ".join(remarks)
