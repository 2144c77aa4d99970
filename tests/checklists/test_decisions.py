"""The choices of seeds/DECISIONS.md that a clinician would notice, each pinned by a test."""

from __future__ import annotations

from datetime import date

import pytest

from checklists.errors import ValidationError
from tests.checklists.support import PL, Chart, d


def test_a_graft_into_inflamed_fat_does_not_tick_off_grafting_after_inflammation():
    chart = Chart(PL, onset="2026-01-10", enrolled="2026-02-01")
    chart.set("inflammation", "active", today="2026-02-01")
    chart.log("fat-graft", "2026-03-01")
    view = chart.view("2026-03-02")
    assert view.item("fat-graft-after-inflammation").state == "open"
    assert "fat-graft-during-inflammation" in view.alert_codes
    chart.set("inflammation", "resolved", today="2026-05-01", date="2026-05-01")
    assert chart.item("fat-graft-after-inflammation", "2026-05-02").state == "open"
    chart.log("fat-graft", "2026-05-01", today="2026-05-02")  # on the resolution date: counts
    item = chart.item("fat-graft-after-inflammation", "2026-05-02")
    assert (item.state, str(item.resolved_on)) == ("done", "2026-05-01")


def test_restating_the_same_etiology_without_a_date_keeps_its_windows():
    chart = Chart(PL, onset="2026-01-10", enrolled="2026-02-01")
    chart.set("etiology", "idiopathic", today="2026-02-01", date="2026-02-01")
    assert chart.item("hydroxychloroquine", "2026-04-01").status == "overdue"
    chart.set("etiology", "idiopathic", today="2026-04-01")
    assert chart.item("hydroxychloroquine", "2026-04-01").status == "overdue"
    # An explicit date is a deliberate correction and does move the window.
    chart.set("etiology", "idiopathic", today="2026-04-01", date="2026-03-20")
    assert chart.item("hydroxychloroquine", "2026-04-01").status == "due"


@pytest.mark.parametrize("text", ["1e1", "5_0", "٣", "0x10", "10.", ".5", "nan", "inf"])
def test_volumes_must_be_plain_decimals(text):
    chart = Chart("steroid-atrophy", onset="2026-01-10", enrolled="2026-02-01")
    with pytest.raises(ValidationError) as caught:
        chart.log("saline", "2026-02-02", volume_ml=text)
    assert caught.value.field == "volume_ml"


@pytest.mark.parametrize("text", ["２０２６-01-01", "2026-1-01", "2026/01/01", "20260101"])
def test_dates_must_be_ascii_iso(text):
    chart = Chart("steroid-atrophy", onset="2026-01-10", enrolled="2026-02-01")
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        chart.log("note", text, today="2026-03-01", note="x")


def test_board_line_and_detail_agree_when_every_item_is_resolved():
    from checklists.engine import case_row
    from checklists.models import CaseSummary, PlannedItem, Policy

    summary = CaseSummary(id="c0000001", patient="DEMO-001", pathways=("hip-injection",), status="active",
                          onset=date(2026, 1, 1),
                          items=(PlannedItem("image-guidance", "t", "done", None, None),
                                 PlannedItem("dose-review", "t", "skipped", None, None)), alerts=())
    row = case_row(summary, date(2026, 2, 1), Policy())
    assert row.urgency == "done" and row.next_due is None


def test_recurrence_checks_go_on_whatever_the_time_since_onset():
    # Issue 15 changed this: 8 years was the source's example of a late relapse, not an end. Onset
    # 2018, settled only in 2026: the checks start from the resolution (they used to have no window).
    chart = Chart(PL, onset="2018-01-01", enrolled="2026-01-01")
    chart.set("inflammation", "resolved", today="2026-08-01", date="2026-08-01")
    item = chart.item("recurrence-check", "2026-09-01")
    assert (item.state, item.status, item.opens) == ("open", "upcoming", d("2027-02-01"))


def test_a_patient_resolved_at_year_seven_is_not_done_after_one_check():
    # Issue 15 changed this: it used to read "done" once the next check fell past 8 years after onset.
    chart = Chart(PL, onset="2018-01-01", enrolled="2018-01-01")
    chart.set("inflammation", "resolved", today="2025-01-01", date="2025-01-01")
    chart.act("recurrence-check", "done", today="2025-07-15", date="2025-07-15")
    chart.act("recurrence-check", "done", today="2026-01-15", date="2026-01-15")
    item = chart.item("recurrence-check", "2026-02-01")
    assert (item.state, item.status, item.opens) == ("open", "upcoming", d("2026-07-15"))
