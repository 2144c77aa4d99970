"""The help screen (`?`): every key, and what each status word, symbol and code on screen means."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from textual.keys import format_key
from tui.host import host_of
from tui.widgets.footer import RoundsFooter

from checklists.wording import (
    CASE_STATUS_LABELS,
    PROVENANCE_LABELS,
    RESOLVED_LABEL,
    SEVERITY_LABELS,
    SEVERITY_LETTERS,
    STATUS_LABELS,
)
from seeds.loader import Catalogue

# What no single binding says: keys that Textual's own widgets handle, and what some keys do on what.
NOTES: dict[str, list[tuple[str, str]]] = {
    "Everywhere": [("ctrl+p", "command palette: every action by name, and the database's recent changes")],
    "Case": [("tab  shift+tab", "between the checklist and the event log; the footer shows what the focused "
                                "list can do"),
             ("pgup pgdn", "scroll to events and the size/depth chart")],
    "Forms": [("tab  shift+tab", "next / previous field"),
              ("enter", "save from a one-line box; in a note, a new line"),
              ("space", "tick a box; enter or space opens a list"),
              ("paste", "pasted text is typed into the box as text, never as keys")],
}


def _binding_sections() -> list[tuple[str, list]]:
    """(section, bindings) from the screens' and widgets' own BINDINGS: the help cannot drift from them."""
    from tui.forms.base import FormScreen
    from tui.screens.board import BoardScreen
    from tui.screens.case import CaseScreen
    from tui.screens.history import HistoryScreen
    from tui.screens.protocol import ProtocolScreen
    from tui.screens.worklist import WorklistScreen
    from tui.widgets.case_board import CaseBoard
    from tui.widgets.checklist import Checklist
    from tui.widgets.cursor_list import CursorList
    from tui.widgets.events import EventLog

    return [
        ("Case board", [*CaseBoard.BINDINGS, *BoardScreen.BINDINGS]),
        ("Case: the checklist", [*CursorList.BINDINGS, *Checklist.BINDINGS]),
        ("Case: the event log", list(EventLog.BINDINGS)),
        ("Case", list(CaseScreen.BINDINGS)),
        ("Worklist", list(WorklistScreen.BINDINGS)),
        ("History", list(HistoryScreen.BINDINGS)),
        ("Protocol", list(ProtocolScreen.BINDINGS)),
        ("Forms", list(FormScreen.BINDINGS)),
    ]


def key_names(binding: Binding) -> str:
    """`E  x`, `↑  k`: every key of a binding as the footer writes it."""
    return "  ".join(format_key(key.strip()) for key in binding.key.split(","))


def _rows(bindings) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        meaning = binding.description + (f": {binding.tooltip}" if binding.tooltip else "")
        rows.append((key_names(binding), meaning))
    return rows


def keys_table(app_bindings=()) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="bold", min_width=14)
    table.add_column()
    sections = [("Everywhere", list(app_bindings)), *_binding_sections()]
    for section, bindings in sections:
        rows = _rows(bindings) + NOTES.get(section, [])
        if not rows:
            continue
        table.add_row(Text(section, style="bold underline"), "")
        for key, meaning in rows:
            table.add_row(Text(key), Text(meaning))
        table.add_row("", "")
    return table


def keys_table_text(app_bindings=(), width: int = 100) -> str:
    """The keys part of the help as plain text (what a reader sees)."""
    from rich.console import Console

    console = Console(width=width, record=True, file=__import__("io").StringIO(), color_system=None)
    console.print(keys_table(app_bindings))
    return console.export_text()


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
    "resolved": "board only: the lesion resolved, monitoring goes on, nothing due now",
    "closed": "board only: follow-up ended (case closed)",
    "lost": "board only: lost to follow-up",
}
SEVERITY_MEANINGS = {
    "critical": "act now",
    "warning": "needs a decision",
    "info": "for information",
}


def legend_table(catalogue: Catalogue) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="bold", min_width=14)
    table.add_column()
    table.add_row(Text("Status", style="bold underline"), "")
    for status, (symbol, word) in {**STATUS_LABELS, "resolved": RESOLVED_LABEL, **CASE_STATUS_LABELS}.items():
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
            yield Static(Text("Rounds: keys and words   (↑↓ to scroll, escape to close)", style="bold"),
                         id="help-title")
            yield Static(Group(keys_table(self.app.BINDINGS), legend_table(host_of(self).catalogue), Text(
                "Rounds is decision support: every item shows where it comes from and how strong that "
                "source is. It does not prescribe.", style="italic")), id="help-text")
        yield RoundsFooter(compact=True, show_command_palette=False)  # this screen's keys, not the board's

    def action_close(self) -> None:
        self.dismiss(None)
