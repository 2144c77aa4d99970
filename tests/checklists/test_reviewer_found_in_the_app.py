"""Scenarios a reviewer met driving the real app (hip onset, late assessments, the baseline)."""

from __future__ import annotations

import pytest

from checklists.errors import ValidationError
from tests.checklists.support import CATALOGUE, HIP, SA, Chart, d


# --- 1. On the hip pathway the pain comes first and the injection treats it ---------------------

def test_a_hip_injection_given_after_the_pain_began_is_the_normal_case():
    c = Chart(HIP, onset="2026-09-01", enrolled="2026-10-05", injection_date="2026-10-01")
    assert (c.case.onset, c.case.injection_date) == (d("2026-09-01"), d("2026-10-01"))


def test_atrophy_noticed_before_its_injection_is_still_refused_and_says_which_pathway():
    with pytest.raises(ValidationError) as refused:
        Chart(SA, onset="2026-09-01", enrolled="2026-10-05", injection_date="2026-10-01")
    text = str(refused.value)
    assert text.startswith("injection date 2026-10-01 is after onset 2026-09-01: on steroid-atrophy")
    assert "the day the atrophy was first noticed" in text


def test_a_hip_and_atrophy_case_keeps_the_atrophy_rule_its_onset_is_the_atrophy():
    # One onset per case; the atrophy pathway counts its reviews from it, so it means the atrophy.
    with pytest.raises(ValidationError):
        Chart(HIP, SA, onset="2026-09-01", enrolled="2026-10-05", injection_date="2026-10-01")
    Chart(HIP, SA, onset="2026-10-15", enrolled="2026-10-20", injection_date="2026-10-01")


def test_changing_the_hip_onset_or_injection_date_later_is_not_refused_either():
    c = Chart(HIP, onset="2026-09-01", enrolled="2026-10-05")
    c.set("injection-date", "2026-10-01", today="2026-10-05")
    c.set("onset", "2026-08-20", today="2026-10-05")
    assert (c.case.onset, c.case.injection_date) == (d("2026-08-20"), d("2026-10-01"))


def test_the_pathways_say_what_their_onset_means_and_only_atrophy_follows_the_injection():
    hip, atrophy = CATALOGUE.pathways[HIP], CATALOGUE.pathways[SA]
    assert "atrophy" not in hip.onset and "pain" in hip.onset
    assert (hip.onset_follows_injection, atrophy.onset_follows_injection) == (False, True)
    assert not CATALOGUE.pathways["panniculitis-lipoatrophy"].onset_follows_injection


# --- 2. An assessment answers only the checks whose window it falls in ----------------------------

def hip_case_with_four_injections() -> Chart:
    """Injection #3 on 2025-08-19 (its 2-4-month check overdue since 2025-12-19), #4 a month later."""
    c = Chart(HIP, onset="2025-01-10", enrolled="2025-01-12")
    c.log("pt-start", "2025-01-15")
    for day in ("2025-02-01", "2025-05-01", "2025-08-19", "2025-09-19"):
        c.log("injection", day, guidance="image", today=day)
    c.log("assessment", "2025-04-05", mrc="5", tendon="none", joint="stable")   # answers #1
    c.log("assessment", "2025-07-05", mrc="5", tendon="none", joint="stable")   # answers #2
    return c


@pytest.mark.parametrize("item", ["atrophy-check-early", "tendon-joint-check-early"])
def test_one_visit_fifteen_months_later_does_not_answer_the_missed_two_to_four_month_checks(item):
    c = hip_case_with_four_injections()
    assert c.status(item, "2026-11-30") == "overdue"
    assert c.window(item, "2026-11-30") == (d("2025-10-19"), d("2025-12-19"))
    c.log("assessment", "2026-11-30", mrc="4", pain="3", tendon="none", joint="stable")
    shown = c.item(item, "2026-11-30")
    assert (shown.status, shown.resolved_on) == ("overdue", None)
    assert shown.detail is not None and "check 3 of 4" in shown.detail
    assert c.row("2026-11-30").next_due is not None   # the board still shows what is owed


def test_the_clinician_who_judges_the_late_visit_enough_marks_the_check_done_by_hand_dated():
    c = hip_case_with_four_injections()
    c.log("assessment", "2026-11-30", mrc="4", pain="3", tendon="none", joint="stable")
    c.done("atrophy-check-early", "2026-11-30")
    item = c.item("atrophy-check-early", "2026-11-30")
    assert (item.status, item.resolved_on) == ("done", d("2026-11-30"))


def test_a_visit_inside_two_windows_answers_both_checks_a_visit_between_them_only_the_open_one():
    c = Chart(HIP, onset="2026-01-10", enrolled="2026-01-12")
    c.log("injection", "2026-02-01", guidance="image")
    c.log("injection", "2026-03-01", guidance="image")
    c.log("assessment", "2026-05-15", mrc="5")   # inside 04-01..06-01 and 05-01..07-01
    assert c.status("atrophy-check-early", "2026-05-15") == "done"


def test_an_assessment_from_a_week_before_the_window_opens_counts():
    c = Chart(HIP, onset="2026-01-10", enrolled="2026-01-12")
    c.log("injection", "2026-02-01", guidance="image")
    c.log("assessment", "2026-03-25", mrc="5")   # window opens 2026-04-01
    assert c.status("atrophy-check-early", "2026-03-25") == "done"
    c2 = Chart(HIP, onset="2026-01-10", enrolled="2026-01-12")
    c2.log("injection", "2026-02-01", guidance="image")
    c2.log("assessment", "2026-03-24", mrc="5")  # eight days before: a visit, not the check
    assert c2.status("atrophy-check-early", "2026-03-24") == "due-soon"


def test_the_last_day_of_the_window_still_counts_the_day_after_does_not():
    for day, expected in (("2026-06-01", "done"), ("2026-06-02", "overdue")):
        c = Chart(HIP, onset="2026-01-10", enrolled="2026-01-12")
        c.log("injection", "2026-02-01", guidance="image")
        c.log("assessment", day, mrc="5")
        assert c.status("atrophy-check-early", day) == expected


# --- 2b. A baseline is taken before treatment starts ----------------------------------------------

def test_an_assessment_after_seven_saline_sessions_is_not_the_baseline():
    c = Chart(SA, onset="2026-01-05", enrolled="2026-01-12")
    for week in range(7):
        day = d("2026-01-13").toordinal() + 7 * week
        c.log("saline", d("2026-01-13").fromordinal(day).isoformat(), volume_ml="10")
    c.log("assessment", "2026-03-10", size_mm="20", depth_mm="3", improvement="partial")
    assert c.status("baseline-assessment", "2026-03-10") == "overdue"


def test_an_assessment_on_the_day_of_the_first_session_is_the_baseline():
    c = Chart(SA, onset="2026-01-05", enrolled="2026-01-12")
    c.log("assessment", "2026-01-13", size_mm="20", depth_mm="3", photo="yes")
    c.log("saline", "2026-01-13", volume_ml="10")
    c.log("saline", "2026-01-20", volume_ml="10")
    item = c.item("baseline-assessment", "2026-01-20")
    assert (item.status, item.resolved_on) == ("done", d("2026-01-13"))
