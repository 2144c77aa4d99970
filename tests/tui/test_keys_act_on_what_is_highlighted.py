"""Safe hands on the keyboard (issue 9), driven with Pilot at 80x24: every key acts on what is
highlighted, nothing is overwritten unasked, a form opened before a colleague's change says so, help and
footer say what the keys do, lists open where the reader expects and Home/End jump in each."""

from __future__ import annotations

from datetime import date

from textual.widgets import Static

from checklists import actions
from store.repository import Repository
from tests.tui.demo_db import form_ready, open_case_ready as open_case, screen_text, wait_for, sync
from tui.app import make_app
from tui.widgets.checklist import Checklist
from tui.widgets.events import EventLog

SIZE = (80, 24)
TODAY = date(2026, 11, 21)


def add(repo: Repository, pathways, onset: str, enrolled: date, steps=(), patient: str = "DEMO-101") -> str:
    case, changes = actions.new_case(case_id=repo.new_case_id(), patient=patient, pathways=list(pathways),
                                     onset=onset, enrolment=enrolled, catalogue=repo.catalogue)
    for step in steps:
        case, more = step(case)
        changes += more
    repo.add_case(case, changes)
    return case.id


def logged(kind: str, **fields):
    return lambda case: actions.log_event(case, kind, fields, today=TODAY)


def resolved(item: str, action: str, catalogue, **options):
    return lambda case: actions.resolve_item(case, item, action, today=TODAY, catalogue=catalogue, **options)


def footer(app) -> str:
    return screen_text(app).splitlines()[-1]


def status(form) -> str:
    return str(form.query_one("#form-status", Static).render())


# -- keys act on the focused list -------------------------------------------------------------------------

@sync
async def test_item_keys_do_nothing_to_the_checklist_while_the_event_log_has_focus(repo):
    case_id = add(repo, ["panniculitis-lipoatrophy"], "2026-10-01", date(2026, 11, 1), [
        resolved("systemic-workup", "skip", repo.catalogue, reason="not indicated"),
        logged("biopsy", date="2026-11-05", depth="punch"),
    ])
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id, "systemic-workup")
        assert "Item" in footer(app) and "Void" not in footer(app)
        screen.query_one(EventLog).focus()
        await pilot.pause()
        assert "Item" not in footer(app) and "Void" in footer(app)  # the footer follows the focus
        for key in ("d", "s", "z", "o", "D"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen, f"{key} opened {type(app.screen).__name__} from the event log"
        screen.query_one(Checklist).focus()
        await pilot.pause()
        await pilot.press("o")
        await form_ready(pilot, "ItemActionForm")
    item = repo.get(case_id).items["systemic-workup"]
    assert item.state == "skipped"  # still as the clinician left it


# -- nothing overwritten unasked ------------------------------------------------------------------------

@sync
async def test_d_on_an_item_done_already_shows_the_old_date_and_asks_before_replacing_it(repo):
    case_id = add(repo, ["hip-injection"], "2026-10-01", date(2026, 11, 1), [
        resolved("image-guidance", "done", repo.catalogue, date="2026-11-02"),
    ])
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id, "image-guidance")
        await pilot.press("d")
        form = await form_ready(pilot, "ItemActionForm")
        assert "done on 2026-11-02" in screen_text(app)  # the value about to be replaced
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        text = screen_text(app)
        assert "2026-11-02" in text and "2026-11-21" in text
        await pilot.press("escape")  # no: back to the form, nothing written
        await wait_for(pilot, lambda: app.screen is form)
        assert repo.get(case_id).items["image-guidance"].date == date(2026, 11, 2)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen)
    assert repo.get(case_id).items["image-guidance"].date == date(2026, 11, 21)


# -- stale dialogs ----------------------------------------------------------------------------------------

@sync
async def test_a_form_opened_before_a_colleague_changed_the_case_says_what_changed_and_keeps_the_text(repo):
    case_id = add(repo, ["steroid-atrophy"], "2026-10-01", date(2026, 11, 1))
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id, "review-6m")
        await pilot.press("s")
        form = await form_ready(pilot, "ItemActionForm")
        await pilot.press(*"seen elsewhere")
        # Meanwhile, at another desk:
        repo.update(case_id, lambda case: actions.log_event(case, "saline", {"volume_ml": "10"}, today=TODAY))
        revision = repo.get(case_id).revision
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        text = screen_text(app)
        assert "changed" in text and "saline" in text.lower()
        assert repo.get(case_id).revision == revision  # nothing written yet
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is form)
        assert form.fields["reason"].control.value == "seen elsewhere"  # typed text kept
        assert "changed since you opened" in status(form)
        await pilot.press("ctrl+s")  # the change has been shown: saving now is a decision
        await wait_for(pilot, lambda: app.screen is screen)
    case = repo.get(case_id)
    assert len(case.live_events("saline")) == 1  # the colleague's session is kept
    assert case.items["review-6m"].state == "skipped"


# -- escape with typed text -------------------------------------------------------------------------------

@sync
async def test_yes_to_the_changed_case_saves_on_top_of_the_colleague_s_change(repo):
    case_id = add(repo, ["steroid-atrophy"], "2026-10-01", date(2026, 11, 1))
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        await pilot.press("E")
        form = await form_ready(pilot, "SetFieldForm")
        form.fields["field"].control.value = "site"
        await pilot.pause()
        form.fields["site"].control.value = "left forearm"
        repo.update(case_id, lambda case: actions.set_field(case, "site", "right forearm", today=TODAY,
                                                            catalogue=repo.catalogue))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        assert "right forearm" in screen_text(app)  # what the colleague wrote
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen)
    assert repo.get(case_id).site == "left forearm"


@sync
async def test_escape_on_a_form_with_typed_text_asks_before_throwing_it_away(repo):
    case_id = add(repo, ["steroid-atrophy"], "2026-10-01", date(2026, 11, 1))
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id, "review-6m")
        await pilot.press("s")
        form = await form_ready(pilot, "ItemActionForm")
        await pilot.press(*"patient away")
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        await pilot.press("n")  # keep editing
        await wait_for(pilot, lambda: app.screen is form)
        assert form.fields["reason"].control.value == "patient away"
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        await pilot.press("y")  # discard
        await wait_for(pilot, lambda: app.screen is screen)
        # An untouched form closes at once.
        await pilot.press("s")
        await form_ready(pilot, "ItemActionForm")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


# -- void the right event ---------------------------------------------------------------------------------

@sync
async def test_void_shows_the_whole_event_before_it_asks(repo):
    note = ("entered at the wrong case by mistake; the patient in bay four was the one who had this "
            "session, and the volume was not recorded on the day")
    case_id = add(repo, ["steroid-atrophy"], "2026-10-01", date(2026, 11, 1), [
        logged("saline", date="2026-11-10", volume_ml="12", site="left cheek", note=note),
        logged("assessment", date="2026-11-12", size_mm="20"),
    ])
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        log = screen.query_one(EventLog)
        log.focus()
        log.selected = "e1"
        await pilot.pause()
        await pilot.press("v")
        await form_ready(pilot, "VoidEventForm")
        await wait_for(pilot, lambda: "recorded on the day" in screen_text(app))
        words = " ".join(w for w in screen_text(app).split() if w != "│")  # the dialog's borders left out
        assert "2026-11-10" in words and "12 mL" in words and "left cheek" in words
        assert " ".join(note.split()) in words  # every word of it, not cut at the dialog's edge


@sync
async def test_alerts_name_events_as_the_event_list_shows_them(repo):
    case_id = add(repo, ["panniculitis-lipoatrophy"], "2026-06-01", date(2026, 7, 1), [
        lambda case: actions.set_field(case, "inflammation", "active", today=TODAY, catalogue=repo.catalogue,
                                       date="2026-07-01"),
        logged("fat-graft", date="2026-11-01", site="left thigh"),
    ])
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(120, 60)) as pilot:
        await open_case(pilot, case_id)
        text = screen_text(app)
        alerts = " ".join(text[text.index("Alerts ("):text.index("Checklist   ")].split())
        assert "Fat graft on 2026-11-01" in alerts, alerts  # as the event list: date and kind
        import re

        assert not re.search(r"\be\d+\b", alerts), alerts  # no event id: the list does not show them


# -- help from the bindings -------------------------------------------------------------------------------

def test_help_lists_every_key_the_screens_bind():
    from tui.screens.board import BoardScreen
    from tui.screens.case import CaseScreen
    from tui.screens.help import keys_table_text
    from tui.widgets.case_board import CaseBoard

    text = keys_table_text()
    for owner in (BoardScreen, CaseScreen, Checklist, EventLog, CaseBoard):
        for binding in owner.BINDINGS:
            if getattr(binding, "description", ""):
                assert binding.description in text, f"{owner.__name__}: {binding.description}"


# -- lists: home and end, and where they open -----------------------------------------------------------

@sync
async def test_home_and_end_jump_in_the_checklist_and_the_event_log(repo):
    case_id = add(repo, ["steroid-atrophy"], "2026-10-01", date(2026, 11, 1), [
        logged("saline", date="2026-11-10", volume_ml="12"),
        logged("assessment", date="2026-11-12", size_mm="20"),
        logged("note", date="2026-11-13", note="third"),
    ])
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        checklist = screen.query_one(Checklist)
        ids = checklist.target_ids()
        await pilot.press("end")
        assert checklist.selected == ids[-1]
        await pilot.press("home")
        assert checklist.selected == ids[0]
        log = screen.query_one(EventLog)
        log.focus()
        await pilot.pause()
        await pilot.press("home")
        assert log.selected == "e1"
        await pilot.press("end")
        assert log.selected == "e3"


@sync
async def test_a_case_opens_at_its_top_with_the_cursor_on_the_next_due_item(repo):
    case_id = add(repo, ["steroid-atrophy", "hip-injection"], "2025-09-01", date(2026, 11, 1))
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        await pilot.pause()
        checklist = screen.query_one(Checklist)
        assert checklist.selected == screen.view.next_due.item
        assert screen.query_one("#case-body").scroll_offset.y == 0  # facts and alerts first, not mid-way
        await pilot.press("down")  # the first key shows the cursor's item rather than moving it unseen
        await pilot.pause()
        assert checklist.selected == screen.view.next_due.item and checklist.selected_on_screen()


@sync
async def test_the_footer_offers_void_only_when_there_is_an_entry_to_void(repo):
    case_id = add(repo, ["steroid-atrophy"], "2026-10-01", date(2026, 11, 1))
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        screen.query_one(EventLog).focus()
        await pilot.pause()
        assert "Void" not in footer(app) and "Item" not in footer(app)
