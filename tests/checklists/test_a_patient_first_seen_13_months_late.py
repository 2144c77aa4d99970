"""A patient first seen 13 months after the atrophy appeared (issue 8, section 1).

`rounds case add --patient DEMO-1 --pathway steroid-atrophy --onset 2025-10-26` on 2026-11-25. The
six-month review could not have happened here: it is missed before enrolment, never overdue. The
twelve-month review is still open for a day. Escalation waits for the saline course. The wait is a
warning the day the clinic meets the patient, critical only if no treatment follows the first window.
"""

from __future__ import annotations

import json

from checklists.serialize import row_json
from tests.checklists.support import SA, Chart, d

ONSET, ENROLLED = "2025-10-26", "2026-11-25"


def late() -> Chart:
    return Chart(SA, onset=ONSET, enrolled=ENROLLED, label="DEMO-1")


def test_the_six_month_review_is_missed_before_enrolment_not_overdue():
    item = late().item("review-6m", ENROLLED)
    assert (item.status, item.opens, item.closes) == ("missed", d("2026-04-26"), d("2026-05-26"))
    # Missed stays missed: it never turns overdue however long one looks.
    assert late().item("review-6m", "2027-06-01").status == "missed"


def test_the_board_line_is_due_with_the_twelve_month_review_next_and_one_warning():
    chart = late()
    row = chart.row(ENROLLED)
    assert row == chart.detail_row(ENROLLED)  # the cached board line and the case view agree
    assert row.urgency == "due"
    assert (row.next_due.item, row.next_due.status) == ("review-12m", "due")
    assert (row.alert_codes, row.alert_severities) == (("waiting-too-long",), ("warning",))
    assert row_json(row)["urgency"] == "due"


def test_nothing_is_overdue_and_the_first_steps_open_at_enrolment():
    view = late().view(ENROLLED)
    statuses = {i.id: i.status for i in view.items}
    assert "overdue" not in statuses.values()
    assert statuses["baseline-assessment"] == statuses["saline-session"] == "due"
    assert view.item("saline-session").opens == d(ENROLLED)


def test_escalation_waits_for_the_saline_course_and_says_so():
    view = late().view(ENROLLED)
    referral, blood = view.item("fat-graft-referral"), view.item("autologous-blood")
    assert (referral.status, referral.waits) == ("unscheduled",
                                                 "waits for the saline course (tried, or declined with a reason)")
    assert (blood.status, blood.waits) == ("unscheduled", "after the saline course, if it fails")


def test_the_wait_is_a_warning_now_and_critical_only_if_no_treatment_follows():
    chart = late()
    assert chart.alerts(ENROLLED) == {"waiting-too-long": "warning"}
    assert "critical from 2026-12-10" in chart.alert("waiting-too-long", ENROLLED).message
    assert chart.alerts("2026-12-09") == {"waiting-too-long": "warning"}  # the first saline window's last day
    assert chart.alerts("2026-12-10") == {"waiting-too-long": "critical"}
    treated = late()
    treated.log("saline", "2026-11-30", volume_ml="10", today="2026-11-30")
    assert "waiting-too-long" not in treated.alerts("2026-12-10")


def test_one_assessment_today_does_the_baseline_and_the_twelve_month_review_but_not_the_missed_one():
    chart = late()
    chart.log("assessment", ENROLLED, size_mm="25", depth_mm="4", improvement="none")
    view = chart.view(ENROLLED)
    assert view.item("baseline-assessment").status == "done"
    assert view.item("review-12m").status == "done"
    assert view.item("review-6m").status == "missed"
    assert chart.row(ENROLLED).urgency == "due"  # the saline session is what is due now


def test_case_show_json_says_missed_and_keeps_the_shape():
    data = json.loads(json.dumps(late().json(ENROLLED)))
    items = {i["id"]: i for i in data["items"]}
    assert items["review-6m"]["status"] == "missed" and items["review-6m"]["state"] == "open"
    assert items["review-6m"]["kind"] == "time-point" and items["fat-graft-referral"]["kind"] == "action"
    assert items["fat-graft-referral"]["waits"].startswith("waits for the saline course")
    assert data["urgency"] == "due" and data["next_due"]["item"] == "review-12m"
    assert [a["code"] for a in data["alerts"]] == ["waiting-too-long"]
    assert data["alerts"][0]["acknowledged"] is None and data["alerts"][0]["past_fact"] is False


def test_an_action_item_whose_window_closed_before_enrolment_opens_at_enrolment():
    # Saline given elsewhere months ago (two sessions, the last in August): the next session is an
    # action still to take, so it opens at enrolment with its usual week; the response review (a
    # time-point 4-8 weeks after the first session) is missed.
    chart = late()
    chart.log("saline", "2026-08-03", volume_ml="10", today=ENROLLED)
    chart.log("saline", "2026-08-10", volume_ml="10", today=ENROLLED)
    view = chart.view(ENROLLED)
    session = view.item("saline-session")
    assert (session.opens, session.closes, session.status) == (d(ENROLLED), d("2026-12-02"), "due")
    assert view.item("saline-response-review").status == "missed"


def test_a_back_dated_hip_injection_misses_its_early_check_and_keeps_the_year_check():
    from tests.checklists.support import HIP

    chart = Chart(HIP, onset="2026-03-01", enrolled=ENROLLED)
    chart.log("injection", "2026-06-01", today=ENROLLED, guidance="image", drug="triamcinolone")
    view = chart.view(ENROLLED)
    assert view.item("atrophy-check-early").status == "missed"
    assert view.item("tendon-joint-check-early").status == "missed"
    assert view.item("atrophy-check-12m").status == "upcoming"
    assert view.urgency != "overdue"
    # A check-up from another clinic inside the early window still counts when it is entered.
    chart.log("assessment", "2026-08-15", today=ENROLLED, mrc="5")
    assert chart.item("atrophy-check-early", ENROLLED).status == "done"
