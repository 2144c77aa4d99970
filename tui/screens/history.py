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
    from store.history import WordedEntry
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


def before_text(worded: WordedEntry) -> str:
    """`before: …` for the detail pane: the values the change replaced, as the audit trail holds them,
    in words; nothing for a record of something done (an export, say) or a change that says it already."""
    from checklists.change_words import value_words
    from store.history import RECORD_ACTIONS

    entry = worded.entry
    if entry.action in RECORD_ACTIONS or entry.action in ("field-set", "policy-set", "event-log", "case-add"):
        return ""  # the sentence names the old value, or there was none
    if entry.old is None or entry.old is False:
        return ""
    return f"before: {value_words(entry.old)}"


@dataclass(frozen=True, slots=True)
class HistoryData:
    entries: tuple[WordedEntry, ...]  # newest first, in words
    warnings: tuple[str, ...]  # case files that could not be read, one line each


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """One case's history (case_id), or the whole database's newest changes (None); its methods run in
    thread workers."""

    repository: Repository
    case_id: str | None
    today: date
    catalogue: Any = None

    def signature(self) -> object:
        """A case's trail is in its file (and the settings file, for the exports that included it);
        the database's is in every file."""
        files = self.repository.case_signature(self.case_id) if self.case_id else self.repository.signatures()
        return files, self.repository.settings_signature()

    def read(self) -> tuple[HistoryData, object]:
        from store.history import history, worded

        signature = self.signature()  # first: a change made meanwhile shows at the next poll
        warnings: list[str] = []
        limit = None if self.case_id else DATABASE_LIMIT
        entries = history(self.repository, self.case_id, limit=limit, warnings=warnings)
        catalogue = self.catalogue if self.catalogue is not None else self.repository.catalogue
        return HistoryData(tuple(worded(entries, catalogue)), tuple(warnings)), signature


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
        self.entries: tuple[WordedEntry, ...] = ()
        self._shown: HistoryData | None = None  # shown again at a new width when the terminal is resized

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
        table.add_column("What", width=self._what_width())

    def on_resize(self) -> None:
        """The sentence column follows the terminal's width, its rows wrapped again to fit."""
        table = self.query_one(DataTable)
        column = table.ordered_columns[-1] if table.ordered_columns else None
        width = self._what_width()
        if column is not None and column.width != width:
            column.width = width
            if self._shown is not None:
                self.show_data(self._shown, first=False)

    def _what_width(self) -> int:
        """What is left of the screen for the sentence (it wraps within it: nothing is cut)."""
        fixed = 16 + 10 + (0 if self.case_id else 10)
        columns = 3 if self.case_id else 4
        # Each column has a cell of padding either side; the vertical scrollbar takes two.
        return max(self.app.size.width - fixed - 2 * columns - 2, 20)

    # -- reading (LiveScreen runs the query in thread workers) -----------------------------------------

    def live_query(self) -> HistoryQuery:
        host = host_of(self)
        return HistoryQuery(host.repository, self.case_id, host.today, host.catalogue)

    def show_data(self, data: HistoryData, *, first: bool) -> None:
        table = self.query_one(DataTable)
        # A change read since keeps the highlight on the entry it was on (new ones arrive above it).
        keep = self._highlighted_entry()
        self._shown = data
        self.entries = data.entries
        table.clear()
        for worded in data.entries:
            entry = worded.entry
            cells: list[Any] = [local_time(entry.when), Text(entry.who)]
            if not self.case_id:
                cells.append(entry.case or "settings")
            cells.append(Text(worded.sentence))  # recorded text: Text, never markup
            table.add_row(*cells, height=None)  # as many lines as the sentence needs
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

    def _highlighted_entry(self) -> WordedEntry | None:
        row = self.query_one(DataTable).cursor_row
        return self.entries[row] if self.entries and 0 <= row < len(self.entries) else None

    @on(DataTable.RowHighlighted)
    def _show_detail(self, message: DataTable.RowHighlighted) -> None:
        """The highlighted change in full below the table (its columns are cut to fit 80 columns)."""
        if not 0 <= message.cursor_row < len(self.entries):
            return
        worded = self.entries[message.cursor_row]
        entry = worded.entry
        text = Text()
        text.append(f"{local_time(entry.when)} {entry.who}", style="bold")
        text.append(f" · {f'case {entry.case}' if entry.case else 'clinic settings'}\n")
        text.append(worded.sentence)  # recorded text: Text, never markup
        if before := before_text(worded):
            text.append(f"\n{before}")
        if entry.reason and entry.reason not in worded.sentence:
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
