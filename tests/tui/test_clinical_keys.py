"""The case screen's keys as a clinician uses them at 80x24 (issue 8): `d` on a saline session logs
one session, `d` on a review opens the assessment that does it, a review marked done long before its
window asks to be confirmed as early, `a` acknowledges a past-fact alert, and a stop offers the drugs
that are running. Each test reads what is on screen or on disk afterwards."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Static

from checklists import actions
from store.repository import Repository
from tests.tui.demo_db import fixed_now, form_ready, open_case_ready as open_case, screen_text, wait_for, sync
from tui.app import make_app
from tui.screens.case import CaseScreen
from tui.widgets.checklist import Checklist

SIZE = (80, 24)
TODAY = date(2026, 11, 21)


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    from store.protocol import shipped_protocol

    return Repository(tmp_path / "db", shipped_protocol(), now=fixed_now)


def add(repo: Repository, pathways, onset: str, enrolled: date, steps=()) -> str:
    case, changes = actions.new_case(case_id=repo.new_case_id(), patient="DEMO-101", pathways=list(pathways),
                                     onset=onset, enrolment=enrolled, catalogue=repo.catalogue)
    for kind, fields in steps:
        case, more = actions.log_event(case, kind, fields, today=TODAY)
        changes += more
    repo.add_case(case, changes)
    return case.id


async def saved_and_back(pilot, screen: CaseScreen, condition) -> None:
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: pilot.app.screen is screen)
    await wait_for(pilot, condition)


@sync
async def test_d_on_the_saline_item_logs_one_session_with_today_and_the_last_volume(repo):
    case_id = add(repo, ["steroid-atrophy"], "2026-10-01", date(2026, 11, 1),
                  [("saline", {"date": "2026-11-10", "volume_ml": "12"})])
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id, "saline-session")
        await pilot.press("d")
        form = await form_ready(pilot, "LogEventForm")
        assert form.kind == "saline"
        assert form.fields["date"].control.value == "2026-11-21"
        assert form.fields["volume_ml"].control.value == "12"
        assert app.focused is form.fields["volume_ml"].control  # ready to type, past the kind list
        assert "end the course early with s" in str(form.query_one("#form-context", Static).render())
        await saved_and_back(pilot, screen, lambda: screen.view.counts.saline == 2)
        item = screen.view.item("saline-session")
        # One session more, and the course goes on: the next session's window, not "done".
        assert (item.state, item.detail, str(item.opens)) == ("open", "saline 2 of 3-6", "2026-11-28")
    assert [e.volume_ml for e in repo.get(case_id).live_events("saline")] == [12.0, 12.0]


@sync
async def test_d_on_the_board_acts_the_same_way_on_the_next_due_saline_session(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "has_loaded", False))
        await pilot.pause()
        await pilot.press("d")  # DEMO-001, first on the board: its next due item is the saline session
        form = await form_ready(pilot, "LogEventForm")
        assert (form.case_id, form.kind) == ("a1d0000001", "saline")
        assert form.fields["volume_ml"].control.value == "25"  # the last session's volume


@sync
async def test_d_on_a_review_opens_the_assessment_form_and_the_assessment_does_the_review(repo):
    case_id = add(repo, ["steroid-atrophy"], "2026-05-20", date(2026, 6, 1))
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id, "review-6m")
        assert screen.view.item("review-6m").status == "due"
        await pilot.press("d")
        form = await form_ready(pilot, "LogEventForm")
        assert form.kind == "assessment"
        assert "satisfies “Six-month review”" in str(form.query_one("#form-context", Static).render())
        form.fields["improvement"].control.value = "none"
        await pilot.pause()
        await saved_and_back(pilot, screen, lambda: screen.view.item("review-6m").status == "done")
        assert str(screen.view.item("review-6m").resolved_on) == "2026-11-21"
        await pilot.press("up")  # the first arrow brings the cursor's item on screen without moving it
        await pilot.pause()
        assert "✓ done" in screen_text(app)


@sync
async def test_a_review_marked_done_months_early_needs_confirming_and_says_so_after(repo):
    case_id = add(repo, ["steroid-atrophy"], "2026-10-01", date(2026, 11, 1))
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id, "review-6m")
        await pilot.press("D")  # by hand: no assessment
        form = await form_ready(pilot, "ItemActionForm")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "confirm it as done early" in str(form.fields["early"].query_one(".form-error", Static).render())
        assert type(app.screen).__name__ == "ItemActionForm"  # nothing written
        form.fields["early"].control.value = True  # "yes: confirmed, done before its window"
        await wait_for(pilot, lambda: not form.error)
        await saved_and_back(pilot, screen, lambda: screen.view.item("review-6m").status == "done")
        assert screen.view.item("review-6m").early
    record = repo.get(case_id).items["review-6m"]
    assert (record.date, record.early) == (TODAY, True)


@sync
async def test_a_acknowledges_a_past_fact_alert_which_stays_listed_and_leaves_the_counts(repo):
    case_id = add(repo, ["hip-injection"], "2026-09-01", date(2026, 9, 10),
                  [("injection", {"date": "2026-10-01", "guidance": "landmark", "drug": "triamcinolone"})])
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        assert "alerts W2" in screen_text(app)
        await pilot.press("a")
        form = await form_ready(pilot, "AlertAckForm")
        form.fields["alert"].control.value = ("ack", "blind-injection")
        await pilot.pause()
        form.fields["note"].control.focus()
        await pilot.press(*"ultrasound booked next time")
        await saved_and_back(pilot, screen, lambda: len(screen.view.active_alerts) == 1)
        text = screen_text(app)
        assert "alerts W1" in text and "1 acknowledged" in text
        ack = next(a for a in screen.view.alerts if a.code == "blind-injection").acknowledged
        assert ack.note == "ultrasound booked next time" and ack.on == TODAY
        # And back: withdrawing it makes it count again.
        await pilot.press("a")
        form = await form_ready(pilot, "AlertAckForm")
        form.fields["alert"].control.value = ("unack", "blind-injection")
        await pilot.pause()
        assert not form.fields["note"].display
        await saved_and_back(pilot, screen, lambda: len(screen.view.active_alerts) == 2)
    trail = [entry.action for entry in repo.audit_trail(case_id)]
    assert trail[-2:] == ["alert-ack", "alert-unack"]


@sync
async def test_the_stop_form_offers_the_drugs_running_and_warns_of_a_stop_without_a_start(repo):
    case_id = add(repo, ["panniculitis-lipoatrophy"], "2026-09-01", date(2026, 9, 10),
                  [("therapy-start", {"date": "2026-10-01", "drug": "MTX", "dose": "10 mg weekly"}),
                   ("therapy-start", {"date": "2026-10-02", "drug": "hydroxychloroquine"}),
                   ("therapy-stop", {"date": "2026-11-01", "drug": "Hydroxychloroquine 200mg"})])
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        await pilot.press("l")
        form = await form_ready(pilot, "LogEventForm")
        form.fields["kind"].control.value = "therapy-stop"
        await pilot.pause()
        running = form.fields["running"]
        assert running.display  # only methotrexate runs: hydroxychloroquine was stopped
        assert [e.drug for e in form.running] == ["MTX"]
        running.control.value = form.running[0].id
        await pilot.pause()
        assert form.fields["drug"].control.value == "MTX"
        form.fields["drug"].control.value = "azathioprine"
        await pilot.pause()
        assert "No recorded start of this drug" in str(form.query_one("#form-status", Static).render())
        await saved_and_back(pilot, screen, lambda: len(screen.view.case.live_events("therapy-stop")) == 2)
        stop = screen.view.case.live_events("therapy-stop")[-1]
        assert screen.view.event_flags == {stop.id: "no recorded start"}


@sync
async def test_a_patient_first_seen_13_months_late_reads_right_on_the_case_screen(repo):
    case_id = add(repo, ["steroid-atrophy"], "2025-10-26", date(2026, 11, 25))
    app = make_app(repo, today=date(2026, 11, 25))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        top = screen_text(app)
        assert "● DUE" in top and "OVERDUE" not in top and "alerts W1" in top
        for _ in range(12):  # down the checklist to its last line
            await pilot.press("j")
        await pilot.pause()
        text = screen_text(app)
        assert "Before enrolment" in text and "⊘ missed" in text and "Six-month review" in text
        assert "OVERDUE" not in text
        assert screen.query_one(Checklist).target_ids()[-1] == "review-6m"
        # An assessment now cannot be the six-month review: d offers to mark it by hand instead.
        screen.query_one(Checklist).selected = "review-6m"
        await pilot.press("d")
        form = await form_ready(pilot, "ItemActionForm")
        assert (form.item_id, form.action) == ("review-6m", "done")
