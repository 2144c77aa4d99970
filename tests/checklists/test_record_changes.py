"""Reopening, changing an anchor and voiding events: the record is never lost, and what is void counts for nothing."""

from __future__ import annotations

import pytest

from checklists.errors import ValidationError
from tests.checklists.support import HIP, PL, SA, Chart, d, days


def saline_chart() -> Chart:
    return Chart(SA, onset="2026-01-10", enrolled="2026-02-02")


# --- reopen ---------------------------------------------------------------------------------

def test_reopen_keeps_an_event_satisfied_item_open_until_a_new_qualifying_event():
    c = saline_chart()
    c.log("assessment", "2026-02-03", size_mm="20", improvement="none")
    assert c.status("baseline-assessment", "2026-02-03") == "done"
    c.act("baseline-assessment", "reopen", today="2026-02-05")
    assert c.status("baseline-assessment", "2026-02-05") == "due"     # the old assessment still exists
    c.log("saline", "2026-02-06", volume_ml="10")                      # not a qualifying kind
    assert c.status("baseline-assessment", "2026-02-06") == "due"
    c.log("assessment", "2026-02-03", today="2026-02-07", size_mm="21")  # new, even though back-dated
    item = c.item("baseline-assessment", "2026-02-07")
    assert (item.status, item.resolved_on) == ("done", d("2026-02-03"))


def test_reopen_deep_biopsy_then_only_a_new_deep_biopsy_satisfies_it():
    c = Chart(PL, onset="2026-01-05", enrolled="2026-01-12")
    c.log("biopsy", "2026-01-15", depth="deep-excisional")
    c.act("deep-biopsy", "reopen", today="2026-01-20")
    c.log("biopsy", "2026-01-21", depth="punch")
    assert c.status("deep-biopsy", "2026-01-21") == "due"
    c.log("biopsy", "2026-01-22", depth="deep-excisional")
    assert c.status("deep-biopsy", "2026-01-22") == "done"


def test_reopen_autologous_blood_needs_new_abi_sessions():
    c = saline_chart()
    c.log("saline", "2026-02-04", volume_ml="10")
    c.log("abi", "2026-04-01", volume_ml="4")
    c.log("abi", "2026-04-08", volume_ml="4")
    assert c.status("autologous-blood", "2026-04-08") == "done"
    c.act("autologous-blood", "reopen", today="2026-04-09")
    assert c.status("autologous-blood", "2026-04-09") == "due"
    c.log("abi", "2026-04-15", volume_ml="4")
    c.log("abi", "2026-04-22", volume_ml="4")
    assert c.status("autologous-blood", "2026-04-22") == "done"


def test_reopen_a_finished_saline_course_needs_a_new_session():
    c = saline_chart()
    for k in range(6):
        c.log("saline", d("2026-02-04") + days(7 * k), volume_ml="10")
    assert c.status("saline-session", "2026-03-20") == "done"
    c.act("saline-session", "reopen", today="2026-03-20")
    item = c.item("saline-session", "2026-03-20")
    assert item.state == "open"
    assert (item.opens, item.closes) == (d("2026-03-18"), d("2026-03-25"))
    c.log("saline", "2026-03-22", volume_ml="10")
    assert c.status("saline-session", "2026-03-22") == "done"


def test_reopen_a_hand_resolved_item():
    c = saline_chart()
    c.done("review-6m", "2026-07-12")
    c.act("review-6m", "reopen", today="2026-07-13")
    assert c.status("review-6m", "2026-07-13") == "due"
    c.act("review-6m", "skip", today="2026-07-14", reason="seen by another team")
    c.act("review-6m", "reopen", today="2026-07-15")
    assert c.status("review-6m", "2026-07-15") == "due"


def test_reopen_an_open_item_is_refused():
    c = saline_chart()
    with pytest.raises(ValidationError) as caught:
        c.act("review-6m", "reopen", today="2026-03-01")
    assert caught.value.field == "item"


def test_an_event_satisfies_an_item_even_if_it_was_skipped_or_snoozed():
    c = saline_chart()
    c.act("baseline-assessment", "skip", today="2026-02-03", reason="photo only today")
    c.log("assessment", "2026-02-04", size_mm="20")
    assert c.status("baseline-assessment", "2026-02-04") == "done"


# --- changing an anchor ---------------------------------------------------------------------

def test_changing_onset_recomputes_windows_and_keeps_every_event():
    c = saline_chart()
    c.log("saline", "2026-02-04", volume_ml="10")
    c.log("assessment", "2026-02-05", improvement="none")
    events_before = c.case.events
    c.set("onset", "2025-12-31", today="2026-02-10")
    assert c.case.events == events_before
    assert c.window("review-6m", "2026-02-10") == (d("2026-06-30"), d("2026-07-31"))
    assert c.window("review-12m", "2026-02-10") == (d("2026-12-31"), d("2027-01-31"))
    # The referral follows the saline course (first session + 8 weeks), which the onset does not move.
    assert c.window("fat-graft-referral", "2026-02-10") == (d("2026-04-01"), d("2026-05-01"))
    assert c.window("saline-response-review", "2026-02-10") == (d("2026-03-04"), d("2026-04-01"))


def test_changing_onset_moves_the_waiting_alert():
    c = Chart(SA, onset="2026-01-10", enrolled="2026-01-12")
    assert "waiting-too-long" in c.alerts("2026-07-10")
    c.set("onset", "2026-01-11", today="2026-01-12")
    assert "waiting-too-long" not in c.alerts("2026-07-10")
    assert "waiting-too-long" in c.alerts("2026-07-11")


# --- voided events --------------------------------------------------------------------------

def test_voided_saline_session_counts_for_nothing():
    c = saline_chart()
    first = c.log("saline", "2026-02-04", volume_ml="50")   # wrong volume, wrong day
    c.log("saline", "2026-02-11", volume_ml="10")
    c.void(first, "entered twice")
    view = c.view("2026-02-12")
    assert view.counts.saline == 1
    assert view.item("saline-session").detail == "saline 1 of 3-6"
    assert view.item("saline-response-review").opens == d("2026-02-11") + days(28)
    assert "saline-volume-out-of-range" not in c.alerts("2026-02-12")
    # The voided event stays in the record, marked void with its reason.
    shown = {e["id"]: e for e in c.json("2026-02-12")["events"]}
    assert shown[first]["voided"] is True and shown[first]["void_reason"] == "entered twice"


def test_voided_sessions_do_not_complete_a_course():
    c = saline_chart()
    ids = [c.log("saline", d("2026-02-04") + days(7 * k), volume_ml="10") for k in range(6)]
    c.void(ids[-1])
    assert c.status("saline-session", "2026-03-20") != "done"


def test_voided_fat_graft_raises_no_alert():
    sa = saline_chart()
    graft = sa.log("fat-graft", "2026-03-01")
    assert "fat-graft-before-saline" in sa.alerts("2026-03-01")
    sa.void(graft)
    assert "fat-graft-before-saline" not in sa.alerts("2026-03-01")
    # With the graft gone, the referral is back to waiting for the saline course.
    assert sa.item("fat-graft-referral", "2026-03-01").waits.startswith("waits for the saline course")

    pl = Chart(PL, onset="2026-01-05", enrolled="2026-01-12")
    graft = pl.log("fat-graft", "2026-03-01")
    assert pl.alerts("2026-03-01").get("fat-graft-during-inflammation") == "critical"
    pl.void(graft)
    assert "fat-graft-during-inflammation" not in pl.alerts("2026-03-01")
    assert pl.status("fat-graft-after-inflammation", "2026-03-01") == "unscheduled"


def test_voided_complete_assessment_no_longer_counts_as_improvement():
    c = saline_chart()
    c.log("saline", "2026-02-04", volume_ml="10")
    wrong = c.log("assessment", "2026-02-20", improvement="complete")
    assert "saline-no-response" not in c.alerts("2026-04-01")
    c.void(wrong, "wrong patient")
    assert "saline-no-response" in c.alerts("2026-04-01")


def test_voided_injection_is_not_counted():
    c = Chart(HIP, onset="2026-03-01", enrolled="2026-03-02")
    c.log("pt-start", "2026-03-02")
    first = c.log("injection", "2026-03-10", guidance="landmark")
    c.void(first)
    view = c.view("2026-03-10")
    assert (view.counts.injections, view.counts.injections_last_365_days) == (0, 0)
    assert view.alerts == ()
    assert view.item("atrophy-check-early").status == "unscheduled"


def test_void_needs_a_reason_a_known_event_and_only_once():
    c = saline_chart()
    eid = c.log("saline", "2026-02-04", volume_ml="10")
    with pytest.raises(ValidationError) as caught:
        c.void(eid, "  ")
    assert caught.value.field == "reason"
    with pytest.raises(ValidationError) as caught:
        c.void("e99")
    assert caught.value.field == "event"
    c.void(eid)
    with pytest.raises(ValidationError) as caught:
        c.void(eid)
    assert caught.value.field == "event"


# --- the audit trail ------------------------------------------------------------------------

def test_skips_snoozes_voids_and_field_changes_are_audited_with_their_reasons():
    from checklists import actions
    from tests.checklists.support import CATALOGUE

    c = saline_chart()
    case, changes = actions.resolve_item(c.case, "review-6m", "skip", today=d("2026-03-01"), catalogue=CATALOGUE,
                                         reason="seen elsewhere")
    assert [(x.action, x.target, x.reason) for x in changes] == [("item-skip", "review-6m", "seen elsewhere")]
    case, changes = actions.resolve_item(case, "review-12m", "snooze", today=d("2026-03-01"), catalogue=CATALOGUE,
                                         reason="abroad", until="2026-04-01")
    assert (changes[0].action, changes[0].reason, changes[0].new["until"]) == ("item-snooze", "abroad", "2026-04-01")
    case, changes = actions.log_event(case, "saline", {"date": "2026-03-01", "volume_ml": "10"}, today=d("2026-03-01"))
    assert changes[0].action == "event-log" and changes[0].new["volume_ml"] == 10.0
    case, changes = actions.void_event(case, "e1", "duplicate entry")
    assert (changes[0].action, changes[0].target, changes[0].reason) == ("event-void", "e1", "duplicate entry")
    case, changes = actions.set_field(case, "onset", "2026-01-09", today=d("2026-03-01"), catalogue=CATALOGUE)
    assert (changes[0].target, changes[0].old, changes[0].new) == ("onset", "2026-01-10", "2026-01-09")
