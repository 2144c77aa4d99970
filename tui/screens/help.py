"""The help screen (`?`): every key, and what each status word, symbol and code on screen means."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from checklists.wording import (
    CASE_STATUS_LABELS,
    PROVENANCE_LABELS,
    SEVERITY_LABELS,
    SEVERITY_LETTERS,
    STATUS_LABELS,
)
from seeds.loader import Catalogue

KEYS = {
    "Everywhere": [
        ("?", "this help"),
        ("ctrl+p", "command palette: every action by name, and the database's recent changes"),
        ("p", "clinic policy (soon days, saline bounds, ...)"),
        ("e", "export: this case, or the cases the board shows"),
        ("q", "quit"),
    ],
    "Case board": [
        ("↑ ↓  j k", "move; pgup pgdn, home end (g G) jump"),
        ("enter / click", "open the case"),
        ("/", "search case id or patient label as you type"),
        ("escape", "leave the search box; again to clear it"),
        ("f  or  1-6", "filter: overdue, due, soon, active, closed, all"),
        ("n", "new case"),
        ("l", "log an event for the selected case"),
        ("d  s  z", "done / skip / snooze the case's next due item"),
        ("E  or  x", "set a field (etiology, inflammation, status, ...)"),
        ("r", "read the cases again (they also refresh by themselves)"),
        ("w", "worklist: overdue, due and opening this week ([ ] move a week)"),
        ("u", "undo your latest change (any case, or the policy); asks first"),
        ("P", "the clinic protocol: every rule, its review; a x c decide"),
    ],
    "Case": [
        ("escape", "back to the board"),
        ("↑ ↓  j k", "move between checklist items"),
        ("i / enter", "why the item is there, its sources and provenance"),
        ("d  s  z  o", "item done / skip / snooze / reopen"),
        ("d on a session", "log one saline session (the last volume filled in)"),
        ("d on a review", "log the assessment that does it; D marks it done by hand"),
        ("a", "acknowledge an alert that is a past fact, with a note"),
        ("l", "log an event (saline, assessment, injection, ...)"),
        ("E  or  x", "set a field (etiology, inflammation, status, ...)"),
        ("pgup pgdn", "scroll to events and the size/depth chart"),
        ("tab", "to the event log (↑↓ there); shift+tab back"),
        ("v", "void the wrongly entered event chosen in the log"),
        ("r", "read the case again (it also refreshes by itself)"),
        ("h", "history: who changed what in this case, when"),
        ("u", "undo your latest change to this case; asks first"),
    ],
    "Forms, export": [
        ("tab  shift+tab", "next / previous field"),
        ("enter / ctrl+s", "save (export); nothing is written before"),
        ("escape", "cancel, or close an open list first"),
        ("space", "tick a box; enter or space opens a list"),
    ],
}
STATUS_MEANINGS = {
    "overdue": "the window has closed and the item is not done",
    "due": "inside the window now",
    "due-soon": "the window opens within the policy's soon days (14 by default)",
    "upcoming": "the window opens later",
    "snoozed": "put off until a date, with a reason",
    "unscheduled": "no window yet (its anchor is unknown) or as needed; board: 'unsched'",
    "done": "done (by hand or by a logged event)",
    "skipped": "skipped, with a reason",
    "missed": "a review or check whose window closed before enrolment: not overdue",
    "closed": "board only: follow-up ended (case closed)",
    "lost": "board only: lost to follow-up",
}
SEVERITY_MEANINGS = {
    "critical": "act now",
    "warning": "needs a decision",
    "info": "for information",
}


def keys_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="bold", min_width=14)
    table.add_column()
    for section, keys in KEYS.items():
        table.add_row(Text(section, style="bold underline"), "")
        for key, meaning in keys:
            table.add_row(key, meaning)
        table.add_row("", "")
    return table


def legend_table(catalogue: Catalogue) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="bold", min_width=14)
    table.add_column()
    table.add_row(Text("Status", style="bold underline"), "")
    for status, (symbol, word) in {**STATUS_LABELS, **CASE_STATUS_LABELS}.items():
        table.add_row(f"{symbol} {word}", STATUS_MEANINGS.get(status, ""))
    table.add_row("", "")
    table.add_row(Text("Alerts", style="bold underline"), "")
    for severity, (symbol, word) in SEVERITY_LABELS.items():
        letter = SEVERITY_LETTERS[severity]
        table.add_row(f"{symbol} {word}", f"{SEVERITY_MEANINGS[severity]}; board column: {letter}n")
    table.add_row("", "")
    table.add_row(Text("Pathways", style="bold underline"), "")
    for pathway in catalogue.pathways.values():
        table.add_row(pathway.short, f"{pathway.id}: {pathway.title}")
    table.add_row("", "")
    table.add_row(Text("Provenance", style="bold underline"), "")
    for level, meaning in PROVENANCE_LABELS.items():
        table.add_row(level, meaning)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", id="close-help"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text("Rounds: keys and words   (↑↓ to scroll, escape to close)", style="bold"), id="help-title")
            yield Static(Group(keys_table(), legend_table(self.app.catalogue), Text(
                "Rounds is decision support: every item shows where it comes from and how strong that "
                "source is. It does not prescribe.", style="italic")), id="help-text")
        yield Footer(compact=True, show_command_palette=False)  # this screen's keys, not the board's

    def action_close(self) -> None:
        self.dismiss(None)
