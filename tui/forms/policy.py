"""The form that edits the clinic policy: the numbers every user of the database shares."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from rich.text import Text

from checklists.errors import ValidationError
from checklists.policy import POLICY_HELP, POLICY_KEYS, set_policies
from checklists.policy_words import POLICY_LABELS, in_policy_words
from tui.forms.base import FormField, FormScreen, text_input



def _range(key: str) -> str:
    kind, low, high = POLICY_KEYS[key]
    return f"{low:g}-{high:g}" if kind == "int" else f"above {low:g}, at most {high:g}"


def _shown(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def changed_values(values: Mapping[str, str], initial: Mapping[str, str]) -> dict[str, str]:
    """Only what was edited in the form: an untouched box never rewrites a value."""
    return {key: text for key, text in values.items() if text != initial.get(key)}


class PolicyForm(FormScreen[bool]):
    """Edit the clinic policy. Only the values changed here are written, in one audited change.

    Dismisses with True once written, None when cancelled.
    """

    FORM_TITLE = "Clinic policy"

    def __init__(self, repository: Any) -> None:
        super().__init__(repository)
        self.initial: dict[str, str] = {}

    def compose_fields(self) -> Iterable[FormField]:
        for key in POLICY_KEYS:
            label, hint = POLICY_LABELS.get(key, (key, POLICY_HELP.get(key, "")))
            yield FormField(key, label, text_input(placeholder=_range(key), id=key.replace("_", "-")), hint=hint)

    def context_text(self) -> Text:
        return Text("Shared by every user of this database; changes apply to every case at once.", style="dim")

    def load(self) -> object:
        return self.repository.policy()

    def on_loaded(self, policy: Any) -> None:
        for key in POLICY_KEYS:
            self.initial[key] = _shown(getattr(policy, key))
            self.fields[key].control.value = self.initial[key]

    def collect(self) -> dict[str, Any]:
        return {key: self.fields[key].control.value.strip() for key in POLICY_KEYS}

    def apply(self, policy: Any, values: Mapping[str, Any]) -> Any:
        with _labelled_errors():
            return set_policies(policy, changed_values(values, self.initial))

    def write(self, values: Mapping[str, Any]) -> object:
        # One audited write for every key changed here (one undo reverts it whole), checked again
        # against the policy as it is on disk now, under the settings lock.
        with _labelled_errors():
            self.repository.update_policy_values(changed_values(values, self.initial))
        return True


@contextmanager
def _labelled_errors() -> Iterator[None]:
    """The engine names a value by its key (what `rounds config set` takes); this form by its label."""
    try:
        yield
    except ValidationError as error:
        raise ValidationError(in_policy_words(str(error)), error.field) from None
