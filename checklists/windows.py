"""Plan each checklist item of a case: its window, its recorded or event-derived state. No `today`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from checklists.dates import add_months, window_from
from checklists.errors import UnknownPathway
from checklists.facts import CaseFacts, drug_key
from checklists.models import OPEN_CASE_STATUSES, Case, ItemRecord, Policy
from seeds.loader import Catalogue, EventMatch, ItemDef, PathwayDef, SeriesRule, WindowRule


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
    return [plan_item(case, facts, item, policy) for item in case_items(case, catalogue)]


def plan_item(case: Case, facts: CaseFacts, item: ItemDef, policy: Policy) -> ItemPlan:
    record = case.items.get(item.id) or ItemRecord(item=item.id)
    if item.series and item.series.kind == "saline":
        return _plan_saline(case, facts, item, item.series, record, policy)
    if item.series and item.series.kind == "recurrence":
        return _plan_recurrence(case, item, item.series, record, policy)
    state, resolved_on = _resolution(record, facts, item, case)
    opens, closes = _window(case, facts, item.window) if _schedulable(case, item) else (None, None)
    describe = DETAIL_LINES[item.detail] if item.detail else None
    return ItemPlan(
        definition=item, state=state, opens=opens, closes=closes, resolved_on=resolved_on,
        reason=record.reason if state in ("skipped", "snoozed") else None,
        until=record.until if state == "snoozed" else None,
        detail=describe(facts) if describe else None,
    )


def _injection_log(facts: CaseFacts) -> str | None:
    """Each injection's drug and dose with the running count, for the dose review."""
    if not facts.injections:
        return None
    parts = [
        f"#{n} {e.date.isoformat()} {' '.join(x for x in (e.drug, e.dose) if x) or 'drug not recorded'}"
        for n, e in enumerate(facts.injections, start=1)
    ]
    return f"{len(parts)} injection{'s' if len(parts) != 1 else ''}: " + "; ".join(parts)


# The running records an item can show on its line (`detail = "..."` in its TOML; seeds/loader.DETAILS).
DETAIL_LINES = {"injection-log": _injection_log}


def _schedulable(case: Case, item: ItemDef) -> bool:
    """Closed or lost cases schedule nothing; a resolved lesion stops its treatment items."""
    if case.status not in OPEN_CASE_STATUSES:
        return False
    return not (item.stops_when_resolved and case.status == "resolved")


def _qualifying_events(case: Case, match: EventMatch, after_seq: int | None) -> list:
    return [
        e for e in case.live_events(match.kind)
        if (match.depth is None or e.depth == match.depth)
        and (match.drug_contains is None or match.drug_contains in drug_key(e.drug))
        and (after_seq is None or e.seq > after_seq)
    ]


def _resolution(record: ItemRecord, facts: CaseFacts, item: ItemDef, case: Case) -> tuple[str, date | None]:
    """Recorded state, with event satisfaction and re-opening by a newer injection applied."""
    state, resolved_on = record.state, record.date
    if state != "done" and item.satisfied_by is not None:
        events = _qualifying_events(case, item.satisfied_by, record.reopened_after_seq)
        if item.needs_resolved_inflammation:
            # A graft into still-inflamed fat is the pitfall, not the step: it does not tick this off.
            resolved = case.inflammation_date if case.inflammation == "resolved" else None
            events = [e for e in events if resolved is not None and e.date >= resolved]
        if len(events) >= item.satisfied_by.count:
            state, resolved_on = "done", events[item.satisfied_by.count - 1].date
    if item.reopened_by_injection and state in ("done", "skipped"):
        last = facts.last_injection
        if last is not None and resolved_on is not None and resolved_on < last:
            state, resolved_on = "open", None
    if state == "open":
        resolved_on = None
    return state, resolved_on


def anchor_date(case: Case, facts: CaseFacts, anchor: str) -> date | None:
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
        return case.inflammation_date if case.inflammation == "resolved" else None
    raise ValueError(f"unknown anchor {anchor}")  # the loader admits only known anchors


def _window(case: Case, facts: CaseFacts, rule: WindowRule | None) -> tuple[date | None, date | None]:
    if rule is None:
        return None, None
    anchor = anchor_date(case, facts, rule.anchor)
    if anchor is None:
        return None, None
    opens, closes = window_from(anchor, rule.opens, rule.closes)
    if rule.condition == "no-complete-improvement" and facts.complete_improvement:
        return None, None
    if rule.condition == "no-improvement-by-opening" and (
        case.status == "resolved" or facts.improvement_by(opens)
    ):
        return None, None
    return opens, closes


def _plan_saline(case: Case, facts: CaseFacts, item: ItemDef, series: SeriesRule, record: ItemRecord,
                 policy: Policy) -> ItemPlan:
    """Weekly sessions counted against the course; the window is for the next session."""
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
    if state == "open":
        resolved_on = None
    opens: date | None = None
    closes: date | None = None
    if _schedulable(case, item):
        if count == 0:
            opens, closes = _window(case, facts, series.first)
        else:
            # The loader insists on both for a saline series.
            assert series.next_opens is not None and series.next_closes is not None
            opens, closes = window_from(sessions[-1].date, series.next_opens, series.next_closes)
    return ItemPlan(
        definition=item, state=state, opens=opens, closes=closes, resolved_on=resolved_on,
        reason=record.reason if state in ("skipped", "snoozed") else None,
        until=record.until if state == "snoozed" else None,
        occurrence=count + 1, detail=detail,
    )


def _plan_recurrence(case: Case, item: ItemDef, series: SeriesRule, record: ItemRecord, policy: Policy) -> ItemPlan:
    """Checks every `recurrence_months` from inflammation resolution, then from the last check."""
    resolved = case.inflammation_date if case.inflammation == "resolved" else None
    checks = tuple(sorted(record.checks))
    state, resolved_on = record.state, record.date
    opens: date | None = None
    closes: date | None = None
    occurrence = None
    if resolved is not None and case.status in OPEN_CASE_STATUSES:
        since = [c for c in checks if c >= resolved]
        base = since[-1] if since else resolved
        length = series.first.closes.amount - series.first.opens.amount
        opens = add_months(base, policy.recurrence_months)
        closes = add_months(base, policy.recurrence_months + length)
        occurrence = len(since) + 1
        limit = add_months(case.onset, 12 * (series.limit_years or 0))
        if opens > limit:
            # The series has run its course: nothing more to schedule. It is done only if checks were
            # recorded; a resolution after the horizon leaves it open without a window, never "done"
            # for checks that did not happen.
            opens = closes = None
            if state in ("open", "snoozed") and since:
                state, resolved_on = "done", since[-1]
    if state == "open":
        resolved_on = None
    return ItemPlan(
        definition=item, state=state, opens=opens, closes=closes, resolved_on=resolved_on,
        reason=record.reason if state in ("skipped", "snoozed") else None,
        until=record.until if state == "snoozed" else None,
        checks=checks, occurrence=occurrence,
        detail=f"{len(checks)} check{'s' if len(checks) != 1 else ''} recorded" if checks else None,
    )

