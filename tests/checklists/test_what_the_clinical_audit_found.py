"""The timelines of issue 15 (an independent clinical audit), each read as the source means it.

Every test is one patient's story told through the public actions, and asserts what the clinician
sees on a given day: the item's status and line, the alert and its words. The same stories are run
from the command line in tests/e2e/test_cli_clinical_audit.py.
"""

from __future__ import annotations

import pytest

from tests.checklists.support import HIP, PL, SA, Chart, d, policy


# --- inflammation as episodes -------------------------------------------------------------------------

def relapse_timeline() -> Chart:
    """Inflammation active, resolved 2026-06-01, a fat graft 2026-08-01, a relapse 2026-10-01, resolved
    again 2027-01-01 (the issue's 2026 timeline)."""
    c = Chart(PL, onset="2025-12-01", enrolled="2026-01-10")
    c.set("inflammation", "active", today="2026-01-10")
    c.set("inflammation", "resolved", today="2026-06-01")
    c.log("fat-graft", "2026-08-01")
    c.set("inflammation", "active", today="2026-10-01")
    c.set("inflammation", "resolved", today="2027-01-01")
    return c


@pytest.mark.parametrize("day", ["2026-08-01", "2026-10-01", "2026-12-01", "2027-01-01", "2027-06-01"])
def test_a_graft_made_in_remission_raises_no_alert_before_during_or_after_a_relapse(day):
    assert "fat-graft-during-inflammation" not in relapse_timeline().alerts(day)


def test_the_graft_made_in_remission_counts_as_the_reconstruction_step():
    item = relapse_timeline().item("fat-graft-after-inflammation", "2027-01-02")
    assert (item.status, str(item.resolved_on)) == ("done", "2026-08-01")


def test_the_case_shows_every_change_of_inflammation_with_its_date():
    data = relapse_timeline().json("2027-01-02")
    assert (data["inflammation"], data["inflammation_date"]) == ("resolved", "2027-01-01")
    assert data["inflammation_history"] == [
        {"state": "active", "date": "2026-01-10"}, {"state": "resolved", "date": "2026-06-01"},
        {"state": "active", "date": "2026-10-01"}, {"state": "resolved", "date": "2027-01-01"},
    ]


def test_a_relapse_pauses_recurrence_checks_and_the_next_resolution_restarts_them():
    c = relapse_timeline()
    before = Chart(PL, onset="2025-12-01", enrolled="2026-01-10")
    before.set("inflammation", "resolved", today="2026-06-01")
    assert before.window("recurrence-check", "2026-06-01") == (d("2026-12-01"), d("2027-01-01"))
    relapsed = c.item("recurrence-check", "2026-12-15")
    assert relapsed.window_provenance == "clinic-policy"
    # Today the series counts from the resolution of the relapse: six months after 2027-01-01.
    item = c.item("recurrence-check", "2027-01-02")
    assert (item.opens, item.closes) == (d("2027-07-01"), d("2027-08-01"))
    assert "relapse 2026-10-01, settled 2027-01-01" in item.detail


def test_while_the_relapse_is_active_the_check_says_it_waits_for_inflammation_to_settle():
    c = Chart(PL, onset="2025-12-01", enrolled="2026-01-10")
    c.set("inflammation", "resolved", today="2026-06-01")
    c.set("inflammation", "active", today="2026-10-01")
    item = c.item("recurrence-check", "2026-11-01")
    assert (item.status, item.waits) == ("unscheduled", "starts when inflammation is recorded as resolved")


def test_a_graft_into_the_relapse_is_critical_until_it_settles_then_a_past_fact():
    c = relapse_timeline()
    graft = c.log("fat-graft", "2026-11-01", today="2027-01-02")
    assert c.alert("fat-graft-during-inflammation", "2026-11-01").severity == "critical"
    later = c.alert("fat-graft-during-inflammation", "2027-01-02")
    assert later.severity == "warning" and graft in later.message and "e1" not in later.message
    assert "active from 2026-10-01, resolved 2027-01-01" in later.message


def test_a_change_of_inflammation_dated_before_the_last_one_is_refused():
    c = relapse_timeline()
    with pytest.raises(Exception, match="must be dated after it"):
        c.set("inflammation", "active", today="2027-02-01", date="2026-12-01")


# --- improvement: the most recent assessment, named -------------------------------------------------

def partial_then_none(**kwargs) -> Chart:
    """Onset 2026-01-10; "partial" at two months, then "none" at six and at twelve."""
    c = Chart(SA, onset="2026-01-10", enrolled="2026-01-20", **kwargs)
    c.log("assessment", "2026-03-10", improvement="partial")
    c.log("assessment", "2026-07-10", improvement="none")
    c.log("assessment", "2027-01-10", improvement="none")
    return c


def test_an_early_partial_improvement_does_not_silence_waiting_too_long_when_none_follows():
    alert = partial_then_none().alert("waiting-too-long", "2027-01-20")
    assert alert.severity == "critical"
    assert "latest assessment 2027-01-10: none" in alert.message


def test_an_early_partial_improvement_does_not_cancel_the_graft_referral_at_a_year():
    c = partial_then_none()
    c.act("saline-session", "skip", today="2026-02-01", reason="patient declines injections")
    item = c.item("fat-graft-referral", "2027-01-10")
    assert (item.status, item.opens) == ("due", d("2027-01-10"))
    assert item.detail == "judged on the assessment of 2027-01-10 (none)"


def test_saline_no_response_names_the_assessment_it_rests_on():
    c = Chart(SA, onset="2026-01-10", enrolled="2026-01-20")
    for day in ("2026-01-21", "2026-01-28", "2026-02-04"):
        c.log("saline", day, volume_ml="10")
    c.log("assessment", "2026-03-01", improvement="partial")
    alert = c.alert("saline-no-response", "2026-03-20")
    assert "latest assessment 2026-03-01: partial" in alert.message
    assert c.item("autologous-blood", "2026-03-20").detail == "judged on the assessment of 2026-03-01 (partial)"


# --- recurrence monitoring without a fixed end ------------------------------------------------------

def test_a_patient_resolved_at_year_seven_is_checked_every_six_months_past_year_eight():
    c = Chart(PL, onset="2018-01-01", enrolled="2018-01-01")
    c.set("inflammation", "resolved", today="2025-01-01")
    for day in ("2025-07-10", "2026-01-10", "2026-07-10"):
        c.act("recurrence-check", "done", today=day)
    item = c.item("recurrence-check", "2026-07-11")
    assert (item.state, item.opens, item.closes) == ("open", d("2027-01-10"), d("2027-02-10"))
    assert item.detail == "3 checks recorded"


def test_monitoring_ends_only_with_a_reason_and_a_later_relapse_starts_it_again():
    c = Chart(PL, onset="2018-01-01", enrolled="2018-01-01")
    c.set("inflammation", "resolved", today="2025-01-01")
    with pytest.raises(Exception, match="reason"):
        c.act("recurrence-check", "skip", today="2030-01-01")
    c.act("recurrence-check", "skip", today="2030-01-01", reason="quiet five years; discharged")
    assert c.status("recurrence-check", "2031-01-01") == "skipped"
    c.set("inflammation", "active", today="2032-03-01")
    c.set("inflammation", "resolved", today="2032-09-01")
    item = c.item("recurrence-check", "2032-09-01")
    assert (item.status, item.opens) == ("upcoming", d("2033-03-01"))


# --- vasculitis severity --------------------------------------------------------------------------

def vasculitis() -> Chart:
    c = Chart(PL, onset="2026-01-05", enrolled="2026-01-12")
    c.set("etiology", "vasculitis", today="2026-01-20")
    return c


def test_cyclophosphamide_waits_until_the_vasculitis_is_recorded_as_severe():
    c = vasculitis()
    item = c.item("cyclophosphamide-glucocorticoids", "2026-01-20")
    assert (item.status, item.waits) == ("unscheduled", "waits for the vasculitis to be recorded as severe")
    c.set("severity", "non-severe", today="2026-01-25")
    assert c.status("cyclophosphamide-glucocorticoids", "2026-02-20") == "unscheduled"
    c.set("severity", "severe", today="2026-03-01")
    item = c.item("cyclophosphamide-glucocorticoids", "2026-03-01")
    assert (item.status, item.opens, item.closes) == ("due", d("2026-03-01"), d("2026-03-15"))
    assert c.json("2026-03-01")["severity"] == "severe"


def test_severity_is_the_pathways_own_vocabulary_and_only_where_declared():
    c = vasculitis()
    with pytest.raises(Exception, match="severity must be one of unknown, non-severe, severe"):
        c.set("severity", "critical", today="2026-01-20")
    atrophy = Chart(SA, onset="2026-01-05", enrolled="2026-01-12")
    with pytest.raises(Exception, match="severity applies only to cases of panniculitis-lipoatrophy"):
        atrophy.set("severity", "severe", today="2026-01-20")


# --- hip injections every three months -----------------------------------------------------------

def every_three_months(**kwargs) -> Chart:
    c = Chart(HIP, onset="2025-11-01", enrolled="2026-01-05", **kwargs)
    c.log("pt-start", "2026-01-05")
    for day in ("2026-01-10", "2026-04-10", "2026-07-10", "2026-10-10", "2027-01-10"):
        c.log("injection", day, guidance="image", drug="triamcinolone", dose="40 mg")
    return c


def test_an_early_check_follows_every_injection_of_a_three_monthly_run():
    c = every_three_months()
    for check in ("2026-03-20", "2026-06-15", "2026-09-20", "2026-12-15"):
        c.log("assessment", check, mrc="5", site="hip abductors")
    item = c.item("atrophy-check-early", "2027-01-20")
    assert (item.opens, item.closes) == (d("2027-03-10"), d("2027-05-10"))
    assert item.detail == "check 5 of 5, after the injection of 2027-01-10; 4 answered"


def test_the_12_month_check_comes_while_injections_go_on():
    c = every_three_months()
    item = c.item("atrophy-check-12m", "2027-01-10")
    assert (item.status, item.opens, item.closes) == ("due", d("2027-01-10"), d("2027-02-10"))
    assert item.detail.startswith("check 1 of 2, after the first injection of the run from 2026-01-10")


def test_an_unanswered_check_stays_overdue_when_the_next_injection_comes():
    c = every_three_months()
    assert c.status("atrophy-check-early", "2026-06-01") == "overdue"  # the January injection's check
    assert c.window("atrophy-check-early", "2026-06-01") == (d("2026-03-10"), d("2026-05-10"))


def test_a_gap_of_a_year_starts_a_new_run_with_its_own_12_month_check():
    c = Chart(HIP, onset="2025-11-01", enrolled="2026-01-05")
    c.log("injection", "2026-01-10", guidance="image")
    c.log("injection", "2027-02-10", guidance="image")  # 13 months later: a new run
    c.log("assessment", "2027-01-12", mrc="5")  # answers the first run's year check
    item = c.item("atrophy-check-12m", "2027-02-10")
    assert (item.opens, item.detail) == (d("2028-02-10"), "check 2 of 2, after the injection of 2027-02-10; 1 answered")
    shorter = Chart(HIP, onset="2025-11-01", enrolled="2026-01-05", clinic_policy=policy(injection_run_gap_months=18))
    shorter.log("injection", "2026-01-10", guidance="image")
    shorter.log("injection", "2027-02-10", guidance="image")  # within 18 months: the same run
    assert "the first injection of the run from 2026-01-10" in shorter.item("atrophy-check-12m", "2026-02-01").detail


def test_weakness_at_a_check_raises_an_alert_and_recovery_clears_it():
    c = every_three_months()
    c.log("assessment", "2026-03-20", mrc="5", site="hip abductors")
    weak = c.log("assessment", "2026-06-15", mrc="4", site="hip abductors")  # down a grade
    alert = c.alert("muscle-weakness", "2026-06-15")
    assert alert.severity == "warning" and f"{weak} 2026-06-15 MRC 4/5, down from 5/5" in alert.message
    assert alert.past_fact  # it can be acknowledged when the weakness has another cause
    c.log("assessment", "2026-09-20", mrc="5", site="hip abductors")
    assert c.alert("muscle-weakness", "2026-09-20") is None


@pytest.mark.parametrize(("grade", "severity"), [("3", "warning"), ("2", "critical"), ("4", None)])
def test_mrc_3_or_less_is_weakness_and_2_or_less_is_critical(grade, severity):
    c = every_three_months()
    c.log("assessment", "2026-03-20", mrc=grade)
    found = c.alert("muscle-weakness", "2026-03-20")
    assert (found.severity if found else None) == severity


def test_grades_are_compared_within_one_muscle_group():
    c = every_three_months()
    c.log("assessment", "2026-03-20", mrc="5", site="hip abductors")
    c.log("assessment", "2026-03-20", mrc="4", site="hip flexors")
    assert c.alert("muscle-weakness", "2026-03-20") is None


# --- a year of immunosuppression across maintenance drugs ---------------------------------------------

def idiopathic() -> Chart:
    c = Chart(PL, onset="2026-01-05", enrolled="2026-01-12")
    c.log("biopsy", "2026-01-13", depth="deep-excisional")
    c.log("workup", "2026-01-14")
    c.log("aat-test", "2026-01-14")
    c.set("etiology", "idiopathic", today="2026-01-20")
    return c


def test_a_switch_from_hydroxychloroquine_to_methotrexate_at_six_months_is_not_an_early_stop():
    c = idiopathic()
    c.log("therapy-start", "2026-02-01", drug="HCQ 400 mg")
    c.log("therapy-stop", "2026-08-01", drug="hydroxychloroquine")
    c.log("therapy-start", "2026-08-01", drug="MTX 10 mg weekly")
    assert "therapy-stopped-early" not in c.alerts("2026-08-02")
    # The year counts from the start of the stretch, not from the switch.
    assert c.window("therapy-review-12m", "2026-08-02") == (d("2027-02-01"), d("2027-03-01"))


def test_stopping_every_maintenance_drug_before_a_year_warns_until_one_starts_again():
    c = idiopathic()
    c.log("therapy-start", "2026-02-01", drug="HCQ 400 mg")
    c.log("therapy-stop", "2026-08-01", drug="hydroxychloroquine")
    c.log("therapy-start", "2026-08-01", drug="MTX 10 mg weekly")
    c.log("therapy-stop", "2026-11-01", drug="MTX")
    alert = c.alert("therapy-stopped-early", "2026-11-01")
    assert alert is not None and "stopped on 2026-11-01, 9 months after it began on 2026-02-01" in alert.message
    c.log("therapy-start", "2026-11-20", drug="azathioprine")
    assert "therapy-stopped-early" not in c.alerts("2026-11-20")


def test_a_short_washout_between_drugs_is_still_one_stretch_of_therapy():
    c = idiopathic()
    c.log("therapy-start", "2026-02-01", drug="HCQ")
    c.log("therapy-stop", "2026-08-01", drug="HCQ")
    c.log("therapy-start", "2026-08-20", drug="methotrexate")  # 19 days later: within 30 (clinic policy)
    c.log("therapy-stop", "2027-02-15", drug="methotrexate")   # a year and two weeks after 2026-02-01
    assert "therapy-stopped-early" not in c.alerts("2027-02-15")
    strict = idiopathic()
    strict.policy = policy(therapy_gap_days=7)
    for kind, day, drug in (("therapy-start", "2026-02-01", "HCQ"), ("therapy-stop", "2026-08-01", "HCQ"),
                            ("therapy-start", "2026-08-20", "methotrexate"),
                            ("therapy-stop", "2027-02-15", "methotrexate")):
        strict.log(kind, day, drug=drug)
    assert "therapy-stopped-early" in strict.alerts("2027-02-15")


def test_a_steroid_course_for_a_flare_neither_starts_nor_keeps_up_the_year():
    c = idiopathic()
    c.log("therapy-start", "2026-02-01", drug="prednisone 30 mg")
    assert c.window("therapy-review-12m", "2026-02-01") == (None, None)


# --- treatment before diagnosis -------------------------------------------------------------------

def test_a_therapy_started_before_the_deep_biopsy_and_work_up_raises_a_guard():
    c = Chart(PL, onset="2026-01-05", enrolled="2026-01-12")
    start = c.log("therapy-start", "2026-01-15", drug="prednisone 40 mg")
    alert = c.alert("treatment-before-diagnosis", "2026-01-15")
    assert alert.severity == "warning" and start in alert.message
    assert "before the deep biopsy and the work-up" in alert.message
    assert alert.action.startswith("Complete the diagnosis now: the deep biopsy and the work-up")
    c.log("biopsy", "2026-01-20", depth="deep-excisional")
    c.log("workup", "2026-01-21")
    after = c.alert("treatment-before-diagnosis", "2026-01-21")
    assert after is not None and "read histology taken on treatment with care" in after.action
    c.ack("treatment-before-diagnosis", "flare needed steroid before the biopsy could be booked", today="2026-01-22")
    assert c.alert("treatment-before-diagnosis", "2026-01-22").acknowledged is not None


def test_a_therapy_started_after_the_diagnosis_is_confirmed_raises_nothing():
    c = idiopathic()
    c.log("therapy-start", "2026-01-14", drug="HCQ")  # the same day as the work-up counts as after it
    assert "treatment-before-diagnosis" not in c.alerts("2026-01-20")
