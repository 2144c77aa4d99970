"""Clinic policy: the numbers a clinic chooses, their allowed ranges, and how one is changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any

from checklists.errors import ValidationError
from checklists.models import Change, Policy
from checklists.validation import check_integer, check_number

# key -> (kind, low, high); ranges from cli.md.
POLICY_KEYS: dict[str, tuple[str, float, float]] = {
    "soon_days": ("int", 0, 365),
    "saline_min_ml": ("ml", 0, 100),
    "saline_max_ml": ("ml", 0, 100),
    "saline_min_sessions": ("int", 1, 50),
    "saline_max_sessions": ("int", 1, 50),
    "recurrence_months": ("int", 1, 120),
    "max_injections_per_year": ("int", 1, 52),
    "injection_run_gap_months": ("int", 1, 60),
    "therapy_gap_days": ("int", 0, 365),
}
# The policy keys only the day's board line reads (engine.case_row: due-soon), never engine.summarize:
# a change of one of them keeps every cached summary, and only the rows are made again from them
# (store/index.py; a soon_days change at 10,000 cases took 4.5 s when it re-read and re-planned every
# case). Any other key, a new one included, counts for the summaries.
# tests/checklists/test_summary_policy.py checks that summarize never reads these.
ROW_ONLY_POLICY_KEYS = frozenset({"soon_days"})


def summary_policy(policy: Policy) -> tuple:
    """The part of the policy that engine.summarize depends on: (key, value) for every other key."""
    return tuple((f.name, getattr(policy, f.name)) for f in fields(policy) if f.name not in ROW_ONLY_POLICY_KEYS)


POLICY_HELP = {
    "soon_days": "days before a window opens that an item shows as due-soon",
    "saline_min_ml": "smallest saline volume per session without an alert (mL)",
    "saline_max_ml": "largest saline volume per session without an alert (mL)",
    "saline_min_sessions": "fewest saline sessions in a complete course",
    "saline_max_sessions": "most saline sessions in a course",
    "recurrence_months": "months between panniculitis recurrence checks",
    "max_injections_per_year": "most hip injections allowed within any 365 days",
    "injection_run_gap_months": "months without a hip injection after which the next one starts a new run",
    "therapy_gap_days": "days between maintenance drugs that still count as one stretch of therapy",
}


def _convert(key: str, text: object) -> Any:
    kind, low, high = POLICY_KEYS[key]
    if kind == "int":
        return check_integer(text, key, int(low), int(high))
    return check_number(text, key, low, high, low_open=True)


def _check_pairs(policy: Policy, key: str) -> None:
    if policy.saline_min_ml >= policy.saline_max_ml:
        raise ValidationError(
            f"saline_min_ml ({policy.saline_min_ml:g}) must be below saline_max_ml ({policy.saline_max_ml:g})", key)
    if policy.saline_min_sessions > policy.saline_max_sessions:
        raise ValidationError(
            f"saline_min_sessions ({policy.saline_min_sessions}) must not exceed saline_max_sessions "
            f"({policy.saline_max_sessions})", key)


def set_policies(policy: Policy, values: Mapping[str, object]) -> tuple[Policy, list[Change]]:
    """A new policy with every key of `values` set, and one change per value that differs.

    The keys are tried in whichever order the paired bounds allow: raising the minimum and the maximum
    together must not fail because the new minimum was tried against the old maximum. When no order
    works, the first refusal stands (naming its key).
    """
    for key in values:
        if key not in POLICY_KEYS:
            raise ValidationError(f"unknown policy key '{key}'; keys: {', '.join(POLICY_KEYS)}", "key")
    pending = [key for key in POLICY_KEYS if key in values]
    changes: list[Change] = []
    while pending:
        failed: list[str] = []
        first_error: ValidationError | None = None
        for key in pending:
            try:
                policy, change = set_policy(policy, key, values[key])
            except ValidationError as exc:
                failed.append(key)
                first_error = first_error or exc
                continue
            if change is not None:
                changes.append(change)
        if first_error is not None and len(failed) == len(pending):
            raise first_error
        pending = failed
    return policy, changes


def set_policy(policy: Policy, key: str, value: object) -> tuple[Policy, Change | None]:
    """A new policy with `key` set; None as the change when the value is what it already was."""
    if key not in POLICY_KEYS:
        raise ValidationError(f"unknown policy key '{key}'; keys: {', '.join(POLICY_KEYS)}", "key")
    new_value = _convert(key, value)
    old_value = getattr(policy, key)
    updated = replace(policy, **{key: new_value})
    _check_pairs(updated, key)
    if new_value == old_value:
        return policy, None
    return updated, Change(action="policy-set", target=key, old=old_value, new=new_value)
