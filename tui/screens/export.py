"""The export screen (`e`): choose a format, de-identify or not, name the file, export in a thread.

The work is `store.export.runner.export_cases`, the same as `rounds export`; this screen only asks
and shows progress. A failed export keeps everything typed, and writes no file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, ProgressBar, RadioButton, RadioSet, Static

from tui.errors import describe_export_failure
from tui.widgets.ordered_input import OrderedInput

FORMAT_CHOICES = (
    ("md", "Markdown"),
    ("html", "HTML"),
    ("json", "JSON"),
    ("csv", "CSV"),
    ("ics", "Calendar"),
    ("fhir", "FHIR"),
    ("redcap", "REDCap"),
)
FORMAT_HINTS = {
    "md": "one-page summary per case, plain text or rendered",
    "html": "the summary as one printable page per case",
    "json": "all data; `rounds import` reads it back",
    "csv": "one row per case, for a spreadsheet",
    "ics": "follow-ups still to do, each on the day its window opens",
    "fhir": "one HL7 FHIR R4 Bundle, for a health record or registry",
    "redcap": "REDCap import file; its dictionary: --format redcap-dictionary",
}


class _Tick(Checkbox):
    """A checkbox whose box is empty when off: the state is never told by colour alone."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's class attribute, per value
        return "X" if self.value else " "


class _Choice(RadioButton):
    """A radio button with a dot only when chosen (the default shows a dim dot either way)."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's class attribute, per value
        return "●" if self.value else " "


@dataclass(frozen=True, slots=True)
class ExportJob:
    """One export as chosen on the screen, built on the UI thread: the worker reads only this."""

    repository: Any
    case_ids: list[str] | None
    options: Any  # store.export.runner.ExportOptions
    path: Path
    catalogue: Any
    today: date

    def run(self, progress: Callable[[int, int], None]) -> Any:
        from store.export.runner import export_cases

        return export_cases(self.repository, self.case_ids, self.options, self.path, catalogue=self.catalogue,
                            today=self.today, now=datetime.now(timezone.utc), progress=progress)


def proposed_directory() -> Path:
    """The current folder if we may write there, else the home folder."""
    here = Path.cwd()
    return here if os.access(here, os.W_OK) else Path.home()


class ExportScreen(ModalScreen[Any]):
    """Export the given cases (None: every case); dismisses with the ExportResult, or None."""

    DEFAULT_CSS = """
    ExportScreen {
        align: center middle;
        & > #export-dialog {
            width: 78;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: round $primary;
            border-title-style: bold;
            background: $surface;
            padding: 0 1;
        }
        & #export-what { height: auto; color: $text-muted; }
        & .export-row { height: auto; margin: 1 0 0 0; }
        & .export-label { width: 9; height: 1; padding: 0 1 0 0; color: $text-muted; }
        & #export-path-label { margin: 1 0 0 0; }
        & #export-format { layout: grid; grid-size: 4; grid-gutter: 0 1; width: 1fr; height: auto; border: none;
                           padding: 0; }
        & #export-format > RadioButton { width: auto; margin: 0; }
        & #export-hint { height: 1; margin: 0 0 0 9; color: $text-muted; }
        & #export-deidentify { margin: 0 0 0 8; border: none; padding: 0; }
        & #export-path { width: 1fr; }
        & #export-progress { margin: 1 0 0 0; height: 1; }
        & #export-result { height: auto; min-height: 1; margin: 1 0 0 0; }
        & #export-result.-error { color: $text-error; text-style: bold; }
        & #export-buttons { height: auto; align-horizontal: right; margin: 1 0 0 0; }
        & #export-buttons > Button { margin: 0 0 0 2; }
    }
    """

    BINDINGS: ClassVar = [
        Binding("escape", "close", "Close", show=True),
        Binding("ctrl+s", "export", "Export", show=True),
    ]

    class Progress(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    class Finished(Message):
        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    class Failed(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    def __init__(self, repository: Any, case_ids: list[str] | None = None, today: date | None = None,
                 catalogue: Any = None, labels: dict[str, str] | None = None) -> None:
        super().__init__()
        self.labels = labels or {}  # case id -> patient label: the screen names cases as clinicians do
        self.repository = repository
        self.case_ids = None if case_ids is None else list(case_ids)
        self.today = today or date.today()
        self.catalogue = catalogue if catalogue is not None else getattr(repository, "catalogue", None)
        self.running = False
        self.result: Any = None
        self._proposal = ""
        self._confirm_replace: str | None = None
        self._keys_ready = False

    # ----- layout ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        dialog = Vertical(id="export-dialog")
        dialog.border_title = "Export"
        with dialog:
            yield Static(Text(self._what()), id="export-what", markup=False)
            with Horizontal(classes="export-row"):
                yield Label("Format", classes="export-label")
                with RadioSet(id="export-format"):
                    for n, (fmt, label) in enumerate(FORMAT_CHOICES):
                        yield _Choice(label, value=n == 0, id=f"format-{fmt}")
            yield Static(Text(FORMAT_HINTS["md"]), id="export-hint", markup=False)
            yield _Tick("De-identify: no labels or free text, hashed ids, shifted dates",
                           id="export-deidentify")
            with Horizontal(classes="export-row"):
                yield Label("File", classes="export-label", id="export-path-label")
                yield OrderedInput(id="export-path", placeholder="path of the file to write")
            yield ProgressBar(id="export-progress", show_eta=False)
            yield Static("", id="export-result", markup=False)
            with Horizontal(id="export-buttons"):
                yield Button("Export", id="export-go", variant="primary", compact=True)
                yield Button("Close", id="export-close", compact=True)
        yield Footer(compact=True, show_command_palette=False)  # this screen's keys, not the board's

    def on_mount(self) -> None:
        self.query_one("#export-progress", ProgressBar).display = False
        self._propose_path()
        # The file box first, its proposed path selected: what a clinician types is the file to write
        # (replacing the proposal), never keys lost on the format buttons. Format: shift+tab.
        self.query_one("#export-path", Input).focus()

    @property
    def accepts_keys(self) -> bool:
        """Keys typed ahead wait until the file box has first had focus (tui/typeahead.py): none is lost."""
        if not self._keys_ready and self.is_mounted:
            self._keys_ready = self.query_one("#export-path", Input).has_focus
        return self._keys_ready

    def _what(self) -> str:
        if self.case_ids is None:
            return "Every case in the database."
        from checklists.text import printable_line

        names = [f"{printable_line(self.labels[c])} (case {c})" if self.labels.get(c) else f"case {c}"
                 for c in self.case_ids[:4]]
        if len(self.case_ids) == 1:
            return names[0][0].upper() + names[0][1:] + "."
        more = ", ..." if len(self.case_ids) > 4 else ""
        return f"{len(self.case_ids)} cases: {', '.join(names)}{more}"

    # ----- choices --------------------------------------------------------------------------------
    @property
    def fmt(self) -> str:
        pressed = self.query_one("#export-format", RadioSet).pressed_button
        return pressed.id.removeprefix("format-") if pressed and pressed.id else "md"

    @property
    def deidentify(self) -> bool:
        return self.query_one("#export-deidentify", Checkbox).value

    def options(self):
        from store.export.runner import ExportOptions

        return ExportOptions(self.fmt, deidentify=self.deidentify)

    def _propose_path(self) -> None:
        """Offer a file name for the choices; a path the clinician typed is never replaced."""
        from store.export.runner import default_filename

        box = self.query_one("#export-path", Input)
        proposal = str(proposed_directory() / default_filename(self.case_ids, self.options(), self.today))
        if box.value in ("", self._proposal):
            box.value = proposal
            box.cursor_position = len(proposal)
        self._proposal = proposal

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self) -> None:
        self.query_one("#export-hint", Static).update(Text(FORMAT_HINTS[self.fmt]))
        self._propose_path()

    @on(Checkbox.Changed, "#export-deidentify")
    def _deidentify_changed(self) -> None:
        self._propose_path()

    @on(Input.Changed, "#export-path")
    def _path_changed(self, event: Input.Changed) -> None:
        if self._confirm_replace and str(_target(event.value)) != self._confirm_replace:
            self._confirm_replace = None  # a different file: ask again before replacing it

    # ----- exporting ------------------------------------------------------------------------------
    @on(Button.Pressed, "#export-go")
    @on(Input.Submitted, "#export-path")
    def action_export(self) -> None:
        if self.running:
            return
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self._show("✗ Give the path of the file to write.", error=True)
            return
        path = _target(text)
        if path.is_file() and self._confirm_replace != str(path):
            self._confirm_replace = str(path)
            self._show(f"! {path} exists: press Export again to replace it.", error=True)
            return
        self._confirm_replace = None
        self.running = True
        self.query_one("#export-go", Button).disabled = True
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self._show("Exporting…")
        self._run(ExportJob(self.repository, self.case_ids, self.options(), path, self.catalogue, self.today))

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _run(self, job: ExportJob) -> None:
        last = -1

        def progress(done: int, total: int) -> None:
            nonlocal last
            percent = done * 100 // max(total, 1)
            if percent != last:  # at most a hundred messages, however many cases
                last = percent
                self.post_message(self.Progress(done, total))

        try:
            result = job.run(progress)
        except Exception as exc:  # shown on the screen; the typed path stays
            self.post_message(self.Failed(describe_export_failure(exc)))
            return
        self.post_message(self.Finished(result))

    @on(Progress)
    def _progress(self, message: Progress) -> None:
        self.query_one("#export-progress", ProgressBar).update(total=message.total, progress=message.done)

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self.running = False
        self.result = message.result
        self.query_one("#export-go", Button).disabled = False
        self.query_one("#export-progress", ProgressBar).display = False
        line = message.result.line()
        self._show("✓ " + line[0].upper() + line[1:] + ".")

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.running = False
        self.query_one("#export-go", Button).disabled = False
        self.query_one("#export-progress", ProgressBar).display = False
        self._show(f"✗ {message.message}", error=True)

    def _show(self, line: str, *, error: bool = False) -> None:
        result = self.query_one("#export-result", Static)
        result.update(Text(line))
        result.set_class(error, "-error")

    @on(Button.Pressed, "#export-close")
    def action_close(self) -> None:
        if self.running:
            self._show("Exporting… the file is written whole or not at all; wait a moment.")
            return
        self.dismiss(self.result)


def _target(text: str) -> Path:
    """The file a typed path names; a relative one is taken in the proposed folder."""
    path = Path(text.strip()).expanduser()
    return path if path.is_absolute() else proposed_directory() / path
