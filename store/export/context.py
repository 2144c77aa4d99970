"""What every format writer is given besides the cases: the catalogue, who and when, and options."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable

from checklists.models import Policy
from seeds.loader import Catalogue
from store.export.sheet import Colophon


def _no_audit(case_id: str) -> list[dict]:
    return []


def _no_tick() -> None:
    return None


@dataclass(slots=True, frozen=True)
class ExportContext:
    catalogue: Catalogue
    policy: Policy
    today: date
    now: datetime  # timezone-aware UTC, from the injected clock
    user: str  # the login name, for data formats and the audit trail
    deidentified: bool = False
    events: bool = False  # csv: one row per event instead of one per case
    with_patient: bool = False  # ics: put the patient label in the summary
    audit: Callable[[str], list[dict]] = field(default=_no_audit)  # case id -> its audit trail
    tick: Callable[[], None] = field(default=_no_tick)  # called once per case rendered
    user_name: str | None = None  # the full name a letter is signed with (readable.display_name)
    past: bool = False  # ics: also the windows that have closed
    tasks: bool = False  # ics: to-dos (VTODO) instead of one-day events
    remind_days: int | None = None  # ics: a reminder this many days before each entry
    signoff: Any = None  # the clinic's reviews of the protocol (checklists.signoff.Signoff), for the letters

    def colophon(self, count: int) -> Colophon:
        return Colophon(
            generated_at=None if self.deidentified else self.now,
            generated_by=None if self.deidentified else (self.user_name or self.user),
            deidentified=self.deidentified,
            count=count,
        )
