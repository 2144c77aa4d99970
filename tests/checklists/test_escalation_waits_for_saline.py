"""Escalation only after first-line treatment (issue 8, section 2; pathways.md "Revisions").

Seed 000 keeps grafting for saline that failed, or a year without improvement, and calls a graft
without saline a pitfall. The referral and autologous blood wait, and say what they wait for.
"""

from __future__ import annotations

from tests.checklists.support import SA, Chart, d, days, policy

ONSET, ENROLLED = "2026-01-10", "2026-02-02"


def chart(**kwargs) -> Chart:
    return Chart(SA, onset=ONSET, enrolled=ENROLLED, **kwargs)


def weekly(c: Chart, n: int, first="2026-02-04") -> None:
    for k in range(n):
        c.log("saline", d(first) + days(7 * k), volume_ml="10")


def test_with_no_saline_tried_or_declined_the_referral_never_comes_due_even_after_a_year():
    c = chart()
    for day in ("2026-06-01", "2027-01-10", "2027-03-01"):
        item = c.item("fat-graft-referral", day)
        assert (item.status, item.opens) == ("unscheduled", None), day
    assert c.item("fat-graft-referral", "2027-03-01").waits.startswith("waits for the saline course")


def test_saline_that_failed_at_8_weeks_opens_blood_and_referral_that_day_even_before_a_year():
    c = chart()
    weekly(c, 4)  # from 2026-02-04: failure day 2026-04-01 without complete improvement
    c.log("assessment", "2026-03-30", improvement="partial")
    assert c.window("autologous-blood") == (d("2026-04-01"), d("2026-04-29"))
    assert c.window("fat-graft-referral") == (d("2026-04-01"), d("2026-05-01"))
    # Not "due soon" before saline has failed: the gate opens on the day, not two weeks ahead.
    assert c.status("fat-graft-referral", "2026-03-31") == "unscheduled"
    assert c.status("fat-graft-referral", "2026-04-01") == "due"


def test_blood_waits_for_saline_to_fail_not_merely_to_start():
    c = chart()
    weekly(c, 2)
    # Saline has started; if nothing changes it fails on 2026-04-01, and only then is the item due.
    item = c.item("autologous-blood", "2026-02-20")
    assert (item.status, item.waits) == ("unscheduled", "opens 2026-04-01 if still needed then")
    assert c.row("2026-02-20").next_due.item != "autologous-blood"
    assert c.status("autologous-blood", "2026-04-01") == "due"
    fresh = chart()
    assert fresh.item("autologous-blood", "2026-02-20").waits == "after the saline course, if it fails"


def test_a_full_course_without_complete_improvement_fails_on_its_last_session():
    c = chart(clinic_policy=policy(saline_max_sessions=4))
    weekly(c, 4)  # the 4th (last) session on 2026-02-25, before the 8-week mark
    assert c.window("autologous-blood")[0] == d("2026-02-25")
    assert c.window("fat-graft-referral")[0] == d("2026-02-25")


def test_complete_improvement_in_the_latest_assessment_needs_no_escalation():
    c = chart()
    weekly(c, 3)
    c.log("assessment", "2026-03-20", improvement="complete")
    assert c.window("autologous-blood") == (None, None)
    assert c.window("fat-graft-referral") == (None, None)
    # The defect back later (none): saline had worked at 8 weeks, so the question returns at the year.
    c.log("assessment", "2026-06-01", improvement="none", today="2026-06-01")
    assert c.window("fat-graft-referral", "2026-06-01")[0] == d("2027-01-10")


def test_declined_saline_opens_the_referral_at_12_months_not_before_the_decision():
    early = chart()
    early.act("saline-session", "skip", today="2026-03-01", reason="patient declines injections")
    assert early.window("fat-graft-referral") == (d("2027-01-10"), d("2027-02-10"))
    late = chart()
    late.act("saline-session", "skip", today="2027-03-01", reason="patient declines injections")
    # The gate opened on the day the decision was recorded, not a year after onset in the past.
    assert late.window("fat-graft-referral", "2027-03-01") == (d("2027-03-01"), d("2027-04-01"))
    assert late.status("fat-graft-referral", "2027-03-01") == "due"


def test_declined_saline_never_opens_autologous_blood_which_follows_failed_saline_only():
    c = chart()
    c.act("saline-session", "skip", today="2026-03-01", reason="patient declines injections")
    assert c.window("autologous-blood", "2027-06-01") == (None, None)


def test_improvement_by_the_year_mark_keeps_the_referral_shut_after_a_decline():
    c = chart()
    c.act("saline-session", "skip", today="2026-03-01", reason="watchful waiting")
    c.log("assessment", "2026-12-20", improvement="partial", today="2026-12-20")
    assert c.window("fat-graft-referral", "2027-01-10") == (None, None)


def test_a_graft_after_a_recorded_decision_against_saline_is_not_the_pitfall():
    c = chart()
    c.act("saline-session", "skip", today="2026-03-01", reason="severe deformity: straight to surgery")
    c.log("fat-graft", "2026-05-01", today="2026-05-01")
    assert "fat-graft-before-saline" not in c.alerts("2026-05-01")
    bypassed = chart()
    bypassed.log("fat-graft", "2026-05-01", today="2026-05-01")
    assert "fat-graft-before-saline" in bypassed.alerts("2026-05-01")


def test_the_referral_can_still_be_resolved_by_hand_while_it_waits():
    c = chart()
    c.done("fat-graft-referral", "2026-03-02")
    item = c.item("fat-graft-referral", "2026-03-02")
    assert (item.status, item.waits) == ("done", None)


def test_saline_started_after_the_year_mark_gets_its_chance_before_a_graft_is_proposed():
    late = Chart(SA, onset="2025-10-26", enrolled="2026-11-25")
    late.log("saline", "2026-11-25", volume_ml="10")
    late.log("assessment", "2026-11-25", size_mm="25")
    item = late.item("fat-graft-referral", "2026-11-25")
    assert (item.status, item.waits) == ("unscheduled", "opens 2027-01-20 if still needed then")
    assert late.window("fat-graft-referral", "2026-11-25") == (d("2027-01-20"), d("2027-02-20"))
