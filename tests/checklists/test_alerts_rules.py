"""Rules every alert obeys: one per code, only for followed pathways, none once follow-up has ended."""

from __future__ import annotations

import pytest

from checklists.engine import evaluate
from checklists.models import Policy
from tests.checklists.support import CATALOGUE, HIP, PL, SA, Chart


def troubled_atrophy() -> Chart:
    """A steroid-atrophy case with several alerts at once on 2027-03-01."""
    c = Chart(SA, onset="2026-01-10", enrolled="2026-02-02")
    c.log("saline", "2026-02-04", volume_ml="2")
    c.log("saline", "2026-02-11", volume_ml="30")
    c.log("fat-graft", "2026-01-20", today="2026-02-11")
    return c


def test_one_alert_per_code_and_its_message_lists_every_offending_event():
    view = troubled_atrophy().view("2027-03-01")
    codes = [a.code for a in view.alerts]
    assert len(codes) == len(set(codes))
    # (the fat graft is an escalation, so saline-no-response stays silent)
    assert set(codes) == {"saline-volume-out-of-range", "saline-course-incomplete", "fat-graft-before-saline"}
    volume = next(a for a in view.alerts if a.code == "saline-volume-out-of-range")
    assert "e1" in volume.message and "e2" in volume.message


def test_alerts_carry_the_catalogue_sources_provenance_and_pathway():
    view = troubled_atrophy().view("2027-03-01")
    for alert in view.alerts:
        definition = CATALOGUE.alert(alert.code)
        assert alert.sources == definition.sources and alert.sources
        assert alert.provenance == definition.provenance
        assert alert.pathway == SA
        assert alert.action


@pytest.mark.parametrize("status", ["closed", "lost"])
def test_closed_and_lost_cases_have_no_alerts_and_nothing_due(status):
    c = troubled_atrophy()
    c.set("status", status, today="2027-03-01")
    view = c.view("2027-03-01")
    assert view.alerts == ()
    assert view.next_due is None
    assert all(i.status in ("unscheduled", "done", "skipped", "snoozed") for i in view.items)
    assert view.urgency not in ("overdue", "due", "due-soon", "upcoming")
    # Back to active: everything as it was.
    c.set("status", "active", today="2027-03-02")
    assert len(c.view("2027-03-02").alerts) == 3


def test_closed_panniculitis_and_hip_cases_have_no_alerts():
    pl = Chart(PL, onset="2026-01-05", enrolled="2026-01-12")
    pl.log("fat-graft", "2026-02-01")
    pl.set("status", "lost", today="2026-02-02")
    assert pl.view("2026-02-02").alerts == ()
    hip = Chart(HIP, onset="2026-01-05", enrolled="2026-01-12")
    hip.log("injection", "2026-02-01", guidance="landmark")
    hip.set("status", "closed", today="2026-02-02")
    assert hip.view("2026-02-02").alerts == ()


def test_resolved_case_still_has_alerts():
    c = troubled_atrophy()
    c.set("status", "resolved", today="2027-03-01")
    codes = c.alerts("2027-03-01")
    assert "saline-volume-out-of-range" in codes and "fat-graft-before-saline" in codes
    assert "saline-course-incomplete" not in codes  # resolved counts as complete improvement


def test_alerts_only_for_the_pathways_a_case_follows():
    sa = Chart(SA, onset="2026-01-10", enrolled="2026-02-02")
    sa.log("fat-graft", "2026-02-05")                       # would be critical in panniculitis
    sa.log("therapy-start", "2026-02-05", drug="methotrexate")  # would be aat-untested
    sa.log("injection", "2026-02-05", guidance="landmark")  # would be hip alerts
    sa.log("biopsy", "2026-02-05", depth="punch")
    assert set(sa.alerts("2026-02-05")) == {"fat-graft-before-saline"}

    pl = Chart(PL, onset="2026-01-10", enrolled="2026-02-02")
    pl.set("inflammation", "resolved", today="2026-02-01")
    pl.log("fat-graft", "2026-02-05")                       # no saline: not a panniculitis concern
    pl.log("saline", "2026-02-05", volume_ml="50")
    assert pl.alerts("2027-06-01") == {}

    hip = Chart(HIP, onset="2025-01-10", enrolled="2026-02-02")
    hip.log("pt-start", "2026-02-02")
    assert hip.alerts("2027-06-01") == {}                   # no waiting-too-long for hip cases


def test_a_case_on_two_pathways_gets_the_alerts_of_both():
    c = Chart(HIP, SA, onset="2026-03-01", enrolled="2026-03-05", injection_date="2026-01-15")
    c.log("injection", "2026-01-15", today="2026-03-05", guidance="landmark")
    c.log("saline", "2026-03-06", volume_ml="30")
    alerts = c.view("2026-03-06").alerts
    assert {a.code: a.pathway for a in alerts} == {
        "injection-before-pt": HIP, "blind-injection": HIP, "saline-volume-out-of-range": SA,
    }
    ids = c.item_ids()
    assert "atrophy-check-early" in ids and "saline-session" in ids


def test_snoozing_an_item_does_not_silence_an_alert():
    c = Chart(SA, onset="2025-01-10", enrolled="2026-02-02")
    c.act("review-12m", "snooze", today="2026-02-02", reason="awaiting photos", until="2026-06-01")
    c.act("saline-session", "snooze", today="2026-02-02", reason="awaiting consent", until="2026-06-01")
    # First seen at 13 months: critical once the first saline window (enrolment + 14 days) has passed.
    assert c.alerts("2026-02-17") == {"waiting-too-long": "critical"}
    assert c.alerts("2026-02-16") == {"waiting-too-long": "warning"}


def test_policy_change_applies_at_once_without_touching_the_case():
    c = troubled_atrophy()
    before = c.case
    wide = Policy(saline_min_ml=1, saline_max_ml=50, saline_min_sessions=2)
    codes = {a.code for a in evaluate(c.case, CATALOGUE, wide, c.case.enrolment.replace(year=2027)).alerts}
    assert "saline-volume-out-of-range" not in codes and "saline-course-incomplete" not in codes
    assert c.case is before
