"""The undo dialog says what it will undo in words (review defect 8): the patient, the event by kind
and date, policy values by the form's labels; and a refusal says what to do in the app, never a
command to type."""

from __future__ import annotations

from tests.store.people import act_as
from tests.tui.demo_db import TODAY, add_case, screen_text, set_field, sync, wait_for
from tests.tui.test_board import loaded_board
from tests.tui.test_history_undo import open_case, toasted
from tui.app import make_app
from tui.screens.undo import UndoConfirm


@sync
async def test_a_policy_change_is_named_by_the_forms_labels(demo_repo, monkeypatch):
    act_as(monkeypatch, "alice")
    demo_repo.update_policy_values({"saline_max_ml": "25", "saline_max_sessions": "8"})
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await loaded_board(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, UndoConfirm))
        text = screen_text(app)
    assert "To the clinic policy" in text, text
    assert "Saline alert above (mL) goes back to 20" in text, text
    assert "Saline max sessions goes back to 6" in text, text
    assert "policy-set" not in text and "saline_max" not in text, text


@sync
async def test_a_dated_field_is_undone_as_one_change_of_the_patient(demo_repo, monkeypatch):
    act_as(monkeypatch, "alice")
    set_field(demo_repo, "e5d0000005", "inflammation", "active", date="2026-11-05")
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await loaded_board(pilot)
        await open_case(pilot, "e5d0000005")
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, UndoConfirm))
        text = screen_text(app)
    assert "To DEMO-005 (case e5d0000005)" in text, text
    assert "Inflammation set to active from 2026-11-05" in text, text
    assert "• Inflammation goes back to not set" in text, text
    assert "field-set" not in text and "inflammation_" not in text, text


@sync
async def test_adding_a_case_cannot_be_undone_and_the_app_says_what_to_do_instead(demo_repo, monkeypatch):
    act_as(monkeypatch, "alice")
    add_case(demo_repo, "0d00000099", "DEMO-099", ["steroid-atrophy"], "2026-11-01", TODAY)
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await loaded_board(pilot)
        await open_case(pilot, "0d00000099")
        await pilot.press("u")
        await wait_for(pilot, lambda: toasted(app, "cannot be undone"))
        toast = " ".join(str(t.render()) for t in app.screen.query("Toast"))
    assert "DEMO-099" in toast and "set its status to closed" in toast and "E (Set field)" in toast, toast
    assert "rounds " not in toast, toast
