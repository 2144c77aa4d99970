"""`u`: undo your most recent change (to the case shown, or anywhere from the board), after a
confirmation that says what it was and what undoing it will do. The work is store/undo.py's.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from tui.host import host_of


def consequence(entry: Any) -> str:
    """What undoing one audited change will do, in the clinic's words."""
    from store.history import value_text

    if entry.action == "event-log":
        return f"event {entry.target} will be voided (kept in the record, struck out, reason: undo)"
    if entry.action == "event-void":
        return f"event {entry.target} comes back (no longer void)"
    if entry.action.startswith("item-"):
        return f"item {entry.target} goes back to: {value_text(entry.old) if entry.old else 'open, untouched'}"
    return f"{entry.target} goes back to {value_text(entry.old)}"


class UndoConfirm(ModalScreen[bool]):
    """Asks before undoing: which change (when, where) and what will happen. y or enter undoes it."""

    BINDINGS = [
        Binding("y,enter", "confirm", "Undo it", id="undo-confirm"),
        Binding("n,escape", "cancel", "Keep it", id="undo-cancel"),
    ]
    DEFAULT_CSS = """
    UndoConfirm { align: center middle; }
    UndoConfirm > Vertical {
        width: 76; height: auto; max-height: 90%;
        border: round $warning; padding: 0 1; background: $surface;
    }
    """

    def __init__(self, plan: Any) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        from tui.screens.history import local_time

        plan = self.plan
        where = f"case {plan.case}" if plan.case else "the clinic policy"
        text = Text()
        text.append("Undo your latest change?\n\n", style="bold")
        text.append(f"{plan.what}", style="bold")
        text.append(f" in {where}, made {local_time(plan.when)}\n\n")
        for entry in plan.entries:
            text.append(f"• {consequence(entry)}\n")  # values may hold recorded text: plain Text
        text.append("\nThe undo is itself recorded in the history. y undo it · n keep it", style="dim")
        with Vertical():
            yield Static(text, id="undo-text")
        yield Footer(compact=True, show_command_palette=False)

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


def start_undo(screen: Screen, case_id: str | None) -> None:
    """Find the change to undo (thread worker), ask, then undo it (thread worker) and refresh.

    The workers are handed the repository, taken here on the UI thread; what they find comes back to
    the UI thread (call_from_thread) to be shown.
    """
    host = host_of(screen)
    app = screen.app
    repository = host.repository

    def refused(error: Exception) -> None:
        from tui.errors import describe_read_failure

        app.notify(describe_read_failure(error), title="Nothing was undone", severity="warning", markup=False,
                   timeout=10)

    def undone(result: Any) -> None:
        app.notify(f"Undone: {result.plan.describe()}", title="Undo", markup=False, timeout=6)
        host.reload_live_screens()

    def do_undo(plan: Any) -> None:
        from store.undo import undo

        try:
            result = undo(repository, plan.case, plan=plan)
        except Exception as error:  # noqa: BLE001 - a refusal or a store error: shown, never a crash
            app.call_from_thread(refused, error)
            return
        app.call_from_thread(undone, result)

    def ask(plan: Any) -> None:
        def after(answer: bool | None) -> None:
            if answer:
                app.run_worker(lambda: do_undo(plan), thread=True, group="undo", exit_on_error=False)

        app.push_screen(UndoConfirm(plan), after)

    def find() -> None:
        from store.undo import plan_undo

        try:
            plan = plan_undo(repository, case_id)
        except Exception as error:  # noqa: BLE001
            app.call_from_thread(refused, error)
            return
        app.call_from_thread(ask, plan)

    app.run_worker(find, thread=True, group="undo", exclusive=True, exit_on_error=False)
