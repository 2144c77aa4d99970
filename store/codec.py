"""Domain objects <-> TinyDB documents, converted once at the store boundary (dates as ISO strings),
and the compact entries of the case list's cache.
"""

# A case file (a TinyDB file) has the tables `meta` (schema version, de-identification offset),
# `case` (one document: the facts, item records keyed by item id, revision), `events` (one document
# per event) and `audit` (one document per change). Absent optional values are simply left out.

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

from checklists.models import (
    AlertAck, AlertSpan, Case, CaseRow, CaseSummary, Event, ItemRecord, NextDue, PlannedItem,
)
from store.errors import CorruptCaseFile

CASE_DATE_FIELDS = frozenset({"onset", "enrolment", "injection_date", "etiology_date", "inflammation_date"})
EVENT_DATE_FIELDS = frozenset({"date"})
ITEM_DATE_FIELDS = frozenset({"date", "until"})
# Stored in their own table (events) or under their own key (items), not as plain case fields.
_CASE_FIELDS = tuple(f.name for f in fields(Case) if f.name not in ("events", "items", "acks"))
_EVENT_FIELDS = tuple(f.name for f in fields(Event))
_ITEM_FIELDS = tuple(f.name for f in fields(ItemRecord) if f.name not in ("item", "checks", "early"))
_EVENT_FIELD_SET = frozenset(_EVENT_FIELDS)

# De-identified exports move every date of a case back by its own secret offset of 20 to 40 years.
# That is longer than any case can span (recurrence checks run 8 years), so a shifted date can never
# equal one of the case's real dates, and a search of the output for real dates finds none; the
# intervals within a case are kept exactly.
DEID_OFFSET_MIN_DAYS = 20 * 365
DEID_OFFSET_MAX_DAYS = 40 * 365


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _encode(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    doc = {}
    for name in names:
        value = getattr(obj, name)
        if value is not None:
            doc[name] = list(value) if isinstance(value, tuple) else _iso(value)
    return doc


# --- case file --------------------------------------------------------------------------------------


def new_meta(schema_version: int) -> dict[str, Any]:
    """Meta for a new case file; the offset is secret and only ever used by de-identified exports."""
    offset = -(DEID_OFFSET_MIN_DAYS + secrets.randbelow(DEID_OFFSET_MAX_DAYS - DEID_OFFSET_MIN_DAYS + 1))
    return {"schema_version": schema_version, "deid_offset_days": offset}


def event_doc(event: Event) -> dict[str, Any]:
    return _encode(event, _EVENT_FIELDS)


def item_doc(record: ItemRecord) -> dict[str, Any]:
    doc = _encode(record, _ITEM_FIELDS)
    if record.checks:
        doc["checks"] = [c.isoformat() for c in record.checks]
    if record.early:
        doc["early"] = True
    return doc


def ack_doc(ack: AlertAck) -> dict[str, Any]:
    return {"by": ack.by, "on": ack.on.isoformat(), "note": ack.note, "covers": list(ack.covers)}


def ack_from_doc(code: str, doc: Mapping[str, Any]) -> AlertAck:
    covers = doc.get("covers", [])
    if not isinstance(covers, list) or not all(isinstance(c, str) for c in covers) or not isinstance(doc["by"], str) \
            or not isinstance(doc["note"], str):
        raise TypeError("an acknowledgement's by, note and covers are text")
    return AlertAck(code=code, by=doc["by"], on=date.fromisoformat(doc["on"]), note=doc["note"],
                    covers=tuple(covers))


def case_doc(case: Case) -> dict[str, Any]:
    """The `case` table's one document: everything but the events, which have their own table."""
    doc = _encode(case, _CASE_FIELDS)
    doc["items"] = {item_id: item_doc(record) for item_id, record in case.items.items()}
    if case.acks:
        doc["acks"] = {code: ack_doc(ack) for code, ack in case.acks.items()}
    doc["next_event_seq"] = max((e.seq for e in case.events), default=0) + 1
    return doc


def event_from_doc(doc: Mapping[str, Any]) -> Event:
    if doc.keys() <= _EVENT_FIELD_SET:  # the usual case, and twice as fast as filtering every key
        return Event(**{**doc, "date": date.fromisoformat(doc["date"])})
    values = {k: v for k, v in doc.items() if k in _EVENT_FIELD_SET}
    values["date"] = date.fromisoformat(values["date"])
    return Event(**values)


def item_from_doc(item_id: str, doc: Mapping[str, Any]) -> ItemRecord:
    return ItemRecord(
        item=item_id,
        state=doc.get("state", "open"),
        date=_day(doc.get("date")),
        reason=doc.get("reason"),
        until=_day(doc.get("until")),
        reopened_after_seq=doc.get("reopened_after_seq"),
        checks=tuple(date.fromisoformat(c) for c in doc.get("checks", ())),
        early=doc.get("early", False) is True,
    )


def case_from_docs(doc: Mapping[str, Any], event_docs: Iterable[Mapping[str, Any]], path: Path) -> Case:
    """Rebuild a Case; anything missing or mistyped makes the file a CorruptCaseFile (by path only)."""
    try:
        values = {name: doc[name] for name in _CASE_FIELDS if name in doc}
        for name in CASE_DATE_FIELDS & values.keys():
            values[name] = date.fromisoformat(values[name])
        values["pathways"] = tuple(values["pathways"])
        if not isinstance(values["id"], str) or not isinstance(values["patient"], str):
            raise TypeError("id and patient must be text")
        events = sorted((event_from_doc(e) for e in event_docs), key=lambda e: e.seq)
        items = {item_id: item_from_doc(item_id, d) for item_id, d in doc.get("items", {}).items()}
        # Files written before acknowledgements existed have none.
        acks = {code: ack_from_doc(code, d) for code, d in doc.get("acks", {}).items()}
        return Case(**values, events=tuple(events), items=items, acks=acks)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise CorruptCaseFile(path) from None


# --- list cache ---------------------------------------------------------------------------------------
# The case list's cache holds 10,000 summaries and rows and is parsed on every `case list`, so its size
# is its speed: entries are short lists, dates are day numbers (date.toordinal), and repeated strings
# (item ids, titles, statuses, codes) are stored once per file in a StringTable and referred to by index.


class StringTable:
    """Strings stored once per cache file. It only ever grows, so entries written earlier stay valid."""

    def __init__(self, strings: Iterable[str] = ()):
        self.strings = list(strings)
        self._index = {s: n for n, s in enumerate(self.strings)}

    def ref(self, text: str) -> int:
        found = self._index.get(text)
        if found is None:
            found = self._index[text] = len(self.strings)
            self.strings.append(text)
        return found


def _day_number(value: date | None) -> int | None:
    return None if value is None else value.toordinal()


def summary_doc(summary: CaseSummary, table: StringTable) -> list[Any]:
    ref, day = table.ref, _day_number
    return [
        summary.id,
        summary.patient,
        [ref(p) for p in summary.pathways],
        ref(summary.status),
        day(summary.onset),
        [
            [ref(i.id), ref(i.title), ref(i.state), day(i.opens), day(i.closes), day(i.until), int(i.missed),
             int(i.gated)]
            for i in summary.items
        ],
        [[ref(a.code), ref(a.severity), day(a.starts), day(a.ends)] for a in summary.alerts],
    ]


def summary_from_doc(doc: list[Any], strings: list[str]) -> CaseSummary:
    case_id, patient, pathways, status, onset, items, alerts = doc
    s, d = strings, date.fromordinal
    return CaseSummary(
        id=case_id,
        patient=patient,
        pathways=tuple(map(s.__getitem__, pathways)),
        status=s[status],
        onset=d(onset),
        items=tuple(
            PlannedItem(
                id=s[i], title=s[t], state=s[st], opens=None if o is None else d(o),
                closes=None if c is None else d(c), until=None if u is None else d(u), missed=bool(m),
                gated=bool(g),
            )
            for i, t, st, o, c, u, m, g in items
        ),
        alerts=tuple(
            AlertSpan(code=s[code], severity=s[sev], starts=None if a is None else d(a),
                      ends=None if b is None else d(b))
            for code, sev, a, b in alerts
        ),
    )


def row_doc(row: CaseRow, table: StringTable) -> list[Any]:
    ref, due = table.ref, row.next_due
    return [
        row.id,
        row.patient,
        [ref(p) for p in row.pathways],
        ref(row.status),
        ref(row.urgency),
        None if due is None else [
            ref(due.item), ref(due.title), due.opens.toordinal(), due.closes.toordinal(), ref(due.status)
        ],
        [ref(c) for c in row.alert_codes],
        [ref(v) for v in row.alert_severities],
        _day_number(row.onset),
    ]


def row_from_doc(doc: list[Any], strings: list[str]) -> CaseRow:
    case_id, patient, pathways, status, urgency, due, codes, severities, onset = doc
    s, d, text = strings, date.fromordinal, strings.__getitem__
    return CaseRow(
        id=case_id,
        patient=patient,
        pathways=tuple(map(text, pathways)),
        status=s[status],
        urgency=s[urgency],
        next_due=None if due is None else NextDue(
            item=s[due[0]], title=s[due[1]], opens=d(due[2]), closes=d(due[3]), status=s[due[4]]
        ),
        alert_codes=tuple(map(text, codes)),
        alert_severities=tuple(map(text, severities)),
        onset=None if onset is None else d(onset),
    )
