"""What Rounds says about a case on a given day: a pure function of (case, catalogue, policy, today).

`evaluate` gives the full view; `summarize` + `case_row` give the board's line through a today-free
summary that the store can cache. Both go through `status.item_status`, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import TypeVar

from checklists.facts import CaseFacts, case_facts
from checklists.models import (
    SEVERITY_ORDER, Alert, AlertAck, AlertSpan, Case, CaseRow, CaseSummary, CaseView, Counts, ItemView,
    NextDue, PlannedItem, Policy,
)
from checklists.rules import AlertPlan, plan_alerts
from checklists.status import effective_state, item_status, most_urgent, urgency_rank
from checklists.windows import ItemPlan, plan_items
from seeds.loader import AlertDef, Catalogue

_WAITING_STATUSES = ("overdue", "due", "due-soon", "upcoming")


def _holds(starts: date | None, ends: date | None, today: date) -> bool:
    return (starts is None or today >= starts) and (ends is None or today < ends)


def _definition(pathway: str, alert: AlertPlan, catalogue: Catalogue) -> AlertDef:
    # check_rules (at load) guarantees every code a pathway's rules raise is declared in its file.
    definition = catalogue.pathways[pathway].alert(alert.code)
    assert definition is not None, alert.code
    return definition


def _severity(pathway: str, alert: AlertPlan, catalogue: Catalogue) -> str:
    return alert.severity or _definition(pathway, alert, catalogue).severity


def acknowledgement(case: Case, pathway: str, alert: AlertPlan, catalogue: Catalogue) -> AlertAck | None:
    """The acknowledgement that covers this alert, if any: only a past fact can be acknowledged, and
    only for the evidence it had then (a new occurrence of the cause raises the alert again)."""
    ack = case.acks.get(alert.code)
    if ack is None or not _definition(pathway, alert, catalogue).past_fact:
        return None
    return ack if set(alert.evidence) <= set(ack.covers) else None


def _alert_view(pathway: str, alert: AlertPlan, ack: AlertAck | None, catalogue: Catalogue) -> Alert:
    definition = _definition(pathway, alert, catalogue)
    return Alert(
        code=alert.code, severity=alert.severity or definition.severity, message=alert.message,
        action=alert.action or definition.action, sources=definition.sources,
        provenance=definition.provenance, pathway=pathway, past_fact=definition.past_fact,
        evidence=alert.evidence, acknowledged=ack,
    )


def item_label(plan: ItemPlan, policy: Policy) -> str:
    """The item's short title (its TOML `short`) for narrow lists; a saline session with its place in the
    course, counted as the case's counts are ("Saline session 2 of 3-6")."""
    d = plan.definition
    short = d.short or d.title
    if d.series is not None and d.series.kind == "saline" and plan.occurrence:
        return f"{short} {plan.occurrence} of {policy.saline_min_sessions}-{policy.saline_max_sessions}"
    return short


def _item_view(plan: ItemPlan, today: date, policy: Policy) -> ItemView:
    d = plan.definition
    status = item_status(plan.state, plan.opens, plan.closes, today, policy.soon_days, plan.until, plan.missed,
                         plan.gated)
    state = effective_state(plan.state, plan.until, today)
    return ItemView(
        id=d.id, pathway=d.pathway, title=d.title, phase=d.phase, state=state,
        opens=plan.opens, closes=plan.closes, status=status, sources=d.sources,
        provenance=d.provenance, rationale=d.rationale, resolved_on=plan.resolved_on,
        reason=plan.reason, until=plan.until if state == "snoozed" else None, checks=plan.checks,
        occurrence=plan.occurrence, detail=plan.detail, kind=d.kind,
        waits=plan.waits if status == "unscheduled" else None, early=plan.early, label=item_label(plan, policy),
        window_provenance=d.timing_provenance,
    )


Candidate = tuple[str, "date | None", "date | None", str, str, str]


def _next_due(candidates: Iterable[Candidate]) -> NextDue | None:
    """The most urgent item that has a window and is not snoozed or resolved (upcoming included).

    `candidates`: (status, opens, closes, item id, title, label) of every item; shared by the case view
    and the board line so that the two cannot pick differently.
    """
    # A waiting status (upcoming .. overdue) always has a window; the check says so to the type checker.
    waiting = [(status, opens, closes, item, title, label) for status, opens, closes, item, title, label in candidates
               if status in _WAITING_STATUSES and opens is not None and closes is not None]
    if not waiting:
        return None
    status, opens, closes, item, title, label = min(waiting, key=lambda c: (urgency_rank(c[0]), c[1], c[2]))
    return NextDue(item=item, title=title, opens=opens, closes=closes, status=status, label=label)


def _counts(facts: CaseFacts, policy: Policy, today: date) -> Counts:
    recent = sum(1 for i in facts.injections if 0 <= (today - i.date).days <= 364)
    return Counts(
        saline=len(facts.saline), saline_min=policy.saline_min_sessions, saline_max=policy.saline_max_sessions,
        abi=len(facts.abi), fat_grafts=len(facts.fat_grafts), injections=len(facts.injections),
        injections_last_365_days=recent,
    )


P = TypeVar("P")


def _strongest_per_code(spans: Iterable[tuple[str, str, date | None, date | None, P]],
                        today: date) -> dict[str, tuple[str, P]]:
    """One alert per code: of a code's spans holding today, the most severe, as {code: (severity, payload)}.

    `spans`: (code, severity, starts, ends, payload); shared by the case view and the board line.
    """
    chosen: dict[str, tuple[str, P]] = {}
    for code, severity, starts, ends, payload in spans:
        if not _holds(starts, ends, today):
            continue
        known = chosen.get(code)
        if known is None or SEVERITY_ORDER.index(severity) < SEVERITY_ORDER.index(known[0]):
            chosen[code] = (severity, payload)
    return chosen


def _sorted_alerts(alerts: list[Alert]) -> tuple[Alert, ...]:
    """Most severe first; acknowledged alerts after the ones that still count."""
    return tuple(sorted(alerts, key=lambda a: (a.acknowledged is not None, SEVERITY_ORDER.index(a.severity))))


def _event_flags(facts: CaseFacts) -> dict[str, str]:
    """What is odd about an event, said beside it (the event is kept as recorded)."""
    return {stop.id: "no recorded start" for stop in facts.stops_without_start()}


def evaluate(case: Case, catalogue: Catalogue, policy: Policy, today: date) -> CaseView:
    facts = case_facts(case, catalogue.drugs)
    items = tuple(_item_view(plan, today, policy) for plan in plan_items(case, facts, catalogue, policy))
    planned = [(pathway, a, acknowledgement(case, pathway, a, catalogue))
               for pathway, a in plan_alerts(case, facts, policy, catalogue)]
    # Per code, what still counts wins over what was acknowledged (the board counts only the former).
    counting = _strongest_per_code(((a.code, _severity(pathway, a, catalogue), a.starts, a.ends, (pathway, a, ack))
                                    for pathway, a, ack in planned if ack is None), today)
    settled = _strongest_per_code(((a.code, _severity(pathway, a, catalogue), a.starts, a.ends, (pathway, a, ack))
                                   for pathway, a, ack in planned if ack is not None and a.code not in counting),
                                  today)
    chosen = [payload for _, payload in [*counting.values(), *settled.values()]]
    alerts = _sorted_alerts([_alert_view(pathway, alert, ack, catalogue) for pathway, alert, ack in chosen])
    return CaseView(
        case=case, today=today, items=items, alerts=alerts, counts=_counts(facts, policy, today),
        next_due=_next_due((i.status or i.state, i.opens, i.closes, i.id, i.title, i.label) for i in items),
        urgency=most_urgent(i.status for i in items), event_flags=_event_flags(facts),
    )


def record_view(case: Case, catalogue: Catalogue, policy: Policy) -> CaseView:
    """What the record itself says, on no particular day: for de-identified exports.

    Every item with its window and its recorded (or event-derived) state, every alert the record
    raises at any time (the most severe per code), and the counts that do not depend on a day. No
    status, urgency, next due item or today: any of them, on any timeline, would let someone who knows
    roughly when the export was made narrow its secret date shift (cli.md, "Next additions").
    """
    facts = case_facts(case, catalogue.drugs)
    items = tuple(_timeless_item(plan) for plan in plan_items(case, facts, catalogue, policy))
    chosen: dict[str, tuple[str, tuple[str, AlertPlan, AlertAck | None]]] = {}
    for pathway, alert in plan_alerts(case, facts, policy, catalogue):
        if alert.starts is not None and alert.ends is not None and alert.starts >= alert.ends:
            continue  # a span that never holds
        severity = _severity(pathway, alert, catalogue)
        known = chosen.get(alert.code)
        if known is None or SEVERITY_ORDER.index(severity) < SEVERITY_ORDER.index(known[0]):
            chosen[alert.code] = (severity, (pathway, alert, acknowledgement(case, pathway, alert, catalogue)))
    alerts = _sorted_alerts([_alert_view(pathway, alert, ack, catalogue)
                             for _, (pathway, alert, ack) in chosen.values()])
    counts = replace(_counts(facts, policy, date.min), injections_last_365_days=None)  # depends on the day
    return CaseView(case=case, today=None, items=items, alerts=alerts, counts=counts, next_due=None, urgency=None)


def _timeless_item(plan: ItemPlan) -> ItemView:
    d = plan.definition
    return ItemView(
        id=d.id, pathway=d.pathway, title=d.title, phase=d.phase, state=plan.state,
        opens=plan.opens, closes=plan.closes, status=None, sources=d.sources,
        provenance=d.provenance, rationale=d.rationale, resolved_on=plan.resolved_on,
        reason=plan.reason, until=plan.until, checks=plan.checks, occurrence=plan.occurrence, detail=plan.detail,
        kind=d.kind, waits=plan.waits if plan.gated else None, early=plan.early,
        window_provenance=d.timing_provenance,
    )


def summarize(case: Case, catalogue: Catalogue, policy: Policy) -> CaseSummary:
    """The case's plan, independent of the day. It reads every policy key but those only the day's
    board line reads (checklists.policy.ROW_ONLY_POLICY_KEYS): the store keeps cached summaries across
    a change of one of those."""
    facts = case_facts(case, catalogue.drugs)
    items = tuple(
        PlannedItem(id=p.definition.id, title=p.definition.title, state=p.state, opens=p.opens,
                    closes=p.closes, until=p.until, missed=p.missed, gated=p.gated, label=item_label(p, policy))
        for p in plan_items(case, facts, catalogue, policy)
    )
    # An acknowledged alert leaves the board's counts and urgency (it stays listed on the case).
    alerts = tuple(
        AlertSpan(code=a.code, severity=_severity(pathway, a, catalogue), starts=a.starts, ends=a.ends)
        for pathway, a in plan_alerts(case, facts, policy, catalogue)
        if acknowledgement(case, pathway, a, catalogue) is None
    )
    return CaseSummary(id=case.id, patient=case.patient, pathways=case.pathways, status=case.status,
                       onset=case.onset, items=items, alerts=alerts)


def case_row(summary: CaseSummary, today: date, policy: Policy) -> CaseRow:
    """The board line on `today`. Runs once per case on each list, so it stays lean (no ItemView)."""
    candidates = [
        (item_status(p.state, p.opens, p.closes, today, policy.soon_days, p.until, p.missed, p.gated), p.opens,
         p.closes, p.id, p.title, p.label)
        for p in summary.items
    ]
    snoozed = min(((p.until, p.label or p.title) for p, c in zip(summary.items, candidates)
                   if c[0] == "snoozed" and p.until is not None), default=None)
    active = _strongest_per_code(((a.code, a.severity, a.starts, a.ends, None) for a in summary.alerts), today)
    ordered = sorted(active.items(), key=lambda kv: SEVERITY_ORDER.index(kv[1][0]))
    return CaseRow(
        id=summary.id, patient=summary.patient, pathways=summary.pathways, status=summary.status,
        urgency=most_urgent(c[0] for c in candidates), next_due=_next_due(candidates),
        alert_codes=tuple(code for code, _ in ordered), alert_severities=tuple(sev for _, (sev, _) in ordered),
        onset=summary.onset, snoozed=(snoozed[1], snoozed[0]) if snoozed else None,
    )

