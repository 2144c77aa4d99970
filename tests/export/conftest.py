"""A demo-like database for the export tests: synthetic `DEMO-…` cases on every pathway, with the
awkward parts a real one has (voided events, skips and snoozes with reasons, reopened items, dated
recurring checks, free text full of markup and spreadsheet formulas), all through the real actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from checklists import actions
from checklists.models import Case
from seeds.loader import default_catalogue
from store.repository import Repository

# Free-text event fields: never in de-identified output.
FREE_TEXT_EVENT_FIELDS = ("site", "what", "drug", "dose", "result", "pigment", "note")

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=timezone.utc)
# Free text that must never survive de-identification: each is unique enough to search for.
HOSTILE_LABEL = '=HYPERLINK("http://x.invalid","DEMO-005") <script>alert(1)</script> & *bold*'


def fixed_now() -> datetime:
    return NOW


@dataclass
class DemoDb:
    repo: Repository
    db_dir: Path
    ids: list[str] = field(default_factory=list)

    @property
    def catalogue(self):
        return self.repo.catalogue

    def cases(self) -> list[Case]:
        return [self.repo.get(i) for i in self.ids]


def d(days_ago: int) -> date:
    return TODAY - timedelta(days=days_ago)


class _Builder:
    def __init__(self, repo: Repository):
        self.repo, self.catalogue = repo, repo.catalogue

    def add(self, label: str, pathways, onset: date, enrolment: date, **kw) -> str:
        case, changes = actions.new_case(case_id=self.repo.new_case_id(), patient=label, pathways=pathways,
                                         onset=onset, enrolment=enrolment, catalogue=self.catalogue, **kw)
        return self.repo.add_case(case, changes).id

    def log(self, case_id: str, kind: str, day: date, **fields) -> None:
        self.repo.update(case_id, lambda c: actions.log_event(c, kind, {"date": day, **fields}, today=TODAY))

    def item(self, case_id: str, item_id: str, action: str, **kw) -> None:
        self.repo.update(case_id, lambda c: actions.resolve_item(c, item_id, action, today=TODAY,
                                                                 catalogue=self.catalogue, **kw))

    def set(self, case_id: str, name: str, value: str, day: date | None = None) -> None:
        self.repo.update(case_id, lambda c: actions.set_field(c, name, value, today=TODAY,
                                                              catalogue=self.catalogue, date=day))

    def void(self, case_id: str, event_id: str, reason: str) -> None:
        self.repo.update(case_id, lambda c: actions.void_event(c, event_id, reason))


def build_demo(db_dir: Path) -> DemoDb:
    repo = Repository(db_dir, default_catalogue(), now=fixed_now)
    b = _Builder(repo)
    ids = []

    # 1. Steroid atrophy mid-course: saline sessions (one voided), an assessment, a snoozed review.
    c1 = b.add("DEMO-001", ["steroid-atrophy"], onset=d(200), enrolment=d(60), injection_date=d(260),
               site="left deltoid SITE-ONE", note="NOTE-ONE referred by the GP")
    b.log(c1, "assessment", d(58), size_mm=22, depth_mm=4, pigment="PIGMENT-ONE pale", photo=True,
          improvement="none", note="ASSESS-NOTE-ONE")
    b.log(c1, "saline", d(55), volume_ml=10)
    b.log(c1, "saline", d(48), volume_ml=25, site="SALINE-SITE-ONE")
    b.log(c1, "saline", d(47), volume_ml=12)
    b.void(c1, repo.get(c1).events[-1].id, "VOID-REASON-ONE wrong patient")
    b.item(c1, "review-12m", "snooze", reason="SNOOZE-REASON-ONE", until=TODAY + timedelta(days=30))
    ids.append(c1)

    # 2. Panniculitis, idiopathic, on therapy, inflammation resolved; a reopened item and recurring checks.
    c2 = b.add("DEMO-002", ["panniculitis-lipoatrophy"], onset=d(400), enrolment=d(380),
               note="NOTE-TWO lives near the clinic")
    b.log(c2, "biopsy", d(370), depth="punch", result="RESULT-TWO lobular panniculitis")
    b.log(c2, "aat-test", d(365), result="RESULT-AAT-TWO normal MM")
    b.log(c2, "workup", d(360), what="WHAT-TWO ANA, ESR")
    b.set(c2, "etiology", "idiopathic", d(350))
    b.log(c2, "therapy-start", d(345), drug="hydroxychloroquine", dose="400 mg/day")
    b.log(c2, "therapy-start", d(300), drug="methotrexate from DRUGTEXT-TWO pharmacy", dose="15 mg/week")
    b.log(c2, "therapy-stop", d(250), drug="methotrexate", dose="DOSE-TWO see letter")
    b.set(c2, "inflammation", "resolved", d(320))
    b.item(c2, "recurrence-check", "done", date=d(130))
    b.item(c2, "thyroid-autoimmune-screen", "done", date=d(340))
    b.item(c2, "thyroid-autoimmune-screen", "reopen")
    b.item(c2, "prednisone-flares", "skip", reason="SKIP-REASON-TWO no flares")
    ids.append(c2)

    # 3. Hip injections: landmark guidance, before physiotherapy, too many in a year.
    c3 = b.add("DEMO-003", ["hip-injection"], onset=d(300), enrolment=d(300))
    b.log(c3, "injection", d(290), guidance="landmark", drug="triamcinolone", dose="40 mg",
          site="HIPSITE-THREE right greater trochanter")
    b.log(c3, "injection", d(200), guidance="image", drug="Kenalog via DRUGTEXT-THREE", dose="40mg")
    b.log(c3, "pt-start", d(190), note="PT-NOTE-THREE")
    b.log(c3, "injection", d(100), guidance="image", drug="methylprednisolone", dose="80 mg")
    b.log(c3, "injection", d(20), guidance="image", drug="triamcinolone + lidocaine", dose="40 mg")
    b.log(c3, "mri", d(10), result="MRI-RESULT-THREE gluteal tendinopathy")
    ids.append(c3)

    # 4. Two pathways at once, with free text full of markup.
    c4 = b.add("DEMO-004 <b>bold</b>", ["hip-injection", "steroid-atrophy"], onset=d(30), enrolment=d(25),
               injection_date=d(90), site="SITE-FOUR <img src=x onerror=alert(1)>")
    b.log(c4, "note", d(20), note="NOTE-FOUR line one\nline two | pipe & <tag> `code` **md**")
    b.log(c4, "fat-graft", d(5), note="GRAFT-NOTE-FOUR")
    ids.append(c4)

    # 5. A label and note built to inject formulas into a spreadsheet.
    c5 = b.add(HOSTILE_LABEL, ["steroid-atrophy"], onset=d(100), enrolment=d(90), note="+SUM(A1:A9)")
    b.log(c5, "saline", d(85), volume_ml=8, note="-2+3 NOTE-FIVE", site="@SUM(1)")
    b.log(c5, "assessment", d(40), improvement="complete", pigment="=1+1")
    ids.append(c5)

    # 6. A closed case.
    c6 = b.add("DEMO-006", ["steroid-atrophy"], onset=d(700), enrolment=d(690))
    b.log(c6, "saline", d(680), volume_ml=15)
    b.set(c6, "status", "closed")
    ids.append(c6)
    return DemoDb(repo=repo, db_dir=db_dir, ids=ids)


@pytest.fixture
def demo(tmp_path: Path) -> DemoDb:
    return build_demo(tmp_path / "db")


@pytest.fixture
def catalogue():
    return default_catalogue()


def identifiers(case: Case) -> set[str]:
    """Every identifying string of a recorded case: label, free text (less drug names and doses that
    de-identification keeps because they cannot identify anyone), the original id and event ids."""
    from store.export.deidentify import safe_dose, safe_drug

    found = {case.patient, case.id}
    for text in (case.site, case.note):
        if text:
            found.add(text)
    for event in case.events:
        for name in FREE_TEXT_EVENT_FIELDS + ("void_reason", "recorded_by"):
            value = getattr(event, name)
            kept = (name == "drug" and safe_drug(value)) or (name == "dose" and safe_dose(value))
            if value and not kept:
                found.add(value)
        found.add(event.id)
    for record in case.items.values():
        if record.reason:
            found.add(record.reason)
    return {s for s in found if s}


def case_dates(case: Case) -> set[date]:
    days = {case.onset, case.enrolment}
    for name in ("injection_date", "etiology_date", "inflammation_date"):
        if getattr(case, name):
            days.add(getattr(case, name))
    days |= {e.date for e in case.events}
    for record in case.items.values():
        days |= {x for x in (record.date, record.until) if x}
        days |= set(record.checks)
    return days


def render(demo: DemoDb, fmt: str, ids: list[str] | None = None, **options) -> str:
    """The export of `ids` (default: every demo case) as text, as `rounds export` would write it."""
    from store.export.runner import ExportOptions, render_export

    text, _ = render_export(demo.repo, demo.ids if ids is None else ids, ExportOptions(fmt, **options),
                            catalogue=demo.catalogue, today=TODAY, now=NOW)
    return text
