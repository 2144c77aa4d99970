"""The export screen at 80x24: proposes a file name, exports in a thread, never loses a typed path."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Checkbox, Input, ProgressBar, Static

from tests.export.conftest import TODAY
from tui.screens.export import ExportScreen


def pilot_test(test):
    """Run an async Pilot test with asyncio (no async plugin in the test dependencies)."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        asyncio.run(test(*args, **kwargs))

    return run


class Host(App):
    def __init__(self, screen: ExportScreen) -> None:
        super().__init__()
        self.export_screen = screen
        self.dismissed: list = []

    def on_mount(self) -> None:
        self.push_screen(self.export_screen, self.dismissed.append)


def screen_for(demo, case_ids) -> ExportScreen:
    return ExportScreen(demo.repo, case_ids=case_ids, today=TODAY, catalogue=demo.catalogue)


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def export_and_wait(app, pilot) -> None:
    await pilot.click("#export-go")
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pilot_test
async def test_proposes_a_name_exports_and_says_where(demo, here):
    app = Host(screen_for(demo, demo.ids[:1]))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.export_screen
        path_box = screen.query_one("#export-path", Input)
        assert path_box.value == str(here / f"rounds-{demo.ids[0]}-2026-11-21.md")
        await pilot.click("#format-csv")
        assert path_box.value == str(here / f"rounds-{demo.ids[0]}-2026-11-21.csv")
        await pilot.click("#export-deidentify")
        assert screen.query_one("#export-deidentify", Checkbox).value is True
        assert path_box.value == str(here / "rounds-deidentified.csv")
        await export_and_wait(app, pilot)
        written = here / "rounds-deidentified.csv"
        assert written.read_text().startswith("id,patient,")
        assert "DEMO-001" not in written.read_text()
        assert text_of(screen, "#export-result") == (
            f"✓ Exported 1 case as de-identified csv to {written}.")
        assert demo.repo.settings_audit()[-1].details["deidentified"] is True
        await pilot.press("escape")
        await pilot.pause()
    assert app.dismissed and app.dismissed[0].destination == str(written)


@pilot_test
async def test_fits_80x24(demo, here):
    app = Host(screen_for(demo, demo.ids))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.export_screen
        dialog = screen.query_one("#export-dialog").region
        assert dialog.right <= 80 and dialog.bottom <= 24
        for selector in ("#format-md", "#format-ics", "#export-deidentify", "#export-path", "#export-go",
                         "#export-close"):
            region = screen.query_one(selector).region
            assert region.width and dialog.contains_region(region), selector
        assert "6 cases" in text_of(screen, "#export-what")


@pilot_test
async def test_an_error_keeps_the_typed_path(demo, here, tmp_path):
    app = Host(screen_for(demo, demo.ids[:2]))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.export_screen
        typed = str(tmp_path / "no-such-folder" / "my summary.md")
        path_box = screen.query_one("#export-path", Input)
        path_box.value = typed
        await export_and_wait(app, pilot)
        result = screen.query_one("#export-result", Static)
        assert text_of(screen, "#export-result").startswith("✗ Not exported: folder ")
        assert "does not exist" in text_of(screen, "#export-result") and result.has_class("-error")
        assert path_box.value == typed
        # Choosing another format does not replace what was typed either.
        await pilot.click("#format-html")
        assert path_box.value == typed
        assert not list(tmp_path.glob("**/my summary.md"))


@pilot_test
async def test_an_existing_file_is_replaced_only_when_asked_twice(demo, here):
    target = here / "existing.md"
    target.write_text("keep me")
    app = Host(screen_for(demo, demo.ids[:1]))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.export_screen
        screen.query_one("#export-path", Input).value = "existing.md"  # relative: the proposed folder
        await export_and_wait(app, pilot)
        assert "exists: press Export again" in text_of(screen, "#export-result")
        assert target.read_text() == "keep me"
        await pilot.pause(0.6)  # two quick clicks would be a double click, which a Button ignores
        await export_and_wait(app, pilot)
        assert target.read_text().startswith(f"# DEMO-001 · case {demo.ids[0]}")


@pilot_test
async def test_every_case_with_progress(demo, here):
    app = Host(screen_for(demo, None))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.export_screen
        assert text_of(screen, "#export-what") == "Every case in the database."
        await pilot.click("#format-json")
        assert screen.query_one("#export-path", Input).value == str(here / "rounds-cases-2026-11-21.json")
        await export_and_wait(app, pilot)
        bar = screen.query_one("#export-progress", ProgressBar)
        assert bar.total == bar.progress == 2 * len(demo.ids)
        assert not bar.display  # hidden again once done
        assert "Exported 6 cases as json" in text_of(screen, "#export-result")
