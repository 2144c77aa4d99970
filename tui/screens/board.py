"""The case board, Rounds' start screen: every case, most urgent first, filtered and searched as you type.

Rows are read by the store in a thread worker and arrive as a message; the screen then only
filters (in memory) and hands the result to the CaseBoard widget, which draws the visible lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static
from tui.widgets.footer import RoundsFooter

from checklists.board import FILTERS, filter_rows
from checklists.models import CaseRow
from checklists.wording import pathways_short
from tui.host import host_of
from tui.screens.live import LiveScreen, Marks
from tui.widgets.case_board import CaseBoard
from tui.widgets.ordered_input import OrderedInput

if TYPE_CHECKING:
    from store.repository import Repository

FILTER_HELP = {
    "overdue": "cases with an overdue item",
    "due": "cases with a due or overdue item",
    "soon": "cases with a due-soon, due or overdue item",
    "active": "every case still followed (active or resolved)",
    "closed": "cases whose follow-up ended (closed or lost)",
    "all": "every case",
}


def empty_database_text(repository: Any) -> Text:
    """What an empty board says: how to add a case, and the command that fills *this* database with
    demo cases (a bare `rounds demo` fills the default one, not the one opened with --db)."""
    import shlex

    where = getattr(repository, "db_dir", None)
    command = f"rounds --db {shlex.quote(str(where))} demo" if where is not None else "rounds demo"
    return Text(
        "No cases yet.\n\n"
        "Press n to add a case, or load a dozen synthetic demo cases from a shell:\n\n"
        f"  {command}\n\n"
        "They appear here within a couple of seconds."
    )


@dataclass(frozen=True, slots=True)
class BoardData:
    rows: list[CaseRow]  # most urgent first
    warnings: tuple[str, ...]  # cases that could not be read, one line each


@dataclass(frozen=True, slots=True)
class BoardQuery:
    """What the board reads: every case's row on `today` (its methods run in thread workers)."""

    repository: Repository
    today: date

    def signature(self) -> Marks:
        """Changes whenever a case file is written by Rounds, or the clinic policy changes: a stat of each
        shard folder, not of each case file (tui/screens/live.py, store/repository.py folder_marks).
        Where folder times are kept to the second, two saves in one second could look like one: there
        every case file is stat-ed at each poll, as before."""
        from store.repository import coarse_times

        folders = self.repository.folder_marks()
        quick = (folders, self.repository.settings_signature())
        return Marks(quick, self.repository.signatures()) if coarse_times(folders) else Marks(quick)

    def thorough_signature(self) -> Marks:
        """Also every case file's own stat: catches a file edited in place by another tool."""
        quick = (self.repository.folder_marks(), self.repository.settings_signature())
        return Marks(quick, self.repository.signatures())

    def read(self) -> tuple[BoardData, Marks]:
        # The settings and folders are stat-ed first and the cases are scanned before they are read,
        # so a change made during the read is seen by the next poll.
        quick = (self.repository.folder_marks(), self.repository.settings_signature())
        result = self.repository.list_rows(self.today)
        return BoardData(result.in_board_order(), tuple(result.warnings)), Marks(quick, result.signatures)


NEXT_DUE_KEYS = Binding.Group("Next due")


class BoardScreen(LiveScreen[BoardData]):
    """The list of cases; enter opens one, and forms can be started from here for the selected case."""

    AUTO_FOCUS = "CaseBoard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="search", tooltip="case id or patient label, as you type"),
        Binding("n", "new_case", "New", id="new-case", tooltip="add a case"),
        Binding("f", "cycle_filter", "Filter", id="cycle-filter",
                tooltip="overdue, due, soon, active, closed, all (or 1-6)"),
        Binding("l", "log_event", "Log", id="log-event", tooltip="log an event for the highlighted case"),
        # Shown in the footer as one entry, "d s z Next due", so that it fits beside the rest at 80 columns.
        Binding("d", "item('done')", "Done next", id="item-done", group=NEXT_DUE_KEYS,
                tooltip="the highlighted case's next due item"),
        Binding("s", "item('skip')", "Skip next", id="item-skip", group=NEXT_DUE_KEYS),
        Binding("z", "item('snooze')", "Snooze next", id="item-snooze", group=NEXT_DUE_KEYS),
        Binding("o", "reopen", "Reopen", show=False, id="item-reopen", tooltip="open the case to pick the item"),
        Binding("E,x", "set_field", "Set field", show=False, id="set-field",
                tooltip="etiology, inflammation, status, ..."),
        Binding("escape", "clear_search", "Clear search", show=False, id="clear-search",
                tooltip="leave the search box; again to clear it"),
        Binding("r", "reload", "Reload", show=False, id="reload", tooltip="the cases also refresh by themselves"),
        Binding("w", "worklist", "Worklist", show=False, id="worklist",
                tooltip="overdue, due and opening this week"),
        Binding("u", "undo", "Undo", show=False, id="undo", tooltip="your latest change; asks first"),
        Binding("P", "app.protocol", "Protocol", show=False, id="protocol",
                tooltip="the clinic protocol: every rule and its review"),
        *(Binding(str(n), f"set_filter('{name}')", f"Filter {name}", show=False, id=f"filter-{name}")
          for n, name in enumerate(FILTERS, start=1)),
    ]

    failure_title = "Cannot read the cases"

    def __init__(self) -> None:
        super().__init__()
        self.filter_name = "active"
        self.search_text = ""
        self._all_rows: list[CaseRow] = []
        self._unreadable = False

    def compose(self) -> ComposeResult:
        yield Static(id="board-title", classes="title-bar")
        yield Static(id="board-filters", classes="status-bar")
        yield OrderedInput(id="board-search")
        catalogue = host_of(self).catalogue
        yield CaseBoard(lambda pathways: pathways_short(pathways, catalogue), id="case-board")
        yield Static("Loading cases…", id="board-empty")
        yield RoundsFooter(compact=True)

    def on_mount(self) -> None:
        self._show_title()
        self._show_filters(shown=0)

    def on_resize(self) -> None:
        self._show_filters(len(self.board.rows) if self.has_loaded else 0)

    @property
    def board(self) -> CaseBoard:
        return self.query_one(CaseBoard)

    # -- reading the store (LiveScreen runs the query in thread workers) --------------------------------

    @property
    def accepts_keys(self) -> bool:
        """Keys typed before the first read act once it is shown (tui/typeahead.py), or once it failed."""
        return self.has_loaded or self._unreadable

    def live_query(self) -> BoardQuery:
        host = host_of(self)
        return BoardQuery(host.repository, host.today)

    def show_data(self, data: BoardData, *, first: bool) -> None:
        if first:
            self._check_permissions(host_of(self).repository)
            from tui.startup import start_up_finished

            start_up_finished()  # after the first rows, not before: tui/startup.py
        self._all_rows = data.rows
        for warning in data.warnings:
            self.say_once(warning, title="Warning")
        self._show_title()
        self._apply_filter()

    def show_unreadable(self, error: str) -> None:
        self._unreadable = True
        from tui.startup import start_up_finished

        start_up_finished()
        self._show_instead_of_rows(
            Text(f"Cannot read the cases: {error}\n\nRounds keeps trying; the cases appear once they can be read.")
        )

    @work(thread=True, exclusive=True, group="board-permissions", exit_on_error=False)
    def _check_permissions(self, repository: Repository) -> None:
        """Once, after the first list: a database other users can read is named with its fix."""
        check = getattr(repository, "permission_warnings", None)
        try:
            warnings = check() if check is not None else []
        except OSError:
            return
        for warning in warnings:
            self.app.notify(warning, title="Database open to others", severity="warning", markup=False,
                            timeout=15)

    # -- showing ------------------------------------------------------------------------------------

    def _apply_filter(self, *, chosen: bool = False) -> None:
        """`chosen`: the clinician changed the filter or the search. If the highlighted case is not in
        the new list, the cursor starts at its top (the most urgent case) rather than wherever the old
        position falls; a refresh keeps it near where it was (a colleague closed the case under it)."""
        board = self.board
        keep = board.selected_id
        shown = filter_rows(self._all_rows, self.filter_name, search=self.search_text or None)
        board.set_rows(shown, keep=keep, today=self.loaded_for or host_of(self).today, from_top=chosen)
        self._show_filters(len(shown))
        self._show_empty_state(len(shown))

    def _show_title(self) -> None:
        today = self.loaded_for or host_of(self).today
        title = Text()
        title.append("Rounds", style="bold")
        title.append(" · case board · ")
        title.append(f"today {today.isoformat()}")
        self.query_one("#board-title", Static).update(title)

    def _show_filters(self, shown: int) -> None:
        line = Text()
        narrow = bool(self.size.width) and self.size.width < 72
        line.append("f: " if narrow else "Filter (f): ")
        for name in FILTERS:
            if name == self.filter_name:
                # Brackets mark the current filter without relying on the highlight colour.
                line.append(f"[{name}]", style="bold reverse")
            else:
                line.append(f" {name} ", style="dim")
        total = len(self._all_rows)
        if not self.has_loaded:
            count = "  loading…"
        elif narrow:  # what fits beside the filters at 60 columns
            count = f"  {shown}/{total}"
        else:
            count = f"  {shown} of {total} case{'s' if total != 1 else ''}"
        line.append(count, style="bold")
        self.query_one("#board-filters", Static).update(line)
        # What the filter keeps, said in the (empty) search row: always there, never over the rows,
        # unlike a notice per key press, which stacked up over the list as f was pressed.
        self.query_one("#board-search", Input).placeholder = (
            f"/ search id or label · showing {FILTER_HELP[self.filter_name]}"
        )

    def _show_empty_state(self, shown: int) -> None:
        board = self.board
        if shown:
            self.query_one("#board-empty", Static).display = False
            board.display = True
            if self.focused is None:
                board.focus()
            return
        if not self._all_rows:
            self._show_instead_of_rows(empty_database_text(host_of(self).repository))
            return
        text = Text(f"No cases match filter '{self.filter_name}' ({FILTER_HELP[self.filter_name]})")
        if self.search_text:
            text.append(" and search “")
            text.append(self.search_text)  # typed text: plain Text, never markup
            text.append("”")
        text.append(".\n\nPress f to change the filter (or 6 for all), escape to clear the search.")
        self._show_instead_of_rows(text)

    def _show_instead_of_rows(self, text: Text) -> None:
        empty = self.query_one("#board-empty", Static)
        board = self.board
        empty.update(text)
        empty.display = True
        if board.has_focus:
            # Hiding the focused board would hand focus to the search box, and then `n` would be typed
            # into it instead of adding a case: keep focus on the screen itself.
            self.set_focus(None)
        board.display = False

    # -- search and filters -------------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#board-search", Input).focus()

    @on(Input.Changed, "#board-search")
    def _on_search_changed(self, event: Input.Changed) -> None:
        self.search_text = event.value.strip()
        if self.has_loaded:
            self._apply_filter(chosen=True)

    @on(Input.Submitted, "#board-search")
    def _on_search_submitted(self) -> None:
        self._focus_board()

    def on_key(self, event: events.Key) -> None:
        # Down arrow or escape in the search box goes back to the list, keeping what was typed.
        if self.focused is self.query_one("#board-search") and event.key in ("down", "escape"):
            event.stop()
            self._focus_board()

    def _focus_board(self) -> None:
        if self.board.display:
            self.board.focus()
        else:
            self.set_focus(None)

    def action_clear_search(self) -> None:
        search = self.query_one("#board-search", Input)
        if search.value:
            search.value = ""

    def action_cycle_filter(self) -> None:
        index = FILTERS.index(self.filter_name)
        self.action_set_filter(FILTERS[(index + 1) % len(FILTERS)])

    def action_set_filter(self, name: str) -> None:
        self.filter_name = name
        if self.has_loaded:
            self._apply_filter(chosen=True)
        else:
            self._show_filters(0)

    def action_reload(self) -> None:
        self.reload()

    def _changed(self, _result: object = None) -> None:
        self.reload()

    # -- opening cases and forms --------------------------------------------------------------------

    @on(CaseBoard.Opened)
    def _on_opened(self, message: CaseBoard.Opened) -> None:
        host_of(self).open_case(message.case_id)

    def _selected(self) -> CaseRow | None:
        row = self.board.selected_row if self.board.display else None
        if row is None:
            self.notify("No case is selected.", severity="warning", timeout=3)
        return row

    def action_new_case(self) -> None:
        host_of(self).action_new_case()

    def action_log_event(self) -> None:
        from tui.forms.log_event import LogEventForm, kind_for_item  # the forms load on first use

        if row := self._selected():
            host = host_of(self)
            # Start on the kind that does the case's next due item.
            kind = kind_for_item(host.catalogue.item(row.next_due.item)) if row.next_due else None
            host.open_form(LogEventForm(host.repository, row.id, host.today, host.catalogue, kind=kind),
                           then=self._changed)

    def action_item(self, action: str) -> None:
        """d / s / z on the board act on the selected case's next due item."""
        row = self._selected()
        if row is None:
            return
        if row.next_due is None:
            self.notify("This case has no scheduled item; open it (enter) to pick one.", timeout=4)
            return
        host = host_of(self)
        if action == "done":
            from tui.forms.log_event import LogEventForm, logging_for_done, needed_fields

            # As on the case screen: a saline session is logged, a review is done by an assessment.
            definition = host.catalogue.item(row.next_due.item)
            instead = logging_for_done(definition, row.next_due.status)
            if instead is not None:
                form = LogEventForm(host.repository, row.id, host.today, host.catalogue, kind=instead[0],
                                    purpose=instead[1], lead=needed_fields(definition))
                host.open_form(form, then=self._changed)
                return
        from tui.forms.item_action import ItemActionForm

        host.open_form(ItemActionForm(host.repository, row.id, row.next_due.item, action, host.today,
                                      host.catalogue), then=self._changed)

    def action_worklist(self) -> None:
        from tui.screens.worklist import WorklistScreen

        self.app.push_screen(WorklistScreen())

    def action_reopen(self) -> None:
        if self.board.display and self.board.selected_row is not None:
            self.notify("Open the case (enter) and pick the item to reopen.", timeout=4)
        else:  # nothing listed: there is no case to open
            self.notify("No case is shown here, so there is no item to reopen.", severity="warning", timeout=4)

    def action_set_field(self) -> None:
        from tui.forms.set_field import SetFieldForm

        if row := self._selected():
            host = host_of(self)
            host.open_form(SetFieldForm(host.repository, row.id, host.today, host.catalogue), then=self._changed)

    def action_undo(self) -> None:
        """Undo your latest change anywhere in the database (asks first; tui/screens/undo.py)."""
        from tui.screens.undo import start_undo

        start_undo(self, None)

    def export_case_ids(self) -> list[str] | None:
        """What `e` exports from the board: the cases shown, or None (every case) when nothing is hidden."""
        if self.filter_name == "all" and not self.search_text:
            return None
        return [row.id for row in self.board.rows]

    def export_labels(self) -> dict[str, str]:
        """The patient label of each case shown, for the export screen to say whose summaries it writes."""
        return {row.id: row.patient for row in self.board.rows}

    # -- the command palette ------------------------------------------------------------------------

    def palette_commands(self) -> list:
        """This screen's entries in the command palette (tui/commands.py asks for them)."""
        from tui.palette import PaletteCommand

        commands = [
            PaletteCommand("Search cases", "Type part of a case id or patient label (/)", self.action_search),
            PaletteCommand("Log event for the selected case", "(l)", self.action_log_event),
            PaletteCommand("Mark the next due item done", "For the selected case (d)",
                           lambda: self.action_item("done")),
            PaletteCommand("Skip the next due item", "For the selected case (s)", lambda: self.action_item("skip")),
            PaletteCommand("Snooze the next due item", "For the selected case (z)",
                           lambda: self.action_item("snooze")),
            PaletteCommand("Set a field of the selected case", "(E or x)", self.action_set_field),
            PaletteCommand("Reload the cases", "(r)", self.action_reload),
        ]
        for name in FILTERS:
            commands.append(
                PaletteCommand(f"Filter: {name}", FILTER_HELP[name], partial(self.action_set_filter, name))
            )
        row = self.board.selected_row
        if row is not None:
            from checklists.text import printable_line

            commands.insert(0, PaletteCommand("Open the selected case",
                                              f"{printable_line(row.patient)}, case {row.id} (enter)",
                                              lambda: host_of(self).open_case(row.id)))
        return commands
