"""The form that edits the clinic policy: the numbers every user of the database shares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.text import Text

from checklists.policy import POLICY_HELP, POLICY_KEYS, set_policies
from tui.forms.base import FormField, FormScreen, text_input

# label, and a one-line hint that fits beside the label at 80 columns (ranges from cli.md).
LABELS = {
    "soon_days": ("Due-soon lead (days)", "0-365: days before a window opens"),
    "saline_min_ml": ("Saline alert below (mL)", "above 0, at most 100, below the maximum"),
    "saline_max_ml": ("Saline alert above (mL)", "above 0, at most 100, above the minimum"),
    "saline_min_sessions": ("Saline min sessions", "1-50, at most the maximum"),
    "saline_max_sessions": ("Saline max sessions", "1-50, at least the minimum"),
    "recurrence_months": ("Recurrence (months)", "1-120: between recurrence checks"),
    "max_injections_per_year": ("Max injections / 365 d", "1-52 hip injections in any 365 days"),
    "injection_run_gap_months": ("Injection run gap (months)", "1-60: a gap this long starts a new run"),
    "therapy_gap_days": ("Therapy gap (days)", "0-365: between drugs, still one stretch"),
}


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
            label, hint = LABELS.get(key, (key, POLICY_HELP.get(key, "")))
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
        return set_policies(policy, changed_values(values, self.initial))

    def write(self, values: Mapping[str, Any]) -> object:
        # One audited write for every key changed here (one undo reverts it whole), checked again
        # against the policy as it is on disk now, under the settings lock.
        self.repository.update_policy_values(changed_values(values, self.initial))
        return True
