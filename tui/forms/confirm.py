"""A yes-or-no question over a form: before a value is replaced, before a save on top of a colleague's
change, before typed text is thrown away, before a save that raises a critical alert.

`y` (or enter on the highlighted answer) says yes; `n` or escape says no, and no is the safe answer:
nothing is written and the form underneath keeps every character typed.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static
from tui.widgets.footer import RoundsFooter


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True (yes) or False (no)."""

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
        & > #confirm-dialog {
            width: 72;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: thick $warning;
            border-title-style: bold;
            background: $surface;
            padding: 0 1;
        }
        & #confirm-body {
            height: auto;
            max-height: 16;
        }
        & #confirm-buttons {
            height: auto;
            margin: 1 0 0 0;
            align-horizontal: right;
        }
        & #confirm-buttons > Button {
            margin: 0 0 0 2;
        }
    }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, title: str, body: Text, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question_title = title
        self.body = body
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        dialog = Vertical(id="confirm-dialog")
        dialog.border_title = self.question_title
        with dialog:
            with VerticalScroll(id="confirm-body"):
                yield Static(self.body, id="confirm-text", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.yes_label} (y)", id="confirm-yes", variant="warning", compact=True)
                yield Button(f"{self.no_label} (n)", id="confirm-no", compact=True)
        yield RoundsFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()  # enter alone takes the safe answer

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(False)
