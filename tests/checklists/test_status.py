"""The one status function (pathways.md "Time and status"), at every boundary, alone and through a case."""

from __future__ import annotations

import pytest

from checklists.status import item_status
from tests.checklists.support import SA, Chart, d, days, policy, status_around

OPENS, CLOSES = d("2026-03-15"), d("2026-03-29")


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (OPENS - days(15), "upcoming"),   # the day before due-soon begins
        (OPENS - days(14), "due-soon"),   # opens - 14 days
        (OPENS - days(1), "due-soon"),
        (OPENS, "due"),                   # opens is inclusive
        (CLOSES, "due"),                  # closes is inclusive
        (CLOSES + days(1), "overdue"),
        (CLOSES + days(400), "overdue"),  # overdue items stay visible
    ],
)
def test_open_item_status_at_each_boundary(today, expected):
    assert item_status("open", OPENS, CLOSES, today, 14) == expected


@pytest.mark.parametrize(
    ("soon_days", "today", "expected"),
    [
        (0, OPENS - days(1), "upcoming"),   # soon_days 0: never due-soon
        (0, OPENS, "due"),
        (1, OPENS - days(2), "upcoming"),
        (1, OPENS - days(1), "due-soon"),
        (30, OPENS - days(31), "upcoming"),
        (30, OPENS - days(30), "due-soon"),
    ],
)
def test_soon_days_policy_moves_the_due_soon_boundary(soon_days, today, expected):
    assert item_status("open", OPENS, CLOSES, today, soon_days) == expected


def test_single_day_window_is_due_only_on_that_day():
    day = d("2026-05-01")
    assert [item_status("open", day, day, day + days(k), 14) for k in (-1, 0, 1)] == ["due-soon", "due", "overdue"]


@pytest.mark.parametrize("state", ["done", "skipped"])
@pytest.mark.parametrize("today", [OPENS - days(100), OPENS, CLOSES + days(100)])
def test_resolved_items_show_their_resolution_whatever_the_date(state, today):
    assert item_status(state, OPENS, CLOSES, today, 14) == state
    assert item_status(state, None, None, today, 14) == state


def test_item_without_window_is_unscheduled():
    assert item_status("open", None, None, OPENS, 14) == "unscheduled"


def test_snoozed_while_before_until_and_back_on_the_until_date():
    until = CLOSES + days(10)
    assert item_status("snoozed", OPENS, CLOSES, until - days(1), 14, until) == "snoozed"
    assert item_status("snoozed", OPENS, CLOSES, until, 14, until) == "overdue"
    assert item_status("snoozed", OPENS, CLOSES, until + days(1), 14, until) == "overdue"
    # A lapsed snooze on an item whose window is still ahead shows that window's status.
    early = OPENS - days(20)
    assert item_status("snoozed", OPENS, CLOSES, early, 14, early) == "upcoming"
    # A snoozed item without a window is still snoozed, then unscheduled.
    assert item_status("snoozed", None, None, early - days(1), 14, early) == "snoozed"
    assert item_status("snoozed", None, None, early, 14, early) == "unscheduled"


# --- the same boundaries through a real case --------------------------------------------------

def review_chart() -> Chart:
    # review-6m: onset 2026-01-10 + 6 months .. + 7 months = 2026-07-10 .. 2026-08-10
    chart = Chart(SA, onset="2026-01-10", enrolled="2026-01-20")
    assert chart.window("review-6m") == (d("2026-07-10"), d("2026-08-10"))
    return chart


def test_review_item_walks_through_every_status():
    chart = review_chart()
    assert chart.status("review-6m", "2026-06-25") == "upcoming"      # opens - 15
    assert status_around(chart, "review-6m", "2026-06-26") == ("upcoming", "due-soon", "due-soon")
    assert status_around(chart, "review-6m", "2026-07-10") == ("due-soon", "due", "due")
    assert status_around(chart, "review-6m", "2026-08-10") == ("due", "due", "overdue")


@pytest.mark.parametrize(("soon", "first_due_soon"), [(0, None), (7, "2026-07-03"), (14, "2026-06-26")])
def test_soon_days_policy_applies_at_once_to_the_case(soon, first_due_soon):
    chart = review_chart()
    clinic = policy(soon_days=soon)
    if first_due_soon is None:
        assert status_around(chart, "review-6m", "2026-07-10", clinic) == ("upcoming", "due", "due")
    else:
        assert status_around(chart, "review-6m", first_due_soon, clinic) == ("upcoming", "due-soon", "due-soon")


def test_snooze_holds_until_the_until_date_then_item_returns_overdue():
    chart = review_chart()
    chart.act("review-6m", "snooze", today="2026-08-12", reason="patient abroad", until="2026-08-20")
    assert chart.status("review-6m", "2026-08-19") == "snoozed"
    assert chart.item("review-6m", "2026-08-19").state == "snoozed"
    assert chart.status("review-6m", "2026-08-20") == "overdue"
    assert chart.item("review-6m", "2026-08-20").state == "open"
    assert chart.item("review-6m", "2026-08-19").reason == "patient abroad"


def test_done_and_skipped_through_the_actions():
    chart = review_chart()
    chart.done("review-6m", "2026-07-15")
    assert chart.status("review-6m", "2026-12-01") == "done"
    assert chart.item("review-6m", "2026-12-01").resolved_on == d("2026-07-15")
    chart.act("review-12m", "skip", today="2026-07-15", reason="discharged to GP follow-up")
    assert chart.status("review-12m", "2027-03-01") == "skipped"
    assert chart.item("review-12m", "2027-03-01").reason == "discharged to GP follow-up"


def test_overdue_item_can_still_be_done():
    chart = review_chart()
    assert chart.status("review-6m", "2026-10-01") == "overdue"
    chart.done("review-6m", "2026-10-01")
    assert chart.status("review-6m", "2026-10-01") == "done"


def test_unscheduled_item_can_be_resolved_by_hand():
    chart = Chart(SA, onset="2026-01-10", enrolled="2026-01-20")
    assert chart.status("saline-response-review", "2026-01-20") == "unscheduled"
    chart.done("saline-response-review", "2026-01-25")
    assert chart.status("saline-response-review", "2026-01-25") == "done"
