"""The board at 10,000 cases: rows load off the UI thread, only visible lines are drawn, keys stay quick."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from checklists.models import CaseRow, NextDue
from store.protocol import shipped_protocol
from tests.tui.demo_db import TODAY, screen_text, wait_for
from tests.tui.test_board import SIZE, board_of, loaded_board, sync
from tui.app import make_app
from tui.widgets.case_board import CaseBoard

CASES = 10_000


@dataclass
class ListResult:
    rows: list
    warnings: list = field(default_factory=list)
    signatures: dict = field(default_factory=dict)

    def in_board_order(self) -> list:
        from checklists.board import sort_rows

        return sort_rows(self.rows)


class ManyCases:
    """A stand-in repository with 10,000 synthetic rows (the store's own speed is tested in tests/store)."""

    def __init__(self) -> None:
        statuses = ("overdue", "due", "due-soon", "upcoming")
        self.rows = []
        for n in range(CASES):
            status = statuses[n % 4]
            opens = TODAY + timedelta(days=(n % 90) - 45)
            due = NextDue("review-6m", "Six-month review", opens, opens + timedelta(days=30), status)
            self.rows.append(CaseRow(f"{n:010x}", f"DEMO-{n:05d}", ("steroid-atrophy",), "active", status, due,
                                     (), ()))

    def list_rows(self, today: date) -> ListResult:
        return ListResult(list(self.rows))

    def signatures(self) -> dict:
        return {}

    def folder_marks(self) -> dict:
        return {}

    def settings_signature(self) -> None:
        return None

    def permission_warnings(self) -> list:
        return []


@sync
async def test_ten_thousand_cases_render_only_what_is_on_screen(monkeypatch):
    repository = ManyCases()
    app = make_app(repository, today=TODAY, catalogue=shipped_protocol())
    rendered: list[int] = []
    original = CaseBoard.render_line

    def counting(self, y):
        rendered.append(y)
        return original(self, y)

    monkeypatch.setattr(CaseBoard, "render_line", counting)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        assert f"{CASES} of {CASES} cases" in screen_text(app)
        # One widget for the whole list, not one per case.
        assert len(app.screen.query("*")) < 50
        rendered.clear()
        await pilot.press("end")
        await pilot.pause()
        assert board_of(app).cursor == CASES - 1
        # Only the lines in the window were drawn (a few redraws of ~20 lines, not 10,000).
        assert 0 < len(rendered) < 200
        # Speed is measured in benchmarks/; here only that search narrows 10,000 rows correctly.
        await pilot.press("slash", *"DEMO-0999")
        await wait_for(pilot, lambda: f"10 of {CASES} cases" in screen_text(app), timeout=30)
