"""The change history (`h` in a case; "Recent changes" in the command palette for the whole database):
who changed what, when, from which value to which, newest first, as `rounds audit` prints it.

Read in a thread worker and read again when another process writes (LiveScreen, tui/screens/live.py),
so a colleague's change shows here as it does on the board.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from tui.host import host_of
from tui.screens.live import LiveScreen

if TYPE_CHECKING:
    from store.history import HistoryEntry
    from store.repository import Repository

# The whole database's history is read newest first and stops here (`rounds audit` lists it all).
DATABASE_LIMIT = 300


def local_time(stamp: str) -> str:
    """`2026-11-21T09:30:00.000Z` as the clinician's local time, `2026-11-21 10:30`."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def change_text(entry: HistoryEntry) -> str:
    """`old → new` for a change of a value; nothing for a record of something done (an export, say)."""
    from store.history import RECORD_ACTIONS, value_text

    return "" if entry.action in RECORD_ACTIONS else f"{value_text(entry.old)} → {value_text(entry.new)}"


@dataclass(frozen=True, slots=True)
class HistoryData:
    entries: tuple[HistoryEntry, ...]  # newest first
    warnings: tuple[str, ...]  # case files that could not be read, one line each


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """One case's history (case_id), or the whole database's newest changes (None); its methods run in
    thread workers."""

    repository: Repository
    case_id: str | None
    today: date

    def signature(self) -> object:
        """A case's trail is in its file (and the settings file, for the exports that included it);
        the database's is in every file."""
        files = self.repository.case_signature(self.case_id) if self.case_id else self.repository.signatures()
        return files, self.repository.settings_signature()

    def read(self) -> tuple[HistoryData, object]:
        from store.history import history

        signature = self.signature()  # first: a change made meanwhile shows at the next poll
        warnings: list[str] = []
        limit = None if self.case_id else DATABASE_LIMIT
        entries = history(self.repository, self.case_id, limit=limit, warnings=warnings)
        return HistoryData(tuple(entries), tuple(warnings)), signature


class HistoryScreen(LiveScreen[HistoryData]):
    """One case's history (case_id), or the most recent changes of the whole database (None)."""

    BINDINGS = [
        Binding("escape,h", "back", "Back", id="back"),
        Binding("r", "reload", "Reload", id="reload"),
    ]

    failure_title = "Cannot read the history"

    def __init__(self, case_id: str | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.entries: tuple[HistoryEntry, ...] = ()

    @property
    def where(self) -> str:
        return f"case {self.case_id}" if self.case_id else "the whole database"

    def compose(self) -> ComposeResult:
        yield Static(Text(f"History of {self.where} · newest first · loading…"), id="history-title",
                     classes="title-bar")
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

    # -- reading (LiveScreen runs the query in thread workers) -----------------------------------------

    def live_query(self) -> HistoryQuery:
        host = host_of(self)
        return HistoryQuery(host.repository, self.case_id, host.today)

    def show_data(self, data: HistoryData, *, first: bool) -> None:
        table = self.query_one(DataTable)
        # A change read since keeps the highlight on the entry it was on (new ones arrive above it).
        keep = self._highlighted_entry()
        self.entries = data.entries
        table.clear()
        for entry in data.entries:
            cells: list[Any] = [local_time(entry.when), Text(entry.who)]
            if not self.case_id:
                cells.append(entry.case or "settings")
            cells += [Text(entry.what), Text(change_text(entry))]  # recorded text: Text, never markup
            table.add_row(*cells)
        if keep is not None and keep in data.entries:
            table.move_cursor(row=data.entries.index(keep), animate=False)
        count = len(data.entries)
        more = " (the newest; rounds audit lists them all)" if not self.case_id and count >= DATABASE_LIMIT else ""
        title = f"History of {self.where} · {count} change{'s' if count != 1 else ''}{more} · newest first · local time"
        self.query_one("#history-title", Static).update(Text(title))
        for warning in data.warnings:
            self.say_once(warning, title="Warning")
        if first:
            table.focus()

    def show_unreadable(self, error: str) -> None:
        self.query_one("#history-title", Static).update(Text(f"History: {error}"))

    def gone_notice(self) -> str:
        return f"Case {self.case_id} is no longer in the database."

    # -- showing ------------------------------------------------------------------------------------

    def _highlighted_entry(self) -> HistoryEntry | None:
        row = self.query_one(DataTable).cursor_row
        return self.entries[row] if self.entries and 0 <= row < len(self.entries) else None

    @on(DataTable.RowHighlighted)
    def _show_detail(self, message: DataTable.RowHighlighted) -> None:
        """The highlighted change in full below the table (its columns are cut to fit 80 columns)."""
        if not 0 <= message.cursor_row < len(self.entries):
            return
        entry = self.entries[message.cursor_row]
        text = Text()
        text.append(f"{local_time(entry.when)} {entry.who}", style="bold")
        text.append(f" · {entry.case or 'clinic settings'} · ")
        text.append(entry.what)  # recorded text: Text, never markup
        if change := change_text(entry):
            text.append(f"\n{change}")
        if entry.reason:
            text.append(f"\nreason: {entry.reason}")
        self.query_one("#history-detail", Static).update(text)

    # -- actions ------------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.reload()

    def palette_commands(self) -> list[Any]:
        from tui.palette import PaletteCommand

        return [PaletteCommand("Back", "(escape)", self.action_back),
                PaletteCommand("Reload the history", "(r)", self.action_reload)]
