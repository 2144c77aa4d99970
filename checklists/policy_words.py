"""The clinic policy in the words of its form: the label each key is shown by and a one-line hint.

The engine and the command line name a policy value by its key (`soon_days`: what `rounds config set`
takes); the app, the undo dialog and the history name it by its label, here once so they agree.
"""

from __future__ import annotations

import re

# key -> (label, a hint that fits beside the label at 80 columns; ranges from cli.md). Labels fit the
# form's label column (25 cells) whole, unit included.
POLICY_LABELS: dict[str, tuple[str, str]] = {
    "soon_days": ("Due-soon lead (days)", "0-365: days before a window opens"),
    "saline_min_ml": ("Saline alert below (mL)", "above 0, at most 100, below the maximum"),
    "saline_max_ml": ("Saline alert above (mL)", "above 0, at most 100, above the minimum"),
    "saline_min_sessions": ("Saline min sessions", "1-50, at most the maximum"),
    "saline_max_sessions": ("Saline max sessions", "1-50, at least the minimum"),
    "recurrence_months": ("Recurrence (months)", "1-120: between recurrence checks"),
    "max_injections_per_year": ("Max injections / 365 d", "1-52 hip injections in any 365 days"),
    "injection_run_gap_months": ("Injection gap (months)", "1-60 months: a gap this long starts a new run"),
    "therapy_gap_days": ("Therapy gap (days)", "0-365: between drugs, still one stretch"),
}

_KEY = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, POLICY_LABELS)) + r")(?![\w-])")


def policy_label(key: str) -> str:
    """`Due-soon lead (days)`; a key the form does not show is named as it is."""
    return POLICY_LABELS[key][0] if key in POLICY_LABELS else key


def in_policy_words(message: str) -> str:
    """An engine message with each policy key named by its label: `soon_days must be ...` becomes
    `Due-soon lead (days) must be ...`. A key followed by its value in brackets loses the label's unit,
    so `saline_min_ml (25)` reads `Saline alert below (25)` rather than stacking two brackets."""

    def named(match: re.Match) -> str:
        label = policy_label(match.group(1))
        rest = message[match.end():]
        if rest.startswith(" ("):
            label = re.sub(r" \([^)]*\)$", "", label)
        return label

    return _KEY.sub(named, message)
