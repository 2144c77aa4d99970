"""Live refresh: another process's change shows within about 2 s, keeping the cursor and any half-typed form."""

from __future__ import annotations

import time
from datetime import date

from textual.widgets import Input

from tests.tui.demo_db import TODAY, add_case, log, screen_text, wait_for
from tests.tui.test_board import SIZE, board_of, loaded_board, sync
from tui.app import make_app
from tui.screens.case import CaseScreen
from tui.widgets.checklist import Checklist

# The requirement is "within about 2 s"; the app polls every second.
WITHIN = 3.0  # "about 2 s" with slack for a loaded 2-core CI machine


@sync
async def test_board_shows_a_new_case_from_elsewhere_and_keeps_the_cursor(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("down", "down", "down")
        board = board_of(app)
        assert board.selected_row.patient == "DEMO-003"
        # Another process adds an overdue case, which sorts above the selected one.
        started = time.monotonic()
        add_case(demo_repo, "0a0000beef", "DEMO-007", ["steroid-atrophy"], "2025-12-01", date(2026, 1, 5))
        await wait_for(pilot, lambda: "6 of 7 cases" in screen_text(app), timeout=WITHIN)
        assert time.monotonic() - started <= WITHIN
        assert board.selected_row.patient == "DEMO-003"
        assert board.cursor == 4
        assert "DEMO-007" in screen_text(app)


@sync
async def test_open_case_shows_an_event_logged_elsewhere(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case("c3d0000003")
        await pilot.pause()
        screen = app.screen
        await wait_for(pilot, lambda: screen.view is not None)
        checklist = screen.query_one(Checklist)
        await pilot.press("j")
        selected = checklist.selected
        assert len(screen.view.case.live_events()) == 3
        log(demo_repo, "c3d0000003", "assessment", date="2026-11-20", size_mm="9", depth_mm="1")
        await wait_for(pilot, lambda: len(screen.view.case.live_events()) == 4, timeout=WITHIN)
        await pilot.pause()
        assert checklist.selected == selected
        await pilot.press("end")
        assert "size 20 → 9 mm, smaller" in screen_text(app)


@sync
async def test_a_half_typed_form_survives_a_refresh_underneath(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case("c3d0000003")
        await pilot.pause()
        case_screen = app.screen
        await wait_for(pilot, lambda: case_screen.view is not None)
        await pilot.press("l")
        form = app.screen
        assert type(form).__name__ == "LogEventForm"
        await pilot.pause()
        note = form.query_one("#note", Input)
        note.focus()
        await pilot.press(*"half typed")
        log(demo_repo, "c3d0000003", "note", date="2026-11-20", note="from another terminal")
        await wait_for(pilot, lambda: len(case_screen.view.case.live_events()) == 4, timeout=WITHIN)
        assert app.screen is form
        assert form.query_one("#note", Input).value == "half typed"
        assert isinstance(app.screen_stack[-2], CaseScreen)
