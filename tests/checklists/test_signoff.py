"""The clinic's sign-off, rule by rule: a review is tied to the rule's content, and lapses ("changed")
when an upgrade or a clinic's edit changes the rule; comments never decide; rejected items can leave
the catalogue the engine is given."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date
from pathlib import Path

import pytest

from checklists import actions
from checklists.engine import evaluate
from checklists.errors import ValidationError
from checklists.models import Policy
from checklists.rules import REGISTRY, PathwayRules, check_rules
from checklists.serialize import case_json
from checklists.signoff import (
    Disabled, Review, RuleRef, build_signoff, check_can_disable, decide, find_rule, review_state,
    rule_content, rule_hash, with_reviews, without_disabled,
)
from seeds.loader import ItemDef, load_catalogue
from store.protocol import shipped_protocol

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
CATALOGUE = shipped_protocol()
SA = "steroid-atrophy"
REVIEW_6M = RuleRef(SA, "item", "review-6m")
NO_RESPONSE = RuleRef(SA, "alert", "saline-no-response")
DAY = date(2026, 3, 2)


def review(ref: RuleRef, decision: str, catalogue=CATALOGUE, by: str = "alice", on: date = DAY,
           rule_hash_: str | None = None) -> Review:
    signoff = build_signoff(catalogue, [])
    return Review(ref, decision, by, on, f"{decision} note", rule_hash_ or signoff.hash(ref))


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    target.mkdir()
    shutil.copy(SEEDS / "references.toml", target / "references.toml")
    shutil.copytree(SEEDS / "pathways", target / "pathways")
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- what a rule is -----------------------------------------------------------------------------------


def test_every_rule_of_the_shipped_protocol_is_reviewable_and_unreviewed_at_first():
    signoff = build_signoff(CATALOGUE, [])
    refs = signoff.refs()
    items = sum(len(p.items) for p in CATALOGUE.pathways.values())
    alerts = sum(len(p.alerts) for p in CATALOGUE.pathways.values())
    assert len(refs) == items + alerts
    assert {signoff.state(r).state for r in refs} == {"unreviewed"}
    assert len(set(signoff.hashes.values())) == len(refs)  # no two rules share a hash


def test_the_hash_follows_what_the_rule_says_and_does_not_its_board_label():
    item = CATALOGUE.item("review-6m")
    assert rule_hash(item) == rule_hash(dataclasses.replace(item))
    later_window = dataclasses.replace(item, window=dataclasses.replace(item.window, closes=dataclasses.replace(
        item.window.closes, amount=8)))
    assert rule_hash(later_window) != rule_hash(item)
    assert rule_hash(dataclasses.replace(item, rationale=item.rationale + " Also...")) != rule_hash(item)
    assert rule_hash(dataclasses.replace(item, sources=("seed-000", "clinic-policy"))) != rule_hash(item)
    assert rule_hash(dataclasses.replace(item, short="Review at six months")) == rule_hash(item)


def test_the_fields_issue_15_added_are_part_of_what_a_rule_is():
    # They are ItemDef fields, so the hash covers them without a line of signoff code.
    item = CATALOGUE.item("review-6m")
    assert rule_hash(dataclasses.replace(item, window_provenance="clinic-policy")) != rule_hash(item)
    cyc = CATALOGUE.item("cyclophosphamide-glucocorticoids")
    assert rule_content(cyc)["needs_severity"] == "severe"
    assert rule_hash(dataclasses.replace(cyc, needs_severity=None)) != rule_hash(cyc)
    early = CATALOGUE.item("atrophy-check-early")
    assert rule_content(early)["series"]["kind"] == "per-injection"
    # An end to recurrence checks is no longer part of any rule (an older file's limit_years ends nothing).
    assert "limit_years" not in rule_content(CATALOGUE.item("recurrence-check"))["series"]


def test_an_alert_hash_includes_its_rules_module_condition():
    alert = CATALOGUE.alert("saline-no-response")
    condition = REGISTRY[SA].conditions["saline-no-response"]
    assert rule_content(alert, condition)["condition"] == condition
    assert rule_hash(alert, condition) != rule_hash(alert, condition + " (changed)")


def test_a_field_added_to_the_format_changes_no_hash_until_a_file_sets_it():
    # The pathway format grows (say, what a late presentation means for an item): a review made before
    # must not lapse just because the loader now knows one more field, only when a file uses it.
    item = CATALOGUE.item("review-6m")
    Grown = dataclasses.make_dataclass("Grown", [("late", str | None, dataclasses.field(default=None))],
                                       bases=(ItemDef,), frozen=True)
    values = {f.name: getattr(item, f.name) for f in dataclasses.fields(ItemDef)}
    assert rule_hash(Grown(**values)) == rule_hash(item)
    assert rule_hash(Grown(**values, late="time-point")) != rule_hash(item)


# --- where a review stands -----------------------------------------------------------------------------


def test_accept_reject_and_comment():
    current = build_signoff(CATALOGUE, []).hash(REVIEW_6M)
    accepted = review_state([review(REVIEW_6M, "accept")], current)
    assert (accepted.state, accepted.by, accepted.on) == ("accepted", "alice", DAY)
    # A comment is recorded and shown, but neither accepts nor rejects.
    commented = review_state([review(REVIEW_6M, "comment", by="bob")], current)
    assert commented.state == "unreviewed" and [c.by for c in commented.comments] == ["bob"]
    still = review_state([review(REVIEW_6M, "accept"), review(REVIEW_6M, "comment", by="bob")], current)
    assert still.state == "accepted" and still.by == "alice" and len(still.comments) == 1
    # The last decision counts, in the order decisions were recorded.
    flipped = review_state([review(REVIEW_6M, "accept"), review(REVIEW_6M, "reject", by="bob")], current)
    assert (flipped.state, flipped.by) == ("rejected", "bob")


def test_a_review_of_an_older_version_lapses_to_changed_and_keeps_who_decided():
    old = review(REVIEW_6M, "accept", rule_hash_="0" * 64)
    state = review_state([old], build_signoff(CATALOGUE, []).hash(REVIEW_6M))
    assert (state.state, state.by, state.on, state.decided) == ("changed", "alice", DAY, "accept")
    assert "changed since review" in state.sentence().lower() and "alice" in state.sentence()
    again = review_state([old, review(REVIEW_6M, "accept", by="bob")], build_signoff(CATALOGUE, []).hash(REVIEW_6M))
    assert (again.state, again.by) == ("accepted", "bob")


def test_a_rule_changed_after_review_shows_as_changed(seeds_copy):
    """An upgrade (or a clinic's edit) changes the six-month review window: its acceptance lapses,
    the other accepted rules stay accepted."""
    before = check_rules(load_catalogue(seeds_copy))
    reviews = [review(REVIEW_6M, "accept", before), review(RuleRef(SA, "item", "review-12m"), "accept", before)]
    assert build_signoff(before, reviews).state(REVIEW_6M).state == "accepted"

    edit(seeds_copy / "pathways" / "steroid-atrophy.toml", 'opens = "6m", closes = "7m"', 'opens = "6m", closes = "8m"')
    after = build_signoff(check_rules(load_catalogue(seeds_copy)), reviews)
    assert after.state(REVIEW_6M).state == "changed"
    assert after.state(REVIEW_6M).by == "alice"
    assert after.item(SA, "review-12m").state == "accepted"


def test_an_alert_whose_condition_changes_in_code_shows_as_changed(monkeypatch):
    reviews = [review(NO_RESPONSE, "accept")]
    assert build_signoff(CATALOGUE, reviews).state(NO_RESPONSE).state == "accepted"
    rules = REGISTRY[SA]
    conditions = dict(rules.conditions, **{"saline-no-response": "12 weeks or more since the first saline session"})
    monkeypatch.setitem(REGISTRY, SA, PathwayRules(SA, conditions, rules.plan, rules.requires))
    assert build_signoff(CATALOGUE, reviews).state(NO_RESPONSE).state == "changed"


def test_case_json_items_and_alerts_carry_the_review_object():
    case, _ = actions.new_case(case_id="c0000001", patient="DEMO-001", pathways=[SA], onset="2025-09-01",
                               enrolment=date(2026, 3, 1), catalogue=CATALOGUE)
    case, _ = actions.log_event(case, "saline", {"date": "2026-03-01", "volume_ml": "30"}, today=date(2026, 3, 1))
    view = evaluate(case, CATALOGUE, Policy(), date(2026, 3, 2))
    signoff = build_signoff(CATALOGUE, [review(REVIEW_6M, "accept"),
                                        review(RuleRef(SA, "alert", "saline-volume-out-of-range"), "reject")])
    doc = with_reviews(case_json(view), signoff)
    items = {i["id"]: i["review"] for i in doc["items"]}
    alerts = {a["code"]: a["review"] for a in doc["alerts"]}
    assert items["review-6m"] == {"state": "accepted", "by": "alice", "on": "2026-03-02"}
    assert items["baseline-assessment"] == {"state": "unreviewed", "by": None, "on": None}
    assert alerts["saline-volume-out-of-range"] == {"state": "rejected", "by": "alice", "on": "2026-03-02"}
    assert all(set(i["review"]) == {"state", "by", "on"} for i in doc["items"] + doc["alerts"])


# --- decisions and switching off ----------------------------------------------------------------------


def test_finding_a_rule_by_name():
    assert find_rule(CATALOGUE, SA, "review-6m")[0] == REVIEW_6M
    assert find_rule(CATALOGUE, SA, "alert:saline-no-response")[0] == NO_RESPONSE
    with pytest.raises(ValidationError, match="no item or alert 'nope'"):
        find_rule(CATALOGUE, SA, "nope")
    with pytest.raises(ValidationError, match="no pathway"):
        find_rule(CATALOGUE, "nope", "review-6m")
    with pytest.raises(ValidationError, match="no item or alert"):
        find_rule(CATALOGUE, SA, "alert:review-6m")


def test_one_name_for_an_item_and_an_alert_needs_the_kind():
    pathway = CATALOGUE.pathways[SA]
    twin = dataclasses.replace(pathway.alerts[0], code="review-6m")
    with_twin = dataclasses.replace(pathway, alerts=(*pathway.alerts, twin))
    catalogue = dataclasses.replace(CATALOGUE, pathways={**CATALOGUE.pathways, SA: with_twin})
    with pytest.raises(ValidationError, match="item:review-6m or alert:review-6m"):
        find_rule(catalogue, SA, "review-6m")
    assert find_rule(catalogue, SA, "item:review-6m")[0] == REVIEW_6M


def test_a_decision_needs_a_known_decision_and_a_note():
    state = build_signoff(CATALOGUE, []).state(REVIEW_6M)
    review_, change = decide(REVIEW_6M, "accept", " matches our clinic ", by="alice", on=DAY, current_hash="h",
                             before=state)
    assert (review_.note, review_.by, review_.rule_hash) == ("matches our clinic", "alice", "h")
    assert (change.action, change.target, change.old) == ("protocol-review", "steroid-atrophy/item/review-6m",
                                                           "unreviewed")
    with pytest.raises(ValidationError, match="note"):
        decide(REVIEW_6M, "accept", "  ", by="alice", on=DAY, current_hash="h", before=state)
    with pytest.raises(ValidationError, match="decision"):
        decide(REVIEW_6M, "approve", "ok", by="alice", on=DAY, current_hash="h", before=state)


def test_only_a_rejected_item_can_be_switched_off():
    current = build_signoff(CATALOGUE, []).hash(REVIEW_6M)
    with pytest.raises(ValidationError, match="reject it first"):
        check_can_disable(REVIEW_6M, review_state([review(REVIEW_6M, "accept")], current))
    with pytest.raises(ValidationError, match="only items"):
        check_can_disable(NO_RESPONSE, review_state([review(NO_RESPONSE, "reject")], current))
    check_can_disable(REVIEW_6M, review_state([review(REVIEW_6M, "reject")], current))
    # A rejection of an older version still stands behind switching it off.
    check_can_disable(REVIEW_6M, review_state([review(REVIEW_6M, "reject", rule_hash_="0" * 64)], current))


def test_a_switched_off_item_leaves_the_catalogue_and_every_checklist():
    off = [Disabled(SA, "fat-graft-referral", "we refer earlier", "alice", DAY), Disabled(SA, "gone", "x", "a", DAY)]
    catalogue = without_disabled(CATALOGUE, off)
    assert catalogue.item("fat-graft-referral") is None
    assert CATALOGUE.item("fat-graft-referral") is not None  # the whole protocol keeps it
    assert without_disabled(CATALOGUE, []) is CATALOGUE
    case, _ = actions.new_case(case_id="c0000001", patient="DEMO-001", pathways=[SA], onset="2025-01-01",
                               enrolment=date(2026, 3, 1), catalogue=CATALOGUE)
    view = evaluate(case, check_rules(catalogue), Policy(), date(2026, 3, 2))
    assert "fat-graft-referral" not in [i.id for i in view.items]
    assert "review-12m" in [i.id for i in view.items]
