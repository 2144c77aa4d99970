"""The case screen's two cursor lists, the checklist and the event log, as a clinician moves through them
with the keys and the mouse (both are tui.widgets.cursor_list.CursorList)."""

from __future__ import annotations

from tests.tui.demo_db import TODAY, cursor_lines, open_case, screen_text, wait_for
from tests.tui.test_board import SIZE, sync
from tui.app import make_app


def item_cursor(app) -> str:
    """The checklist's cursor line (its cursor stays drawn, dimmed, when the log has focus)."""
    return next((line for line in cursor_lines(app) if not line[2:3].isdigit()), "")


def event_cursor(app) -> str:
    """The event log's cursor line ('' when none is drawn: the log shows its cursor only with focus)."""
    return next((line for line in cursor_lines(app) if line[2:3].isdigit()), "")


async def click_on(pilot, text: str, column: int) -> None:
    """Click the screen line that shows `text`, at `column`."""
    row = next(n for n, line in enumerate(screen_text(pilot.app).splitlines()) if text in line)
    await pilot.click(offset=(column, row))
    await pilot.pause()


@sync
async def test_the_event_log_cursor_starts_on_the_latest_entry_and_stops_at_either_end(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_case(pilot, "c3d0000003")
        assert "Six-month review" in item_cursor(app) and event_cursor(app) == ""
        await pilot.press("v")  # the first v goes to the log, on the latest (likeliest mistaken) entry
        await pilot.pause()
        assert event_cursor(app).startswith("▸ 2026-10-20 assessment")
        await pilot.press("j")  # already the last entry
        assert event_cursor(app).startswith("▸ 2026-10-20 assessment")
        await pilot.press("k")
        assert event_cursor(app).startswith("▸ 2026-08-01 assessment")
        await pilot.press("up", "up")  # the voided note, then the first assessment
        assert event_cursor(app).startswith("▸ 2026-06-05 assessment")
        await pilot.press("k")  # already the first entry
        await pilot.pause()
        assert event_cursor(app).startswith("▸ 2026-06-05 assessment")
        await pilot.press("down", "v")
        await pilot.pause()
        assert type(app.screen).__name__ == "CaseScreen"
        # The void form is not offered for an entry that is void already; a notice says so instead.
        assert "That event is already void." in screen_text(app)


@sync
async def test_a_click_selects_an_item_and_a_second_click_unfolds_why(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, "c3d0000003")
        await click_on(pilot, "Review the response to saline", 40)
        assert "Review the response to saline" in item_cursor(app)
        assert "Why:" not in screen_text(app)
        await click_on(pilot, "Review the response to saline", 40)
        assert "Why: The published series" in screen_text(app)
        # A heading is not an item: clicking it leaves the cursor where it was.
        await click_on(pilot, "  review", 10)
        assert "Review the response to saline" in item_cursor(app)


@sync
async def test_a_click_on_an_event_chooses_it_for_void(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, "c3d0000003")
        await pilot.press("tab")  # the event log, at the bottom of the page
        await wait_for(pilot, lambda: "2026-08-01 assessment" in screen_text(app))
        await click_on(pilot, "2026-08-01 assessment", 30)
        assert event_cursor(app).startswith("▸ 2026-08-01 assessment")
        await pilot.press("v")
        assert type(app.screen).__name__ == "VoidEventForm"
        assert app.screen.event_id == "e2"
