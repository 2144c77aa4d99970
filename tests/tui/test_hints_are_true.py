"""What the app says about a key holds where it is said: `o` on a board with no case says there is none,
rather than sending the clinician to open a case that is not there."""

from __future__ import annotations

from tests.tui.demo_db import TODAY, sync, wait_for
from tui.app import make_app


def said(app) -> str:
    """The notices on the screen, each as one line of words (a toast wraps its text)."""
    return " / ".join(" ".join(str(toast.render()).split()) for toast in app.screen.query("Toast"))


@sync
async def test_o_on_an_empty_board_says_there_is_no_case(empty_repo):
    app = make_app(empty_repo, today=TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "has_loaded", False))
        await pilot.press("o")
        await wait_for(pilot, lambda: "no item to reopen" in said(app))
        assert "Open the case" not in said(app)


@sync
async def test_o_on_a_case_of_the_board_sends_the_clinician_to_the_case(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "has_loaded", False))
        await pilot.press("o")
        await wait_for(pilot, lambda: "pick the item to reopen" in said(app))
