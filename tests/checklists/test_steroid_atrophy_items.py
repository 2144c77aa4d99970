"""Every item window of `steroid-atrophy` (pathways.md), the day before, on and after each boundary."""

from __future__ import annotations

import pytest

from tests.checklists.support import SA, Chart, d, days, policy, status_around

ONSET, ENROLLED = "2026-01-10", "2026-02-02"
E = d(ENROLLED)


def chart(**kwargs) -> Chart:
    return Chart(SA, onset=ONSET, enrolled=ENROLLED, **kwargs)


def test_checklist_items_of_the_pathway():
    assert chart().item_ids() == [
        "baseline-assessment", "saline-session", "saline-response-review", "review-6m", "review-12m",
        "autologous-blood", "fat-graft-referral", "fat-graft-review",
    ]


# --- baseline assessment -------------------------------------------------------------------

def test_baseline_assessment_window_is_enrolment_to_14_days():
    c = chart()
    assert c.window("baseline-assessment") == (E, E + days(14))
    assert status_around(c, "baseline-assessment", E) == ("due-soon", "due", "due")
    assert status_around(c, "baseline-assessment", E + days(14)) == ("due", "due", "overdue")


def test_baseline_assessment_is_satisfied_by_any_assessment():
    c = chart()
    c.log("assessment", "2026-02-05", size_mm="18", depth_mm="3", pigment="hypopigmented", photo="yes",
          improvement="none")
    item = c.item("baseline-assessment", "2026-03-01")
    assert (item.status, item.resolved_on) == ("done", d("2026-02-05"))


# --- saline sessions -----------------------------------------------------------------------

def test_first_saline_session_window_is_enrolment_to_14_days():
    c = chart()
    item = c.item("saline-session", E)
    assert (item.opens, item.closes, item.detail) == (E, E + days(14), "saline 0 of 3-6")
    assert status_around(c, "saline-session", E + days(14)) == ("due", "due", "overdue")


def test_next_saline_session_is_7_to_14_days_after_the_last():
    c = chart()
    last = d("2026-02-04")
    c.log("saline", last, volume_ml="10")
    assert c.window("saline-session") == (last + days(7), last + days(14))
    assert status_around(c, "saline-session", last + days(7)) == ("due-soon", "due", "due")
    assert status_around(c, "saline-session", last + days(14)) == ("due", "due", "overdue")
    later = last + days(9)
    c.log("saline", later, volume_ml="12")
    assert c.window("saline-session") == (later + days(7), later + days(14))
    assert c.item("saline-session", later).detail == "saline 2 of 3-6"


def weekly(c: Chart, n: int, first="2026-02-04", volume="10") -> list[str]:
    return [c.log("saline", d(first) + days(7 * k), volume_ml=volume) for k in range(n)]


def test_course_is_done_at_six_sessions_not_five():
    c = chart()
    weekly(c, 5)
    assert c.item("saline-session", "2026-03-10").state == "open"
    assert c.item("saline-session", "2026-03-10").detail == "saline 5 of 3-6"
    weekly(c, 1, first="2026-03-11")
    item = c.item("saline-session", "2026-03-12")
    assert (item.status, item.resolved_on, item.detail) == ("done", d("2026-03-11"), "saline 6 of 3-6")


def test_course_is_done_at_three_with_complete_improvement():
    c = chart()
    weekly(c, 2)
    c.log("assessment", "2026-02-20", improvement="complete")
    assert c.status("saline-session", "2026-02-20") != "done"  # two sessions are not a course
    weekly(c, 1, first="2026-02-25")
    assert c.status("saline-session", "2026-02-26") == "done"


def test_three_sessions_with_partial_improvement_is_not_a_finished_course():
    c = chart()
    weekly(c, 3)
    c.log("assessment", "2026-02-20", improvement="partial")
    assert c.status("saline-session", "2026-02-20") in ("due-soon", "due")


def test_three_sessions_and_case_resolved_finishes_the_course():
    c = chart()
    weekly(c, 3)
    c.set("status", "resolved", today="2026-02-20")
    assert c.status("saline-session", "2026-02-20") == "done"


def test_session_count_follows_clinic_policy():
    c = chart(clinic_policy=policy(saline_max_sessions=4, saline_min_sessions=2))
    weekly(c, 3)
    assert c.item("saline-session", "2026-02-20").detail == "saline 3 of 2-4"
    assert c.status("saline-session", "2026-02-20") != "done"
    weekly(c, 1, first="2026-02-25")
    assert c.status("saline-session", "2026-02-26") == "done"


def test_saline_session_can_be_skipped_with_a_reason():
    c = chart()
    c.act("saline-session", "skip", today="2026-02-05", reason="watchful waiting")
    item = c.item("saline-session", "2026-06-01")
    assert (item.status, item.reason) == ("skipped", "watchful waiting")


# --- saline response review ----------------------------------------------------------------

def test_response_review_unscheduled_before_saline():
    assert chart().status("saline-response-review", "2026-06-01") == "unscheduled"


def test_response_review_window_is_first_saline_plus_4_to_8_weeks():
    c = chart()
    first = d("2026-02-04")
    weekly(c, 3, first=first)
    assert c.window("saline-response-review") == (first + days(28), first + days(56))
    assert status_around(c, "saline-response-review", first + days(28)) == ("due-soon", "due", "due")
    assert status_around(c, "saline-response-review", first + days(56)) == ("due", "due", "overdue")


# --- six- and twelve-month reviews ----------------------------------------------------------

def test_reviews_are_onset_plus_6_and_12_months():
    c = chart()
    assert c.window("review-6m") == (d("2026-07-10"), d("2026-08-10"))
    assert c.window("review-12m") == (d("2027-01-10"), d("2027-02-10"))
    assert status_around(c, "review-12m", "2027-02-10") == ("due", "due", "overdue")
    assert status_around(c, "review-12m", "2026-12-27") == ("upcoming", "due-soon", "due-soon")


# --- autologous blood -----------------------------------------------------------------------

def test_autologous_blood_unscheduled_without_saline():
    assert chart().status("autologous-blood", "2027-01-01") == "unscheduled"


def test_autologous_blood_opens_when_saline_has_failed_and_closes_4_weeks_later():
    c = chart()
    first = d("2026-02-04")
    weekly(c, 3, first=first)
    failed = first + days(56)
    assert c.window("autologous-blood") == (failed, failed + days(28))
    # Gated: not "due soon" while saline may still work; due on the day it has failed.
    assert status_around(c, "autologous-blood", failed) == ("unscheduled", "due", "due")
    assert status_around(c, "autologous-blood", failed + days(28)) == ("due", "due", "overdue")


def test_autologous_blood_still_scheduled_with_partial_improvement():
    c = chart()
    weekly(c, 3)
    c.log("assessment", "2026-03-01", improvement="partial")
    assert c.window("autologous-blood") == (d("2026-04-01"), d("2026-04-29"))


def test_autologous_blood_unscheduled_with_complete_improvement():
    c = chart()
    weekly(c, 3)
    c.log("assessment", "2026-05-01", improvement="complete")
    assert c.status("autologous-blood", "2026-05-01") == "unscheduled"


def test_autologous_blood_is_satisfied_by_two_abi_sessions():
    c = chart()
    weekly(c, 3)
    c.log("abi", "2026-04-02", volume_ml="4")
    assert c.status("autologous-blood", "2026-04-02") == "due"
    c.log("abi", "2026-04-16", volume_ml="4")
    item = c.item("autologous-blood", "2026-04-16")
    assert (item.status, item.resolved_on) == ("done", d("2026-04-16"))


# --- fat graft referral ---------------------------------------------------------------------

def declined(c: Chart) -> Chart:
    c.act("saline-session", "skip", today="2026-02-05", reason="patient prefers to wait")
    return c


def test_fat_graft_referral_waits_for_the_saline_course():
    item = chart().item("fat-graft-referral", "2027-02-01")
    assert (item.status, item.opens) == ("unscheduled", None)
    assert item.waits == "waits for the saline course (tried, or declined with a reason)"


def test_fat_graft_referral_opens_at_12_months_without_improvement_once_saline_is_declined():
    c = declined(chart())
    assert c.window("fat-graft-referral") == (d("2027-01-10"), d("2027-02-10"))
    assert status_around(c, "fat-graft-referral", "2027-02-10") == ("due", "due", "overdue")


@pytest.mark.parametrize("improvement", ["partial", "complete"])
def test_fat_graft_referral_unscheduled_when_improvement_recorded_by_12_months(improvement):
    c = declined(chart())
    c.log("assessment", "2027-01-10", improvement=improvement)  # on the opening day: "by then"
    assert c.status("fat-graft-referral", "2027-01-10") == "unscheduled"


def test_fat_graft_referral_not_cancelled_by_no_improvement_or_later_improvement():
    c = declined(chart())
    c.log("assessment", "2026-12-01", improvement="none")
    assert c.window("fat-graft-referral") == (d("2027-01-10"), d("2027-02-10"))
    c.log("assessment", "2027-01-11", improvement="partial")  # the day after it opened
    assert c.window("fat-graft-referral") == (d("2027-01-10"), d("2027-02-10"))


def test_fat_graft_referral_satisfied_by_fat_graft_and_resolvable_by_hand_any_time():
    c = chart()
    weekly(c, 3)
    c.log("fat-graft", "2026-06-01")
    assert c.item("fat-graft-referral", "2026-06-01").resolved_on == d("2026-06-01")
    c2 = chart()
    c2.log("assessment", "2026-03-01", improvement="partial")
    assert c2.status("fat-graft-referral", "2026-03-01") == "unscheduled"
    c2.done("fat-graft-referral", "2026-03-02")
    assert c2.status("fat-graft-referral", "2026-03-02") == "done"


# --- a resolved lesion ----------------------------------------------------------------------

def test_resolved_case_stops_treatment_items_but_reviews_go_on():
    c = chart()
    weekly(c, 1)
    assert c.window("saline-session")[0] is not None
    assert c.window("autologous-blood")[0] is not None
    assert c.window("fat-graft-referral")[0] is not None
    c.set("status", "resolved", today="2026-02-20")
    on = "2026-02-20"
    for stopped in ("saline-session", "autologous-blood", "fat-graft-referral"):
        assert c.window(stopped, on) == (None, None), stopped
        assert c.status(stopped, on) == "unscheduled", stopped
    assert c.window("review-6m", on) == (d("2026-07-10"), d("2026-08-10"))
    assert c.window("review-12m", on) == (d("2027-01-10"), d("2027-02-10"))
    assert c.window("saline-response-review", on) == (d("2026-03-04"), d("2026-04-01"))
    assert c.window("baseline-assessment", on) == (E, E + days(14))
    # Setting the case active again brings the treatment windows back.
    c.set("status", "active", today="2026-02-21")
    assert c.window("saline-session", "2026-02-21") == (d("2026-02-11"), d("2026-02-18"))
