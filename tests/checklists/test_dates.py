"""Calendar arithmetic: months clamped to month end, leap years, weeks of 7 days, windows from the anchor."""

from __future__ import annotations

import pytest

from checklists.dates import add_months, add_offset
from seeds.loader import Offset
from tests.checklists.support import HIP, PL, SA, Chart, d, status_around


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-08-31", 6, "2027-02-28"),   # the spec's own example
        ("2026-08-31", 7, "2027-03-31"),
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-31", 1, "2028-02-29"),   # leap year
        ("2026-03-31", 1, "2026-04-30"),
        ("2028-02-29", 12, "2029-02-28"),  # leap day + 12 months
        ("2028-02-29", 48, "2032-02-29"),  # leap day + 4 years lands on a leap day again
        ("2026-05-15", 0, "2026-05-15"),
        ("2026-12-15", 1, "2027-01-15"),
        ("2026-01-10", 96, "2034-01-10"),  # 8 years
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(d(start), months) == d(expected)


def test_weeks_are_seven_days_and_days_are_days():
    assert add_offset(d("2026-02-23"), Offset(4, "w")) == d("2026-03-23")
    assert add_offset(d("2026-02-23"), Offset(8, "w")) == d("2026-04-20")
    assert add_offset(d("2026-02-23"), Offset(14, "d")) == d("2026-03-09")
    assert add_offset(d("2026-02-23"), Offset(1, "m")) == d("2026-03-23")


def test_month_window_closes_on_anchor_plus_seven_months_not_opens_plus_one():
    chart = Chart(SA, onset="2026-08-31", enrolled="2026-09-01")
    assert chart.window("review-6m") == (d("2027-02-28"), d("2027-03-31"))
    assert status_around(chart, "review-6m", "2027-02-28") == ("due-soon", "due", "due")
    assert status_around(chart, "review-6m", "2027-03-31") == ("due", "due", "overdue")
    # Twelve months from the end of August: 2027-08-31 .. 2027-09-30.
    assert chart.window("review-12m") == (d("2027-08-31"), d("2027-09-30"))


def test_leap_day_onset():
    chart = Chart(SA, onset="2028-02-29", enrolled="2028-03-01")
    assert chart.window("review-12m") == (d("2029-02-28"), d("2029-03-29"))
    assert chart.window("review-6m") == (d("2028-08-29"), d("2028-09-29"))
    # The referral waits for saline (tried or declined); declined, it opens at onset + 12 months.
    chart.act("saline-session", "skip", today="2028-03-01", reason="patient declines injections")
    assert chart.window("fat-graft-referral") == (d("2029-02-28"), d("2029-03-28"))


def test_leap_day_injection_schedules_hip_checks():
    chart = Chart(HIP, onset="2028-02-01", enrolled="2028-02-01")
    chart.log("pt-start", "2028-02-10")
    chart.log("injection", "2028-02-29", guidance="image")
    assert chart.window("atrophy-check-early") == (d("2028-04-29"), d("2028-06-29"))
    assert chart.window("atrophy-check-12m") == (d("2029-02-28"), d("2029-03-29"))


def test_month_end_resolution_of_inflammation_schedules_recurrence_check():
    chart = Chart(PL, onset="2026-01-05", enrolled="2026-01-10")
    chart.set("inflammation", "resolved", today="2026-08-31", date="2026-08-31")
    assert chart.window("recurrence-check") == (d("2027-02-28"), d("2027-03-31"))
