"""The form that voids a wrongly entered event: it stays in the record, struck out, with the reason."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.text import Text

from checklists.actions import void_event
from tui.forms.base import CaseFormScreen, FormField, blank_to_none, text_input
from checklists.wording import describe_event


class VoidEventForm(CaseFormScreen[bool]):
    """Void one event, with a reason. Dismisses with True once written, None when cancelled."""

    FORM_TITLE = "Void an event"
    SAVE_LABEL = "Void event"

    def __init__(self, repository: Any, case_id: str, event_id: str) -> None:
        super().__init__(repository, case_id, None, None)
        self.event_id = event_id

    def compose_fields(self) -> Iterable[FormField]:
        yield FormField(
            "reason", "Reason", text_input(placeholder="why this entry is wrong", id="reason"),
            required=True, hint="the event stays in the record, struck out, and counts for nothing",
        )

    def context_text(self) -> Text:
        text = super().context_text()
        event = self.case.event(self.event_id) if self.case is not None else None
        if event is not None:
            text.append("\nEvent ", style="dim")
            text.append(Text(f"{event.kind} on {event.date.isoformat()}", style="bold"))
            details = describe_event(event)  # worded as in the event log, the CLI and the exports
            if details:
                text.append("\n")
                text.append(Text(details))  # may hold patient text: plain Text, never markup
        return text

    def collect(self) -> dict[str, Any]:
        return {"reason": blank_to_none(self.fields["reason"].control.value)}

    def apply(self, case: Any, values: Mapping[str, Any]) -> Any:
        return void_event(case, self.event_id, values.get("reason"))
