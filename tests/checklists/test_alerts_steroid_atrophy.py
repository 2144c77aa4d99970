"""Alert codes of `steroid-atrophy`, each with its severity, at its boundaries."""

from __future__ import annotations

import pytest

from tests.checklists.support import SA, Chart, alert_around, d, days, policy

ONSET, ENROLLED = "2026-01-10", "2026-02-02"


def chart(**kwargs) -> Chart:
    return Chart(SA, onset=ONSET, enrolled=ENROLLED, **kwargs)


def weekly(c: Chart, n: int, first="2026-02-04", volume="10") -> list[str]:
    return [c.log("saline", d(first) + days(7 * k), volume_ml=volume) for k in range(n)]


# --- saline-volume-out-of-range -------------------------------------------------------------

@pytest.mark.parametrize(("volume", "alerts"), [
    ("4.9", True), ("5", False), ("12.5", False), ("20", False), ("20.1", True), ("0.5", True), ("100", True),
])
def test_saline_volume_bounds_are_inclusive(volume, alerts):
    c = chart()
    eid = c.log("saline", "2026-02-04", volume_ml=volume)
    found = c.alert("saline-volume-out-of-range", "2026-02-04")
    assert (found is not None) == alerts
    if alerts:
        assert found.severity == "warning"
        assert eid in found.message


def test_saline_volume_bounds_follow_clinic_policy():
    c = chart()
    c.log("saline", "2026-02-04", volume_ml="4.9")
    c.log("saline", "2026-02-11", volume_ml="20.1")
    assert "saline-volume-out-of-range" in c.alerts("2026-02-11")
    c.policy = policy(saline_min_ml=4.9, saline_max_ml=20.1)
    assert "saline-volume-out-of-range" not in c.alerts("2026-02-11")
    c.policy = policy(saline_min_ml=5, saline_max_ml=20.1)
    assert "e1" in c.alert("saline-volume-out-of-range", "2026-02-11").message
    assert "e2" not in c.alert("saline-volume-out-of-range", "2026-02-11").message


def test_one_volume_alert_lists_every_offending_session():
    c = chart()
    low = c.log("saline", "2026-02-04", volume_ml="3")
    c.log("saline", "2026-02-11", volume_ml="10")
    high = c.log("saline", "2026-02-18", volume_ml="25")
    alerts = [a for a in c.view("2026-02-18").alerts if a.code == "saline-volume-out-of-range"]
    assert len(alerts) == 1
    assert low in alerts[0].message and high in alerts[0].message and "e2 " not in alerts[0].message


# --- saline-course-incomplete ---------------------------------------------------------------

@pytest.mark.parametrize("sessions", [1, 2])
def test_course_incomplete_from_the_15th_day_after_the_last_session(sessions):
    c = chart()
    ids = weekly(c, sessions)
    last = c.case.event(ids[-1]).date
    assert alert_around(c, "saline-course-incomplete", last + days(15)) == (None, "warning", "warning")
    assert all(i in c.alert("saline-course-incomplete", last + days(15)).message for i in ids)


def test_course_incomplete_not_at_three_sessions():
    c = chart()
    weekly(c, 3)
    assert "saline-course-incomplete" not in c.alerts("2026-06-01")


def test_course_incomplete_follows_min_sessions_policy():
    c = chart(clinic_policy=policy(saline_min_sessions=4))
    weekly(c, 3)
    assert "saline-course-incomplete" in c.alerts("2026-06-01")


def test_course_incomplete_silenced_by_skipping_saline_with_a_reason():
    c = chart()
    weekly(c, 1)
    c.act("saline-session", "skip", today="2026-02-10", reason="patient declined further sessions")
    assert "saline-course-incomplete" not in c.alerts("2026-06-01")


def test_course_incomplete_not_silenced_by_snoozing():
    c = chart()
    weekly(c, 1)
    c.act("saline-session", "snooze", today="2026-02-10", reason="holiday", until="2026-03-31")
    assert "saline-course-incomplete" in c.alerts("2026-03-01")


@pytest.mark.parametrize("how", ["assessment", "resolved"])
def test_course_incomplete_silenced_by_complete_improvement(how):
    c = chart()
    weekly(c, 2)
    if how == "assessment":
        c.log("assessment", "2026-02-20", improvement="complete")
    else:
        c.set("status", "resolved", today="2026-02-20")
    assert "saline-course-incomplete" not in c.alerts("2026-06-01")


def test_partial_improvement_does_not_silence_course_incomplete():
    c = chart()
    weekly(c, 2)
    c.log("assessment", "2026-02-20", improvement="partial")
    assert "saline-course-incomplete" in c.alerts("2026-06-01")


# --- saline-course-exceeded -----------------------------------------------------------------

def test_course_exceeded_at_seven_sessions_not_six():
    c = chart()
    weekly(c, 6)
    assert "saline-course-exceeded" not in c.alerts("2026-04-01")
    seventh = c.log("saline", "2026-03-18", volume_ml="10")
    found = c.alert("saline-course-exceeded", "2026-04-01")
    assert found.severity == "warning" and seventh in found.message and "e1 " in found.message


def test_course_exceeded_follows_max_sessions_policy():
    c = chart()
    weekly(c, 7)
    c.policy = policy(saline_max_sessions=7)
    assert "saline-course-exceeded" not in c.alerts("2026-04-01")
    strict = chart(clinic_policy=policy(saline_max_sessions=5))
    weekly(strict, 6)
    assert "saline-course-exceeded" in strict.alerts("2026-04-01")


# --- saline-no-response ---------------------------------------------------------------------

def test_no_response_from_8_weeks_after_the_first_session():
    c = chart()
    weekly(c, 3, first="2026-02-04")
    assert alert_around(c, "saline-no-response", d("2026-02-04") + days(56)) == (None, "warning", "warning")
    assert alert_around(c, "saline-no-response", "2026-03-31") == (None, None, "warning")  # day 55 / 56


@pytest.mark.parametrize(("kind", "fields"), [
    ("abi", {"volume_ml": "4"}), ("fat-graft", {}), ("assessment", {"improvement": "complete"}),
])
def test_no_response_silenced_by_escalation_or_complete_improvement(kind, fields):
    c = chart()
    weekly(c, 3)
    c.log(kind, "2026-04-10", **fields)
    assert "saline-no-response" not in c.alerts("2026-04-10")


def test_no_response_not_silenced_by_partial_improvement_before_eight_weeks():
    c = chart()
    weekly(c, 3)  # from 2026-02-04: the alert holds from 2026-04-01
    c.log("assessment", "2026-03-10", improvement="partial")
    assert "saline-no-response" in c.alerts("2026-04-01")


def test_no_response_clears_when_improvement_is_recorded_after_it_and_returns_with_none():
    c = chart()
    weekly(c, 3)
    c.log("assessment", "2026-04-10", improvement="partial", today="2026-04-10")
    assert alert_around(c, "saline-no-response", "2026-04-10") == ("warning", None, None)
    c.log("assessment", "2026-05-10", improvement="none", today="2026-05-10")
    assert alert_around(c, "saline-no-response", "2026-05-10") == (None, "warning", "warning")
    # It no longer asks for an assessment: one is on record.
    assert c.alert("saline-no-response", "2026-05-10").action.startswith("Saline has not worked")


# --- waiting-too-long -----------------------------------------------------------------------

def test_waiting_too_long_warning_from_6_months_critical_from_12():
    c = Chart(SA, onset="2026-08-31", enrolled="2026-09-01")
    assert alert_around(c, "waiting-too-long", "2027-02-28") == (None, "warning", "warning")
    assert alert_around(c, "waiting-too-long", "2027-08-31") == ("warning", "critical", "critical")
    assert c.alerts("2030-01-01")["waiting-too-long"] == "critical"
    assert [a.code for a in c.view("2027-09-01").alerts].count("waiting-too-long") == 1


@pytest.mark.parametrize(("kind", "fields"), [
    ("saline", {"volume_ml": "10"}), ("abi", {"volume_ml": "4"}), ("fat-graft", {}),
    ("assessment", {"improvement": "partial"}), ("assessment", {"improvement": "complete"}),
])
def test_waiting_too_long_silenced_by_treatment_or_improvement(kind, fields):
    c = chart()
    c.log(kind, "2026-02-10", **fields)
    assert "waiting-too-long" not in c.alerts("2027-06-01")


def test_waiting_too_long_not_silenced_by_an_assessment_without_improvement_or_a_note():
    c = chart()
    c.log("assessment", "2026-02-10", improvement="none", size_mm="20")
    c.log("note", "2026-02-11", note="patient prefers to wait")
    assert c.alerts("2027-06-01")["waiting-too-long"] == "critical"


def test_waiting_too_long_silenced_when_the_case_is_resolved():
    c = chart()
    c.set("status", "resolved", today="2026-08-01")
    assert "waiting-too-long" not in c.alerts("2027-06-01")


# --- fat-graft-before-saline ----------------------------------------------------------------

def test_fat_graft_with_no_saline_alerts():
    c = chart()
    graft = c.log("fat-graft", "2026-03-01")
    found = c.alert("fat-graft-before-saline", "2026-03-01")
    assert found.severity == "warning" and graft in found.message


def test_fat_graft_with_saline_on_the_same_day_is_fine():
    c = chart()
    c.log("saline", "2026-03-01", volume_ml="10")
    c.log("fat-graft", "2026-03-01")
    assert "fat-graft-before-saline" not in c.alerts("2026-03-01")


def test_saline_logged_after_the_graft_does_not_excuse_it():
    c = chart()
    c.log("fat-graft", "2026-03-01")
    c.log("saline", "2026-03-02", volume_ml="10")
    assert "fat-graft-before-saline" in c.alerts("2026-03-02")


def test_fat_graft_referral_marked_done_by_hand_counts_as_a_graft():
    c = chart()
    c.done("fat-graft-referral", "2026-03-01")
    found = c.alert("fat-graft-before-saline", "2026-03-01")
    assert found is not None and "fat-graft-referral" in found.message
    c2 = chart()
    c2.log("saline", "2026-02-10", volume_ml="10")
    c2.done("fat-graft-referral", "2026-03-01")
    assert "fat-graft-before-saline" not in c2.alerts("2026-03-01")
