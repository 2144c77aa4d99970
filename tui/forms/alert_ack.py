"""The form behind `a` on a case: acknowledge an alert whose cause is a past fact, or withdraw that.

An acknowledged alert stays on the case, dimmed, with who and when; it leaves the board's counts and
urgency, and a new occurrence of its cause raises it again. Both directions are audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from rich.text import Text
from textual.message import Message
from textual.widgets import Button, Select

from checklists.actions import acknowledge_alert, unacknowledge_alert
from checklists.errors import ValidationError
from tui.forms.base import CaseFormScreen, FormField, blank_to_none, choice, select_value, text_input


class AlertAckForm(CaseFormScreen[bool]):
    """Choose an alert (past facts not yet acknowledged, and acknowledged ones to withdraw), add a note.

    Dismisses with True once written, None when cancelled.
    """

    FORM_TITLE = "Acknowledge an alert"
    SAVE_LABEL = "Save"

    def __init__(self, repository: Any, case_id: str, today: date, catalogue: Any) -> None:
        super().__init__(repository, case_id, today, catalogue)
        self.policy: Any = None
        self.user = ""

    def compose_fields(self) -> Iterable[FormField]:
        yield FormField("alert", "Alert", choice([], prompt="choose an alert", id="alert"), required=True)
        yield FormField("note", "Note", text_input(placeholder="why (kept with it and in the audit trail)",
                                                   id="note"), required=True)

    def load(self) -> object:
        from checklists.engine import evaluate
        from store.audit import current_user

        case, policy = self.repository.get(self.case_id), self.repository.policy()
        return case, policy, evaluate(case, self.catalogue, policy, self.today), current_user()

    def on_loaded(self, data: Any) -> None:
        case, self.policy, view, self.user = data
        self.subject = case
        options: list[tuple[Text, tuple[str, str]]] = []
        for alert in view.alerts:
            # Named by its title, as the case screen names it; the code stays for the command line's users.
            definition = self.catalogue.alert(alert.code)
            title = definition.title if definition is not None else alert.code
            if alert.acknowledged is not None:
                options.append((Text(f"withdraw the acknowledgement of “{title}” ({alert.code})"),
                                ("unack", alert.code)))
            elif alert.past_fact:
                options.append((Text(f"{title} ({alert.severity}, {alert.code})"), ("ack", alert.code)))
        control = self.fields["alert"].control
        control.set_options(options)
        if len(options) == 1:
            control.value = options[0][1]
        self._show_note()

    def focus_first(self) -> None:
        """Once the alert is chosen (the only one there is), the note: what the clinician types first
        belongs there, not to a list with nothing left to choose."""
        note = self.fields["note"]
        if select_value(self.fields["alert"].control) and note.display:
            note.control.focus()
            return
        super().focus_first()

    def on_value_changed(self, event: Message) -> None:
        if isinstance(event, Select.Changed) and event.select is self.fields["alert"].control:
            self._show_note()

    def _show_note(self) -> None:
        chosen = select_value(self.fields["alert"].control)
        self.fields["note"].display = not (chosen and chosen[0] == "unack")
        self.SAVE_LABEL = "Withdraw" if chosen and chosen[0] == "unack" else "Acknowledge"
        self.query_one("#form-save", Button).label = self.SAVE_LABEL

    def context_text(self) -> Text:
        text = super().context_text()
        text.append("\nFor an alert whose cause is a past fact: it stays listed, dimmed, and leaves the board's "
                    "counts; a new occurrence raises it again.", style="dim")
        return text

    def collect(self) -> dict[str, Any]:
        return {"alert": select_value(self.fields["alert"].control),
                "note": blank_to_none(self.fields["note"].control.value)}

    def apply(self, case: Any, values: Mapping[str, Any]) -> Any:
        chosen = values.get("alert")
        if not chosen:
            raise ValidationError("choose the alert first", "alert")
        action, code = chosen
        if action == "unack":
            return unacknowledge_alert(case, code)
        return acknowledge_alert(case, code, values.get("note"), today=self.today, by=self.user,
                                 catalogue=self.catalogue, policy=self.policy)
