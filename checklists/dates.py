"""Calendar arithmetic the pathways use: ISO dates, weeks as 7 days, months clamped to month end."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from checklists.errors import ValidationError
from seeds.loader import Offset

EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
_ISO = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # ASCII digits only


def parse_date(value: object, what: str = "date") -> date:
    """An exact `YYYY-MM-DD` that names a real day; anything else is a ValidationError naming `what`."""
    if isinstance(value, date):
        return value
    shown = what.replace("_", " ")  # "injection date", never the internal field name
    text = str(value).strip()
    if not _ISO.match(text):
        raise ValidationError(f"{shown} must be a date written YYYY-MM-DD", what)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{shown} {text} is not a real calendar date", what) from None
    if not EARLIEST <= day <= LATEST:
        # Windows run years ahead (recurrence checks have no fixed end); keep every date far from the
        # calendar's end.
        raise ValidationError(f"{shown} must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}", what)
    return day


# Memoised: a list or export of 10,000 cases asks for the same few thousand (day, months) pairs again
# and again, and relativedelta's general arithmetic was a sixth of the time of planning a case.
@lru_cache(maxsize=1 << 16)
def add_months(day: date, months: int) -> date:
    """Calendar months, clamped to the end of a shorter month (2026-08-31 + 6 = 2027-02-28)."""
    from dateutil.relativedelta import relativedelta  # here: a command that plans nothing never loads it

    return day + relativedelta(months=months)


def add_offset(day: date, offset: Offset) -> date:
    if offset.unit == "m":
        return add_months(day, offset.amount)
    days = offset.amount * (7 if offset.unit == "w" else 1)
    return day + timedelta(days=days)


def window_from(anchor: date, opens: Offset, closes: Offset) -> tuple[date, date]:
    """Both ends measured from the anchor (onset +6m .. +7m closes on onset + 7 months)."""
    return add_offset(anchor, opens), add_offset(anchor, closes)
