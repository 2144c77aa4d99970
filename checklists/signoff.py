"""The clinic's sign-off of its protocol, rule by rule: what a rule is (a hash of its content) and
where each rule's review stands. Pure: the store reads the recorded reviews and hands them in.

A review is tied to the hash of the rule as it was when decided. When an upgrade or a clinic's own
edit changes the rule, the hash no longer matches and the review lapses: the rule shows as
"changed since review" until someone decides on it again. A comment is recorded and shown with the
rule, but it neither accepts nor rejects it (docs/PROTOCOL.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from checklists.errors import ValidationError
from checklists.models import Change
from checklists.rules import REGISTRY
from checklists.validation import check_text
from seeds.loader import AlertDef, Catalogue, ItemDef

RULE_KINDS = ("item", "alert")
DECISIONS = ("accept", "reject", "comment")
REVIEW_STATES = ("accepted", "rejected", "unreviewed", "changed")
_DECIDED = {"accept": "accepted", "reject": "rejected"}
# state -> (marker, word, legend). A marker always comes with its word or its legend line, never
# alone and never as a colour; the markers draw in one cell on any UTF-8 terminal.
REVIEW_LABELS: dict[str, tuple[str, str, str]] = {
    "accepted": ("✓", "accepted", "rule accepted by the clinic"),
    "rejected": ("✗", "REJECTED", "rule rejected by the clinic"),
    "unreviewed": ("†", "not yet reviewed", "rule not yet reviewed by the clinic"),
    "changed": ("‡", "CHANGED since review", "rule changed since the clinic reviewed it"),
}
# Fields that are not what a rule says or does: where it sits, and the board's short label.
_NOT_CONTENT = frozenset({"pathway", "short"})


@dataclass(slots=True, frozen=True)
class RuleRef:
    """One reviewable rule: an item or an alert of a pathway."""

    pathway: str
    kind: str  # item | alert
    id: str

    @property
    def key(self) -> str:
        return f"{self.pathway}/{self.kind}/{self.id}"

    def label(self) -> str:
        """`review-6m` for an item, `saline-no-response (alert)` for an alert."""
        return self.id if self.kind == "item" else f"{self.id} (alert)"


@dataclass(slots=True, frozen=True)
class Review:
    """One recorded decision or comment on one rule, with the hash of the rule it was made on."""

    rule: RuleRef
    decision: str  # accept | reject | comment
    by: str
    on: date
    note: str
    rule_hash: str
    when: str = ""  # UTC stamp of the write (the audit trail's)


@dataclass(slots=True, frozen=True)
class ReviewState:
    """Where a rule's review stands. `by`/`on`: the deciding review (for "changed", the one that lapsed)."""

    state: str  # accepted | rejected | unreviewed | changed
    by: str | None = None
    on: date | None = None
    note: str | None = None
    decided: str | None = None  # the decision behind the state ("accept", "reject"), lapsed or not
    comments: tuple[Review, ...] = ()

    @property
    def marker(self) -> str:
        return REVIEW_LABELS[self.state][0]

    @property
    def word(self) -> str:
        return REVIEW_LABELS[self.state][1]

    @property
    def legend(self) -> str:
        return REVIEW_LABELS[self.state][2]

    def sentence(self) -> str:
        """`accepted by alice on 2026-03-01`, `not yet reviewed`, `CHANGED since review (accepted by ...)`."""
        if self.state == "unreviewed":
            return self.word
        who = f"by {self.by} on {self.on.isoformat()}" if self.by and self.on else ""
        if self.state == "changed":
            past = _DECIDED.get(self.decided or "", "reviewed")
            return f"{self.word} ({past} {who}, before the change)".replace(" ,", ",")
        return f"{self.word} {who}".strip()


UNREVIEWED = ReviewState("unreviewed")


@dataclass(slots=True, frozen=True)
class Disabled:
    """An item the clinic has switched off: it leaves every checklist; its records stay in the cases."""

    pathway: str
    item: str
    reason: str
    by: str
    on: date


# --- what a rule is -------------------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    """Plain JSON data for a definition: a dataclass as its fields that differ from their defaults (so a
    field added to the pathway format later changes no hash until a file sets it), tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            if f.name in _NOT_CONTENT:
                continue
            current = getattr(value, f.name)
            if f.default is not dataclasses.MISSING and current == f.default:
                continue
            out[f.name] = _canonical(current)
        return out
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def rule_content(definition: ItemDef | AlertDef, condition: str | None = None) -> dict:
    """What a review is a review of: every field of the definition that says or does something, and
    for an alert the condition its rules module states in words."""
    content = {"kind": "item" if isinstance(definition, ItemDef) else "alert", **_canonical(definition)}
    if condition is not None:
        content["condition"] = condition
    return content


def rule_hash(definition: ItemDef | AlertDef, condition: str | None = None) -> str:
    """SHA-256 of the rule's canonical content (sorted keys, no whitespace): the same rule, the same hash."""
    text = json.dumps(rule_content(definition, condition), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def alert_condition(pathway: str, code: str) -> str | None:
    """The alert's condition in words, from its pathway's rules module (what the code checks)."""
    rules = REGISTRY.get(pathway)
    return rules.conditions.get(code) if rules is not None else None


def pathway_rules(catalogue: Catalogue, pathway_id: str) -> list[tuple[RuleRef, ItemDef | AlertDef]]:
    """Every reviewable rule of a pathway: its items in file order, then its alerts."""
    pathway = catalogue.pathways[pathway_id]
    rules: list[tuple[RuleRef, ItemDef | AlertDef]] = [
        (RuleRef(pathway_id, "item", item.id), item) for item in pathway.items
    ]
    rules += [(RuleRef(pathway_id, "alert", alert.code), alert) for alert in pathway.alerts]
    return rules


def hash_of(ref: RuleRef, definition: ItemDef | AlertDef) -> str:
    condition = alert_condition(ref.pathway, ref.id) if ref.kind == "alert" else None
    return rule_hash(definition, condition)


def find_rule(catalogue: Catalogue, pathway_id: str, rule: str) -> tuple[RuleRef, ItemDef | AlertDef]:
    """The rule `rule` names in the pathway: an item id or alert code, or `item:ID` / `alert:CODE` when
    a pathway has both under one name. ValidationError (one line) if there is no such rule."""
    pathway = catalogue.pathways.get(pathway_id)
    if pathway is None:
        raise ValidationError(f"no pathway '{pathway_id}'; pathways: {', '.join(catalogue.pathway_ids)}", "pathway")
    kind, _, name = rule.partition(":") if ":" in rule else ("", "", rule)
    if kind and kind not in RULE_KINDS:
        raise ValidationError(f"'{rule}': a rule is an item id or alert code (or item:ID, alert:CODE)", "rule")
    found = [(ref, d) for ref, d in pathway_rules(catalogue, pathway_id)
             if ref.id == name and (not kind or ref.kind == kind)]
    if not found:
        raise ValidationError(f"pathway {pathway_id} has no item or alert '{name}' "
                              f"(rounds pathways show {pathway_id} lists them)", "rule")
    if len(found) > 1:
        raise ValidationError(f"'{name}' is both an item and an alert of {pathway_id}: "
                              f"say item:{name} or alert:{name}", "rule")
    return found[0]


# --- where the reviews stand --------------------------------------------------------------------------


def review_state(reviews: Iterable[Review], current_hash: str) -> ReviewState:
    """The state of one rule from its reviews in the order they were recorded (the last decision counts)."""
    decision: Review | None = None
    comments: list[Review] = []
    for review in reviews:
        if review.decision == "comment":
            comments.append(review)
        elif review.decision in _DECIDED:
            decision = review
    if decision is None:
        return replace(UNREVIEWED, comments=tuple(comments))
    state = _DECIDED[decision.decision] if decision.rule_hash == current_hash else "changed"
    return ReviewState(state, decision.by, decision.on, decision.note, decision.decision, tuple(comments))


@dataclass(slots=True, frozen=True)
class Signoff:
    """Every rule of a catalogue with its current hash and review state."""

    hashes: Mapping[str, str]
    states: Mapping[str, ReviewState]
    definitions: Mapping[str, ItemDef | AlertDef] = field(default_factory=dict)

    def state(self, ref: RuleRef) -> ReviewState:
        return self.states.get(ref.key, UNREVIEWED)

    def item(self, pathway: str, item_id: str) -> ReviewState:
        return self.state(RuleRef(pathway, "item", item_id))

    def alert(self, pathway: str, code: str) -> ReviewState:
        return self.state(RuleRef(pathway, "alert", code))

    def hash(self, ref: RuleRef) -> str:
        return self.hashes[ref.key]

    def refs(self, pathways: Iterable[str] | None = None) -> list[RuleRef]:
        """The rules of the given pathways (every pathway when None), in catalogue order."""
        wanted = None if pathways is None else set(pathways)
        refs = []
        for key in self.hashes:
            pathway, kind, rule_id = key.split("/", 2)
            if wanted is None or pathway in wanted:
                refs.append(RuleRef(pathway, kind, rule_id))
        return refs


def build_signoff(catalogue: Catalogue, reviews: Iterable[Review]) -> Signoff:
    """The review state of every rule in `catalogue` given the recorded reviews (oldest first)."""
    by_rule: dict[str, list[Review]] = {}
    for review in reviews:
        by_rule.setdefault(review.rule.key, []).append(review)
    hashes: dict[str, str] = {}
    states: dict[str, ReviewState] = {}
    definitions: dict[str, ItemDef | AlertDef] = {}
    for pathway_id in catalogue.pathways:
        for ref, definition in pathway_rules(catalogue, pathway_id):
            current = hash_of(ref, definition)
            hashes[ref.key] = current
            definitions[ref.key] = definition
            states[ref.key] = review_state(by_rule.get(ref.key, ()), current)
    return Signoff(hashes=hashes, states=states, definitions=definitions)


@dataclass(slots=True, frozen=True)
class ReviewTally:
    """How far the clinic has reviewed a set of rules, and who reviewed them."""

    total: int
    counts: Mapping[str, int]  # state -> how many
    reviewers: tuple[tuple[str, date], ...]  # (login name, last decision date), earliest first

    @property
    def accepted(self) -> int:
        return self.counts.get("accepted", 0)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.accepted == self.total

    def words(self) -> str:
        """`3 of 13 rules accepted; 1 changed since review, 9 not yet reviewed`."""
        head = f"{self.accepted} of {self.total} rule{'s' if self.total != 1 else ''} accepted"
        rest = [f"{self.counts[s]} {REVIEW_LABELS[s][1].lower()}" for s in ("rejected", "changed", "unreviewed")
                if self.counts.get(s)]
        return head + (f"; {', '.join(rest)}" if rest else "")


def tally(signoff: Signoff, refs: Iterable[RuleRef]) -> ReviewTally:
    counts = {state: 0 for state in REVIEW_STATES}
    last: dict[str, date] = {}
    total = 0
    for ref in refs:
        total += 1
        state = signoff.state(ref)
        counts[state.state] += 1
        if state.state in ("accepted", "rejected") and state.by and state.on:
            last[state.by] = max(last.get(state.by, state.on), state.on)
    reviewers = tuple(sorted(last.items(), key=lambda kv: (kv[1], kv[0])))
    return ReviewTally(total, counts, reviewers)


def review_json(state: ReviewState) -> dict:
    """The `review` object of cli.md on items and alerts: {"state", "by", "on"}."""
    return {"state": state.state, "by": state.by, "on": state.on.isoformat() if state.on else None}


def with_reviews(case_doc: dict, signoff: Signoff) -> dict:
    """`case_json` output with a `review` object on every item and alert (keyed by pathway and id)."""
    for item in case_doc.get("items", []):
        item["review"] = review_json(signoff.item(item["pathway"], item["id"]))
    for alert in case_doc.get("alerts", []):
        alert["review"] = review_json(signoff.alert(alert["pathway"], alert["code"]))
    return case_doc


# --- decisions and switching items off (pure: the store writes what these return) --------------------


def decide(ref: RuleRef, decision: str, note: object, *, by: str, on: date, current_hash: str,
           before: ReviewState) -> tuple[Review, Change]:
    """A clinician's decision on a rule, and the audit change it makes. The note is required."""
    if decision not in DECISIONS:
        raise ValidationError(f"decision '{decision}' is not one of {', '.join(DECISIONS)}", "decision")
    text = check_text(note, "note")
    review = Review(rule=ref, decision=decision, by=by, on=on, note=text, rule_hash=current_hash)
    change = Change(action="protocol-review", target=ref.key, old=before.state,
                    new={"decision": decision, "on": on.isoformat(), "rule_hash": current_hash}, reason=text)
    return review, change


def check_can_disable(ref: RuleRef, state: ReviewState) -> None:
    """Only an item the clinic has rejected can be switched off, so every item missing from the
    checklists has a named clinician's decision and reason behind it."""
    if ref.kind != "item":
        raise ValidationError(f"{ref.id} is an alert; only items can be switched off (an alert is code, "
                              "and its rules module raises it)", "item")
    if state.decided != "reject":
        raise ValidationError(
            f"item {ref.id} is {state.word}: reject it first (rounds pathways review {ref.pathway} {ref.id} "
            "reject --note TEXT), so the checklist says who decided and why", "item")


def without_disabled(catalogue: Catalogue, disabled: Iterable[Disabled]) -> Catalogue:
    """The catalogue less the items the clinic switched off (unknown ones are ignored: a clinic may have
    removed the item from its file since). The same object when nothing is off, so caches keep."""
    off: dict[str, set[str]] = {}
    for entry in disabled:
        off.setdefault(entry.pathway, set()).add(entry.item)
    pathways = dict(catalogue.pathways)
    changed = False
    for pathway_id, items in off.items():
        pathway = pathways.get(pathway_id)
        if pathway is None or not any(i.id in items for i in pathway.items):
            continue
        pathways[pathway_id] = replace(pathway, items=tuple(i for i in pathway.items if i.id not in items))
        changed = True
    return replace(catalogue, pathways=pathways) if changed else catalogue
