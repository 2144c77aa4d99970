"""Items of `hip-injection`: physiotherapy first, standing guidance, a check after every injection, and the
12-month check counted from the first injection of a run (issue 15)."""

from __future__ import annotations

from tests.checklists.support import HIP, Chart, d, days, status_around

ONSET, ENROLLED = "2026-03-01", "2026-03-02"
E = d(ENROLLED)


def chart() -> Chart:
    return Chart(HIP, onset=ONSET, enrolled=ENROLLED)


def test_checklist_items_of_the_pathway():
    assert chart().item_ids() == [
        "pt-before-injection", "image-guidance", "dose-review", "atrophy-check-early", "atrophy-check-12m",
        "tendon-joint-check-early", "tendon-joint-check-12m",
    ]


def test_pt_before_injection_window_and_satisfied_by_pt_start():
    c = chart()
    assert c.window("pt-before-injection") == (E, E + days(28))
    assert status_around(c, "pt-before-injection", E + days(28)) == ("due", "due", "overdue")
    c.log("pt-start", "2026-04-02")
    item = c.item("pt-before-injection", "2026-04-02")
    assert (item.status, item.resolved_on) == ("done", d("2026-04-02"))


def test_standing_guidance_has_no_window():
    c = chart()
    assert c.status("image-guidance", "2027-01-01") == "unscheduled"
    assert c.status("dose-review", "2027-01-01") == "unscheduled"


def test_dose_review_shows_each_injection_drug_dose_and_running_count():
    c = chart()
    assert c.item("dose-review", E).detail is None
    c.log("injection", "2026-03-10", guidance="image", drug="triamcinolone", dose="40 mg")
    c.log("injection", "2026-06-10", guidance="image", drug="methylprednisolone")
    detail = c.item("dose-review", "2026-06-10").detail
    assert detail.startswith("2 injections")
    assert "#1 2026-03-10 triamcinolone 40 mg" in detail
    assert "#2 2026-06-10 methylprednisolone" in detail


def test_atrophy_checks_unscheduled_before_any_injection():
    c = chart()
    assert c.status("atrophy-check-early", "2027-01-01") == "unscheduled"
    assert c.status("atrophy-check-12m", "2027-01-01") == "unscheduled"


def test_atrophy_checks_follow_each_injection_and_the_year_counts_from_the_first_of_the_run():
    # Issue 15 changed this: a second injection no longer moves the checks of the first one away.
    c = chart()
    c.log("pt-start", "2026-03-05")
    c.log("injection", "2026-03-31", guidance="image")
    assert c.window("atrophy-check-early") == (d("2026-05-31"), d("2026-07-31"))
    assert c.window("atrophy-check-12m") == (d("2027-03-31"), d("2027-04-30"))
    assert status_around(c, "atrophy-check-early", "2026-05-31") == ("due-soon", "due", "due")
    assert status_around(c, "atrophy-check-early", "2026-07-31") == ("due", "due", "overdue")
    assert status_around(c, "atrophy-check-12m", "2027-04-30") == ("due", "due", "overdue")
    c.log("injection", "2026-08-15", guidance="image")
    # The first injection's check was never made: it stays overdue; an assessment after its window
    # closed does not answer it (pathways.md Revisions: "within a review's window"), the clinician's
    # dated check by hand does.
    assert c.window("atrophy-check-early", "2026-08-15") == (d("2026-05-31"), d("2026-07-31"))
    assert c.status("atrophy-check-early", "2026-08-15") == "overdue"
    c.log("assessment", "2026-08-20", mrc="5")
    assert c.status("atrophy-check-early", "2026-08-20") == "overdue"
    c.done("atrophy-check-early", "2026-08-20")
    assert c.window("atrophy-check-early", "2026-08-20") == (d("2026-10-15"), d("2026-12-15"))
    # Same run (4.5 months apart): the year counts from its first injection, then from its last.
    assert c.window("atrophy-check-12m", "2026-08-20") == (d("2027-03-31"), d("2027-04-30"))
    c.log("assessment", "2027-04-02", mrc="5")
    assert c.window("atrophy-check-12m", "2027-04-02") == (d("2027-08-15"), d("2027-09-15"))


def test_new_injection_reopens_checks_resolved_before_it():
    c = chart()
    c.log("injection", "2026-03-10", guidance="image")
    c.done("atrophy-check-early", "2026-05-20")
    c.act("atrophy-check-12m", "skip", today="2026-05-20", reason="moving away, GP to follow")
    assert c.status("atrophy-check-early", "2026-05-20") == "done"
    assert c.status("atrophy-check-12m", "2026-05-20") == "skipped"
    c.log("injection", "2026-05-21", guidance="image")   # the day after both resolutions
    early = c.item("atrophy-check-early", "2026-05-21")
    assert (early.state, early.opens, early.resolved_on) == ("open", d("2026-07-21"), None)
    assert c.item("atrophy-check-12m", "2026-05-21").state == "open"


def test_an_injection_on_the_day_of_a_check_brings_a_check_of_its_own():
    # Issue 15 changed this: the check of 2026-05-20 answered the first injection; the second one,
    # given that day, is checked 2 to 4 months later (it used to leave the item done).
    c = chart()
    c.log("injection", "2026-03-10", guidance="image")
    c.done("atrophy-check-early", "2026-05-20")
    c.log("injection", "2026-05-20", guidance="image")
    item = c.item("atrophy-check-early", "2026-05-20")
    assert (item.status, item.opens) == ("upcoming", d("2026-07-20"))


def test_check_done_after_the_latest_injection_stays_done():
    c = chart()
    c.log("injection", "2026-03-10", guidance="image")
    c.log("injection", "2026-04-10", guidance="image")
    c.done("atrophy-check-early", "2026-06-15")
    assert c.status("atrophy-check-early", "2026-06-15") == "done"


def test_voiding_the_reopening_injection_restores_the_resolution():
    c = chart()
    c.log("injection", "2026-03-10", guidance="image")
    c.done("atrophy-check-early", "2026-05-20")
    wrong = c.log("injection", "2026-06-01", guidance="image")
    assert c.status("atrophy-check-early", "2026-06-01") == "upcoming"  # reopened: opens 2026-08-01
    c.void(wrong)
    assert c.status("atrophy-check-early", "2026-06-01") == "done"
