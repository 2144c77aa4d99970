"""Letters and handouts say whether the clinic has reviewed the protocol behind them (and who did), and
list the rules not accepted by the clinic that produced an item or alert in the case."""

from __future__ import annotations

from store.audit import current_user
from store.signoff import load_signoff, record_review
from tests.export.conftest import TODAY, render

SA = "steroid-atrophy"
HEAD = "Rules not accepted by the clinic that produced an item or alert here"


def accept_every_rule(demo, pathway: str) -> None:
    signoff = load_signoff(demo.repo, demo.catalogue)
    for ref in signoff.refs([pathway]):
        record_review(demo.repo, demo.catalogue, pathway, f"{ref.kind}:{ref.id}", "accept", "checked", TODAY)


def test_an_unreviewed_protocol_is_said_and_the_rules_behind_the_case_are_listed(demo):
    page = render(demo, "md", ids=[demo.ids[0]])
    assert "## Protocol review" in page
    assert "Protocol: the clinic has not yet reviewed the rules behind this summary (0 of 14 accepted)." in page
    listed = next(line for line in page.splitlines() if line.startswith(HEAD))
    assert "Six-month review (not yet reviewed)" in listed
    assert "Saline volume outside the protocol range (alert, not yet reviewed)" in listed  # 25 mL was logged


def test_a_reviewed_protocol_names_who_reviewed_it_and_lists_nothing(demo):
    accept_every_rule(demo, SA)
    page = render(demo, "md", ids=[demo.ids[0]])
    assert (f"Protocol: every rule behind this summary (14) is reviewed and accepted by the clinic "
            f"(by {current_user()}).") in page
    assert HEAD not in page
    # A case on two pathways, one of them unreviewed, is only partly reviewed.
    both = render(demo, "html", ids=[demo.ids[3]])
    # The hip pathway has 12 rules since issue 15 added the muscle-weakness alert.
    assert f"Protocol: partly reviewed by the clinic (by {current_user()}): 14 of 26 rules accepted; " \
           "12 not yet reviewed." in both
    assert "Use image guidance, not landmarks (not yet reviewed)" in both


def test_a_rejected_or_changed_rule_is_listed_with_its_state(demo):
    record_review(demo.repo, demo.catalogue, SA, "review-12m", "reject", "we review at nine months", TODAY)
    page = render(demo, "md", ids=[demo.ids[0]])
    listed = next(line for line in page.splitlines() if line.startswith(HEAD))
    assert "Twelve-month review (rejected)" in listed
    assert "partly reviewed by the clinic" in page and "1 rejected" in page


def test_a_deidentified_export_names_no_reviewer(demo):
    accept_every_rule(demo, SA)
    page = render(demo, "md", ids=[demo.ids[0]], deidentify=True)
    assert "Protocol: every rule behind this summary (14) is reviewed and accepted by the clinic." in page
    assert current_user() not in page.split("## Protocol review")[1]


def test_the_json_export_carries_each_rules_review_without_names_when_deidentified(demo):
    import json

    record_review(demo.repo, demo.catalogue, SA, "review-6m", "accept", "checked", TODAY)
    case = json.loads(render(demo, "json", ids=[demo.ids[0]]))["cases"][0]
    reviews = {i["id"]: i["review"] for i in case["items"]}
    assert reviews["review-6m"] == {"state": "accepted", "by": current_user(), "on": TODAY.isoformat()}
    assert reviews["review-12m"]["state"] == "unreviewed"
    hidden = json.loads(render(demo, "json", ids=[demo.ids[0]], deidentify=True))["cases"][0]
    assert {i["id"]: i["review"] for i in hidden["items"]}["review-6m"] == {"state": "accepted", "by": None, "on": None}
