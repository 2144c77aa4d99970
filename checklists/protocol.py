"""The protocol in words: one pathway as a document a clinical lead can read, check and sign off.

Every sentence is built from the pathway data (seeds/pathways/*.toml or a clinic's own file), the
conditions its rules module states, the clinic's policy values and the recorded reviews, so the
document cannot drift from what the engine does. Pure; the renderings are in store/export/protocol_doc.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from checklists.models import Policy
from checklists.policy import POLICY_HELP, POLICY_KEYS
from checklists.signoff import (
    Disabled, ReviewState, ReviewTally, RuleRef, Signoff, alert_condition, pathway_rules, tally,
)
from checklists.wording import EVENT_WORDS, provenance_label, provenance_rank
from seeds.loader import (
    AlertDef, Catalogue, EventMatch, ItemDef, Offset, PathwayDef, SeriesRule, WindowRule,
)

ANCHOR_WORDS = {
    "enrolment": "enrolment",
    "onset": "onset",
    "first-saline": "the first saline session",
    "etiology-set": "the day the etiology was set",
    "first-therapy-start": "the first therapy start",
    "last-injection": "the most recent injection",
    "inflammation-resolved": "the latest day inflammation was recorded as resolved (after a relapse, the day "
                             "it settled again)",
    "saline-failed": "the day saline counts as failed (no complete improvement 8 weeks after the first "
                     "session, or at the end of a full course)",
    "first-line-failed": "the day first-line treatment counts as failed (saline failed, or a year from onset "
                         "once saline was tried or declined)",
    "last-fat-graft": "the most recent fat graft",
    "drug-course-start": "the start of the current course of the drug",
    "each-injection": "every injection (one check for each; an unanswered check stays due, and the next check "
                      "made answers it)",
    "each-run": "the first injection of every run of injections, and the last one when the run has more than "
                "one (a run ends when injection_run_gap_months, clinic policy, pass without an injection)",
    "maintenance-start": "the start of the current stretch of maintenance therapy (counted across maintenance "
                         "drugs; drugs that follow one another within therapy_gap_days, clinic policy, are one "
                         "stretch; glucocorticoid flare courses do not start it)",
}
DETAIL_WORDS = {
    "injection-log": "shows each injection's drug and dose, with the running count",
    "graft-count": "shows how many fat grafts have been logged",
    "dose-history": "shows the drug's dose changes",
    "improvement-basis": "names the assessment its decision rests on (the latest that records improvement, as of "
                         "the day its gate opened), with its date and finding",
}
# What a late presentation means for an item, by the kind its pathway file gives it.
LATE_KINDS = {
    "time-point": "a time point (a review or check at a set time): if its whole window closed before "
                  "the case was enrolled, it shows as missed before enrolment, never overdue",
    "action": "an action (a test, referral, treatment or baseline): if its window closed before the case "
              "was enrolled, it opens at enrolment with its usual window length",
}
_UNITS = {"d": ("day", "days"), "w": ("week", "weeks"), "m": ("month", "months")}


@dataclass(slots=True, frozen=True)
class RuleText:
    """One item or alert in words, with its sources, its content hash and where its review stands."""

    ref: RuleRef
    title: str
    when: str  # items: the window in words; alerts: ""
    completes: str  # items: what completes it; alerts: ""
    conditions: tuple[str, ...]  # items: when it applies at all; alerts: the condition that raises it
    late: str | None  # items: what a late presentation means; alerts: None
    action: str  # alerts: what to do; items: ""
    severity: str | None
    phase: str | None
    rationale: str
    note: str | None
    sources: tuple[str, ...]
    provenance: str
    rule_hash: str
    review: ReviewState
    disabled: Disabled | None = None


@dataclass(slots=True, frozen=True)
class PolicyLine:
    key: str
    value: str
    meaning: str
    used_by: tuple[str, ...]  # the rules of this pathway it changes


@dataclass(slots=True, frozen=True)
class SourceLine:
    key: str
    citation: str
    provenance: str
    level: str  # the provenance in words
    note: str | None
    cited_by: tuple[str, ...]


@dataclass(slots=True, frozen=True)
class PathwayProtocol:
    """A pathway as a document: what it is for, its rules, the policy in effect, its sources."""

    id: str
    title: str
    short: str
    summary: str
    onset: str
    anchors: str
    origin: str  # where the definition comes from
    clinic: bool
    items: tuple[RuleText, ...]
    alerts: tuple[RuleText, ...]
    policy: tuple[PolicyLine, ...]
    sources: tuple[SourceLine, ...]
    review: ReviewTally

    @property
    def rules(self) -> tuple[RuleText, ...]:
        return self.items + self.alerts


# --- windows and conditions in words -------------------------------------------------------------------


def offset_words(offset: Offset) -> str:
    one, many = _UNITS[offset.unit]
    return f"{offset.amount} {one if offset.amount == 1 else many}"


def window_words(rule: WindowRule) -> str:
    """`6 to 7 months after onset`, `within 14 days of enrolment`, `8 to 12 weeks after ...`."""
    anchor = ANCHOR_WORDS.get(rule.anchor, rule.anchor)
    opens, closes = rule.opens, rule.closes
    if opens.amount == 0 and closes.amount == 0:
        text = f"on the day of {anchor}"
    elif opens == closes:
        text = f"{offset_words(opens)} after {anchor}"
    elif opens.amount == 0:
        text = f"within {offset_words(closes)} of {anchor}"
    elif opens.unit == closes.unit:
        text = f"{opens.amount} to {offset_words(closes)} after {anchor}"
    else:
        text = f"{offset_words(opens)} to {offset_words(closes)} after {anchor}"
    if rule.drug:
        text = text.replace("the drug", rule.drug)
    return text


def series_words(series: SeriesRule, policy: Policy) -> str:
    """When the occurrences of a recurring item fall (the engine places them: checklists/windows.py)."""
    if series.kind == "saline":
        later = (f"; each later session {series.next_opens.amount} to {offset_words(series.next_closes)} after "
                 "the one before" if series.next_opens and series.next_closes else "")
        return f"first session {window_words(series.first)}{later}"
    if series.kind == "recurrence":
        length = series.first.closes.amount - series.first.opens.amount
        anchor = ANCHOR_WORDS.get(series.first.anchor, series.first.anchor)
        return (f"every {policy.recurrence_months} months (clinic policy recurrence_months) from {anchor}, "
                f"then from the last check; each window {length} month{'s' if length != 1 else ''} long; no "
                "fixed end (monitoring goes on until a clinician ends it with a reason); paused while "
                "inflammation is active again, and counted afresh from the next resolution")
    # A per-injection series: its anchors' words say that there is one check per injection or per run.
    return window_words(series.first)


def match_words(match: EventMatch, item: ItemDef) -> str:
    """`a `biopsy` event with depth deep-excisional is logged`, `2 `abi` events (autologous blood
    injections) are logged`."""
    noun = EVENT_WORDS.get(match.kind, match.kind).lower()
    several = match.count != 1
    if several:
        text = f"{match.count} `{match.kind}` events"
        noun += "s"
    else:
        text = f"{'an' if match.kind[0] in 'aeiou' else 'a'} `{match.kind}` event"
    if noun.replace("-", " ") != match.kind.replace("-", " ") + ("s" if several else ""):
        text += f" ({noun})"
    if match.depth:
        text += f" with depth {match.depth}"
    if match.drug:
        text += f" whose drug names {match.drug} (by any of its names)"
    if match.needs:
        text += f" recording {' and '.join(match.needs)}"
    if match.in_window:
        text += " dated from 7 days before the window opens until it closes"
    if match.before:
        text += f" dated on or before the first {' or '.join(f'`{k}`' for k in match.before)} event"
    if item.needs_resolved_inflammation:
        text += ", dated while inflammation was recorded as resolved (each change of state is kept),"
    return text + (" are logged" if several else " is logged")


def completes_words(item: ItemDef, policy: Policy) -> str:
    if item.series is not None and item.series.kind == "saline":
        return (f"each session is a logged `saline` event; the course is complete at "
                f"{policy.saline_max_sessions} sessions (saline_max_sessions), or at "
                f"{policy.saline_min_sessions} (saline_min_sessions) or more once complete improvement is "
                "recorded; ending it early is a skip with a reason")
    if item.series is not None and item.series.kind == "per-injection":
        answered = (match_words(item.satisfied_by, item).removesuffix(" is logged")
                    if item.satisfied_by is not None else "")
        by_event = f"{answered}, or " if answered else ""
        return (f"each check is answered by {by_event}a check marked done by hand (one dated check); a check "
                "marked done by hand answers every check whose window has opened by its date (from 7 days before)")
    if item.series is not None and item.series.kind == "recurrence":
        return ("each check is recorded by hand (done records one dated check and schedules the next); "
                "monitoring ends only when the item is skipped with a reason (end monitoring), and a relapse "
                "recorded after that starts it again")
    if item.satisfied_by is not None:
        return f"done when {match_words(item.satisfied_by, item)}, or when marked done by hand"
    return "marked done by hand (rounds item CASE ID done, or d in the app)"


def when_words(item: ItemDef, policy: Policy) -> str:
    if item.series is not None:
        text = series_words(item.series, policy)
    elif item.window is not None:
        text = window_words(item.window)
    else:
        return "no window: standing guidance or as needed; it never makes a case due"
    return text + timing_words(item)


def timing_words(item: ItemDef) -> str:
    """` (timing: clinic policy ...)` when the item's timing rests on a weaker source than the step."""
    if item.window_provenance is None or item.window_provenance == item.provenance:
        return ""
    return f"; its timing is {provenance_label(item.window_provenance)}"


def item_conditions(item: ItemDef) -> tuple[str, ...]:
    conditions = []
    if item.etiology:
        conditions.append(f"only in cases whose etiology is {item.etiology}")
    if item.needs_resolved_inflammation:
        conditions.append("waits until inflammation is recorded as resolved; an event counts only if "
                          "inflammation was recorded resolved on its own date (each change of state is kept)")
    if item.needs_severity:
        conditions.append(f"waits until the case's severity is recorded as {item.needs_severity}; its window "
                          "then counts from that day if that is later than its anchor")
    if item.stops_when_resolved:
        conditions.append("no longer scheduled once the case is resolved")
    if item.waits:
        conditions.append(f"no window until its gate opens: {item.waits}")
    if item.reopened_by:
        conditions.append(f"a new `{item.reopened_by}` event opens it again (a resolution dated before it "
                          "no longer counts)")
    if item.detail:
        conditions.append(DETAIL_WORDS.get(item.detail, item.detail))
    return tuple(conditions)


def late_words(item: ItemDef) -> str:
    """What a late presentation means for the item, by its `kind` (time-point or action)."""
    return LATE_KINDS[item.kind]


# --- the document --------------------------------------------------------------------------------------


def _item_text(ref: RuleRef, item: ItemDef, policy: Policy, signoff: Signoff,
               disabled: Mapping[tuple[str, str], Disabled]) -> RuleText:
    return RuleText(
        ref=ref, title=item.title, when=when_words(item, policy), completes=completes_words(item, policy),
        conditions=item_conditions(item), late=late_words(item), action="", severity=None, phase=item.phase,
        rationale=item.rationale, note=item.note, sources=item.sources, provenance=item.provenance,
        rule_hash=signoff.hash(ref), review=signoff.state(ref), disabled=disabled.get((ref.pathway, ref.id)),
    )


def _alert_text(ref: RuleRef, alert: AlertDef, signoff: Signoff) -> RuleText:
    condition = alert_condition(ref.pathway, ref.id) or "(its rules module states no condition)"
    return RuleText(
        ref=ref, title=alert.title, when="", completes="", conditions=(condition,), late=None,
        action=alert.action, severity=alert.severity, phase=None, rationale="", note=None,
        sources=alert.sources, provenance=alert.provenance, rule_hash=signoff.hash(ref), review=signoff.state(ref),
    )


def _policy_lines(rules: Iterable[RuleText], policy: Policy) -> tuple[PolicyLine, ...]:
    rules = list(rules)
    lines = []
    for key in POLICY_KEYS:
        used: tuple[str, ...]
        if key == "soon_days":
            used = ("every item with a window (when it shows as due soon)",)
        else:
            used = tuple(r.ref.label() for r in rules if key in " ".join((r.when, r.completes, *r.conditions)))
        value = getattr(policy, key)
        lines.append(PolicyLine(key, f"{value:g}", POLICY_HELP.get(key, ""), used))
    return tuple(lines)


def _source_lines(rules: Iterable[RuleText], catalogue: Catalogue) -> tuple[SourceLine, ...]:
    cited: dict[str, list[str]] = {}
    for rule in rules:
        for key in rule.sources:
            cited.setdefault(key, []).append(rule.ref.label())
    lines = []
    for key, by in cited.items():
        ref = catalogue.references.get(key)
        provenance = ref.provenance if ref else "unknown"
        lines.append(SourceLine(
            key=key, citation=ref.citation if ref else "(not in the reference list)", provenance=provenance,
            level=provenance_label(provenance), note=ref.note if ref else None, cited_by=tuple(by),
        ))
    lines.sort(key=lambda s: (provenance_rank(s.provenance), s.key))
    return tuple(lines)


def origin_words(pathway: PathwayDef) -> str:
    if pathway.clinic:
        return f"this clinic's own pathway file (pathways/{pathway.file} in the database folder)"
    return f"shipped with Rounds (seeds/pathways/{pathway.file})"


def pathway_protocol(catalogue: Catalogue, pathway_id: str, policy: Policy, signoff: Signoff,
                     disabled: Iterable[Disabled] = ()) -> PathwayProtocol:
    """The document for one pathway of `catalogue` (the whole catalogue: switched-off items included)."""
    pathway = catalogue.pathways[pathway_id]
    off = {(d.pathway, d.item): d for d in disabled}
    items, alerts = [], []
    for ref, definition in pathway_rules(catalogue, pathway_id):
        if isinstance(definition, ItemDef):
            items.append(_item_text(ref, definition, policy, signoff, off))
        else:
            alerts.append(_alert_text(ref, definition, signoff))
    rules = items + alerts
    return PathwayProtocol(
        id=pathway.id, title=pathway.title, short=pathway.short, summary=pathway.summary, onset=pathway.onset,
        anchors=pathway.anchors, origin=origin_words(pathway), clinic=pathway.clinic, items=tuple(items),
        alerts=tuple(alerts), policy=_policy_lines(rules, policy), sources=_source_lines(rules, catalogue),
        review=tally(signoff, (r.ref for r in rules)),
    )


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def rule_json(rule: RuleText) -> dict:
    review = rule.review
    data: dict = {
        "kind": rule.ref.kind, "id": rule.ref.id, "title": rule.title, "rule_hash": rule.rule_hash,
        "sources": list(rule.sources), "provenance": rule.provenance,
        "review": {"state": review.state, "by": review.by, "on": _iso(review.on), "note": review.note,
                   "comments": [{"by": c.by, "on": c.on.isoformat(), "note": c.note} for c in review.comments]},
    }
    if rule.ref.kind == "item":
        data.update(phase=rule.phase, when=rule.when, completes=rule.completes, conditions=list(rule.conditions),
                    late_presentation=rule.late, rationale=rule.rationale, note=rule.note,
                    disabled=None if rule.disabled is None else {
                        "by": rule.disabled.by, "on": rule.disabled.on.isoformat(), "reason": rule.disabled.reason})
    else:
        data.update(severity=rule.severity, condition=rule.conditions[0], action=rule.action)
    return data


def protocol_json(doc: PathwayProtocol) -> dict:
    return {
        "id": doc.id, "title": doc.title, "short": doc.short, "summary": doc.summary, "onset": doc.onset,
        "anchors": doc.anchors, "origin": doc.origin, "clinic": doc.clinic,
        "review": {"total": doc.review.total, **{s: doc.review.counts.get(s, 0) for s in doc.review.counts},
                   "reviewers": [{"by": by, "last": on.isoformat()} for by, on in doc.review.reviewers]},
        "items": [rule_json(r) for r in doc.items],
        "alerts": [rule_json(r) for r in doc.alerts],
        "policy": [{"key": p.key, "value": p.value, "meaning": p.meaning, "used_by": list(p.used_by)}
                   for p in doc.policy],
        "sources": [{"key": s.key, "citation": s.citation, "provenance": s.provenance, "note": s.note,
                     "cited_by": list(s.cited_by)} for s in doc.sources],
    }
