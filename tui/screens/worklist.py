"""The worklist (`w` on the board): what is overdue, due or opening in a week, by case, most urgent first.

The same list as `rounds worklist` (store/export/worklist.py), read in a thread worker and read again
when another process changes a case (LiveScreen, tui/screens/live.py). `[` and `]` move a week back or
on, `t` comes back to this week; enter opens a case; `e` exports the cases shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tui.host import host_of
from tui.screens.live import LiveScreen

if TYPE_CHECKING:
    from rich.console import Group, RenderableType
    from rich.table import Table

    from seeds.loader import Catalogue
    from store.export.worklist import WorkCase, Worklist
    from store.repository import Repository

WEEK = timedelta(days=7)
KIND_STYLES = {"overdue": "bold red", "due": "bold yellow", "opens": "bold", "snooze-ends": ""}


def hanging(lead: Text, body: Text, indent: int = 2) -> Table:
    """`lead` then `body`, a wrapped `body` continuing under itself (a hanging indent), so each item
    stays one block however narrow the terminal."""
    from rich.table import Table

    grid = Table.grid(expand=True)
    grid.add_column(width=indent, no_wrap=True)
    if lead.cell_len:
        grid.add_column(width=lead.cell_len, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_row(Text(" " * indent), *([lead] if lead.cell_len else []), body)
    return grid


def case_prompt(case: WorkCase) -> Group:
    """One case of the worklist as blocks of text (patient text is data, never markup): the heading,
    then each line indented under it, a wrapped line keeping its indent."""
    from rich.console import Group

    from store.export.worklist import KIND_WORDS, case_heading, item_when

    lines: list[RenderableType] = [hanging(Text(), Text(case_heading(case), style="bold"), indent=0)]
    if case.facts:
        lines.append(hanging(Text(), Text(" · ".join(case.facts), style="dim")))
    width = max(len(KIND_WORDS[i.kind]) for i in case.items)
    for item in case.items:
        # The word carries the status; the colour only repeats it.
        lead = Text(f"{KIND_WORDS[item.kind]:<{width}}  ", style=KIND_STYLES[item.kind])
        body = Text(f"{item.title}: {item_when(item, False)}")
        if item.detail:
            body.append(f" ({item.detail})", style="dim")
        lines.append(hanging(lead, body))
    if case.alerts:
        lines.append(hanging(Text("Alerts: "), Text("; ".join(case.alerts))))
    if case.before_enrolment:
        lines.append(hanging(Text(), Text("Before enrolment (missed): " + "; ".join(case.before_enrolment),
                                          style="dim")))
    return Group(*lines)


@dataclass(frozen=True, slots=True)
class WorklistData:
    worklist: Worklist
    warnings: tuple[str, ...]  # case files that could not be read, one line each


@dataclass(frozen=True, slots=True)
class WorklistQuery:
    """The week from `start`, every case evaluated on its first day (its methods run in thread workers)."""

    repository: Repository
    catalogue: Catalogue
    start: date
    today: date

    def signature(self) -> object:
        """Changes whenever a case file or the clinic policy changes."""
        return self.repository.signatures(), self.repository.settings_signature()

    def read(self) -> tuple[WorklistData, object]:
        from store.export.runner import build_worklist_of

        signature = self.signature()  # first: a change made meanwhile shows at the next poll
        warnings: list[str] = []
        worklist, _ = build_worklist_of(self.repository, self.start, self.start + WEEK, catalogue=self.catalogue,
                                        warnings=warnings)
        return WorklistData(worklist, tuple(warnings)), signature


class WorklistScreen(LiveScreen[WorklistData]):
    """A week's worklist; dismissed with escape."""

    AUTO_FOCUS = "#worklist"
    DEFAULT_CSS = """
    WorklistScreen {
        & #worklist { height: 1fr; border: none; padding: 0 1; }
        & #worklist-empty { height: auto; padding: 1 2; }
    }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="worklist-back"),
        Binding("left_square_bracket", "shift(-1)", "Week back", id="worklist-previous"),
        Binding("right_square_bracket", "shift(1)", "Week on", id="worklist-next"),
        Binding("t", "this_week", "This week", id="worklist-this-week"),
        Binding("r", "reload", "Reload", show=False, id="worklist-reload"),
    ]

    failure_title = "Cannot read the cases"

    def __init__(self, start: date | None = None) -> None:
        super().__init__()
        self._start = start
        self.worklist: Worklist | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="worklist-title", classes="title-bar")
        yield OptionList(id="worklist")
        yield Static("Loading the worklist…", id="worklist-empty")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show_title(loading=True)

    @property
    def start(self) -> date:
        """The week's first day: this week's (today) unless the clinician moved."""
        if self._start is None:
            self._start = host_of(self).today
        return self._start

    @property
    def end(self) -> date:
        return self.start + WEEK

    # -- reading (LiveScreen runs the query in thread workers) -----------------------------------------

    def live_query(self) -> WorklistQuery:
        host = host_of(self)
        return WorklistQuery(host.repository, host.catalogue, self.start, host.today)

    def show_data(self, data: WorklistData, *, first: bool) -> None:
        worklist = data.worklist
        for warning in data.warnings:
            self.say_once(warning, title="Warning")
        if worklist.start != self.start:
            return  # a week the clinician has already moved away from (the new week is being read)
        options = self.query_one("#worklist", OptionList)
        # Read again for a change elsewhere: the highlight stays on its case; a new week starts at the top.
        same_week = self.worklist is not None and self.worklist.start == worklist.start
        keep = options.highlighted_option.id if same_week and options.highlighted_option is not None else None
        self.worklist = worklist
        options.clear_options()
        shown: list[Option | None] = []
        for case in worklist.cases:
            if shown:
                shown.append(None)  # a separator line between cases
            shown.append(Option(case_prompt(case), id=case.case_id))
        options.add_options(shown)
        if worklist.cases:
            ids = [case.case_id for case in worklist.cases]
            # enter opens the most urgent case at once
            options.highlighted = options.get_option_index(keep if keep in ids else ids[0])
        empty = self.query_one("#worklist-empty", Static)
        empty.display = not worklist.cases
        empty.update(Text("Nothing is due, overdue or opening this week. [ and ] move a week."))
        options.display = bool(worklist.cases)
        self._show_title()

    def show_unreadable(self, error: str) -> None:
        self.query_one("#worklist-empty", Static).update(Text(f"Cannot read the cases: {error}"))

    # -- showing ------------------------------------------------------------------------------------

    def _show_title(self, loading: bool = False) -> None:
        title = Text()
        title.append("Rounds", style="bold")
        title.append(f" · worklist {self.start.isoformat()} to {self.end.isoformat()}")
        if loading:
            title.append(" · loading…")
        elif self.worklist is not None:
            title.append(f" · {self.worklist.count_words()}")
        self.query_one("#worklist-title", Static).update(title)

    @on(OptionList.OptionSelected, "#worklist")
    def _open(self, message: OptionList.OptionSelected) -> None:
        if message.option_id:
            host_of(self).open_case(message.option_id)

    # -- actions ------------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def action_shift(self, weeks: int) -> None:
        self._move_to(self.start + weeks * WEEK)

    def action_this_week(self) -> None:
        self._move_to(host_of(self).today)

    def _move_to(self, start: date) -> None:
        self._start = start
        self._show_title(loading=True)
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    def export_case_ids(self) -> list[str]:
        """What `e` exports from here: the cases on the worklist (an MDT list for the session)."""
        return [case.case_id for case in self.worklist.cases] if self.worklist else []

    def export_labels(self) -> dict[str, str]:
        return {case.case_id: case.label for case in self.worklist.cases} if self.worklist else {}
