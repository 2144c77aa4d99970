"""Seed statements that had no item or alert (issue 8, section 7): serial fat grafting (seed 000),
tendon and joint damage after repeated hip injections (seed 002), and the methotrexate dose built up
over about three months (seed 001)."""

from __future__ import annotations

from tests.checklists.support import HIP, PL, SA, Chart, d


# --- serial fat grafting -------------------------------------------------------------------------

def test_each_fat_graft_is_counted_and_reviewed_three_to_six_months_later():
    c = Chart(SA, onset="2025-06-01", enrolled="2025-07-01")
    c.act("saline-session", "skip", today="2025-07-01", reason="severe deformity: surgical opinion")
    assert c.item("fat-graft-review", "2025-07-01").waits == "after each fat graft"
    c.log("fat-graft", "2026-01-10", today="2026-01-10")
    view = c.view("2026-01-10")
    item = view.item("fat-graft-review")
    assert (item.opens, item.closes, item.detail) == (d("2026-04-10"), d("2026-07-10"), "graft 1 on 2026-01-10")
    assert view.counts.fat_grafts == 1 and c.json("2026-01-10")["counts"]["fat_graft"] == {"done": 1}
    c.log("assessment", "2026-04-20", size_mm="15", depth_mm="2", improvement="partial", today="2026-04-20")
    assert c.status("fat-graft-review", "2026-04-20") == "done"


def test_another_graft_asks_for_its_own_review():
    c = Chart(SA, onset="2025-06-01", enrolled="2025-07-01")
    c.log("fat-graft", "2026-01-10", today="2026-01-10")
    c.log("assessment", "2026-04-20", improvement="partial", today="2026-04-20")
    c.log("fat-graft", "2026-05-15", today="2026-05-15")
    item = c.item("fat-graft-review", "2026-05-15")
    assert (item.status, item.opens, item.detail) == ("upcoming", d("2026-08-15"), "graft 2 of 2 on 2026-05-15")


def test_no_further_grafting_is_a_skip_with_the_reason():
    c = Chart(SA, onset="2025-06-01", enrolled="2025-07-01")
    c.log("fat-graft", "2026-01-10", today="2026-01-10")
    c.act("fat-graft-review", "skip", today="2026-05-01", reason="contour acceptable to the patient")
    assert c.status("fat-graft-review", "2026-05-01") == "skipped"


# --- tendons and the joint after hip injections ----------------------------------------------------

def hip() -> Chart:
    c = Chart(HIP, onset="2026-01-10", enrolled="2026-01-12")
    c.log("pt-start", "2026-01-15")
    c.log("injection", "2026-02-01", guidance="image", drug="triamcinolone", dose="40 mg")
    return c


def test_the_tendon_and_joint_check_sits_with_the_muscle_check_and_needs_both_recorded():
    c = hip()
    assert c.window("tendon-joint-check-early") == c.window("atrophy-check-early")
    assert c.window("tendon-joint-check-12m") == c.window("atrophy-check-12m")
    c.log("assessment", "2026-04-05", mrc="5", tendon="none", today="2026-04-05")
    assert c.status("tendon-joint-check-early", "2026-04-05") == "due"  # joint not recorded
    c.log("assessment", "2026-04-06", mrc="5", tendon="none", joint="stable", today="2026-04-06")
    view = c.view("2026-04-06")
    assert view.item("tendon-joint-check-early").status == view.item("atrophy-check-early").status == "done"


def test_new_tendon_pain_warns_and_clears_when_the_tendon_is_fine_again():
    c = hip()
    c.log("assessment", "2026-01-20", tendon="none", joint="stable")
    c.log("assessment", "2026-04-05", tendon="pain", joint="stable", today="2026-04-05")
    assert c.alerts("2026-04-05") == {"tendon-damage": "warning"}
    c.log("assessment", "2026-05-05", tendon="none", joint="stable", today="2026-05-05")
    assert "tendon-damage" not in c.alerts("2026-05-05")


def test_pain_there_from_the_first_record_is_why_the_hip_was_injected_not_a_complication():
    c = hip()
    c.log("assessment", "2026-01-20", tendon="pain", joint="stable")
    c.log("assessment", "2026-04-05", tendon="pain", joint="stable", today="2026-04-05")
    assert "tendon-damage" not in c.alerts("2026-04-05")
    c.log("assessment", "2026-05-05", tendon="worse", today="2026-05-05")
    assert c.alerts("2026-05-05") == {"tendon-damage": "warning"}


def test_a_rupture_is_critical_and_stays_until_acknowledged():
    c = hip()
    c.log("assessment", "2026-04-05", tendon="rupture", joint="worse", today="2026-04-05")
    assert c.alerts("2026-04-05") == {"tendon-damage": "critical"}
    c.log("assessment", "2026-06-05", tendon="none", today="2026-06-05")
    assert c.alerts("2026-06-05") == {"tendon-damage": "critical"}
    c.ack("tendon-damage", "gluteus medius repair done; no more injections on that side", today="2026-06-05")
    assert c.row("2026-06-05").alert_codes == ()


# --- methotrexate dose review ------------------------------------------------------------------------

def idiopathic() -> Chart:
    c = Chart(PL, onset="2026-01-05", enrolled="2026-01-12")
    c.set("etiology", "idiopathic", today="2026-01-20", date="2026-01-20")
    return c


def test_the_methotrexate_dose_is_reviewed_about_three_months_after_it_starts():
    c = idiopathic()
    assert c.item("mtx-dose-review", "2026-01-20").waits == "after methotrexate is started"
    c.log("therapy-start", "2026-02-01", drug="MTX", dose="10 mg weekly")
    c.log("therapy-dose", "2026-03-01", drug="methotrexate", dose="15 mg weekly", today="2026-03-01")
    item = c.item("mtx-dose-review", "2026-03-01")
    assert (item.opens, item.closes) == (d("2026-05-01"), d("2026-06-01"))
    assert item.detail == "methotrexate: 10 mg weekly 2026-02-01 → 15 mg weekly 2026-03-01"
    c.log("therapy-dose", "2026-04-26", drug="MTX", dose="20 mg weekly", today="2026-04-26")
    assert c.status("mtx-dose-review", "2026-04-26") == "done"  # from a week before the window


def test_a_restart_after_a_stop_is_a_new_course_with_its_own_dose_review():
    c = idiopathic()
    c.log("therapy-start", "2026-02-01", drug="methotrexate", dose="10 mg weekly")
    c.log("therapy-stop", "2026-03-01", drug="MTX", today="2026-03-01")
    c.log("therapy-start", "2026-06-01", drug="MTX", dose="7.5 mg weekly", today="2026-06-01")
    assert c.window("mtx-dose-review", "2026-06-01") == (d("2026-09-01"), d("2026-10-01"))
