"""The protocol in words is written from the pathway data and the rules modules, so it cannot drift:
windows, what completes an item, conditions, late presentations, alert conditions, policy, sources."""

from __future__ import annotations

from datetime import date

import pytest

from checklists.models import Policy
from checklists.protocol import (
    LATE_KINDS, late_words, pathway_protocol, protocol_json, window_words,
)
from checklists.rules import REGISTRY
from checklists.signoff import Disabled, Review, RuleRef, build_signoff
from seeds.loader import Offset, WindowRule
from store.protocol import shipped_protocol

CATALOGUE = shipped_protocol()
SIGNOFF = build_signoff(CATALOGUE, [])


DEFAULT_POLICY = Policy()


def doc(pathway: str, policy: Policy = DEFAULT_POLICY, signoff=SIGNOFF, disabled=()):
    return pathway_protocol(CATALOGUE, pathway, policy, signoff, disabled)


def rule(document, rule_id: str):
    return next(r for r in document.rules if r.ref.id == rule_id)


@pytest.mark.parametrize("window, words", [
    (WindowRule("onset", Offset(6, "m"), Offset(7, "m")), "6 to 7 months after onset"),
    (WindowRule("enrolment", Offset(0, "d"), Offset(28, "d")), "within 28 days of enrolment"),
    (WindowRule("first-saline", Offset(4, "w"), Offset(8, "w")), "4 to 8 weeks after the first saline session"),
    (WindowRule("last-injection", Offset(14, "d"), Offset(2, "m")),
     "14 days to 2 months after the most recent injection"),
    (WindowRule("onset", Offset(1, "m"), Offset(1, "m")), "1 month after onset"),
    (WindowRule("enrolment", Offset(0, "d"), Offset(0, "d")), "on the day of enrolment"),
])
def test_windows_in_words(window, words):
    assert window_words(window) == words


def test_each_item_says_when_what_completes_it_and_its_conditions():
    atrophy = doc("steroid-atrophy")
    assert rule(atrophy, "review-6m").when == "6 to 7 months after onset"
    assert rule(atrophy, "baseline-assessment").when == "within 14 days of enrolment"
    assert ("`assessment` event dated on or before the first `saline` or `abi` or `fat-graft` event is logged"
            in rule(atrophy, "baseline-assessment").completes)
    assert "2 `abi` events" in rule(atrophy, "autologous-blood").completes
    assert "of the day saline counts as failed" in rule(atrophy, "autologous-blood").when
    assert "no longer scheduled once the case is resolved" in rule(atrophy, "fat-graft-referral").conditions
    assert "marked done by hand" in rule(atrophy, "review-12m").completes
    panniculitis = doc("panniculitis-lipoatrophy")
    assert "only in cases whose etiology is idiopathic" in rule(panniculitis, "hydroxychloroquine").conditions
    assert "depth deep-excisional" in rule(panniculitis, "deep-biopsy").completes
    assert rule(panniculitis, "dapsone").when.startswith("no window")


def test_a_recurring_item_reads_its_interval_from_the_clinic_policy():
    default = rule(doc("panniculitis-lipoatrophy"), "recurrence-check").when
    assert default.startswith("every 6 months (clinic policy recurrence_months) from the latest day inflammation")
    # Issue 15 changed this: no fixed end (it used to read "until 8 years after onset").
    assert "until 8 years" not in default and "no fixed end" in default
    shorter = rule(doc("panniculitis-lipoatrophy", Policy(recurrence_months=3)), "recurrence-check").when
    assert shorter.startswith("every 3 months")
    saline = rule(doc("steroid-atrophy", Policy(saline_min_sessions=2, saline_max_sessions=8)), "saline-session")
    assert "complete at 8 sessions" in saline.completes and "at 2 (saline_min_sessions)" in saline.completes


def test_every_alert_condition_is_its_rules_module_text():
    for pathway_id, rules in REGISTRY.items():
        for alert in doc(pathway_id).alerts:
            assert alert.conditions == (rules.conditions[alert.ref.id],)
            definition = CATALOGUE.alert(alert.ref.id)
            assert (alert.severity, alert.action) == (definition.severity, definition.action)


def test_late_presentation_is_said_from_the_items_own_kind():
    review = CATALOGUE.item("review-6m")
    assert review.kind == "time-point" and late_words(review) == LATE_KINDS["time-point"]
    assert "missed before enrolment" in late_words(review)
    biopsy = CATALOGUE.item("deep-biopsy")
    assert biopsy.kind == "action" and "opens at enrolment" in late_words(biopsy)


def test_policy_in_effect_names_the_rules_each_value_changes():
    lines = {p.key: p for p in doc("steroid-atrophy", Policy(saline_max_ml=25)).policy}
    assert lines["saline_max_ml"].value == "25"
    assert lines["saline_max_ml"].used_by == ("saline-volume-out-of-range (alert)",)
    assert "saline-session" in lines["saline_min_sessions"].used_by
    assert lines["max_injections_per_year"].used_by == ()
    hip = {p.key: p for p in doc("hip-injection").policy}
    assert hip["max_injections_per_year"].used_by == ("injection-frequency (alert)",)


def test_every_source_has_its_full_reference_and_strength():
    hip = doc("hip-injection")
    sources = {s.key: s for s in hip.sources}
    assert "doi:10.1001/jama.2013.129" in sources["coombes2013"].citation
    assert "not evidence about the hip" in sources["coombes2013"].note
    assert sources["coombes2013"].level.startswith("literature")
    assert sources["seed-002"].level.startswith("seed summary")
    assert "pt-before-injection" in sources["coombes2013"].cited_by
    cited = {key for r in hip.rules for key in r.sources}
    assert set(sources) == cited


def test_the_document_carries_reviews_comments_and_switched_off_items():
    ref = RuleRef("steroid-atrophy", "item", "fat-graft-referral")
    day = date(2026, 3, 2)
    signoff = build_signoff(CATALOGUE, [
        Review(ref, "reject", "alice", day, "we refer at six months", SIGNOFF.hash(ref)),
        Review(ref, "comment", "bob", day, "agree with alice", SIGNOFF.hash(ref)),
    ])
    off = [Disabled("steroid-atrophy", "fat-graft-referral", "local practice", "alice", day)]
    document = doc("steroid-atrophy", signoff=signoff, disabled=off)
    graft = rule(document, "fat-graft-referral")
    assert graft.review.state == "rejected" and graft.disabled == off[0]
    assert document.review.counts["rejected"] == 1 and document.review.reviewers == (("alice", day),)
    data = protocol_json(document)
    item = next(i for i in data["items"] if i["id"] == "fat-graft-referral")
    assert item["review"]["state"] == "rejected" and item["review"]["comments"][0]["by"] == "bob"
    assert item["disabled"] == {"by": "alice", "on": "2026-03-02", "reason": "local practice"}
    assert len(data["items"]) == len(CATALOGUE.pathways["steroid-atrophy"].items)
    assert {a["id"] for a in data["alerts"]} == set(REGISTRY["steroid-atrophy"].codes)


# --- issue 15: every new field, anchor and series kind is said in words ---------------------------------


def test_every_anchor_detail_and_series_kind_has_its_words():
    from checklists.protocol import ANCHOR_WORDS, DETAIL_WORDS
    from seeds.loader import ANCHORS, DETAILS, SERIES

    assert set(ANCHOR_WORDS) == set(ANCHORS)
    assert set(DETAIL_WORDS) == set(DETAILS)
    for kind in SERIES:
        item = next(i for p in CATALOGUE.pathways.values() for i in p.items if i.series and i.series.kind == kind)
        when = rule(doc(item.pathway), item.id).when
        # Later occurrences are said: after the one before (saline), from the last check (recurrence), or
        # one per injection or run, by the anchor's own words (per-injection).
        assert any(words in when for words in ("after the one before", "from the last check", "every injection",
                                                "every run")), kind


def test_checks_after_hip_injections_say_each_injection_and_the_run():
    hip = doc("hip-injection")
    early, year = rule(hip, "atrophy-check-early"), rule(hip, "atrophy-check-12m")
    assert early.when.startswith("2 to 4 months after every injection")
    assert year.when.startswith("12 to 13 months after the first injection of every run")
    assert "injection_run_gap_months" in year.when
    assert "until it closes" in early.completes
    assert "a check marked done by hand answers every check whose window has opened" in early.completes
    lines = {p.key: p for p in hip.policy}
    assert lines["injection_run_gap_months"].used_by == ("atrophy-check-12m", "tendon-joint-check-12m")


def test_an_item_kept_for_severe_disease_says_so_and_its_timing_says_whose_it_is():
    cyc = rule(doc("panniculitis-lipoatrophy"), "cyclophosphamide-glucocorticoids")
    assert any("severity is recorded as severe" in c for c in cyc.conditions)
    assert cyc.when.endswith("; its timing is clinic policy (a number the clinic chose)")
    saline = rule(doc("steroid-atrophy"), "saline-session")
    assert "timing is clinic policy" in saline.when and saline.provenance == "literature"


def test_the_year_of_therapy_and_the_graft_after_inflammation_are_said_as_the_engine_does_them():
    panniculitis = doc("panniculitis-lipoatrophy")
    review = rule(panniculitis, "therapy-review-12m")
    assert "counted across maintenance drugs" in review.when and "therapy_gap_days" in review.when
    lines = {p.key: p for p in panniculitis.policy}
    assert lines["therapy_gap_days"].used_by == ("therapy-review-12m", "therapy-stopped-early (alert)")
    graft = rule(panniculitis, "fat-graft-after-inflammation")
    assert "each change of state is kept" in graft.completes
    data = protocol_json(panniculitis)
    assert "treatment-before-diagnosis" in {a["id"] for a in data["alerts"]}
