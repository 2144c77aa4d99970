"""How the board watches the database (issue 12): each second a stat of the few hundred shard folders,
not of every case file, and every THOROUGH_POLLS-th poll a stat of every case file, which also sees
a file another tool rewrote in place (a rename into the folder, as Rounds writes, shows at once)."""

from __future__ import annotations

import os
from datetime import date

import orjson

import tui.screens.live as live
from tests.tui.demo_db import TODAY, add_case, screen_text, wait_for
from tests.tui.test_board import SIZE, loaded_board, sync
from tests.tui.test_live import WITHIN
from tui.app import make_app
from tui.screens.live import Marks


def test_marks_compare_the_parts_both_have():
    quick, other = ("folders", 1), ("folders", 2)
    assert Marks(quick) == Marks(quick, {"a": 1})  # a quick poll against a full read: quick parts only
    assert Marks(quick, {"a": 1}) != Marks(quick, {"a": 2})  # a thorough poll: every case file too
    assert Marks(quick) != Marks(other, {"a": 1})
    assert Marks(quick, {"a": 1}) == Marks(quick, {"a": 1})


@sync
async def test_the_board_polls_folders_not_case_files_and_still_sees_a_change(demo_repo, monkeypatch):
    stats_of_every_case: list[int] = []
    real = type(demo_repo).signatures
    monkeypatch.setattr(type(demo_repo), "signatures", lambda self: stats_of_every_case.append(1) or real(self))
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.pause(2.5)  # two polls or more
        assert stats_of_every_case == []
        # Written as Rounds writes (renamed into its shard folder), by a colleague's process.
        add_case(demo_repo, "0a0000beef", "DEMO-007", ["steroid-atrophy"], "2025-12-01", date(2026, 1, 5))
        await wait_for(pilot, lambda: "DEMO-007" in screen_text(app), timeout=WITHIN)
        assert stats_of_every_case == []


@sync
async def test_a_case_file_rewritten_in_place_shows_at_the_thorough_poll(demo_repo, monkeypatch):
    monkeypatch.setattr(live, "THOROUGH_POLLS", 2)
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        assert "DEMO-001" in screen_text(app)
        path = demo_repo.case_path("a1d0000001")
        folder = os.stat(path.parent)
        data = orjson.loads(path.read_bytes())
        data["case"]["1"]["patient"] = "DEMO-101"
        with open(path, "r+b") as handle:  # in place: the folder is not touched
            handle.write(orjson.dumps(data))
            handle.truncate()
        assert os.stat(path.parent).st_ctime_ns == folder.st_ctime_ns
        await wait_for(pilot, lambda: "DEMO-101" in screen_text(app), timeout=WITHIN + 2)


def test_where_folder_times_are_whole_seconds_every_poll_stats_each_case_file(demo_repo, monkeypatch):
    from tui.screens.board import BoardQuery

    query = BoardQuery(demo_repo, TODAY)
    assert query.signature().thorough is None  # nanosecond folder times (this file system)
    coarse = {name: (ino, mtime // 1_000_000_000 * 1_000_000_000, ctime)
              for name, (ino, mtime, ctime) in demo_repo.folder_marks().items()}
    monkeypatch.setattr(type(demo_repo), "folder_marks", lambda self: coarse)
    assert query.signature().thorough == demo_repo.signatures()
