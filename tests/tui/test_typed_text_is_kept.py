"""What a clinician types as soon as a form opens lands in the box it was meant for, never dropped on a
list or a button: the note of an acknowledgement, the file of an export. And what a form asks is read
whole at 80x24 (the reopen question)."""

from __future__ import annotations

from datetime import date

from textual.widgets import RadioSet

from tests.tui.demo_db import form_ready, open_case_ready, screen_text, sync, wait_for
from tests.tui.test_clinical_keys import TODAY, add
from tests.tui.test_keys_typed_ahead import burst
from tui.app import make_app


def one_past_fact_alert(repo) -> str:
    """A case whose only alert describes a past fact (an injection before the physiotherapy assessment)."""
    return add(repo, ["hip-injection"], "2026-09-01", date(2026, 9, 10),
               [("injection", {"date": "2026-10-01", "guidance": "image", "drug": "triamcinolone"})])


@sync
async def test_the_note_of_an_acknowledgement_takes_what_is_typed_at_once(repo):
    case_id = one_past_fact_alert(repo)
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case_ready(pilot, case_id)
        burst(app, "a", *"intended", "enter")  # typed in one go, before the form has read the case
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: any(a.acknowledged for a in screen.view.alerts))
    ack = next(a for a in screen.view.alerts if a.acknowledged).acknowledged
    assert ack.note == "intended"


@sync
async def test_with_one_alert_to_choose_the_form_opens_on_the_note(repo):
    case_id = one_past_fact_alert(repo)
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case_ready(pilot, case_id)
        await pilot.press("a")
        form = await form_ready(pilot, "AlertAckForm")
        assert app.focused is form.fields["note"].control
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


@sync
async def test_an_export_goes_to_the_file_typed_not_to_the_current_folder(demo_repo, tmp_path, monkeypatch):
    here, elsewhere = tmp_path / "here", tmp_path / "out"
    here.mkdir(), elsewhere.mkdir()
    monkeypatch.chdir(here)
    target = elsewhere / "demo22.md"
    app = make_app(demo_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "has_loaded", False))
        burst(app, "e", *str(target), "ctrl+s")
        await wait_for(pilot, target.exists, timeout=15)
        assert type(app.screen).__name__ == "ExportScreen"
    assert list(here.iterdir()) == []
    assert "DEMO-" in target.read_text()


@sync
async def test_the_export_format_is_still_chosen_by_keyboard(demo_repo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(demo_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "has_loaded", False))
        await pilot.press("e")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ExportScreen")
        screen = app.screen
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "export-path")
        await pilot.press("shift+tab", "shift+tab")  # past the de-identify tick to the formats
        assert isinstance(app.focused, RadioSet)
        await pilot.press("right", "enter")
        await pilot.pause()
        assert screen.fmt == "html"
        assert screen.query_one("#export-path").value.endswith(".html")


@sync
async def test_the_reopen_question_shows_whole_at_80x24(repo):
    from tests.tui.test_keys_act_on_what_is_highlighted import resolved

    case_id = add(repo, ["hip-injection"], "2026-10-01", date(2026, 11, 1))
    snooze = resolved("pt-before-injection", "snooze", repo.catalogue, reason="awaiting", until="2026-12-20")
    repo.update(case_id, snooze)
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case_ready(pilot, case_id, "pt-before-injection")
        await pilot.press("o")
        await form_ready(pilot, "ItemActionForm")
        text = " ".join(line.strip("│ ") for line in screen_text(app).splitlines())
    assert "Now snoozed until 2026-12-20: awaiting" in text
    assert "Reopen this item? It counts as open again until it is done or a new qualifying event is logged." \
        in text, text
