"""Validation of what a clinician types: event fields, free text, numbers and enumerations.

Every rule gives a one-line reason naming the field; none echoes patient free text back.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any, Literal, Mapping, overload

from checklists.dates import parse_date
from checklists.errors import ValidationError
from checklists.text import unsafe_character
from seeds.vocabulary import BIOPSY_DEPTHS, EVENT_KINDS, GUIDANCE, IMPROVEMENT, JOINT, TENDON

_ANY_EVENT = ("site", "note")
_NO_SITE = ("note",)  # a blood test, a work-up or a drug has no body site
# Which detail fields each event kind accepts (pathways.md "Events a case records").
EVENT_OPTIONS: dict[str, tuple[str, ...]] = {
    "saline": ("volume_ml",) + _ANY_EVENT,
    "abi": ("volume_ml",) + _ANY_EVENT,
    "fat-graft": _ANY_EVENT,
    "injection": ("guidance", "drug", "dose") + _ANY_EVENT,
    "pt-start": _ANY_EVENT,
    "biopsy": ("depth", "result") + _ANY_EVENT,
    "aat-test": ("result",) + _NO_SITE,
    "workup": ("what",) + _NO_SITE,
    "therapy-start": ("drug", "dose") + _NO_SITE,
    "therapy-dose": ("drug", "dose") + _NO_SITE,
    "therapy-stop": ("drug", "dose") + _NO_SITE,
    "assessment": ("size_mm", "depth_mm", "pigment", "photo", "improvement", "mrc", "pain", "tendon",
                   "joint") + _ANY_EVENT,
    "mri": ("result",) + _ANY_EVENT,
    "note": _ANY_EVENT,
}
EVENT_REQUIRED: dict[str, tuple[str, ...]] = {
    "saline": ("volume_ml",),
    "abi": ("volume_ml",),
    "injection": ("guidance",),
    "biopsy": ("depth",),
    "therapy-start": ("drug",),
    "therapy-dose": ("drug", "dose"),
    "therapy-stop": ("drug",),
    "note": ("note",),
}
# What an assessment finds: one of these at least, or it is not an assessment (an empty one would
# answer a review or a baseline that nobody looked at; a remark alone is a `note` event).
ASSESSMENT_FINDINGS = ("size_mm", "depth_mm", "pigment", "photo", "improvement", "mrc", "pain", "tendon", "joint")
FIELD_LABELS = {
    "volume_ml": "volume (mL)", "size_mm": "size (mm)", "depth_mm": "depth (mm)", "mrc": "MRC strength",
    "pain": "pain score", "guidance": "guidance", "depth": "biopsy depth", "improvement": "improvement",
    "photo": "photo", "site": "site", "what": "what", "drug": "drug", "dose": "dose", "result": "result",
    "pigment": "pigment change", "note": "note", "tendon": "tendon", "joint": "joint",
}
_POLICY_NAMES = ("soon_days", "saline_min_ml", "saline_max_ml", "saline_min_sessions", "saline_max_sessions",
                 "injection_run_gap_months", "therapy_gap_days",
                 "recurrence_months", "max_injections_per_year")
MAX_TEXT = 2000
MAX_VOLUME_ML = 100.0
MAX_SIZE_MM = 1000.0  # a sanity bound: no lesion Rounds follows is a metre across
_TRUE = ("yes", "y", "true", "1")
_FALSE = ("no", "n", "false", "0")


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"


def label(name: str) -> str:
    if name in _POLICY_NAMES:  # policy keys are shown exactly as `rounds config set` takes them
        return name
    return FIELD_LABELS.get(name, name.replace("_", " ").replace("-", " "))


@overload
def check_text(value: object, name: str, required: Literal[True] = True) -> str: ...
@overload
def check_text(value: object, name: str, required: bool) -> str | None: ...
def check_text(value: object, name: str, required: bool = True) -> str | None:
    """Free text: trimmed, not empty when required, bounded; no control characters but newline and tab,
    no text-direction overrides (see checklists/text.py)."""
    if value is None:
        if required:
            raise ValidationError(f"{label(name)} is required", name)
        return None
    text = str(value).strip()
    if not text:
        if required:
            raise ValidationError(f"{label(name)} must not be empty", name)
        return None
    if len(text) > MAX_TEXT:
        raise ValidationError(f"{label(name)} is longer than {MAX_TEXT} characters", name)
    unsafe = unsafe_character(text)
    if unsafe is not None:
        # A terminal would obey it (set its title, write the clipboard) or show the text reordered.
        raise ValidationError(f"{label(name)} contains {unsafe}, which Rounds does not store", name)
    return text


def check_choice(value: object, name: str, allowed: tuple[str, ...]) -> str:
    text = str(value).strip()
    if text not in allowed:
        raise ValidationError(f"{label(name)} must be one of {', '.join(allowed)}", name)
    return text


_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")  # plain decimals: no 1e1, 5_0 or non-ASCII digits
_WHOLE = re.compile(r"^-?[0-9]+$")


def check_number(value: object, name: str, low: float, high: float, *, low_open: bool = False) -> float:
    """A finite number in [low, high] (or (low, high] when low_open), written as a plain decimal."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and _DECIMAL.match(value.strip()):
        number = float(value.strip())
    else:
        raise ValidationError(f"{label(name)} must be a number", name)
    if not math.isfinite(number):  # a float passed in directly may be inf or nan
        raise ValidationError(f"{label(name)} must be a number", name)
    too_low = number <= low if low_open else number < low
    if too_low or number > high:
        bound = f"above {low:g}" if low_open else f"at least {low:g}"
        raise ValidationError(f"{label(name)} must be {bound} and at most {high:g}", name)
    return number


def check_integer(value: object, name: str, low: int, high: int) -> int:
    text = str(value).strip()
    # Length first: Python refuses to convert thousands of digits, and no bound here needs ten.
    if isinstance(value, bool) or not _WHOLE.match(text) or len(text) > 9:
        raise ValidationError(f"{label(name)} must be a whole number from {low} to {high}", name)
    number = int(text)
    if not low <= number <= high:
        raise ValidationError(f"{label(name)} must be a whole number from {low} to {high}", name)
    return number


def check_flag(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(f"{label(name)} must be yes or no", name)


def check_past_date(value: object, name: str, today: date) -> date:
    day = parse_date(value, name)
    if day > today:
        raise ValidationError(f"{label(name)} {day.isoformat()} is after today ({today.isoformat()})", name)
    return day


_CONVERTERS = {
    "volume_ml": lambda v: check_number(v, "volume_ml", 0, MAX_VOLUME_ML, low_open=True),
    "size_mm": lambda v: check_number(v, "size_mm", 0, MAX_SIZE_MM),
    "depth_mm": lambda v: check_number(v, "depth_mm", 0, MAX_SIZE_MM),
    "mrc": lambda v: check_integer(v, "mrc", 0, 5),
    "pain": lambda v: check_integer(v, "pain", 0, 10),
    "guidance": lambda v: check_choice(v, "guidance", GUIDANCE),
    "depth": lambda v: check_choice(v, "depth", BIOPSY_DEPTHS),
    "improvement": lambda v: check_choice(v, "improvement", IMPROVEMENT),
    "photo": lambda v: check_flag(v, "photo"),
    "tendon": lambda v: check_choice(v, "tendon", TENDON),
    "joint": lambda v: check_choice(v, "joint", JOINT),
}


def check_new_event(kind: str, details: Mapping[str, object]) -> None:
    """What a newly logged event must hold beyond its fields' own checks (imports keep older records)."""
    if kind == "assessment" and not any(name in details for name in ASSESSMENT_FINDINGS):
        raise ValidationError("an assessment needs at least one finding (a measurement, a score or what was "
                              "seen)", "size_mm")


def check_event_fields(kind: str, fields: Mapping[str, object], today: date) -> tuple[date, dict[str, Any]]:
    """Validate an event's date and details; returns (date, typed details). Unset values are skipped."""
    if kind not in EVENT_KINDS:
        raise ValidationError(f"event kind must be one of {', '.join(EVENT_KINDS)}", "kind")
    given = {k: v for k, v in fields.items()
             if k != "date" and v is not None and not (isinstance(v, str) and not v.strip())}
    raw_date = fields.get("date")
    day = today if raw_date is None else check_past_date(raw_date, "date", today)
    allowed = EVENT_OPTIONS[kind]
    for name in given:
        if name not in allowed:
            raise ValidationError(f"{label(name)} does not apply to {_article(kind)} {kind} event", name)
    for name in EVENT_REQUIRED.get(kind, ()):
        if name not in given:
            raise ValidationError(f"{_article(kind)} {kind} event needs {label(name)}", name)
    details: dict[str, Any] = {}  # each value converted to its field's type
    for name, value in given.items():
        convert = _CONVERTERS.get(name)
        details[name] = convert(value) if convert else check_text(value, name)
    return day, details
