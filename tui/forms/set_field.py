"""The form that changes one fact of a case: etiology, inflammation, severity, status, site, dates, label, note."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from textual.message import Message
from textual.widget import Widget
from textual.widgets import Select

from checklists.actions import set_field
from checklists.models import CASE_STATUSES, INFLAMMATION_STATES
from checklists.text import printable
from tui.forms.base import (
    DATE_PLACEHOLDER,
    CaseFormScreen,
    FormField,
    blank_to_none,
    choice,
    date_input,
    note_input,
    select_value,
    text_input,
)

# set_field's field name -> (label shown, the Case attribute holding the current value)
FIELDS: dict[str, tuple[str, str]] = {
    "etiology": ("Etiology", "etiology"),
    "inflammation": ("Inflammation", "inflammation"),
    "severity": ("Severity", "severity"),
    "status": ("Case status", "status"),
    "site": ("Site", "site"),
    "onset": ("Onset date", "onset"),
    "injection-date": ("Injection date", "injection_date"),
    "patient": ("Patient label", "patient"),
    "note": ("Note", "note"),
}
# Fields chosen from a list; etiology's and severity's lists come from the case's pathways (their TOML files).
ENUMS: dict[str, tuple[str, ...]] = {
    "etiology": (),
    "severity": (),
    "inflammation": INFLAMMATION_STATES,
    "status": CASE_STATUSES,
}
DATES = ("onset", "injection-date")
# Fields whose change is dated (the etiology-set and inflammation-resolved anchors, the severity's date).
DATED = ("etiology", "inflammation", "severity")


def _key(name: str) -> str:
    return name.replace("-", "_")


class SetFieldForm(CaseFormScreen[bool]):
    """Change one case field; the value box follows the chosen field.

    Each field has its own box, so switching between fields keeps what was typed in each. Like every
    case form it saves against the revision it opened on (tui/forms/base.py CaseFormScreen).
    Dismisses with True once written, None when cancelled.
    """

    FORM_TITLE = "Change a case field"

    def __init__(
        self, repository: Any, case_id: str, today: date, catalogue: Any, *, field: str | None = None
    ) -> None:
        super().__init__(repository, case_id, today, catalogue)
        self.initial_field = field if field in FIELDS else "status"
        self.field_given = field in FIELDS
        self.current: dict[str, str | None] = {}

    def compose_fields(self) -> Iterable[FormField]:
        yield FormField(
            "field", "Field",
            choice([(label, name) for name, (label, _) in FIELDS.items()], allow_blank=False,
                   value=self.initial_field, id="field"),
            required=True,
        )
        for name, (label, _) in FIELDS.items():
            control: Widget
            if name in ENUMS:
                values = self._choices(name, self.catalogue.pathway_ids)
                control = choice([(v, v) for v in values], prompt="choose", id=f"value-{name}")
            elif name in DATES:
                hint = "YYYY-MM-DD, or blank to clear it" if name == "injection-date" else DATE_PLACEHOLDER
                control = date_input(placeholder=hint, id=f"value-{name}")
            else:
                hint = "the clinic's label" if name == "patient" else "blank clears it"
                make = note_input if name == "note" else text_input  # a note may run to several lines
                control = make(placeholder=hint, id=f"value-{name}")
            yield FormField(_key(name), label, control, required=name not in ("injection-date", "site", "note"))
        yield FormField(
            "date", "Since (date)",
            date_input(placeholder=f"{DATE_PLACEHOLDER} (blank = today)", id="date"),
            hint="the day the etiology was set, the severity graded, or the inflammation changed",
        )

    def on_mount(self) -> None:
        self._show_value_for(self.initial_field)
        super().on_mount()

    @property
    def chosen(self) -> str:
        return select_value(self.fields["field"].control) or self.initial_field

    def _choices(self, name: str, pathways: Iterable[str]) -> tuple[str, ...]:
        if name == "etiology":
            return self.catalogue.etiologies_for(pathways)
        if name == "severity":
            return self.catalogue.severities_for(pathways)
        return ENUMS[name]

    def applies(self, name: str, pathways: Iterable[str]) -> bool:
        """Etiology, severity and inflammation only where a pathway of the case records them (its TOML
        `etiologies`, `severities`, `inflammation`); every other field always."""
        if name == "inflammation":
            return self.catalogue.records_inflammation(pathways)
        if name in ("etiology", "severity"):
            return bool(self._choices(name, pathways))
        return True

    def _offer_fields(self, case: Any) -> None:
        offered = [(label, name) for name, (label, _) in FIELDS.items() if self.applies(name, case.pathways)]
        control = self.fields["field"].control
        chosen = self.chosen if any(name == self.chosen for _, name in offered) else "status"
        control.set_options(offered)
        control.value = chosen
        self._show_value_for(chosen)

    def on_loaded(self, case: Any) -> None:
        self._offer_fields(case)
        for name, (_, attribute) in FIELDS.items():
            value = getattr(case, attribute)
            text = value.isoformat() if isinstance(value, date) else value
            self.current[name] = text
            control = self.fields[_key(name)].control
            if isinstance(control, Select):
                values = self._choices(name, case.pathways)
                if name in ("etiology", "severity"):
                    control.set_options([(v, v) for v in values])
                control.value = text if text in values else Select.NULL
            else:
                control.value = printable(text or "")  # shown, never obeyed; saving keeps the escapes

    def focus_first(self) -> None:
        # Opened for one field (e.g. "edit site"): start in its value box, the choice is made.
        if self.field_given:
            self.fields[_key(self.chosen)].control.focus()
        else:
            super().focus_first()

    def on_value_changed(self, event: Message) -> None:
        if isinstance(event, Select.Changed) and event.select is self.fields["field"].control:
            self._show_value_for(self.chosen)

    def _show_value_for(self, name: str) -> None:
        for each in FIELDS:
            self.fields[_key(each)].display = each == name
        self.fields["date"].display = name in DATED

    def collect(self) -> dict[str, Any]:
        name = self.chosen
        control = self.fields[_key(name)].control
        value = select_value(control) if isinstance(control, Select) else control.value.strip()
        date_text = blank_to_none(self.fields["date"].control.value) if name in DATED else None
        return {"field": name, "value": value, "date": date_text}

    def apply(self, case: Any, values: Mapping[str, Any]) -> Any:
        return set_field(
            case, values["field"], values["value"], today=self.today, catalogue=self.catalogue,
            date=values.get("date"),
        )

    def nothing_to_save(self, values: Mapping[str, Any], result: Any) -> str | None:
        # Re-saving the same etiology, severity or inflammation would re-date it (and move the windows
        # anchored on that date): only when the clinician typed a date.
        name = values["field"]
        if (values["value"] or None) == self.current.get(name) and not values.get("date"):
            return "Nothing changed yet."
        return super().nothing_to_save(values, result)

    def error_field(self, name: str | None) -> FormField | None:
        if name == "value" or (name and _key(name) == _key(self.chosen)):
            return self.fields[_key(self.chosen)]
        return super().error_field(name)
