"""Facts about a case that several windows and alerts need, worked out once from its live events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from checklists.models import Case, Event
from seeds.drugs import DrugTable, default_drugs

IMPROVING = ("partial", "complete")


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
    complete_improvement: bool  # case resolved, or the latest improvement recorded is complete
    therapy_doses: tuple[Event, ...] = ()
    drugs: DrugTable = field(default_factory=default_drugs)
    by_kind: dict[str, tuple[Event, ...]] = field(default_factory=dict)

    @property
    def first_saline(self) -> date | None:
        return self.saline[0].date if self.saline else None

    @property
    def last_injection(self) -> date | None:
        return self.injections[-1].date if self.injections else None

    @property
    def last_fat_graft(self) -> date | None:
        return self.fat_grafts[-1].date if self.fat_grafts else None

    @property
    def first_therapy_start(self) -> date | None:
        return self.therapy_starts[0].date if self.therapy_starts else None

    def events(self, kind: str) -> tuple[Event, ...]:
        return self.by_kind.get(kind, ())

    def latest_improvement(self, as_of: date | None = None) -> Event | None:
        """The most recent assessment that records improvement (on or before `as_of` when given).

        Decisions about improvement rest on it: an early "partial" does not outweigh a later "none".
        """
        found = None
        for assessment in self.assessments:  # oldest first
            if assessment.improvement is None or (as_of is not None and assessment.date > as_of):
                continue
            found = assessment
        return found

    def improving(self, as_of: date | None = None) -> bool:
        """Partial or complete improvement in the latest assessment (as of `as_of`)."""
        latest = self.latest_improvement(as_of)
        return latest is not None and latest.improvement in IMPROVING

    def improvement_by(self, day: date) -> bool:
        return self.improving(as_of=day)

    @property
    def any_improvement(self) -> bool:
        return self.improving()

    def drug_keys(self, event: Event) -> tuple[str, ...]:
        """What an event's drug is compared by: the generic names it names (seeds/drugs.toml)."""
        return self.drugs.keys(event.drug)

    def course_start(self, generic: str) -> date | None:
        """The first start of the current course of `generic`: a start after its last stop begins one."""
        stops = [e.date for e in self.therapy_stops if generic in self.drug_keys(e)]
        last_stop = stops[-1] if stops else None
        starts = [e.date for e in self.therapy_starts if generic in self.drug_keys(e)
                  and (last_stop is None or e.date > last_stop)]
        return starts[0] if starts else None

    def running_drugs(self) -> list[Event]:
        """The latest start of each drug that has no stop on or after it: what a stop can end."""
        latest: dict[str, Event] = {}
        for start in self.therapy_starts:
            for key in self.drug_keys(start):
                latest[key] = start
        running: list[Event] = []
        for key, start in latest.items():
            stopped = any(key in self.drug_keys(stop) and stop.date >= start.date for stop in self.therapy_stops)
            if not stopped and start not in running:
                running.append(start)
        return running

    def stops_without_start(self) -> list[Event]:
        """Therapy stops with no start of the same drug on or before them (kept, and marked so)."""
        return [
            stop for stop in self.therapy_stops
            if not any(set(self.drug_keys(stop)) & set(self.drug_keys(start)) and start.date <= stop.date
                       for start in self.therapy_starts)
        ]


def case_facts(case: Case, drugs: DrugTable | None = None) -> CaseFacts:
    live = case.live_events()
    by_kind: dict[str, list[Event]] = {}
    for event in live:
        by_kind.setdefault(event.kind, []).append(event)

    def kind(name: str) -> tuple[Event, ...]:
        return tuple(by_kind.get(name, ()))

    assessments = kind("assessment")
    latest = [a for a in assessments if a.improvement is not None]
    complete = case.status == "resolved" or bool(latest and latest[-1].improvement == "complete")
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
        therapy_doses=kind("therapy-dose"),
        drugs=drugs or default_drugs(),
        by_kind={name: tuple(events) for name, events in by_kind.items()},
    )
