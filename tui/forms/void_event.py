"""The form that voids a wrongly entered event: it stays in the record, struck out, with the reason."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.text import Text
from textual.widgets import Static

from checklists.actions import void_event
from tui.forms.base import CaseFormScreen, FormField, blank_to_none, text_input
from checklists.wording import EVENT_WORDS, describe_event


class VoidEventForm(CaseFormScreen[bool]):
    """Void one event, with a reason. Dismisses with True once written, None when cancelled."""

    FORM_TITLE = "Void an event"
    SAVE_LABEL = "Void this event"

    def __init__(self, repository: Any, case_id: str, event_id: str) -> None:
        super().__init__(repository, case_id, None, None)
        self.event_id = event_id

    def compose_fields(self) -> Iterable[FormField]:
        # The whole event, wrapped, in the form's body: the clinician sees exactly what is voided.
        shown = Static("", id="void-event-text", markup=False)
        shown.styles.width = "1fr"
        shown.styles.height = "auto"
        yield FormField("event", "Event to void", shown)
        yield FormField(
            "reason", "Reason", text_input(placeholder="why this entry is wrong", id="reason"),
            required=True, hint="the event stays in the record, struck out, and counts for nothing",
        )

    def on_loaded(self, data: Any) -> None:
        self.query_one("#void-event-text", Static).update(self.event_text())

    def on_changed_meanwhile(self, subject: object) -> None:
        super().on_changed_meanwhile(subject)
        self.query_one("#void-event-text", Static).update(self.event_text())

    def event_text(self) -> Text:
        """The event as the event log shows it, whole: date, kind, every detail recorded."""
        event = self.case.event(self.event_id) if self.case is not None else None
        if event is None:
            return Text("This event is no longer in the case.")
        text = Text()
        text.append(f"{event.date.isoformat()} {EVENT_WORDS.get(event.kind, event.kind)}", style="bold")
        text.append(f" ({event.kind})")
        details = describe_event(event)  # worded as in the event log, the CLI and the exports
        if details:
            text.append("\n")
            text.append(details)  # may hold patient text: plain Text, never markup
        if event.voided:
            text.append("\nAlready void.", style="bold")
        return text

    def collect(self) -> dict[str, Any]:
        return {"reason": blank_to_none(self.fields["reason"].control.value)}

    def apply(self, case: Any, values: Mapping[str, Any]) -> Any:
        return void_event(case, self.event_id, values.get("reason"))
