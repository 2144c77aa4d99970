"""The case board as a clinician meets it at 80x24: order, status words, filters, search, empty state."""

from __future__ import annotations


from tests.tui.demo_db import TODAY, screen_text, wait_for, sync
from tui.app import make_app
from tui.screens.board import BoardScreen
from tui.screens.case import CaseScreen
from tui.screens.help import HelpScreen
from tui.widgets.case_board import CaseBoard

SIZE = (80, 24)


def board_of(app) -> CaseBoard:
    return app.screen.query_one(CaseBoard)


async def loaded_board(pilot) -> BoardScreen:
    screen = pilot.app.screen
    assert isinstance(screen, BoardScreen)
    await wait_for(pilot, lambda: screen.has_loaded)
    await pilot.pause()
    return screen


def board_lines(app) -> list[str]:
    """The case rows as shown (the line under the column header first)."""
    lines = screen_text(app).splitlines()
    start = next(n for n, line in enumerate(lines) if "next due" in line) + 1
    return [line for line in lines[start:] if line.strip() and "DEMO-" in line]


@sync
async def test_board_shows_cases_most_urgent_first_with_status_words(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        rows = board_lines(app)
        labels = [next(word for word in row.split() if word.startswith("DEMO-")) for row in rows]
        # Overdue, then due (most severe alert first, then earliest window), due soon, upcoming.
        assert labels == ["DEMO-001", "DEMO-005", "DEMO-002", "DEMO-003", "DEMO-004"]
        assert "! OVERDUE" in rows[0]
        assert "● DUE" in rows[1] and "● DUE" in rows[2]
        assert "◐ DUE SOON" in rows[3]
        assert "○ upcoming" in rows[4]
        # The next due item with its window, and the alert count by severity.
        assert "6-month review from 11-25" in rows[3]  # its short title, and when its window opens
        assert "W3" in rows[0]
        assert "5 of 6 cases" in screen_text(app)


@sync
async def test_filter_and_search_change_what_is_shown_and_the_count(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("1")  # overdue
        assert "1 of 6 cases" in screen_text(app)
        assert [r.patient for r in board_of(app).rows] == ["DEMO-001"]
        await pilot.press("f")  # overdue -> due: due or overdue
        assert "3 of 6 cases" in screen_text(app)
        await pilot.press("5")  # closed
        assert [r.patient for r in board_of(app).rows] == ["DEMO-006"]
        assert "× closed" in screen_text(app)
        await pilot.press("6")  # all
        assert "6 of 6 cases" in screen_text(app)
        await pilot.press("slash", "0", "0", "3")
        assert "1 of 6 cases" in screen_text(app)
        assert [r.patient for r in board_of(app).rows] == ["DEMO-003"]
        # Searching by case id works too, and escape leaves the box, then clears it.
        await pilot.press("escape", "escape")
        assert "6 of 6 cases" in screen_text(app)
        await pilot.press("slash", *"c3d0")
        assert [r.id for r in board_of(app).rows] == ["c3d0000003"]


@sync
async def test_a_search_that_matches_nothing_says_so(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("slash", *"zzz")
        text = screen_text(app)
        assert "0 of 6 cases" in text
        assert "No cases match" in text and "zzz" in text


@sync
async def test_empty_database_says_what_to_do_next(empty_repo):
    app = make_app(empty_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        text = screen_text(app)
        assert "No cases yet" in text
        assert "Press n to add a case" in text
        # The demo command names this database: a bare `rounds demo` would fill the default one.
        assert f"rounds --db {empty_repo.db_dir} demo" in " ".join(text.split())
        assert "0 of 0 cases" in text
        # The key the empty board names works (it is not typed into the search box).
        await pilot.press("n")
        assert type(app.screen).__name__ == "NewCaseForm"


@sync
async def test_enter_opens_the_case_and_escape_returns_to_the_same_row(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("down", "down")  # DEMO-002
        assert board_of(app).selected_id == "b2d0000002"
        await pilot.press("enter")
        assert isinstance(app.screen, CaseScreen)
        await wait_for(pilot, lambda: app.screen.view is not None)
        await pilot.pause()
        text = screen_text(app)
        # Facts at the top.
        assert "Case b2d0000002" in text and "DEMO-002" in text
        assert "Onset        2026-10-01" in text
        assert "Injection    2026-09-15" in text
        assert "injections 1 (1 in 365 days)" in " ".join(text.split())  # the line may wrap
        # Alerts with a severity word and what to do.
        assert "! WARNING" in text
        assert "Do:" in text
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen)
        assert board_of(app).selected_id == "b2d0000002"


@sync
async def test_case_screen_shows_the_checklist_by_pathway_and_phase(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case("c3d0000003")
        await pilot.pause()
        screen = app.screen
        await wait_for(pilot, lambda: screen.view is not None)
        await pilot.pause()
        # The cursor starts on the next due item; moving shows the checklist.
        await pilot.press("k", "j")
        text = screen_text(app)
        assert "Subcutaneous atrophy after corticosteroid injection (steroid-atrophy)" in text
        # † beside the title: the clinic has not reviewed the rule yet (tests/tui/test_protocol_screen.py).
        assert "◐ DUE SOON    2026-11-25..12-25 † Six-month review" in text
        assert "– skipped" in text and "watchful" in text
        # i unfolds why, the sources with their citations, and the provenance.
        await pilot.press("i")
        text = screen_text(app)
        assert "Why:" in text
        assert "[seed-000]" in text
        assert "Provenance: seed summary" in text
        # Events and the chart are further down the page (tab: to the event log).
        await pilot.press("tab")
        text = screen_text(app)
        assert "VOID (duplicate entry)" in text
        assert "size 20 → 11 mm, smaller" in text


@sync
async def test_a_click_on_a_row_opens_the_case(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        board = board_of(app)
        # The header is line 0 of the board, so the third case is on line 3.
        await pilot.click(CaseBoard, offset=(20, 3))
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.case_id == board.rows[2].id


@sync
async def test_help_screen_lists_keys_and_status_words(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Everywhere" in text and "Help" in text
        # Scrolled down a page at a time, the whole help is read.
        help_text = text
        for _ in range(14):
            await pilot.press("pagedown")
            await pilot.pause()
            help_text += screen_text(app)
        # Every key the case screen and the forms answer to, not only the board's.
        assert "Case board" in help_text and "add a case" in help_text
        assert "Void event" in help_text and "go to the event log" in help_text
        assert "the event log" in help_text
        assert "ctrl+s" in help_text and "Cancel" in help_text
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen)


@sync
async def test_forms_open_from_the_board_and_case(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("l")
        assert type(app.screen).__name__ == "LogEventForm"
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("n")
        assert type(app.screen).__name__ == "NewCaseForm"
        await pilot.press("escape")
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(app.screen, "view", None) is not None)
        # d on a saline session logs one session (pathways.md "Revisions"); ending the course is a skip.
        await pilot.press("d")
        assert type(app.screen).__name__ == "LogEventForm" and app.screen.initial_kind == "saline"
        await pilot.press("escape")
        await pilot.press("s")
        assert type(app.screen).__name__ == "ItemActionForm"
        assert app.screen.item_id == "saline-session" and app.screen.action == "skip"


@sync
async def test_void_picks_an_event_in_the_log_then_opens_the_void_form(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case("c3d0000003")
        await pilot.pause()
        screen = app.screen
        await wait_for(pilot, lambda: screen.view is not None)
        await pilot.press("v")  # first v: go to the event log
        assert type(app.focused).__name__ == "EventLog"
        await pilot.press("k", "v")  # the latest assessment is selected; up one, then void it
        assert type(app.screen).__name__ == "VoidEventForm"
        assert app.screen.event_id == "e2"


@sync
async def test_set_field_and_policy_forms_open(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("x")
        assert type(app.screen).__name__ == "SetFieldForm"
        await pilot.press("escape")
        await pilot.press("p")
        assert type(app.screen).__name__ == "PolicyForm"


@sync
async def test_actions_are_in_the_command_palette(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Filter: overdue")
        await wait_for(pilot, lambda: "Filter: overdue" in screen_text(app))
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "1 of 6 cases" in screen_text(app))
        await pilot.press("E")  # shift+e, like x: set a field of the selected case
        assert type(app.screen).__name__ == "SetFieldForm"


@sync
async def test_export_takes_what_the_screen_shows(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("1", "e")  # overdue only
        assert type(app.screen).__name__ == "ExportScreen"
        assert app.screen.case_ids == ["a1d0000001"]
        await pilot.press("escape")
        await pilot.press("6", "e")  # everything, nothing hidden
        assert app.screen.case_ids is None
        await pilot.press("escape", "enter")
        await wait_for(pilot, lambda: getattr(app.screen, "view", None) is not None)
        await pilot.press("e")
        assert app.screen.case_ids == ["a1d0000001"]


@sync
async def test_the_first_arrow_on_a_case_shows_the_cursor_before_moving_it(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case("a1d0000001")
        await pilot.pause()
        screen = app.screen
        await wait_for(pilot, lambda: screen.view is not None)
        await pilot.pause()
        checklist = screen.query_one("#checklist")
        # The case opens at its facts and alerts; the cursor is on the next due item, out of sight.
        assert checklist.selected == "saline-session"
        assert "▸" not in screen_text(app)
        await pilot.press("j")
        await pilot.pause()
        assert checklist.selected == "saline-session"
        assert "▸ ! OVERDUE     2026-03-26..04-02 † Saline infiltration session" in screen_text(app)
        await pilot.press("j")  # now it moves
        assert checklist.selected != "saline-session"


@sync
async def test_the_filter_says_what_it_keeps_without_covering_the_list(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded_board(pilot)
        assert "showing every case still followed (active or resolved)" in screen_text(app)
        await pilot.press("f", "f", "f", "1")
        await pilot.pause()
        text = screen_text(app)
        assert "[overdue]" in text and "showing cases with an overdue item" in text
        # Changing the filter four times leaves no pile of notices over the case rows.
        assert not app.screen.query("Toast")


@sync
async def test_reopen_on_an_open_item_says_so_instead_of_opening_a_dead_end_form(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.open_case("a1d0000001")
        await pilot.pause()
        screen = app.screen
        await wait_for(pilot, lambda: screen.view is not None)
        await pilot.press("o")  # the selected item (saline-session) is open
        await wait_for(pilot, lambda: "open already; o reopens an item" in screen_text(app))  # a notice, wrapped
        assert app.screen is screen
        await pilot.press("k", "k", "o")  # the baseline assessment, done: reopening it is a real question
        assert type(app.screen).__name__ == "ItemActionForm"
        assert app.screen.item_id == "baseline-assessment" and app.screen.action == "reopen"


@sync
async def test_the_palette_offers_no_screenshot_of_patient_labels(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Quit" in titles and "Screenshot" not in titles
        await pilot.press("ctrl+p", *"screensho")
        await wait_for(pilot, lambda: "No matches found" in screen_text(app))


@sync
async def test_a_form_shows_its_own_keys_in_the_footer(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: getattr(app.screen, "ready", False))
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        # Not the board's keys (q, l, f do nothing in a form): the form's own.
        assert "esc Cancel" in footer and "^s Save" in footer
        assert "Quit" not in footer and "Filter" not in footer
        await pilot.press("escape", "e")
        assert type(app.screen).__name__ == "ExportScreen"
        footer = screen_text(app).splitlines()[-1]
        assert "esc Close" in footer and "^s Export" in footer and "Quit" not in footer
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        footer = screen_text(app).splitlines()[-1]
        assert "Close" in footer and "Quit" not in footer


@sync
async def test_a_case_file_open_to_others_is_named_with_its_fix_on_the_board(demo_repo):
    """The board's list already stats every case file; an open one is counted from that, no second scan."""
    import os

    os.chmod(demo_repo.case_path("a1d0000001"), 0o644)
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded_board(pilot)

        def shown() -> str:  # the notice wraps: read it as one line, without its border
            return " ".join(screen_text(app).replace("▌", " ").split())

        await wait_for(pilot, lambda: "chmod -R o-rwx" in shown())
        assert "1 file(s) or folder(s)" in shown()


@sync
async def test_a_new_filter_starts_at_the_most_urgent_case_when_the_highlighted_one_is_not_in_it(tmp_path):
    # More cases than the screen holds: the cursor at the bottom of "all" (a closed case) must not leave
    # the next filter scrolled down with its most urgent cases out of sight.
    from store.demo import fill_demo
    from tests.tui.demo_db import make_repository

    repo = make_repository(tmp_path / "db")
    fill_demo(repo, repo.catalogue, TODAY, 40)
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded_board(pilot)
        screen.action_set_filter("all")
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        board = board_of(app)
        last = board.selected_id
        assert board.cursor == len(board_lines(app)) - 1 or board.cursor > 15
        screen.action_set_filter("overdue")
        await pilot.pause()
        assert board.selected_id != last
        assert board.cursor == 0 and board.scroll_offset.y == 0
        assert board_lines(app)[0].startswith("▸")
