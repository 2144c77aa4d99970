"""Snapshots of the board, a case and the help screen at 80x24, on a fixed database and a fixed today.

Run `pytest tests/tui --snapshot-update` after an intended change and look at the SVGs before committing.
"""

from __future__ import annotations

from tests.tui.demo_db import TODAY, wait_for
from tui.app import make_app


async def board_loaded(pilot) -> None:
    await wait_for(pilot, lambda: pilot.app.screen.has_loaded)


def test_board_snapshot(snap_compare, demo_repo):
    assert snap_compare(make_app(demo_repo, today=TODAY), terminal_size=(80, 24), run_before=board_loaded)


def test_case_snapshot(snap_compare, demo_repo):
    async def open_case(pilot) -> None:
        await board_loaded(pilot)
        await pilot.press("enter")  # the most urgent case, DEMO-001
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "view", None) is not None)

    assert snap_compare(make_app(demo_repo, today=TODAY), terminal_size=(80, 24), run_before=open_case)


def test_case_checklist_snapshot(snap_compare, demo_repo):
    """The checklist part of a case, with one item unfolded (why, sources, provenance)."""

    async def open_item(pilot) -> None:
        await board_loaded(pilot)
        pilot.app.open_case("c3d0000003")
        await pilot.pause()
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "view", None) is not None)
        await pilot.press("j", "i")

    assert snap_compare(make_app(demo_repo, today=TODAY), terminal_size=(80, 24), run_before=open_item)


def test_help_snapshot(snap_compare, demo_repo):
    async def open_help(pilot) -> None:
        await board_loaded(pilot)
        await pilot.press("question_mark")

    assert snap_compare(make_app(demo_repo, today=TODAY), terminal_size=(80, 24), run_before=open_help)
