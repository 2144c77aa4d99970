"""Board wording (review defect 6): a next-due date outside today's year keeps its year, however
narrow the column, so an item a year overdue cannot pass for one four weeks late."""

from __future__ import annotations

import re
from datetime import date

from checklists.models import CaseRow, NextDue
from tests.tui.demo_db import screen_text, sync, wait_for
from tests.tui.test_keys_act_on_what_is_highlighted import TODAY, add
from tui.app import make_app
from tui.widgets.case_board import next_due_cell

_BARE_DAY = re.compile(r"(?:by|from) \d{2}-\d{2}\b")


def _row(status: str, opens: date, closes: date) -> CaseRow:
    due = NextDue(item="deep-biopsy", title="Deep biopsy of the lesion", status=status, opens=opens,
                  closes=closes, label="Deep biopsy")
    return CaseRow(id="a1", patient="DEMO-1", pathways=("panniculitis-lipoatrophy",), status="active",
                   urgency=status, next_due=due, alert_codes=(), alert_severities=())


def test_a_closing_date_from_another_year_carries_its_year_at_every_width():
    row = _row("overdue", date(2025, 10, 5), date(2025, 11, 2))
    for width in range(12, 40):
        cell = next_due_cell(row, width, TODAY)
        assert not _BARE_DAY.search(cell), (width, cell)
        assert "11-02" not in cell or "2025" in cell, (width, cell)
    assert next_due_cell(row, 25, TODAY).strip() == "Deep biopsy by 2025-11-02"


def test_a_date_in_this_year_stays_short_and_a_future_year_is_named():
    assert next_due_cell(_row("overdue", date(2026, 10, 5), date(2026, 11, 2)), 20, TODAY).strip() \
        == "Deep biopsy by 11-02"
    assert next_due_cell(_row("upcoming", date(2027, 2, 3), date(2027, 3, 3)), 27, TODAY).strip() \
        == "Deep biopsy from 2027-02-03"


@sync
async def test_the_board_at_80_columns_never_shows_a_long_overdue_item_without_its_year(repo):
    add(repo, ["panniculitis-lipoatrophy"], "2025-09-01", date(2025, 9, 5), patient="DEMO-301")
    add(repo, ["steroid-atrophy"], "2024-09-01", date(2024, 9, 5), patient="DEMO-302")
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "has_loaded", False))
        await pilot.pause()
        text = screen_text(app)
    lines = [line for line in text.splitlines() if "DEMO-30" in line]
    assert len(lines) == 2, text
    for line in lines:
        assert not _BARE_DAY.search(line), line
