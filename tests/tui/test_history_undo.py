"""History and undo in the app: `h` in a case, `u` in a case or on the board (asking first), and the
database's recent changes from the command palette."""

from __future__ import annotations

from datetime import datetime, timezone

from textual.widgets._toast import Toast

from checklists import actions
from tests.store.people import TickingClock
from tests.tui.demo_db import TODAY, screen_text, wait_for
from tests.tui.test_board import SIZE, loaded_board, sync
from tui.app import make_app
from tui.screens.case import CaseScreen
from tui.screens.history import HistoryScreen
from tui.screens.undo import UndoConfirm
from tests.store.people import act_as

CASE = "c3d0000003"  # DEMO-003, with a voided event and a skipped item


def as_user(monkeypatch, name: str) -> None:
    act_as(monkeypatch, name)


def log_note(repo, case_id: str, text: str):
    return repo.update(case_id, lambda case: actions.log_event(case, "note", {"note": text}, today=TODAY))


def toasted(app, text: str) -> bool:
    return any(text in str(toast.render()) for toast in app.screen.query(Toast))


async def open_case(pilot, case_id: str) -> CaseScreen:
    pilot.app.open_case(case_id)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.view is not None)
    return pilot.app.screen


@sync
async def test_h_shows_who_changed_what_in_the_case(demo_repo, monkeypatch):
    as_user(monkeypatch, "alice")
    log_note(demo_repo, CASE, "phoned the patient")
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded_board(pilot)
        await open_case(pilot, CASE)
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.entries)
        screen = app.screen
        assert len(screen.entries) == len(demo_repo.audit_trail(CASE))  # this case saves no dated field
        text = screen_text(app)
        assert f"History of case {CASE}" in text
        first_row = next(line for line in text.splitlines() if "(e5)" in line)
        assert "alice" in first_row and "Logged note of 2026-11-21 (e5)" in first_row
        assert "Voided note of 2026-06-05 (e4)" in text and "Skipped \u201cSaline session\u201d" in text
        # The highlighted change shows in full below the table, with its reason.
        row = next(n for n, e in enumerate(screen.entries) if e.entry.action == "item-skip")
        for _ in range(row):
            await pilot.press("down")
        await pilot.pause()
        text = screen_text(app)
        detail = text.split("\n")[-4:]
        skipped = "Skipped \u201cSaline session\u201d on 2026-11-21 (watchful waiting)"
        assert any(skipped in line for line in detail), text
        await pilot.press("escape")
        assert isinstance(app.screen, CaseScreen)


@sync
async def test_u_in_a_case_asks_then_voids_my_event(demo_repo, monkeypatch):
    as_user(monkeypatch, "alice")
    log_note(demo_repo, CASE, "entered on the wrong case")
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded_board(pilot)
        await open_case(pilot, CASE)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, UndoConfirm))
        text = screen_text(app)
        assert "Undo your latest change?" in text and f"To DEMO-003 (case {CASE})" in text
        assert "Logged note of 2026-11-21 (e5)" in text and "The note of 2026-11-21 (e5) will be voided" in text
        await pilot.press("y")
        await wait_for(pilot, lambda: demo_repo.get(CASE).event("e5").voided)
        assert demo_repo.get(CASE).event("e5").void_reason == "undo"
        await wait_for(pilot, lambda: toasted(app, "Logged note of 2026-11-21 (e5) (DEMO-003"))
        assert isinstance(app.screen, CaseScreen)


@sync
async def test_n_keeps_the_change(demo_repo, monkeypatch):
    as_user(monkeypatch, "alice")
    log_note(demo_repo, CASE, "right after all")
    revision = demo_repo.get(CASE).revision
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded_board(pilot)
        await pilot.press("u")  # from the board: my latest change anywhere
        await wait_for(pilot, lambda: isinstance(app.screen, UndoConfirm))
        await pilot.press("n")
        await pilot.pause()
        assert demo_repo.get(CASE).revision == revision


@sync
async def test_a_refused_undo_names_the_colleague_and_changes_nothing(demo_repo, monkeypatch):
    as_user(monkeypatch, "alice")
    log_note(demo_repo, CASE, "my note")
    as_user(monkeypatch, "bob")
    demo_repo.update(CASE, lambda case: actions.void_event(case, "e5", "duplicate"))
    revision = demo_repo.get(CASE).revision
    as_user(monkeypatch, "alice")
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded_board(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: toasted(app, "bob has changed the same thing since (Voided note of"))
        assert demo_repo.get(CASE).revision == revision


@sync
async def test_the_palette_shows_the_whole_databases_recent_changes(demo_repo, monkeypatch):
    as_user(monkeypatch, "alice")
    demo_repo._now = TickingClock(datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc))  # after the demo's changes
    demo_repo.update_policy_values({"soon_days": "7"})
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded_board(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"recent changes")
        await wait_for(pilot, lambda: "Recent changes in the whole database" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.entries)
        text = screen_text(app)
        assert "History of the whole database" in text
        newest = app.screen.entries[0].entry
        assert (newest.who, newest.what, newest.case) == ("alice", "policy-set soon_days", None)
        assert "settings" in text and "Clinic policy: Due-soon lead (days) set to 7" in text and "(was 14)" in text


@sync
async def test_the_history_follows_a_colleagues_change_and_keeps_the_highlighted_entry(demo_repo, monkeypatch):
    as_user(monkeypatch, "alice")
    app = make_app(demo_repo, today=TODAY)
    app.poll_seconds = 0.2
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded_board(pilot)
        await open_case(pilot, CASE)
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.entries)
        screen = app.screen
        before = len(screen.entries)
        await pilot.press("down")
        await pilot.pause()
        highlighted = screen.entries[1]
        # At another terminal, bob adds a note to the same case: it shows at the top, newest first.
        as_user(monkeypatch, "bob")
        log_note(demo_repo, CASE, "called back")
        await wait_for(pilot, lambda: len(screen.entries) == before + 1, timeout=10)
        await pilot.pause()
        assert screen.entries[0].entry.who == "bob" and screen.entries[0].entry.action == "event-log"
        assert f"{before + 1} changes" in screen_text(app)
        # The highlight stayed on the change it was on, now one row lower.
        assert screen.entries[screen.query_one("#history-table").cursor_row] == highlighted
