"""Every item of `panniculitis-lipoatrophy`: diagnosis, etiology-dependent treatment, monitoring."""

from __future__ import annotations

import pytest

from checklists.errors import ValidationError
from tests.checklists.support import PL, Chart, d, days, policy, status_around

ONSET, ENROLLED = "2026-01-05", "2026-01-12"
E = d(ENROLLED)
COMMON = [
    "deep-biopsy", "aat-test", "systemic-workup", "fat-graft-after-inflammation", "mri-leg-pain",
    "thyroid-autoimmune-screen", "recurrence-check",
]
BY_ETIOLOGY = {
    "aat-deficiency": ["aat-augmentation", "dapsone", "smoking-cessation", "liver-transplant-assessment"],
    "idiopathic": ["hydroxychloroquine", "prednisone-flares", "methotrexate", "therapy-review-12m"],
    "vasculitis": ["cyclophosphamide-glucocorticoids", "vasculitis-alternative"],
}
ALL_ETIOLOGY_ITEMS = {i for items in BY_ETIOLOGY.values() for i in items}


def chart() -> Chart:
    return Chart(PL, onset=ONSET, enrolled=ENROLLED)


# --- diagnosis ------------------------------------------------------------------------------

@pytest.mark.parametrize("item", ["deep-biopsy", "aat-test", "systemic-workup", "thyroid-autoimmune-screen"])
def test_diagnosis_and_screen_windows_are_enrolment_to_28_days(item):
    c = chart()
    assert c.window(item) == (E, E + days(28))
    assert status_around(c, item, E) == ("due-soon", "due", "due")
    assert status_around(c, item, E + days(28)) == ("due", "due", "overdue")


@pytest.mark.parametrize("depth", ["punch", "superficial"])
def test_shallow_biopsy_does_not_satisfy_deep_biopsy(depth):
    c = chart()
    c.log("biopsy", "2026-01-15", depth=depth, result="septal changes")
    assert c.status("deep-biopsy", "2026-01-15") == "due"


def test_deep_excisional_biopsy_satisfies_deep_biopsy():
    c = chart()
    c.log("biopsy", "2026-01-15", depth="punch")
    c.log("biopsy", "2026-01-20", depth="deep-excisional", result="lobular panniculitis")
    item = c.item("deep-biopsy", "2026-01-20")
    assert (item.status, item.resolved_on) == ("done", d("2026-01-20"))


@pytest.mark.parametrize(("kind", "item", "fields"), [
    ("aat-test", "aat-test", {"result": "PiMZ, low level"}),
    ("workup", "systemic-workup", {"what": "ANCA, ANA, CT chest"}),
    ("mri", "mri-leg-pain", {"result": "no bone involvement"}),
])
def test_events_satisfy_their_items(kind, item, fields):
    c = chart()
    c.log(kind, "2026-01-20", **fields)
    assert c.item(item, "2026-01-20").resolved_on == d("2026-01-20")


def test_monitoring_items_without_window():
    c = chart()
    assert c.status("mri-leg-pain", "2026-06-01") == "unscheduled"
    assert c.status("fat-graft-after-inflammation", "2026-06-01") == "unscheduled"


def test_fat_graft_satisfies_fat_graft_after_inflammation():
    c = chart()
    c.set("inflammation", "resolved", today="2026-05-01")
    c.log("fat-graft", "2026-06-01")
    assert c.status("fat-graft-after-inflammation", "2026-06-01") == "done"


# --- etiology -------------------------------------------------------------------------------

def test_unknown_etiology_has_no_etiology_items():
    c = chart()
    assert c.case.etiology == "unknown"
    assert c.item_ids() == COMMON  # the common items only, in pathway order
    assert not set(c.item_ids()) & ALL_ETIOLOGY_ITEMS


@pytest.mark.parametrize("etiology", sorted(BY_ETIOLOGY))
def test_only_the_items_of_the_chosen_etiology_are_on_the_checklist(etiology):
    c = chart()
    c.set("etiology", etiology, today="2026-02-01")
    ids = set(c.item_ids("2026-02-01"))
    assert set(BY_ETIOLOGY[etiology]) <= ids
    assert not (ALL_ETIOLOGY_ITEMS - set(BY_ETIOLOGY[etiology])) & ids
    assert set(COMMON) <= ids
    c.set("etiology", "unknown", today="2026-02-02")
    assert not set(c.item_ids("2026-02-02")) & ALL_ETIOLOGY_ITEMS


@pytest.mark.parametrize(("etiology", "item", "length"), [
    ("aat-deficiency", "aat-augmentation", 28),
    ("aat-deficiency", "smoking-cessation", 28),
    ("idiopathic", "hydroxychloroquine", 28),
])
def test_first_line_items_open_on_the_date_the_etiology_was_set(etiology, item, length):
    c = chart()
    set_on = d("2026-02-03")
    c.set("etiology", etiology, today="2026-02-10", date=set_on)  # backdated with --date
    assert c.window(item, "2026-02-10") == (set_on, set_on + days(length))
    assert status_around(c, item, set_on + days(length)) == ("due", "due", "overdue")


@pytest.mark.parametrize(("etiology", "item"), [
    ("aat-deficiency", "dapsone"), ("aat-deficiency", "liver-transplant-assessment"),
    ("idiopathic", "prednisone-flares"), ("idiopathic", "methotrexate"),
    ("vasculitis", "vasculitis-alternative"),
])
def test_conditional_items_have_no_window(etiology, item):
    c = chart()
    c.set("etiology", etiology, today="2026-02-03")
    assert c.window(item, "2026-02-03") == (None, None)
    assert c.status(item, "2030-01-01") == "unscheduled"


@pytest.mark.parametrize(("etiology", "drug", "item"), [
    ("idiopathic", "Hydroxychloroquine 200 mg", "hydroxychloroquine"),
    ("idiopathic", "HYDROXYCHLOROQUINE", "hydroxychloroquine"),
    ("idiopathic", "methotrexate", "methotrexate"),
    ("idiopathic", "MethoTrexate weekly", "methotrexate"),
    ("vasculitis", "Cyclophosphamide IV pulse", "cyclophosphamide-glucocorticoids"),
])
def test_therapy_start_satisfies_its_drug_item_case_insensitively(etiology, drug, item):
    c = chart()
    c.set("etiology", etiology, today="2026-02-03")
    c.log("therapy-start", "2026-02-05", drug=drug, dose="as charted")
    assert c.item(item, "2026-02-05").resolved_on == d("2026-02-05")


def test_other_drugs_do_not_satisfy_hydroxychloroquine():
    c = chart()
    c.set("etiology", "idiopathic", today="2026-02-03")
    c.log("therapy-start", "2026-02-05", drug="prednisone")
    c.log("therapy-start", "2026-02-06", drug="methotrexate")
    assert c.status("hydroxychloroquine", "2026-02-06") == "due"
    assert c.status("methotrexate", "2026-02-06") == "done"


def test_therapy_review_is_first_therapy_start_plus_12_months():
    c = chart()
    c.set("etiology", "idiopathic", today="2026-02-03")
    assert c.status("therapy-review-12m", "2026-02-03") == "unscheduled"
    c.log("therapy-start", "2026-02-15", drug="hydroxychloroquine")
    c.log("therapy-start", "2026-05-20", drug="methotrexate")
    assert c.window("therapy-review-12m", "2026-05-20") == (d("2027-02-15"), d("2027-03-15"))
    assert status_around(c, "therapy-review-12m", "2027-02-15") == ("due-soon", "due", "due")
    assert status_around(c, "therapy-review-12m", "2027-03-15") == ("due", "due", "overdue")


@pytest.mark.parametrize(("etiology", "foreign_item"), [
    ("unknown", "hydroxychloroquine"),
    ("vasculitis", "hydroxychloroquine"),
    ("idiopathic", "aat-augmentation"),
    ("aat-deficiency", "cyclophosphamide-glucocorticoids"),
])
def test_items_of_other_etiologies_are_unknown_items(etiology, foreign_item):
    c = chart()
    c.set("etiology", etiology, today="2026-02-03")
    with pytest.raises(ValidationError) as caught:
        c.act(foreign_item, "done", today="2026-02-03")
    assert caught.value.field == "item"


# --- recurrence checks ----------------------------------------------------------------------

def test_recurrence_check_unscheduled_while_inflammation_unknown_or_active():
    c = chart()
    assert c.case.inflammation is None
    assert c.status("recurrence-check", "2027-01-01") == "unscheduled"
    c.set("inflammation", "active", today="2026-02-01")
    assert c.status("recurrence-check", "2027-01-01") == "unscheduled"


def test_recurrence_check_is_resolution_plus_6_to_7_months():
    c = chart()
    c.set("inflammation", "resolved", today="2026-04-20", date="2026-04-15")
    assert c.window("recurrence-check", "2026-04-20") == (d("2026-10-15"), d("2026-11-15"))
    assert status_around(c, "recurrence-check", "2026-10-15") == ("due-soon", "due", "due")
    assert status_around(c, "recurrence-check", "2026-11-15") == ("due", "due", "overdue")
    assert c.item("recurrence-check", "2026-10-15").occurrence == 1


def test_done_on_recurrence_check_records_a_dated_check_and_schedules_the_next():
    c = chart()
    c.set("inflammation", "resolved", today="2026-04-15")
    c.act("recurrence-check", "done", today="2026-10-30", date="2026-10-20")
    item = c.item("recurrence-check", "2026-10-30")
    assert item.checks == (d("2026-10-20"),)
    assert (item.opens, item.closes) == (d("2027-04-20"), d("2027-05-20"))
    assert item.status == "upcoming"
    assert item.occurrence == 2
    c.act("recurrence-check", "done", today="2027-04-25")
    item = c.item("recurrence-check", "2027-04-25")
    assert item.checks == (d("2026-10-20"), d("2027-04-25"))
    assert (item.opens, item.closes) == (d("2027-10-25"), d("2027-11-25"))


def test_recurrence_interval_follows_clinic_policy():
    c = chart()
    c.set("inflammation", "resolved", today="2026-04-15")
    c.policy = policy(recurrence_months=3)
    assert c.window("recurrence-check", "2026-04-15") == (d("2026-07-15"), d("2026-08-15"))
    c.act("recurrence-check", "done", today="2026-07-20")
    assert c.window("recurrence-check", "2026-07-20") == (d("2026-10-20"), d("2026-11-20"))


def test_recurrence_series_has_no_fixed_end():
    # Issue 15 changed this: the series used to end 8 years after onset (2034-01-05 here).
    c = chart()
    c.set("inflammation", "resolved", today="2026-04-15")
    c.act("recurrence-check", "done", today="2033-07-05")
    assert c.window("recurrence-check", "2033-07-05") == (d("2034-01-05"), d("2034-02-05"))
    c.act("recurrence-check", "done", today="2033-07-06")  # past the old 8-year mark: still checked
    item = c.item("recurrence-check", "2033-07-06")
    assert (item.opens, item.closes, item.status) == (d("2034-01-06"), d("2034-02-06"), "upcoming")
    # Only a clinician ends it, with the reason.
    c.act("recurrence-check", "skip", today="2040-01-10", reason="in remission 14 years; discharged to GP")
    item = c.item("recurrence-check", "2040-01-10")
    assert (item.status, item.reason) == ("skipped", "in remission 14 years; discharged to GP")


def test_recurrence_checks_before_the_resolution_date_do_not_count():
    c = chart()
    c.set("inflammation", "resolved", today="2026-03-01")
    c.act("recurrence-check", "done", today="2026-09-01")
    c.set("inflammation", "active", today="2026-10-01")  # a relapse
    assert c.status("recurrence-check", "2026-10-01") == "unscheduled"
    c.set("inflammation", "resolved", today="2026-12-01")
    assert c.window("recurrence-check", "2026-12-01") == (d("2027-06-01"), d("2027-07-01"))


def test_closed_case_has_no_recurrence_window():
    c = chart()
    c.set("inflammation", "resolved", today="2026-04-15")
    c.set("status", "closed", today="2026-05-01")
    assert c.status("recurrence-check", "2026-10-15") == "unscheduled"
