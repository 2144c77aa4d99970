"""The change history (`h` in a case; "Recent changes" in the command palette for the whole database):
who changed what, when, from which value to which, newest first, as `rounds audit` prints it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

# The whole database's history is read newest first and stops here (`rounds audit` lists it all).
DATABASE_LIMIT = 300


def local_time(stamp: str) -> str:
    """`2026-11-21T09:30:00.000Z` as the clinician's local time, `2026-11-21 10:30`."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


class HistoryScreen(Screen[None]):
    """One case's history (case_id), or the most recent changes of the whole database (None)."""

    BINDINGS = [
        Binding("escape,h", "back", "Back", id="back"),
        Binding("r", "reload", "Reload", id="reload"),
    ]

    class Loaded(Message):
        def __init__(self, entries: list, warnings: list[str]) -> None:
            super().__init__()
            self.entries, self.warnings = entries, warnings

    class Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, case_id: str | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.entries: list = []

    def compose(self) -> ComposeResult:
        where = f"case {self.case_id}" if self.case_id else "the whole database"
        yield Static(Text(f"History of {where} · newest first · loading…"), id="history-title", classes="title-bar")
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="history-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("When", width=16)
        table.add_column("Who", width=10)
        if not self.case_id:
            table.add_column("Case", width=10)
        table.add_column("What", width=22 if self.case_id else 18)
        table.add_column("Change")
        self.reload()

    @on(DataTable.RowHighlighted)
    def _show_detail(self, message: DataTable.RowHighlighted) -> None:
        """The highlighted change in full below the table (its columns are cut to fit 80 columns)."""
        from store.history import RECORD_ACTIONS, value_text

        if not 0 <= message.cursor_row < len(self.entries):
            return
        entry = self.entries[message.cursor_row]
        text = Text()
        text.append(f"{local_time(entry.when)} {entry.who}", style="bold")
        text.append(f" · {entry.case or 'clinic settings'} · ")
        text.append(entry.what)  # recorded text: Text, never markup
        if entry.action not in RECORD_ACTIONS:
            text.append(f"\n{value_text(entry.old)} → {value_text(entry.new)}")
        if entry.reason:
            text.append(f"\nreason: {entry.reason}")
        self.query_one("#history-detail", Static).update(text)

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="history-load", exit_on_error=False)
    def _load(self) -> None:
        from store.history import history

        warnings: list[str] = []
        try:
            limit = None if self.case_id else DATABASE_LIMIT
            entries = history(self.app.repository, self.case_id, limit=limit, warnings=warnings)
        except Exception as error:  # noqa: BLE001 - shown, never a crash
            from tui.errors import describe_read_failure as describe_error

            self.post_message(self.Failed(describe_error(error)))
            return
        self.post_message(self.Loaded(entries, warnings))

    @on(Loaded)
    def _on_loaded(self, message: Loaded) -> None:
        from store.history import RECORD_ACTIONS, value_text

        self.entries = message.entries
        table = self.query_one(DataTable)
        table.clear()
        for entry in message.entries:
            change = "" if entry.action in RECORD_ACTIONS else f"{value_text(entry.old)} → {value_text(entry.new)}"
            cells = [local_time(entry.when), Text(entry.who)]
            if not self.case_id:
                cells.append(entry.case or "settings")
            cells += [Text(entry.what), Text(change)]  # recorded text (notes, labels): Text, never markup
            table.add_row(*cells)
        where = f"case {self.case_id}" if self.case_id else "the whole database"
        count = len(message.entries)
        more = " (the newest; rounds audit lists them all)" if not self.case_id and count >= DATABASE_LIMIT else ""
        title = f"History of {where} · {count} change{'s' if count != 1 else ''}{more} · newest first · local time"
        self.query_one("#history-title", Static).update(Text(title))
        for warning in message.warnings:
            self.notify(warning, title="Warning", severity="warning", markup=False, timeout=10)
        table.focus()

    @on(Failed)
    def _on_failed(self, message: Failed) -> None:
        self.query_one("#history-title", Static).update(Text(f"History: {message.error}"))
        self.notify(message.error, title="Cannot read the history", severity="error", markup=False, timeout=10)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.reload()

    def palette_commands(self) -> list[Any]:
        from tui.palette import PaletteCommand

        return [PaletteCommand("Back", "(escape)", self.action_back),
                PaletteCommand("Reload the history", "(r)", self.action_reload)]
