"""The history in a clinician's words at 80x24 (review defect 7): no Python dict, no internal action
name, nothing cut: a long sentence wraps within its column, and `rounds audit` says the same."""

from __future__ import annotations

import re

from tests.e2e.test_cli import run
from tests.store.people import act_as
from tests.tui.demo_db import TODAY, log, resolve, screen_text, set_field, sync, wait_for
from tests.tui.test_board import loaded_board
from tui.app import make_app
from tui.screens.history import HistoryScreen

CASE = "e5d0000005"  # DEMO-005, panniculitis: records inflammation
_INTERNAL = re.compile(r"\b(field-set|event-log|item-snooze|case-add|policy-set)\b|inflammation_history|\{'")


def _changes(repo) -> None:
    set_field(repo, CASE, "etiology", "aat-deficiency", date="2026-11-05")
    set_field(repo, CASE, "inflammation", "active", date="2026-11-05")
    log(repo, CASE, "saline", date="2026-11-20", volume_ml="10")
    resolve(repo, CASE, "smoking-cessation", "snooze", reason="to discuss at the next visit", until="2027-01-15")


@sync
async def test_h_tells_the_story_in_words_at_80_columns(demo_repo, monkeypatch):
    act_as(monkeypatch, "alice")
    _changes(demo_repo)
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await loaded_board(pilot)
        app.open_case(CASE)
        await wait_for(pilot, lambda: getattr(app.screen, "view", None) is not None)
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.entries)
        text = screen_text(app)
        for _ in range(2):
            await pilot.press("down")
        await pilot.pause()
        detail = screen_text(app)
    assert not _INTERNAL.search(text), text
    assert "Logged saline infiltration of 2026-11-20 (e" in text, text
    assert "Snoozed \u201cStop-smoking advice\u201d until 2027-01-15" in text, text
    assert "Inflammation set to active from 2026-11-05" in detail, detail
    # A sentence longer than its column wraps under itself rather than being cut.
    assert "next visit)" in text, text


def test_rounds_audit_says_the_same_words(capsys, demo_repo, monkeypatch):
    act_as(monkeypatch, "alice")
    _changes(demo_repo)
    code, out, err = run(capsys, demo_repo.db_dir, "audit", CASE, today=TODAY.isoformat())
    assert code == 0, err
    assert not _INTERNAL.search(out), out
    assert "Inflammation set to active from 2026-11-05" in out
    assert "Snoozed \u201cStop-smoking advice\u201d until 2027-01-15 (to discuss at the next visit)" in out


@sync
async def test_a_wider_terminal_gives_the_sentences_the_room(demo_repo, monkeypatch):
    act_as(monkeypatch, "alice")
    _changes(demo_repo)
    snoozed = "Snoozed \u201cStop-smoking advice\u201d until 2027-01-15 (to discuss at the next visit)"
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await loaded_board(pilot)
        app.open_case(CASE)
        await wait_for(pilot, lambda: getattr(app.screen, "view", None) is not None)
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.entries)
        # Table rows start with the time; the detail pane below shows the highlighted change whole anyway.
        def in_one_row() -> bool:
            return any(snoozed in line and line.startswith(" 2026-") for line in screen_text(app).splitlines())

        assert not in_one_row()  # wrapped at 80 columns
        await pilot.resize_terminal(140, 30)
        await wait_for(pilot, in_one_row)
