"""The form that adds a case: who, which pathways, and the dates the checklists are anchored on."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from rich.text import Text
from textual.widgets import SelectionList
from textual.widgets.selection_list import Selection

from checklists.actions import new_case
from checklists.errors import ValidationError
from tui.forms.base import FormField, FormScreen, TickList, blank_to_none, date_input, note_input, text_input

DRY_RUN_ID = "dry-run"


class NewCaseForm(FormScreen[str]):
    """Add a case. Dismisses with the new case id once written, None when cancelled."""

    FORM_TITLE = "New case"
    SAVE_LABEL = "Add case"

    def __init__(self, repository: Any, today: date, catalogue: Any) -> None:
        super().__init__(repository)
        self.today = today
        self.catalogue = catalogue

    def needs_load(self) -> bool:
        return False

    def _pathway_title(self, pathway_id: str) -> str:
        return f"{pathway_id}: {self.catalogue.pathways[pathway_id].title}"

    def compose_fields(self) -> Iterable[FormField]:
        yield FormField(
            "patient", "Patient label", text_input(placeholder="clinic label, e.g. DEMO-001", id="patient"),
            required=True,
        )
        pathways = TickList(
            *(Selection(Text(self._pathway_title(p)), p) for p in self.catalogue.pathway_ids), id="pathways",
            compact=True,
        )
        yield FormField("pathways", "Pathways", pathways, required=True, hint="space toggles; one or more")
        yield FormField("onset", "Onset", date_input(id="onset"), required=True)
        yield FormField(
            "injection_date", "Injection date", date_input(placeholder="YYYY-MM-DD, optional", id="injection-date")
        )
        yield FormField("site", "Site", text_input(placeholder="optional: where on the body", id="site"))
        yield FormField("note", "Note", note_input(placeholder="optional; several lines", id="note"))

    def context_text(self) -> Text:
        return Text(f"Enrolment date {self.today.isoformat()}; dates are YYYY-MM-DD.", style="dim")

    def collect(self) -> dict[str, Any]:
        pathways: SelectionList = self.fields["pathways"].control
        return {
            "patient": blank_to_none(self.fields["patient"].control.value),
            # In the list's order, whatever order they were ticked in.
            "pathways": [p for p in self.catalogue.pathway_ids if p in pathways.selected],
            "onset": blank_to_none(self.fields["onset"].control.value),
            "injection_date": blank_to_none(self.fields["injection_date"].control.value),
            "site": blank_to_none(self.fields["site"].control.value),
            "note": blank_to_none(self.fields["note"].control.value),
        }

    def _build(self, case_id: str, values: Mapping[str, Any]) -> Any:
        return new_case(
            case_id=case_id, patient=values["patient"], pathways=values["pathways"], onset=values["onset"],
            enrolment=self.today, injection_date=values["injection_date"], site=values["site"],
            note=values["note"], catalogue=self.catalogue,
        )

    def apply(self, subject: Any, values: Mapping[str, Any]) -> Any:
        if values["patient"] is not None and values["pathways"] and values["onset"] is None:
            # The engine would quote the missing value back; say plainly what is missing.
            # On a case of several pathways the onset is the complication's, where one has it (an
            # atrophy case that is also a hip case dates the atrophy, not the pain).
            chosen = (self.catalogue.onset_after_injection(values["pathways"])
                      or self.catalogue.pathways[values["pathways"][0]])
            meaning = chosen.onset
            raise ValidationError(f"onset is required: {meaning}", "onset")
        try:
            return self._build(DRY_RUN_ID, values)
        except ValidationError as error:
            raise _labelled(error) from None

    def write(self, values: Mapping[str, Any]) -> object:
        try:
            case, changes = self._build(self.repository.new_case_id(), values)
        except ValidationError as error:
            raise _labelled(error) from None
        self.repository.add_case(case, changes)
        return case.id


def _labelled(error: ValidationError) -> ValidationError:
    """The engine says "patient"; this form's field is "Patient label": name it as the form does."""
    message = str(error)
    if error.field == "patient" and message.startswith("patient"):
        message = re.sub(r"^patient( label)?", "Patient label", message)
        return ValidationError(message, error.field)
    return error
