"""The worklist (`w` on the board): what is overdue, due or opening in a week, by case, most urgent first.

The same list as `rounds worklist` (store/export/worklist.py), read in a thread worker. `[` and `]`
move a week back or on, `t` comes back to this week; enter opens a case; `e` exports the cases shown.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tui.errors import describe_read_failure as describe_error

WEEK = timedelta(days=7)
KIND_STYLES = {"overdue": "bold red", "due": "bold yellow", "opens": "bold", "snooze-ends": ""}


def case_prompt(case: Any) -> Text:
    """One case of the worklist as lines of text: patient text is data, never markup."""
    from store.export.worklist import KIND_WORDS, case_heading, item_when

    text = Text()
    text.append(case_heading(case), style="bold")
    if case.facts:
        text.append("\n  " + " · ".join(case.facts), style="dim")
    width = max(len(KIND_WORDS[i.kind]) for i in case.items)
    for item in case.items:
        text.append("\n  ")
        # The word carries the status; the colour only repeats it.
        text.append(f"{KIND_WORDS[item.kind]:<{width}}", style=KIND_STYLES[item.kind])
        text.append(f"  {item.title}: {item_when(item, False)}")
        if item.detail:
            text.append(f" ({item.detail})", style="dim")
    if case.alerts:
        text.append("\n  Alerts: " + "; ".join(case.alerts))
    if case.before_enrolment:
        text.append("\n  Before enrolment (missed): " + "; ".join(case.before_enrolment), style="dim")
    return text


class WorklistScreen(Screen[None]):
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

    class Loaded(Message):
        def __init__(self, worklist: Any) -> None:
            super().__init__()
            self.worklist = worklist

    class Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, start: date | None = None) -> None:
        super().__init__()
        self.start = start
        self.worklist: Any = None

    def compose(self) -> ComposeResult:
        yield Static(id="worklist-title", classes="title-bar")
        yield OptionList(id="worklist")
        yield Static("Loading the worklist…", id="worklist-empty")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.start is None:
            self.start = self.app.today
        self.reload()

    @property
    def end(self) -> date:
        return self.start + WEEK

    def reload(self) -> None:
        self._show_title(loading=True)
        self._load(self.start, self.end)

    @work(thread=True, exclusive=True, group="worklist", exit_on_error=False)
    def _load(self, start: date, end: date) -> None:
        from store.export.runner import build_worklist_of

        try:
            worklist, _ = build_worklist_of(self.app.repository, start, end, catalogue=self.app.catalogue)
        except Exception as error:  # noqa: BLE001 - shown, never a crash
            self.post_message(self.Failed(describe_error(error)))
            return
        self.post_message(self.Loaded(worklist))

    @on(Loaded)
    def _on_loaded(self, message: Loaded) -> None:
        worklist = message.worklist
        if worklist.start != self.start:
            return  # a week the clinician has already moved away from
        self.worklist = worklist
        options = self.query_one("#worklist", OptionList)
        options.clear_options()
        shown: list[Option | None] = []
        for case in worklist.cases:
            if shown:
                shown.append(None)  # a separator line between cases
            shown.append(Option(case_prompt(case), id=case.case_id))
        options.add_options(shown)
        if worklist.cases:
            options.highlighted = 0  # enter opens the most urgent case at once
        empty = self.query_one("#worklist-empty", Static)
        empty.display = not worklist.cases
        empty.update(Text("Nothing is due, overdue or opening this week. [ and ] move a week."))
        options.display = bool(worklist.cases)
        self._show_title()

    @on(Failed)
    def _on_failed(self, message: Failed) -> None:
        self.notify(message.error, title="Cannot read the cases", severity="error", markup=False, timeout=10)
        self.query_one("#worklist-empty", Static).update(Text(f"Cannot read the cases: {message.error}"))

    def _show_title(self, loading: bool = False) -> None:
        title = Text()
        title.append("Rounds", style="bold")
        title.append(f" · worklist {self.start.isoformat()} to {self.end.isoformat()}")
        if loading:
            title.append(" · loading…")
        elif self.worklist is not None:
            title.append(f" · {len(self.worklist.cases)} cases, {self.worklist.item_count} items")
        self.query_one("#worklist-title", Static).update(title)

    @on(OptionList.OptionSelected, "#worklist")
    def _open(self, message: OptionList.OptionSelected) -> None:
        if message.option_id:
            self.app.open_case(message.option_id)

    def action_back(self) -> None:
        self.dismiss()

    def action_shift(self, weeks: int) -> None:
        self.start = self.start + weeks * WEEK
        self.reload()

    def action_this_week(self) -> None:
        self.start = self.app.today
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    def export_case_ids(self) -> list[str]:
        """What `e` exports from here: the cases on the worklist (an MDT list for the session)."""
        return [case.case_id for case in self.worklist.cases] if self.worklist else []
