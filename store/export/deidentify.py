"""De-identified copies of cases for export: keyed-hash ids, per-case date shifts, no free text.

The exporters only ever see what this module hands them, so a field it drops cannot leak through any
format. Decisions, field by field (the report of the export issue explains them):

- case id: HMAC-SHA256 with the database's secret key, first 16 hex digits, prefixed `deid-`; stable
  within one database, meaningless outside it (cannot be reversed or recomputed without the key).
- patient label, case site and note, event site / what / result / pigment / note, skip and snooze
  reasons, void reasons: removed. They are free text a clinician typed and may hold anything.
- drug: kept only when every part of it (split on `+`, `/`, `,`) is exactly one name of the drug list
  (seeds/drugs.toml, the list the engine matches drugs by) or a diluent (saline), and then written as
  the generic name ("MTX" as methotrexate), a salt or ester as written ("triamcinolone acetonide");
  anything else is withheld. A name from a fixed list of drugs cannot carry who
  the patient is, and the drug is what a study needs.
- dose: kept only when it is a bare amount and unit (`40 mg`, `400 mg/day`); otherwise withheld.
- numbers and enumerations (volumes, sizes, depths, MRC, pain, guidance, biopsy depth, improvement,
  photo taken): kept; they describe the lesion, not the person.
- every date of a case (onset, injection, enrolment, the etiology and severity dates, every change of
  inflammation, event dates, item dates, snooze ends, recurring checks, computed windows): shifted by
  the case's secret offset (`Repository.deid_offset_days`), so intervals within a case are preserved,
  as REDCap does.
- nothing that depends on the day the export is made: no item status, urgency, next due item,
  alerts of the day, "injections in the last 365 days", as-of date, who or when. Any of them, on the
  real timeline or the shifted one, lets someone who knows roughly when the file was made narrow the
  shift (a status is the same whether both dates are shifted or neither). So the exporters are given
  a record view (`checklists.engine.record_view`): windows and recorded states, every alert the
  record raises at any time. The same export made on two days is identical, and the cases come in
  the order of their pseudonyms (`render_export`), which says nothing either.
- voided events: dropped (they count for nothing and may have been entered on the wrong patient).
- event ids: replaced by `e<seq>` (the original ids are random and would point back into the database).
- who recorded an event and when (`recorded_by`, `recorded_at`), and the audit trail: dropped.
- what a gated item waits for: kept when it is the pathway's own words, dropped when the engine
  fitted a date into it ("opens 2026-04-01 if still needed then").
- alert messages: replaced by the catalogue's title for the alert code (an engine message lists the
  offending events by date and detail), and what to do by the catalogue's general advice (advice
  fitted to the case names its dates); item detail lines are kept only in the known count form.
- acknowledgements of alerts: kept as a fact with their date shifted; who acknowledged and the note
  (free text) are removed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Callable

from checklists.inflammation import changes as inflammation_changes
from checklists.models import Alert, AlertAck, Case, CaseView, Event, ItemRecord, ItemView
from seeds.drugs import default_drugs, words

# What is injected with a drug without being one of the drug list (seeds/drugs.toml, which holds the
# drugs and only them: the engine reads roles from it). Kept as written.
DILUENTS = frozenset({"saline", "normal saline"})
_DRUG_SPLIT = re.compile(r"\s*(?:\+|/|,|\band\b)\s*")
_DOSE = re.compile(
    r"^\d{1,5}(?:\.\d{1,3})?\s?(?:mg|mcg|µg|g|ml|iu|units?)(?:\s?/\s?(?:day|d|week|wk|kg|ml|dose))?$",
    re.IGNORECASE,
)
# The engine's item detail lines that carry only counts ("saline 2 of 3-6", "injections: 3").
_SAFE_DETAIL = re.compile(r"^[A-Za-z][A-Za-z -]*:? \d+(?: of \d+(?:-\d+)?)?(?:[;,] [A-Za-z -]+:? \d+)*$")
DEID_PREFIX = "deid-"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def safe_drug(text: str | None) -> str | None:
    """The drug in canonical spelling if every part is a name of the drug list, else None."""
    if not text:
        return None
    parts = [_listed_drug(p) for p in _DRUG_SPLIT.split(text.strip())]
    if not parts or any(p is None for p in parts):
        return None
    return " + ".join(p for p in parts if p is not None)


def _listed_drug(part: str) -> str | None:
    """One part of a drug field as the export writes it: a salt or ester of a listed drug as written
    ("triamcinolone acetonide", which a study may need), any other listed name as its generic
    ("MTX", "lignocaine"); None for anything not on the list."""
    folded = " ".join(part.lower().split())
    if folded in DILUENTS:
        return folded
    generic = default_drugs().exact(part)
    if generic is None:
        return None
    written, own = words(part), words(generic)
    return " ".join(written) if len(written) > len(own) and written[:len(own)] == own else generic


def safe_dose(text: str | None) -> str | None:
    if not text:
        return None
    compact = " ".join(text.split())
    return compact if _DOSE.match(compact) else None


class Deidentifier:
    """Turns recorded and computed case objects into their de-identified form for one export.

    `key` is the database's secret (`Repository.deid_key()`); `offset_days(case_id)` its per-case
    date shift (`Repository.deid_offset_days`).
    """

    def __init__(self, key: bytes, offset_days: Callable[[str], int], alert_titles: Callable[[str], str],
                 alert_actions: Callable[[str], str] | None = None):
        if not key:
            raise ValueError("a de-identification key is required")
        self._key = key
        self._offset_days = offset_days
        self._alert_title = alert_titles
        self._alert_action = alert_actions or (lambda code: "")

    def case_id(self, case_id: str) -> str:
        digest = hmac.new(self._key, case_id.encode("utf-8"), hashlib.sha256).hexdigest()
        return DEID_PREFIX + digest[:16]

    def shift(self, case_id: str) -> timedelta:
        days = int(self._offset_days(case_id))
        if days == 0:
            # A zero shift would publish the real dates; the store promises a non-zero offset.
            raise ValueError(f"de-identification offset for case {case_id} is zero")
        return timedelta(days=days)

    # -- recorded -----------------------------------------------------------------------------
    def case(self, case: Case) -> Case:
        delta = self.shift(case.id)
        return Case(
            id=self.case_id(case.id),
            patient="",
            pathways=case.pathways,
            onset=case.onset + delta,
            enrolment=case.enrolment + delta,
            status=case.status,
            injection_date=_shift(case.injection_date, delta),
            etiology=case.etiology,
            etiology_date=_shift(case.etiology_date, delta),
            inflammation=case.inflammation,
            inflammation_date=_shift(case.inflammation_date, delta),
            inflammation_history=tuple(replace(c, date=c.date + delta) for c in inflammation_changes(case)),
            severity=case.severity,
            severity_date=_shift(case.severity_date, delta),
            events=tuple(self._event(e, delta) for e in case.events if not e.voided),
            items={k: self._record(r, delta) for k, r in case.items.items()},
            revision=case.revision,
        )

    @staticmethod
    def _event(event: Event, delta: timedelta) -> Event:
        return Event(
            id=f"e{event.seq}",
            seq=event.seq,
            kind=event.kind,
            date=event.date + delta,
            volume_ml=event.volume_ml,
            guidance=event.guidance,
            drug=safe_drug(event.drug),
            dose=safe_dose(event.dose),
            depth=event.depth,
            improvement=event.improvement,
            size_mm=event.size_mm,
            depth_mm=event.depth_mm,
            photo=event.photo,
            mrc=event.mrc,
            pain=event.pain,
        )

    @staticmethod
    def _record(record: ItemRecord, delta: timedelta) -> ItemRecord:
        return ItemRecord(
            item=record.item,
            state=record.state,
            date=_shift(record.date, delta),
            until=_shift(record.until, delta),
            reopened_after_seq=record.reopened_after_seq,
            checks=tuple(d + delta for d in record.checks),
        )

    # -- computed -----------------------------------------------------------------------------
    def view(self, view: CaseView) -> CaseView:
        """A record view (`engine.record_view`: no day in it) with every date shifted, free text gone."""
        if view.today is not None or view.urgency is not None or view.next_due is not None:
            raise ValueError("de-identify a record view (checklists.engine.record_view), not a view of a day")
        delta = self.shift(view.case.id)
        return replace(
            view,
            case=self.case(view.case),
            items=tuple(self._item(i, delta) for i in view.items),
            alerts=tuple(self._alert(a, delta) for a in view.alerts),
        )

    @staticmethod
    def safe_detail(detail: str | None) -> bool:
        """Whether an item's detail line carries only counts ("saline 2 of 3-6"), nothing to identify."""
        return bool(detail) and _SAFE_DETAIL.match(detail or "") is not None

    @staticmethod
    def _item(item: ItemView, delta: timedelta) -> ItemView:
        detail = item.detail if Deidentifier.safe_detail(item.detail) else None
        return replace(
            item,
            opens=_shift(item.opens, delta),
            closes=_shift(item.closes, delta),
            resolved_on=_shift(item.resolved_on, delta),
            until=_shift(item.until, delta),
            checks=tuple(d + delta for d in item.checks),
            reason=None,
            detail=detail,
            status=None,
            waits=None if item.waits is None or _ISO_DATE.search(item.waits) else item.waits,
        )

    def _alert(self, alert: Alert, delta: timedelta) -> Alert:
        ack = alert.acknowledged
        return replace(
            alert, message=self._alert_title(alert.code), action=self._alert_action(alert.code), evidence=(),
            acknowledged=None if ack is None else AlertAck(code=ack.code, by="", on=ack.on + delta, note=""),
        )


def _shift(day: date | None, delta: timedelta) -> date | None:
    return None if day is None else day + delta

