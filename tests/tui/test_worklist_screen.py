"""`w` on the board: the week's worklist at 80x24, a week on and back, a case opened from it."""

from __future__ import annotations

from tests.tui.demo_db import TODAY, screen_text, wait_for
from tests.tui.test_board import SIZE, loaded_board, sync
from tui.app import make_app
from tui.screens.board import BoardScreen
from tui.screens.case import CaseScreen
from tui.screens.worklist import WorklistScreen


async def loaded_worklist(pilot) -> WorklistScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, WorklistScreen) and pilot.app.screen.worklist)
    await pilot.pause()
    return pilot.app.screen


@sync
async def test_w_shows_the_weeks_worklist_most_urgent_first(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("w")
        screen = await loaded_worklist(pilot)
        text = screen_text(app)
        assert "worklist 2026-11-21 to 2026-11-28" in text
        labels = [case.label for case in screen.worklist.cases]
        assert labels[0] == "DEMO-001" and "DEMO-006" not in labels  # overdue first; a closed case never
        assert "OVERDUE" in text and "saline 2 of 3-6" in text
        assert "Week back" in text and "Week on" in text  # the keys are in the footer


@sync
async def test_a_week_on_and_back_and_a_case_opened_from_the_list(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("w")
        screen = await loaded_worklist(pilot)
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.worklist.start.isoformat() == "2026-11-28")
        assert "worklist 2026-11-28 to 2026-12-05" in screen_text(app)
        await pilot.press("t")
        await wait_for(pilot, lambda: screen.worklist.start == TODAY)
        first = screen.worklist.cases[0].case_id
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen))
        assert app.screen.case_id == first
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, WorklistScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen))


@sync
async def test_e_on_the_worklist_exports_its_cases(demo_repo):
    from tui.screens.export import ExportScreen

    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("w")
        screen = await loaded_worklist(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        assert app.screen.case_ids == [case.case_id for case in screen.worklist.cases]


@sync
async def test_the_worklist_follows_another_clinicians_change_and_keeps_the_highlighted_case(demo_repo):
    from tests.tui.demo_db import set_field

    app = make_app(demo_repo, today=TODAY)
    app.poll_seconds = 0.2
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("w")
        screen = await loaded_worklist(pilot)
        first, second = [case.case_id for case in screen.worklist.cases[:2]]
        count = len(screen.worklist.cases)
        await pilot.press("down")
        await wait_for(pilot, lambda: screen.query_one("#worklist").highlighted_option.id == second)
        # At another terminal, a colleague closes the most urgent case: it leaves this worklist.
        set_field(demo_repo, first, "status", "closed")
        await wait_for(pilot, lambda: first not in [case.case_id for case in screen.worklist.cases], timeout=10)
        await pilot.pause()
        assert screen.query_one("#worklist").highlighted_option.id == second
        assert f"{count - 1} cases" in screen_text(app)
