"""The form that resolves one checklist item: mark it done, skip it, snooze it, or reopen it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual.message import Message
from textual.widgets import Input, Select

from checklists.actions import records_a_check, resolve_item
from checklists.dates import add_months
from checklists.text import printable_line
from tui.forms.base import CaseFormScreen, FormField, blank_to_none, choice, date_input, select_value, text_input

TITLES = {
    "done": "Mark item done",
    "skip": "Skip item",
    "snooze": "Snooze item",
    "reopen": "Reopen item",
}
SAVE_LABELS = {"done": "Mark done", "skip": "Skip", "snooze": "Snooze", "reopen": "Reopen"}


def resolved_words(item: Any) -> str | None:
    """`done on 2026-11-02`, `skipped on 2026-11-01: reason`, `snoozed until 2026-12-01: reason`; None
    for an item that is not resolved."""
    day = item.resolved_on.isoformat() if item.resolved_on else "an unrecorded date"
    reason = f": {printable_line(item.reason)}" if item.reason else ""
    if item.status == "done":
        return f"done on {day}" + (" (early, confirmed)" if item.early else "")
    if item.status == "skipped":
        return f"skipped on {day}{reason}"
    if item.status == "snoozed" and item.until:
        return f"snoozed until {item.until.isoformat()}{reason}"
    return None


class ItemActionForm(CaseFormScreen[bool]):
    """`done` asks for the date (default today); `skip` for the date it was decided (default today)
    and a reason; `snooze` for a reason and the date the item comes back (after today); `reopen`
    only for confirmation.

    Dismisses with True once written, None when cancelled.
    """

    # Reopen has no boxes: its question is in the context lines, which must show whole (the forms'
    # context is otherwise kept to four lines, to leave room for the boxes at 80x24).
    DEFAULT_CSS = """
    ItemActionForm.-reopen #form-context { max-height: 12; }
    """

    def __init__(
        self, repository: Any, case_id: str, item_id: str, action: str, today: date, catalogue: Any
    ) -> None:
        super().__init__(repository, case_id, today, catalogue)
        self.item_id = item_id
        self.action = action
        self.set_class(action == "reopen", "-reopen")
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
        self.item: Any = None  # the item as it stands (checklists.models.ItemView), once loaded

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
            # A week and a month are the usual answers: one choice each, the date worked out and shown.
            week, month = self.today + timedelta(days=7), add_months(self.today, 1)
            yield FormField(
                "until", "Snooze for",
                choice([(f"1 week, to {week.isoformat()}", "week"), (f"1 month, to {month.isoformat()}", "month"),
                        ("a date: type it below", "date")], allow_blank=False, value="week", id="until"),
                required=True, hint="the item returns on that day",
            )
            yield FormField("until_date", "Snooze until",
                            date_input(placeholder="YYYY-MM-DD, after today", id="until-date"), required=True)

    def load(self) -> object:
        # The policy decides where the item's window sits today (soon_days, recurrence_months).
        from checklists.engine import evaluate

        case, policy = self.repository.get(self.case_id), self.repository.policy()
        item = evaluate(case, self.catalogue, policy, self.today).item(self.item_id)
        return case, policy, item

    def on_loaded(self, data: Any) -> None:
        self.subject, self.policy, self.item = data
        if "early" in self.fields:
            # Without a window there is nothing to be early for.
            self.fields["early"].display = self.item is not None and self.item.opens is not None

    def on_changed_meanwhile(self, subject: object) -> None:
        super().on_changed_meanwhile(subject)
        from checklists.engine import evaluate

        self.item = evaluate(subject, self.catalogue, self.policy, self.today).item(self.item_id)  # type: ignore[arg-type]

    @property
    def now_words(self) -> str | None:
        """How the item stands now when it is resolved ("done on 2026-11-02"): what a save would replace."""
        return resolved_words(self.item) if self.item is not None else None

    def confirm_before_save(self, values: Mapping[str, Any]) -> Text | None:
        """Changing the state or date of a resolved item replaces what was recorded: ask first."""
        now = self.now_words
        if now is None or self.action == "reopen" or (self.action == "done" and self._records_a_check):
            return None
        title = self.definition.title if self.definition is not None else self.item_id
        text = Text()
        text.append(f"“{title}” is ")
        text.append(now, style="bold")
        text.append(".\nReplace that with ")
        text.append(self._new_words(values), style="bold")
        text.append("?")
        return text

    def _new_words(self, values: Mapping[str, Any]) -> str:
        day = values.get("date") or self.today.isoformat()
        if self.action == "done":
            return f"done on {day}"
        if self.action == "skip":
            return f"skipped on {day}: {printable_line(values.get('reason') or '')}"
        return f"snoozed until {values.get('until')}: {printable_line(values.get('reason') or '')}"

    def context_text(self) -> Text:
        text = super().context_text()
        definition = self.catalogue.item(self.item_id) if self.catalogue is not None else None
        title = definition.title if definition is not None else self.item_id
        text.append("\nItem ", style="dim")
        text.append(Text(title, style="bold"))
        now = self.now_words
        if now is not None:
            text.append("\nNow ", style="dim")
            text.append(now, style="bold")  # the value a save would replace, shown before it is
        if self.action == "reopen":
            text.append("\nReopen this item? It counts as open again until it is done or a new "
                        "qualifying event is logged.")
        return text

    def on_mount(self) -> None:
        self._show_until_date()
        super().on_mount()

    def on_value_changed(self, event: Message) -> None:
        until = self.fields.get("until")
        if until is not None and isinstance(event, Select.Changed) and event.select is until.control:
            self._show_until_date()

    def _show_until_date(self) -> None:
        if "until" in self.fields:
            self.fields["until_date"].display = select_value(self.fields["until"].control) == "date"

    def error_field(self, name: str | None) -> FormField | None:
        if name == "until" and "until" in self.fields:
            return self.fields["until_date" if self.fields["until_date"].display else "until"]
        return super().error_field(name)

    def _until(self) -> str | None:
        """The snooze's end as the engine takes it: a week or a month from today, or the date typed."""
        chosen = select_value(self.fields["until"].control)
        if chosen == "week":
            return (self.today + timedelta(days=7)).isoformat()
        if chosen == "month":
            return add_months(self.today, 1).isoformat()
        return blank_to_none(self.fields["until_date"].control.value)

    def collect(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in ("date", "reason"):
            field = self.fields.get(name)
            if field is not None and isinstance(field.control, Input):
                values[name] = blank_to_none(field.control.value)
        if "until" in self.fields:
            values["until"] = self._until()
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
