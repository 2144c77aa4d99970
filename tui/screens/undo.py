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


def where_words(plan: Any) -> str:
    """`DEMO-003 (case c3d0000003)`, or `the clinic policy`."""
    if plan.case is None:
        return "the clinic policy"
    return f"{plan.patient} (case {plan.case})" if plan.patient else f"case {plan.case}"


def refusal_text(error: BaseException, patient: str | None = None, names: Any = None) -> str:
    """Why nothing was undone, in the app's words: what to do here, never a command to type."""
    from checklists.change_words import Names, change_sentence
    from store.undo import NothingToUndo, UndoRefused
    from tui.errors import describe_read_failure

    case = getattr(error, "case", None)
    where = (f"{patient} (case {case})" if patient else f"case {case}") if case else None
    if isinstance(error, NothingToUndo):
        return (f"You have made no change to {where} that can be undone." if where
                else "You have made no change in this database that can be undone.")
    if isinstance(error, UndoRefused) and error.action in ("case-add", "case-import"):
        done = "adding" if error.action == "case-add" else "importing"
        return (f"Your latest change to {where} was {done} it, which cannot be undone: cases are never "
                "deleted. To stop following it, set its status to closed: E (Set field) in the case.")
    if isinstance(error, UndoRefused) and error.action == "case-restore":
        return (f"Your latest change to {where} was restoring it from a backup, which cannot be undone "
                "here; nothing was changed.")
    if isinstance(error, UndoRefused) and error.later is not None:
        later = error.later
        from tui.screens.history import local_time

        return (f"{later.who} has changed the same thing since ({change_sentence(later, names or Names())}, "
                f"{local_time(later.when)}); your change was left as it is, so as not to undo theirs.")
    return describe_read_failure(error)


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
        catalogue = host_of(self).catalogue
        text = Text()  # labels and values are recorded text: plain Text, never markup
        text.append("Undo your latest change?\n\n", style="bold")
        text.append(f"To {where_words(plan)}, made {local_time(plan.when)}:\n")
        for sentence in plan.sentences(catalogue):
            text.append(f"{sentence}\n", style="bold")
        text.append("\nUndoing it:\n")
        for line in plan.consequences(catalogue):
            text.append(f"• {line}\n")
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

    catalogue = host.catalogue

    def refused(message: str) -> None:
        app.notify(message, title="Nothing was undone", severity="warning", markup=False, timeout=10)

    def refusal(error: Exception) -> str:
        """The refusal in words (in the worker: naming the patient reads the case file)."""
        from dataclasses import replace

        from checklists.change_words import catalogue_names

        names = catalogue_names(catalogue)
        patient = None
        case_id = getattr(error, "case", None)
        if case_id:
            try:
                case = repository.get(case_id)
            except Exception:  # noqa: BLE001 - the case id alone will do
                case = None
            if case is not None:
                patient = case.patient
                names = replace(names, events={e.id: {"kind": e.kind, "date": e.date.isoformat()}
                                               for e in case.events})
        return refusal_text(error, patient, names)

    def undone(result: Any) -> None:
        plan = result.plan
        where = f" ({where_words(plan)})" if plan.case else ""  # a policy sentence says it already
        app.notify(f"{'; '.join(plan.sentences(catalogue))}{where}", title="Undone", markup=False, timeout=6)
        host.reload_live_screens()

    def do_undo(plan: Any) -> None:
        from store.undo import undo

        try:
            result = undo(repository, plan.case, plan=plan)
        except Exception as error:  # noqa: BLE001 - a refusal or a store error: shown, never a crash
            app.call_from_thread(refused, refusal(error))
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
            app.call_from_thread(refused, refusal(error))
            return
        app.call_from_thread(ask, plan)

    app.run_worker(find, thread=True, group="undo", exclusive=True, exit_on_error=False)
