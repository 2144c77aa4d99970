"""The form that records a clinician's decision on one rule of the protocol: accept, reject or comment,
with a note. The login name and today's date are recorded with it (store/signoff.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from rich.text import Text
from textual.widgets import Select

from checklists.errors import ValidationError
from checklists.signoff import UNREVIEWED, ReviewState, RuleRef, decide
from store.audit import current_user
from tui.forms.base import FormField, FormScreen, blank_to_none, choice, select_value, text_input

DECISION_CHOICES = (
    ("accept: right for this clinic as written", "accept"),
    ("reject: not for this clinic", "reject"),
    ("comment: a note; the decision stays as it is", "comment"),
)


class ReviewForm(FormScreen[bool]):
    """Record a decision on one item or alert. Dismisses with True once written, None when cancelled."""

    FORM_TITLE = "Review a rule"
    SAVE_LABEL = "Record"

    def __init__(self, repository: Any, catalogue: Any, ref: RuleRef, title: str, today: date,
                 state: ReviewState = UNREVIEWED, decision: str | None = None) -> None:
        super().__init__(repository)
        # Not `self.title`: a Screen's own title attribute.
        self.catalogue, self.ref, self.rule_title, self.today = catalogue, ref, title, today
        self.state, self.decision = state, decision

    def needs_load(self) -> bool:
        return False

    def compose_fields(self) -> Iterable[FormField]:
        yield FormField("decision", "Decision", choice(DECISION_CHOICES, prompt="accept, reject or comment",
                                                       value=self.decision or Select.NULL,
                                                       id="decision"), required=True)
        yield FormField("note", "Note", text_input(placeholder="why (read by whoever reviews it next)", id="note"),
                        required=True, hint="kept with the decision and in the audit trail")

    def context_text(self) -> Text:
        text = Text()
        text.append(f"{self.ref.pathway} · {self.ref.kind} ", style="dim")
        text.append(self.ref.id, style="bold")
        text.append("\n")
        text.append(self.rule_title)
        text.append(f"\nNow: {self.state.marker} {self.state.sentence()}", style="dim")
        text.append(f"\nRecorded as {current_user()} on {self.today.isoformat()}", style="dim")
        return text

    def focus_first(self) -> None:
        # With the decision chosen by its key (a, x, c), the note is what is left to type.
        target = "note" if self.decision else "decision"
        self.fields[target].control.focus()

    def collect(self) -> dict[str, Any]:
        return {"decision": select_value(self.fields["decision"].control),
                "note": blank_to_none(self.fields["note"].control.value)}

    def apply(self, subject: Any, values: Mapping[str, Any]) -> Any:
        if values.get("decision") is None:
            raise ValidationError("choose accept, reject or comment", "decision")
        return decide(self.ref, values["decision"], values.get("note"), by="-", on=self.today, current_hash="-",
                      before=self.state)

    def write(self, values: Mapping[str, Any]) -> object:
        from store.signoff import record_review

        record_review(self.repository, self.catalogue, self.ref.pathway, f"{self.ref.kind}:{self.ref.id}",
                      values["decision"], values.get("note"), self.today)
        return True
