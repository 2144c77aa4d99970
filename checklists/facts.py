"""Facts about a case that several windows and alerts need, worked out once from its live events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from checklists.models import Case, Event

GLUCOCORTICOID_WORDS = ("prednison", "prednisolon")  # also matches methylprednisolone


@dataclass(slots=True, frozen=True)
class CaseFacts:
    saline: tuple[Event, ...]
    abi: tuple[Event, ...]
    fat_grafts: tuple[Event, ...]
    injections: tuple[Event, ...]
    pt_starts: tuple[Event, ...]
    biopsies: tuple[Event, ...]
    aat_tests: tuple[Event, ...]
    therapy_starts: tuple[Event, ...]
    therapy_stops: tuple[Event, ...]
    assessments: tuple[Event, ...]
    complete_improvement: bool

    @property
    def first_saline(self) -> date | None:
        return self.saline[0].date if self.saline else None

    @property
    def last_injection(self) -> date | None:
        return self.injections[-1].date if self.injections else None

    @property
    def first_therapy_start(self) -> date | None:
        return self.therapy_starts[0].date if self.therapy_starts else None

    def improvement_by(self, day: date) -> bool:
        """Partial or complete improvement recorded in an assessment dated on or before `day`."""
        return any(a.improvement in ("partial", "complete") and a.date <= day for a in self.assessments)

    @property
    def any_improvement(self) -> bool:
        return any(a.improvement in ("partial", "complete") for a in self.assessments)


def case_facts(case: Case) -> CaseFacts:
    live = case.live_events()
    by_kind: dict[str, list[Event]] = {}
    for event in live:
        by_kind.setdefault(event.kind, []).append(event)

    def kind(name: str) -> tuple[Event, ...]:
        return tuple(by_kind.get(name, ()))

    assessments = kind("assessment")
    complete = case.status == "resolved" or any(a.improvement == "complete" for a in assessments)
    return CaseFacts(
        saline=kind("saline"),
        abi=kind("abi"),
        fat_grafts=kind("fat-graft"),
        injections=kind("injection"),
        pt_starts=kind("pt-start"),
        biopsies=kind("biopsy"),
        aat_tests=kind("aat-test"),
        therapy_starts=kind("therapy-start"),
        therapy_stops=kind("therapy-stop"),
        assessments=assessments,
        complete_improvement=complete,
    )


def drug_key(drug: str | None) -> str:
    """Drug names compared case-insensitively with spacing folded ("Methotrexate " = "methotrexate")."""
    return " ".join((drug or "").lower().split())


def is_glucocorticoid(drug: str | None) -> bool:
    key = drug_key(drug)
    return any(word in key for word in GLUCOCORTICOID_WORDS)
