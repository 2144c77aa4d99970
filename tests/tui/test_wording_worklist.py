"""The worklist at 80 columns keeps each item one block (review defect 12): a wrapped line continues
under the item's text, not at the left edge."""

from __future__ import annotations

from tests.tui.demo_db import TODAY, screen_text, sync
from tests.tui.test_board import loaded_board
from tests.tui.test_worklist_screen import loaded_worklist
from tui.app import make_app


@sync
async def test_a_wrapped_item_keeps_its_hanging_indent(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded_board(pilot)
        await pilot.press("w")
        await loaded_worklist(pilot)
        lines = screen_text(app).splitlines()
    first = next(n for n, line in enumerate(lines) if "Alpha-1 antitrypsin level" in line)
    title_at = lines[first].index("Alpha-1")
    continued = lines[first + 1]
    assert "2026-11-30" in continued, lines
    # The continuation starts exactly under the item's title: blank up to there.
    assert continued[:title_at].strip() == "" and continued[title_at] != " ", lines
