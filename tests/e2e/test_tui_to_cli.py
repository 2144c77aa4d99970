"""A case created and worked in the app reads back identically through `rounds case show --json`."""

from __future__ import annotations

import json

from checklists.engine import evaluate
from checklists.serialize import case_json
from checklists.signoff import with_reviews
from store.signoff import load_signoff
from tests.tui.demo_db import TODAY, screen_text, wait_for
from tests.tui.test_board import SIZE, loaded_board, sync
from tui.app import make_app
from tui.cli import main
from tui.screens.case import CaseScreen


async def _form_ready(pilot):
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "ready", False))
    await pilot.pause()


async def _saved(pilot, screen_before) -> None:
    await wait_for(pilot, lambda: pilot.app.screen is not screen_before and not getattr(
        pilot.app.screen, "saving", False), timeout=15)
    await pilot.pause()


@sync
async def test_case_worked_in_the_app_reads_back_through_the_cli(empty_repo, capsys):
    app = make_app(empty_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        # New case from the keyboard: label, the first pathway, onset, injection date.
        await pilot.press("n")
        await _form_ready(pilot)
        form = app.screen
        await pilot.press(*"WARD-T-01", "tab", "space", "tab", *"2026-09-01", "tab", *"2026-08-20", "ctrl+s")
        await _saved(pilot, form)
        await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.view is not None,
                       timeout=15)
        case_id = app.screen.view.case.id
        # Log a saline session. The form starts on the kind of the highlighted item (the baseline
        # assessment): back to the kind list, open it, its first kind (saline: below the blank), then the volume.
        await pilot.press("l")
        await _form_ready(pilot)
        form = app.screen
        assert form.kind == "assessment"
        await pilot.press("shift+tab", "shift+tab", "enter", "home", "down", "enter", "tab", "tab", *"25", "ctrl+s")
        await _saved(pilot, form)
        await wait_for(pilot, lambda: "saline-volume-out-of-range" in screen_text(app), timeout=15)

    assert main(["--db", str(empty_repo.db_dir), "--today", TODAY.isoformat(), "case", "show", case_id[:5],
                 "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    case = empty_repo.get(case_id)
    expected = case_json(evaluate(case, empty_repo.catalogue, empty_repo.policy(), TODAY))
    assert shown == with_reviews(expected, load_signoff(empty_repo, empty_repo.catalogue))
    assert (shown["patient"], shown["pathways"], shown["onset"], shown["injection_date"]) == (
        "WARD-T-01", ["steroid-atrophy"], "2026-09-01", "2026-08-20")
    assert [(e["kind"], e["volume_ml"], e["date"]) for e in shown["events"]] == [("saline", 25.0, "2026-11-21")]
    assert shown["counts"]["saline"]["done"] == 1
    assert [a["code"] for a in shown["alerts"]] == ["saline-volume-out-of-range"]
