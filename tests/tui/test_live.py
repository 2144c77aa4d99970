"""Live refresh: another process's change shows within about 2 s, keeping the cursor and any half-typed form.

Each test waits for the colleague's change to appear as text on the screen, as the clinician would
see it, then checks what else they would notice: where the cursor is, what their form still holds.
"""

from __future__ import annotations

from datetime import date

from textual.widgets import Select

from store.errors import LockTimeout
from tests.tui.demo_db import TODAY, add_case, cursor_lines, log, open_case, screen_text, wait_for
from tests.tui.test_board import SIZE, board_lines, loaded_board, sync
from tui.app import make_app

# The requirement is "within about 2 s"; the app polls every second.
WITHIN = 3.0  # "about 2 s" with slack for a loaded 2-core CI machine


def cursor_line(app) -> str:
    """The line the one cursor on screen is on."""
    (line,) = cursor_lines(app)
    return line


@sync
async def test_board_shows_a_new_case_from_elsewhere_and_keeps_the_cursor(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("down", "down", "down")
        assert "DEMO-003" in cursor_line(app)
        # Another process adds an overdue case, which sorts above the selected one.
        add_case(demo_repo, "0a0000beef", "DEMO-007", ["steroid-atrophy"], "2025-12-01", date(2026, 1, 5))
        await wait_for(pilot, lambda: "DEMO-007" in screen_text(app), timeout=WITHIN)
        assert "6 of 7 cases" in screen_text(app)
        labels = [next(word for word in row.split() if word.startswith("DEMO-")) for row in board_lines(app)]
        assert labels.index("DEMO-007") < labels.index("DEMO-003")
        assert "DEMO-003" in cursor_line(app)  # the cursor stayed on the clinician's case, not its row


@sync
async def test_open_case_shows_an_event_logged_elsewhere_and_keeps_the_cursor(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, "c3d0000003")
        assert "saline 0 of 3-6" in screen_text(app)
        await pilot.press("j")
        assert "Twelve-month review" in cursor_line(app)
        log(demo_repo, "c3d0000003", "saline", date="2026-11-20", volume_ml="10")
        await wait_for(pilot, lambda: "saline 1 of 3-6" in screen_text(app), timeout=WITHIN)
        assert "Twelve-month review" in cursor_line(app)
        await pilot.press("tab")  # the event log, further down the page
        await wait_for(pilot, lambda: "2026-11-20 saline        10 mL" in screen_text(app))


@sync
async def test_a_half_typed_form_survives_a_refresh_underneath(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, "c3d0000003")
        await pilot.press("l")
        form = app.screen
        assert type(form).__name__ == "LogEventForm"
        await pilot.pause()
        form.query_one("#kind", Select).value = "note"
        await pilot.pause()
        form.fields["note"].control.focus()
        await pilot.press(*"half typed")
        log(demo_repo, "c3d0000003", "saline", date="2026-11-20", volume_ml="10")
        assert "· unscheduled" in screen_text(app) and "2026-12-18" not in screen_text(app)
        # The case behind the form is read again: with a saline session logged, the review of its
        # response (visible below the form) gets its window.
        await wait_for(pilot, lambda: "2026-12-18..2027-01-15 † Review the response to saline" in screen_text(app),
                       timeout=WITHIN)
        assert app.screen is form
        assert "half typed" in screen_text(app)


class LockedAtFirst:
    """The demo repository, but its first `times` reads of `method` find the database locked."""

    def __init__(self, repository, method: str, times: int) -> None:
        self._repository, self._method, self._left = repository, method, times

    def __getattr__(self, name: str):
        attribute = getattr(self._repository, name)
        if name != self._method:
            return attribute

        def read(*args, **kwargs):
            if self._left > 0:
                self._left -= 1
                raise LockTimeout("the case list", self._repository.db_dir / "x.lock", 10)
            return attribute(*args, **kwargs)

        return read


@sync
async def test_a_board_that_could_not_read_tries_again_and_says_so_once(demo_repo):
    app = make_app(LockedAtFirst(demo_repo, "list_rows", times=2), today=TODAY, catalogue=demo_repo.catalogue)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        # Said where the rows go (and in a notice), with the store's reason.
        await wait_for(pilot, lambda: "Cannot read the cases: the case list is being changed" in screen_text(app))
        assert "Rounds keeps trying" in screen_text(app)
        await wait_for(pilot, lambda: "DEMO-001" in screen_text(app), timeout=WITHIN)  # the rows, in its place
        assert "5 of 6 cases" in screen_text(app) and "Cannot read the cases:" not in screen_text(app)
        assert len(app.screen.query("Toast")) == 1  # two failed reads, one notice


@sync
async def test_a_case_that_could_not_be_read_is_tried_again(demo_repo):
    app = make_app(LockedAtFirst(demo_repo, "get", times=1), today=TODAY, catalogue=demo_repo.catalogue)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        app.open_case("c3d0000003")
        await wait_for(pilot, lambda: "Case c3d0000003: the case list is being changed" in screen_text(app))
        await wait_for(pilot, lambda: "Case c3d0000003 · DEMO-003" in screen_text(app), timeout=WITHIN)


@sync
async def test_a_case_removed_elsewhere_closes_with_a_notice(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_case(pilot, "c3d0000003")
        demo_repo.case_path("c3d0000003").unlink()  # as if moved out of the database by hand
        await wait_for(pilot, lambda: "4 of 5 cases" in screen_text(app), timeout=WITHIN)  # back on the board
        assert "DEMO-003" not in screen_text(app)
        await wait_for(pilot, lambda: "Case c3d0000003 is no longer in the" in screen_text(app))  # and told why


def test_what_a_screen_reads_is_stamped_with_the_signature_its_poll_compares(demo_repo):
    """A read's signature equals the poll's while nothing changes (else the screen would read again every
    second), and differs once a case or the policy changes. The queries run without any screen."""
    from checklists.policy import set_policies
    from tui.screens.board import BoardQuery
    from tui.screens.case import CaseQuery

    board = BoardQuery(demo_repo, TODAY)
    case = CaseQuery(demo_repo, demo_repo.catalogue, "c3d0000003", TODAY)
    (rows, board_read), (view, case_read) = board.read(), case.read()
    assert [row.patient for row in rows.rows][:2] == ["DEMO-001", "DEMO-005"] and view.view.case.patient == "DEMO-003"
    assert board.signature() == board_read and case.signature() == case_read
    log(demo_repo, "c3d0000003", "note", date="2026-11-20", note="from another terminal")
    assert board.signature() != board_read and case.signature() != case_read
    board_read, case_read = board.read()[1], case.read()[1]
    demo_repo.update_policy(lambda policy: set_policies(policy, {"soon_days": 30}))
    assert board.signature() != board_read and case.signature() != case_read
