"""The form that resolves one checklist item: mark it done, skip it, snooze it, or reopen it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from rich.text import Text
from textual.widgets import Input, Select

from checklists.actions import records_a_check, resolve_item
from tui.forms.base import CaseFormScreen, FormField, blank_to_none, choice, date_input, select_value, text_input

TITLES = {
    "done": "Mark item done",
    "skip": "Skip item",
    "snooze": "Snooze item",
    "reopen": "Reopen item",
}
SAVE_LABELS = {"done": "Mark done", "skip": "Skip", "snooze": "Snooze", "reopen": "Reopen"}


class ItemActionForm(CaseFormScreen[bool]):
    """`done` asks for the date (default today); `skip` for the date it was decided (default today)
    and a reason; `snooze` for a reason and the date the item comes back (after today); `reopen`
    only for confirmation.

    Dismisses with True once written, None when cancelled.
    """

    def __init__(
        self, repository: Any, case_id: str, item_id: str, action: str, today: date, catalogue: Any
    ) -> None:
        super().__init__(repository, case_id, today, catalogue)
        self.item_id = item_id
        self.action = action
        self.definition = catalogue.item(item_id) if catalogue is not None else None
        self.FORM_TITLE = TITLES.get(action, "Item")
        self.SAVE_LABEL = SAVE_LABELS.get(action, "Save")
        if action == "done" and self._records_a_check:
            # A recurring check is recorded one dated check at a time; the series goes on.
            self.FORM_TITLE, self.SAVE_LABEL = "Record a check", "Record check"
        if action == "skip" and self._ends_monitoring:
            # Recurrence checks have no fixed end: skipping them is how monitoring ends, and says so.
            self.FORM_TITLE, self.SAVE_LABEL = "End recurrence monitoring", "End monitoring"
        self.policy: Any = None

    @property
    def _records_a_check(self) -> bool:
        return records_a_check(self.definition)

    @property
    def _ends_monitoring(self) -> bool:
        d = self.definition
        return d is not None and d.series is not None and d.series.kind == "recurrence"

    @property
    def _may_be_early(self) -> bool:
        """A review or check at a set time, which a date long before its window would not be."""
        d = self.definition
        return d is not None and d.time_point and d.series is None

    def compose_fields(self) -> Iterable[FormField]:
        if self.action == "done":
            yield FormField("date", "Checked on" if self._records_a_check else "Done on",
                            date_input(self.today.isoformat(), id="date"), required=True)
            if self._may_be_early:
                # A list, not a checkbox: its choice reads in words, never in colour alone.
                yield FormField(
                    "early", "Done early",
                    choice([("yes: confirmed, done before its window", True)], prompt="no", id="early"),
                    hint="needed only for a date well before the window opens; the date is kept and shown",
                )
        if self.action in ("skip", "snooze"):
            ends = self.action == "skip" and self._ends_monitoring
            yield FormField(
                "reason", "Reason", text_input(placeholder="why (kept in the audit trail)", id="reason"),
                required=True,
                hint="checks stop until a relapse is recorded; reopen (o) starts them again" if ends else None,
            )
        if self.action == "skip":  # after the reason, which is what has to be typed
            yield FormField("date", "Ended on" if self._ends_monitoring else "Skipped on",
                            date_input(self.today.isoformat(), id="date"), required=True)
        if self.action == "snooze":
            yield FormField(
                "until", "Snooze until", date_input(placeholder="YYYY-MM-DD, after today", id="until"),
                required=True, hint="the item returns on this date",
            )

    def load(self) -> object:
        # The policy decides where the item's window sits today (soon_days, recurrence_months).
        from checklists.engine import evaluate

        case, policy = self.repository.get(self.case_id), self.repository.policy()
        item = evaluate(case, self.catalogue, policy, self.today).item(self.item_id)
        return case, policy, item.opens if item is not None else None

    def on_loaded(self, data: Any) -> None:
        self.subject, self.policy, opens = data
        if "early" in self.fields:
            # Without a window there is nothing to be early for.
            self.fields["early"].display = opens is not None

    def context_text(self) -> Text:
        text = super().context_text()
        definition = self.catalogue.item(self.item_id) if self.catalogue is not None else None
        title = definition.title if definition is not None else self.item_id
        text.append("\nItem ", style="dim")
        text.append(Text(title, style="bold"))
        if self.action == "reopen":
            text.append("\nReopen this item? It counts as open again until it is done or a new "
                        "qualifying event is logged.")
        return text

    def collect(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in ("date", "reason", "until"):
            field = self.fields.get(name)
            if field is not None and isinstance(field.control, Input):
                values[name] = blank_to_none(field.control.value)
        early = self.fields.get("early")
        values["early"] = bool(early is not None and early.display and isinstance(early.control, Select)
                               and select_value(early.control))
        return values

    def apply(self, case: Any, values: Mapping[str, Any]) -> Any:
        return resolve_item(
            case, self.item_id, self.action, today=self.today, catalogue=self.catalogue, policy=self.policy,
            date=values.get("date"), reason=values.get("reason"), until=values.get("until"),
            early=bool(values.get("early")),
        )
