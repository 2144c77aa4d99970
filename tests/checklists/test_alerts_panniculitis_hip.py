"""Alert codes of `panniculitis-lipoatrophy` and `hip-injection`, each with its severity, at its boundaries."""

from __future__ import annotations

import pytest

from tests.checklists.support import HIP, PL, Chart, policy


def pl_chart() -> Chart:
    return Chart(PL, onset="2026-01-05", enrolled="2026-01-12")


def hip_chart(**kwargs) -> Chart:
    return Chart(HIP, onset="2026-01-01", enrolled="2026-01-02", **kwargs)


# --- biopsy-not-deep ------------------------------------------------------------------------

def test_shallow_biopsies_alert_and_are_all_listed():
    c = pl_chart()
    punch = c.log("biopsy", "2026-01-15", depth="punch")
    shallow = c.log("biopsy", "2026-01-16", depth="superficial")
    found = c.alert("biopsy-not-deep", "2026-01-16")
    assert found.severity == "warning" and punch in found.message and shallow in found.message


def test_a_deep_excisional_biopsy_clears_biopsy_not_deep():
    c = pl_chart()
    c.log("biopsy", "2026-01-15", depth="punch")
    c.log("biopsy", "2026-01-20", depth="deep-excisional")
    assert "biopsy-not-deep" not in c.alerts("2026-01-20")
    c2 = pl_chart()
    c2.log("biopsy", "2026-01-15", depth="deep-excisional")
    assert "biopsy-not-deep" not in c2.alerts("2026-01-20")


def test_biopsy_not_deep_looks_at_events_not_at_the_item_marked_done():
    c = pl_chart()
    c.log("biopsy", "2026-01-15", depth="punch")
    c.done("deep-biopsy", "2026-01-16")
    assert "biopsy-not-deep" in c.alerts("2026-01-16")


def test_no_biopsy_no_biopsy_alert():
    assert "biopsy-not-deep" not in pl_chart().alerts("2026-06-01")


# --- aat-untested ---------------------------------------------------------------------------

def test_aat_untested_when_etiology_set_idiopathic():
    c = pl_chart()
    assert "aat-untested" not in c.alerts("2026-02-01")
    c.set("etiology", "idiopathic", today="2026-02-01")
    assert c.alerts("2026-02-01")["aat-untested"] == "warning"
    c.log("aat-test", "2026-02-02", result="normal level, PiMM")
    assert "aat-untested" not in c.alerts("2026-02-02")


@pytest.mark.parametrize("etiology", ["unknown", "vasculitis", "aat-deficiency"])
def test_aat_untested_when_any_therapy_started(etiology):
    c = pl_chart()
    c.set("etiology", etiology, today="2026-02-01")
    assert "aat-untested" not in c.alerts("2026-02-01")
    c.log("therapy-start", "2026-02-02", drug="prednisone")
    assert "aat-untested" in c.alerts("2026-02-02")


def test_aat_untested_looks_at_events_not_at_the_item_marked_done():
    c = pl_chart()
    c.set("etiology", "idiopathic", today="2026-02-01")
    c.done("aat-test", "2026-02-01")
    assert "aat-untested" in c.alerts("2026-02-01")


def test_voided_aat_test_does_not_count():
    c = pl_chart()
    c.set("etiology", "idiopathic", today="2026-02-01")
    test = c.log("aat-test", "2026-02-02")
    c.void(test, "result belonged to another patient")
    assert "aat-untested" in c.alerts("2026-02-02")


# --- fat-graft-during-inflammation ----------------------------------------------------------

@pytest.mark.parametrize(("resolved_on", "alerts"), [
    ("2026-06-02", True),    # graft the day before the resolution date
    ("2026-06-01", False),   # on the date: fine
    ("2026-05-31", False),
])
def test_fat_graft_before_resolution_is_critical(resolved_on, alerts):
    c = pl_chart()
    c.set("inflammation", "resolved", today="2026-06-10", date=resolved_on)
    graft = c.log("fat-graft", "2026-06-01", today="2026-06-10")
    found = c.alert("fat-graft-during-inflammation", "2026-06-01")
    assert (found is not None) == alerts
    if alerts:
        # Critical until the inflammation it went into was recorded resolved; a past fact after that.
        assert found.severity == "critical" and graft in found.message
        assert c.alert("fat-graft-during-inflammation", "2026-06-10").severity == "warning"


@pytest.mark.parametrize("inflammation", [None, "active"])
def test_fat_graft_while_inflammation_unresolved_or_unknown_is_critical(inflammation):
    c = pl_chart()
    if inflammation:
        c.set("inflammation", inflammation, today="2026-02-01")
    c.log("fat-graft", "2026-06-01")
    assert c.alerts("2026-06-01")["fat-graft-during-inflammation"] == "critical"


def test_a_relapse_after_a_graft_made_in_a_quiet_spell_does_not_flag_it():
    # Issue 15 changed this: each graft is judged by the inflammation on its own day (it used to turn
    # critical here, because only the latest state was kept).
    c = pl_chart()
    c.set("inflammation", "resolved", today="2026-05-01")
    c.log("fat-graft", "2026-06-01")
    assert "fat-graft-during-inflammation" not in c.alerts("2026-06-01")
    c.set("inflammation", "active", today="2026-07-01")
    assert "fat-graft-during-inflammation" not in c.alerts("2026-07-01")
    # A graft into the relapse itself is the pitfall.
    c.log("fat-graft", "2026-08-01")
    assert c.alerts("2026-08-01")["fat-graft-during-inflammation"] == "critical"


def test_critical_alert_comes_first():
    c = pl_chart()
    c.log("biopsy", "2026-01-15", depth="punch")
    c.log("fat-graft", "2026-03-01")
    assert [a.severity for a in c.view("2026-03-01").alerts][0] == "critical"


# --- therapy-stopped-early ------------------------------------------------------------------

def idiopathic(start="2026-02-10", drug="methotrexate") -> Chart:
    c = pl_chart()
    c.set("etiology", "idiopathic", today="2026-02-01")
    c.log("aat-test", "2026-02-01")
    c.log("therapy-start", start, drug=drug, dose="15 mg weekly")
    return c


@pytest.mark.parametrize(("stop", "alerts"), [
    ("2027-02-09", True),    # the day before 12 calendar months
    ("2027-02-10", False),   # 12 calendar months to the day
    ("2027-02-11", False),
    ("2026-03-01", True),
])
def test_therapy_stopped_before_12_calendar_months(stop, alerts):
    c = idiopathic(start="2026-02-10")
    stop_id = c.log("therapy-stop", stop, drug="methotrexate")
    found = c.alert("therapy-stopped-early", stop)
    assert (found is not None) == alerts
    if alerts:
        assert found.severity == "warning" and stop_id in found.message


def test_twelve_calendar_months_from_a_month_end_start():
    c = idiopathic(start="2026-02-28")  # + 12 months = 2027-02-28
    c.log("therapy-stop", "2027-02-27", drug="methotrexate")
    assert "therapy-stopped-early" in c.alerts("2027-02-27")
    c2 = idiopathic(start="2026-02-28")
    c2.log("therapy-stop", "2027-02-28", drug="methotrexate")
    assert "therapy-stopped-early" not in c2.alerts("2027-02-28")


def test_a_second_start_without_a_stop_continues_the_course():
    # Issue 15 changed this: the year counts across the stretch of maintenance therapy, so a second
    # start of a drug already running does not restart the count (it used to).
    c = idiopathic(start="2026-02-10")
    c.log("therapy-start", "2026-09-01", drug="Methotrexate")     # started again without a stop (case differs)
    c.log("therapy-stop", "2027-03-01", drug="methotrexate ")      # > 12 months after the first start
    assert "therapy-stopped-early" not in c.alerts("2027-03-01")


def test_while_another_maintenance_drug_runs_a_stop_is_not_an_early_stop():
    c = idiopathic(start="2026-02-10")
    c.log("therapy-start", "2026-10-01", drug="hydroxychloroquine")
    c.log("therapy-stop", "2026-11-01", drug="methotrexate")
    assert "therapy-stopped-early" not in c.alerts("2026-11-01")
    c.log("therapy-stop", "2026-12-01", drug="HCQ")                # now nothing runs, 10 months on
    assert "therapy-stopped-early" in c.alerts("2026-12-01")


def test_other_drugs_start_does_not_count_as_the_start():
    c = idiopathic(start="2026-02-10", drug="hydroxychloroquine")
    c.log("therapy-start", "2026-12-01", drug="methotrexate")
    c.log("therapy-stop", "2027-03-01", drug="hydroxychloroquine")
    assert "therapy-stopped-early" not in c.alerts("2027-03-01")


@pytest.mark.parametrize("drug", ["prednisone", "Prednisolone", "methylprednisolone"])
def test_glucocorticoid_courses_for_flares_are_exempt(drug):
    c = idiopathic(start="2026-02-10", drug=drug)
    c.log("therapy-stop", "2026-02-24", drug=drug)
    assert "therapy-stopped-early" not in c.alerts("2026-02-24")


def test_stop_without_a_start_raises_nothing():
    c = idiopathic(start="2026-02-10", drug="hydroxychloroquine")
    c.log("therapy-stop", "2026-03-01", drug="methotrexate")
    assert "therapy-stopped-early" not in c.alerts("2026-03-01")


@pytest.mark.parametrize("etiology", ["vasculitis", "aat-deficiency", "unknown"])
def test_therapy_stopped_early_only_in_idiopathic(etiology):
    c = pl_chart()
    c.set("etiology", etiology, today="2026-02-01")
    c.log("therapy-start", "2026-02-10", drug="methotrexate")
    c.log("therapy-stop", "2026-03-10", drug="methotrexate")
    assert "therapy-stopped-early" not in c.alerts("2026-03-10")


# --- injection-before-pt --------------------------------------------------------------------

@pytest.mark.parametrize(("pt_start", "alerts"), [
    (None, True), ("2026-02-09", False), ("2026-02-10", False), ("2026-02-11", True),
])
def test_injection_before_physiotherapy(pt_start, alerts):
    c = hip_chart()
    if pt_start:
        c.log("pt-start", pt_start)
    injection = c.log("injection", "2026-02-10", today="2026-02-11", guidance="image")
    found = c.alert("injection-before-pt", "2026-02-11")
    assert (found is not None) == alerts
    if alerts:
        assert found.severity == "warning" and injection in found.message


# --- blind-injection ------------------------------------------------------------------------

def test_landmark_injection_alerts_image_does_not():
    c = hip_chart()
    c.log("pt-start", "2026-01-05")
    c.log("injection", "2026-02-10", guidance="image")
    assert c.alerts("2026-02-10") == {}
    blind = c.log("injection", "2026-06-10", guidance="landmark")
    found = c.alert("blind-injection", "2026-06-10")
    assert found.severity == "warning" and blind in found.message and "e2 " not in found.message


# --- injection-frequency --------------------------------------------------------------------

def injections(c: Chart, dates: list[str]) -> list[str]:
    c.log("pt-start", "2026-01-02")
    return [c.log("injection", day, guidance="image") for day in dates]


def test_four_injections_364_days_apart_alert():
    c = hip_chart()
    ids = injections(c, ["2026-01-05", "2026-04-01", "2026-08-01", "2027-01-04"])  # 364 days
    found = c.alert("injection-frequency", "2027-01-04")
    assert found.severity == "warning"
    assert all(i in found.message for i in ids)


def test_four_injections_365_days_apart_do_not():
    c = hip_chart()
    injections(c, ["2026-01-05", "2026-04-01", "2026-08-01", "2027-01-05"])  # 365 days
    assert "injection-frequency" not in c.alerts("2027-01-05")


def test_three_injections_are_within_the_default_policy():
    c = hip_chart()
    injections(c, ["2026-01-05", "2026-01-06", "2026-01-07"])
    assert "injection-frequency" not in c.alerts("2026-01-07")


def test_injection_frequency_follows_clinic_policy():
    c = hip_chart()
    injections(c, ["2026-01-05", "2026-02-05", "2026-03-05", "2026-04-05"])
    c.policy = policy(max_injections_per_year=4)
    assert "injection-frequency" not in c.alerts("2026-04-05")
    c.log("injection", "2026-05-05", guidance="image")
    assert "injection-frequency" in c.alerts("2026-05-05")
    c.policy = policy(max_injections_per_year=1)
    c2 = hip_chart(clinic_policy=policy(max_injections_per_year=1))
    injections(c2, ["2026-01-05", "2027-01-04"])
    assert "injection-frequency" in c2.alerts("2027-01-04")


def test_injection_frequency_lists_only_the_injections_in_a_crowded_run():
    c = hip_chart()
    ids = injections(c, ["2026-01-05", "2027-03-01", "2027-04-01", "2027-05-01", "2027-06-01"])
    found = c.alert("injection-frequency", "2027-06-01")
    assert f"{ids[0]} " not in found.message
    assert all(i in found.message for i in ids[1:])
