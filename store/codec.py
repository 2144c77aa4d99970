"""Domain objects <-> TinyDB documents, converted once at the store boundary (dates as ISO strings),
and the compact entries of the case list's cache.
"""

# A case file (a TinyDB file) has the tables `meta` (schema version, de-identification offset),
# `case` (one document: the facts, item records keyed by item id, revision), `events` (one document
# per event) and `audit` (one document per change). Absent optional values are simply left out.

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

from checklists.dates import EARLIEST, LATEST
from checklists.models import (
    CASE_STATUSES, INFLAMMATION_STATES, ITEM_STATES, AlertAck, AlertSpan, Case, CaseRow, CaseSummary, Event,
    InflammationChange, ItemRecord, NextDue, PlannedItem,
)
from seeds.vocabulary import BIOPSY_DEPTHS, EVENT_KINDS, GUIDANCE, IMPROVEMENT, JOINT, TENDON
from checklists.validation import EVENT_REQUIRED
from store.errors import CorruptCaseFile

CASE_DATE_FIELDS = frozenset({"onset", "enrolment", "injection_date", "etiology_date", "inflammation_date",
                              "severity_date"})
EVENT_DATE_FIELDS = frozenset({"date"})
ITEM_DATE_FIELDS = frozenset({"date", "until"})
# Stored in their own table (events) or under their own key (items), not as plain case fields.
_CASE_FIELDS = tuple(f.name for f in fields(Case)
                     if f.name not in ("events", "items", "acks", "inflammation_history"))
_EVENT_FIELDS = tuple(f.name for f in fields(Event))
_ITEM_FIELDS = tuple(f.name for f in fields(ItemRecord) if f.name not in ("item", "checks", "early"))
_EVENT_FIELD_SET = frozenset(_EVENT_FIELDS)

# De-identified exports move every date of a case back by its own secret offset of 20 to 40 years.
# That is longer than a case's record is expected to span, so a shifted date can never
# equal one of the case's real dates, and a search of the output for real dates finds none; the
# intervals within a case are kept exactly.
DEID_OFFSET_MIN_DAYS = 20 * 365
DEID_OFFSET_MAX_DAYS = 40 * 365

# Bounds no real case comes near; beyond them a number is damage (or an attack), not history.
MAX_REVISION = 1_000_000_000
MAX_EVENT_SEQ = 1_000_000
MAX_EVENTS = 10_000  # per case: years of weekly sessions are a few hundred
MAX_CHECKS = 1_000  # dated checks on one recurring item


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
    import secrets  # here: only a new case needs it

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


def history_doc(history: tuple[InflammationChange, ...]) -> list[dict[str, str]]:
    """Changes of inflammation state, oldest first: `[{"state": "active", "date": "2026-01-10"}, ...]`."""
    return [{"state": change.state, "date": change.date.isoformat()} for change in history]


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
    if case.inflammation_history:
        doc["inflammation_history"] = history_doc(case.inflammation_history)
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
    """Rebuild a Case; anything missing, mistyped or out of bounds makes the file a CorruptCaseFile
    saying what is wrong (a field, never its value), so that no later step trips over it."""
    try:
        values = _case_values(doc)
        events = _events(event_docs)
        items = _items(doc.get("items", {}))
        acks = _acks(doc.get("acks", {}))  # files written before acknowledgements existed have none
        history = inflammation_history(doc.get("inflammation_history"), values.get("inflammation"),
                                       values.get("inflammation_date"))
        return Case(**values, events=events, items=items, acks=acks, inflammation_history=history)
    except WrongValue as wrong:
        raise CorruptCaseFile(path, reason=str(wrong)) from None
    except (KeyError, TypeError, ValueError, AttributeError):
        raise CorruptCaseFile(path) from None


# --- what a stored case may hold ----------------------------------------------------------------------
# The engine's vocabulary and bounds, checked on the typed JSON values as they are converted (one pass:
# listing 10,000 cases without a cache reads every file). Free text need only be text: controls in it
# are shown escaped (checklists/text.py), not treated as damage.


class WrongValue(ValueError):
    """One thing wrong in a stored document; the message names the field, never the value."""


def _bad(name: str, why: str) -> WrongValue:
    return WrongValue(f"field '{name}' {why}")


def _parse_day(value: Any, name: str) -> date:
    if type(value) is not str or len(value) != 10:
        raise _bad(name, "is not a date written YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise _bad(name, "is not a real calendar date") from None
    if not EARLIEST <= day <= LATEST:
        raise _bad(name, f"is outside the years {EARLIEST.year}-{LATEST.year}")
    return day


# A rule per field: a type (str, float = any number, bool, date), a (low, high) range of whole numbers,
# a frozenset of the allowed words, or _SLUG (an id as pathway files spell them: the catalogue says which).
_SLUG_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_SLUG = "slug"
_TEXT_RULES = dict.fromkeys(
    ("site", "what", "drug", "dose", "result", "pigment", "note", "void_reason", "recorded_at", "recorded_by",
     "id"), str)
_EVENT_RULES: dict[str, Any] = {
    **_TEXT_RULES,
    "seq": (1, MAX_EVENT_SEQ), "kind": frozenset(EVENT_KINDS), "date": date,
    "volume_ml": float, "size_mm": float, "depth_mm": float, "mrc": (0, 5), "pain": (0, 10),
    "guidance": frozenset(GUIDANCE), "depth": frozenset(BIOPSY_DEPTHS), "improvement": frozenset(IMPROVEMENT),
    "tendon": frozenset(TENDON), "joint": frozenset(JOINT), "photo": bool, "voided": bool,
}
_CASE_RULES: dict[str, Any] = {
    "id": str, "patient": str, "site": str, "note": str, "status": frozenset(CASE_STATUSES),
    "etiology": _SLUG, "inflammation": frozenset(INFLAMMATION_STATES), "severity": _SLUG,
    **dict.fromkeys(CASE_DATE_FIELDS, date), "revision": (0, MAX_REVISION),
}
_ITEM_RULES: dict[str, Any] = {
    "state": frozenset(ITEM_STATES), "date": date, "until": date, "reason": str,
    "reopened_after_seq": (0, MAX_EVENT_SEQ),
}


def _checked(name: str, value: Any, rule: Any) -> Any:
    """`value` if it keeps `rule` (a date converted), else WrongValue naming `name`."""
    if rule is str:
        if type(value) is not str:
            raise _bad(name, "is not text")
    elif rule is float:
        if type(value) is not float and type(value) is not int:  # bool is neither
            raise _bad(name, "is not a number")
    elif rule is date:
        return _parse_day(value, name)
    elif rule is bool:
        if type(value) is not bool:
            raise _bad(name, "is not true or false")
    elif rule is _SLUG:
        if type(value) is not str or not _SLUG_PATTERN.fullmatch(value):
            raise _bad(name, "is not an id of lower-case letters, digits and dashes")
    elif type(rule) is tuple:
        if type(value) is not int or not rule[0] <= value <= rule[1]:
            raise _bad(name, f"is not a whole number from {rule[0]} to {rule[1]}")
    elif value not in rule:
        raise _bad(name, "holds a value this Rounds does not know")
    return value


def _case_values(doc: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(doc, Mapping):
        raise WrongValue("the case document is not an object")
    values: dict[str, Any] = {}
    for name, rule in _CASE_RULES.items():
        value = doc.get(name)
        if value is not None:
            values[name] = _checked(name, value, rule)
    for name in ("id", "patient", "onset", "enrolment"):
        if name not in values:
            raise _bad(name, "is missing")
    pathways = doc.get("pathways")
    if type(pathways) is not list or not pathways:
        raise _bad("pathways", "is not a list of pathways")
    # Which pathways exist is the catalogue's to say (a clinic may add its own): the engine names a case
    # whose pathway file is gone. Here only the shape: distinct ids, as pathway files spell them.
    if any(type(p) is not str or not _SLUG_PATTERN.fullmatch(p) for p in pathways) \
            or len(set(pathways)) != len(pathways):
        raise _bad("pathways", "is not a list of distinct pathway ids")
    values["pathways"] = tuple(pathways)
    return values


MAX_INFLAMMATION_CHANGES = 1_000  # a relapse a month for eighty years


def inflammation_history(docs: Any, state: str | None, day: date | None) -> tuple[InflammationChange, ...]:
    """The stored changes of inflammation state, checked; a file written before the history was kept
    has none, and its current state (with its date) is taken as the one change on record.

    The current state must be the history's last change: a file where they disagree is damaged.
    """
    if docs is None:
        return (InflammationChange(state, day),) if state is not None and day is not None else ()
    if type(docs) is not list or len(docs) > MAX_INFLAMMATION_CHANGES:
        raise _bad("inflammation_history", f"is not a list of at most {MAX_INFLAMMATION_CHANGES} changes")
    history: list[InflammationChange] = []
    for doc in docs:
        if type(doc) is not dict or set(doc) != {"state", "date"}:
            raise _bad("inflammation_history", "holds an entry that is not a state with its date")
        change = InflammationChange(_checked("inflammation_history.state", doc["state"],
                                             frozenset(INFLAMMATION_STATES)),
                                    _parse_day(doc["date"], "inflammation_history.date"))
        if history and (change.date <= history[-1].date or change.state == history[-1].state):
            raise _bad("inflammation_history", "does not change state on ever later dates")
        history.append(change)
    current = (history[-1].state, history[-1].date) if history else (None, None)
    if current != (state, day):
        raise _bad("inflammation_history", "disagrees with the current inflammation state and date")
    return tuple(history)


def _events(docs: Iterable[Mapping[str, Any]]) -> tuple[Event, ...]:
    """Every event, by sequence number; each id and sequence number once."""
    events = []
    for n, doc in enumerate(docs, start=1):
        if n > MAX_EVENTS:
            raise WrongValue(f"more than {MAX_EVENTS} events")
        try:
            events.append(_event(doc))
        except WrongValue as wrong:
            raise WrongValue(f"event #{n}: {wrong}") from None
    events.sort(key=lambda e: e.seq)
    if len({e.id for e in events}) != len(events) or len({e.seq for e in events}) != len(events):
        raise WrongValue("two events share an id or a sequence number")
    return tuple(events)


_NONE = type(None)
# The types each event field may have (None: not recorded); a few fields are then bounded as well.
_EVENT_TYPES: dict[str, tuple[type, ...]] = {
    name: {str: (str, _NONE), float: (float, int, _NONE), bool: (bool, _NONE)}.get(rule, (object,))
    for name, rule in _EVENT_RULES.items()
}
_EVENT_KIND_SET = frozenset(EVENT_KINDS)
_EVENT_OPTIONAL_BOUNDED = ("mrc", "pain", "guidance", "depth", "improvement", "tendon", "joint")


def _event(doc: Mapping[str, Any]) -> Event:
    # Written for speed as much as for sense: listing 10,000 cases without a cache checks every event.
    if type(doc) is not dict:
        raise WrongValue("not an object")
    kind, seq, ident = doc.get("kind"), doc.get("seq"), doc.get("id")
    if kind not in _EVENT_KIND_SET:
        raise _bad("kind", "is missing or not an event kind this Rounds knows")
    if type(seq) is not int or not 1 <= seq <= MAX_EVENT_SEQ:
        raise _bad("seq", f"is missing or not a whole number from 1 to {MAX_EVENT_SEQ}")
    if type(ident) is not str:
        raise _bad("id", "is missing or not text")
    day = _parse_day(doc.get("date"), "date")
    types = _EVENT_TYPES
    for name, value in doc.items():
        allowed = types.get(name)
        if allowed is not None and type(value) not in allowed and allowed[0] is not object:
            _checked(name, value, _EVENT_RULES[name])  # raises, naming the field and its rule
    for name in _EVENT_OPTIONAL_BOUNDED:
        value = doc.get(name)
        if value is not None:
            _checked(name, value, _EVENT_RULES[name])
    for name in EVENT_REQUIRED.get(kind, ()):
        if doc.get(name) is None:
            raise _bad(name, f"is missing, and a {kind} event needs it")
    if doc.keys() <= _EVENT_FIELD_SET:
        return Event(**{**doc, "date": day})
    return Event(**{**{k: v for k, v in doc.items() if k in _EVENT_FIELD_SET}, "date": day})


def _items(docs: Any) -> dict[str, ItemRecord]:
    if not isinstance(docs, Mapping):
        raise _bad("items", "is not an object keyed by item id")
    items = {}
    for item_id, doc in docs.items():
        if not isinstance(doc, Mapping):
            raise WrongValue("an item record is not an object")
        values = {"item": item_id}
        for name, rule in _ITEM_RULES.items():
            value = doc.get(name)
            if value is not None:
                values[name] = _checked(name, value, rule)
        checks = doc.get("checks", ())
        if type(checks) not in (list, tuple) or len(checks) > MAX_CHECKS:
            raise _bad("checks", f"is not a list of at most {MAX_CHECKS} dates")
        values["checks"] = tuple(_parse_day(day, "checks") for day in checks)
        values["early"] = doc.get("early", False) is True
        items[item_id] = ItemRecord(**values)
    return items


def _acks(docs: Any) -> dict[str, AlertAck]:
    """Acknowledged alerts by code: who, when, the note, and the evidence the acknowledgement covers."""
    if not isinstance(docs, Mapping):
        raise _bad("acks", "is not an object keyed by alert code")
    acks = {}
    for code, doc in docs.items():
        if not isinstance(doc, Mapping) or not _SLUG_PATTERN.fullmatch(str(code)):
            raise WrongValue("an acknowledgement is not an object keyed by an alert code")
        covers = doc.get("covers", [])
        if type(covers) is not list or len(covers) > MAX_EVENTS or not all(type(c) is str for c in covers):
            raise _bad("acks.covers", "is not a list of event marks")
        by, note = _checked("acks.by", doc.get("by"), str), _checked("acks.note", doc.get("note"), str)
        acks[code] = AlertAck(code=code, by=by, on=_parse_day(doc.get("on"), "acks.on"), note=note,
                              covers=tuple(covers))
    return acks


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
             int(i.gated), ref(i.label)]
            for i in summary.items
        ],
        [[ref(a.code), ref(a.severity), day(a.starts), day(a.ends)] for a in summary.alerts],
    ]


def summary_from_doc(doc: list[Any], strings: list[str]) -> CaseSummary:
    return CacheDecoder(strings).summary(doc)


def _by_position(cls: Any, names: tuple[str, ...]) -> Any:
    """`cls`, called with the values of `names` in this order: the class itself while its fields are
    exactly these (a positional call is a third faster than one by keyword, 100,000 times per list
    after a policy change), else a call by name, so a field added to the model never lands in the
    wrong place."""
    if tuple(f.name for f in fields(cls)) == names:
        return cls
    return lambda *values: cls(**dict(zip(names, values)))


_PLANNED = _by_position(PlannedItem, ("id", "title", "state", "opens", "closes", "until", "missed", "gated",
                                      "label"))
_ALERT_SPAN = _by_position(AlertSpan, ("code", "severity", "starts", "ends"))
_SUMMARY = _by_position(CaseSummary, ("id", "patient", "pathways", "status", "onset", "items", "alerts"))
_NEXT_DUE = _by_position(NextDue, ("item", "title", "opens", "closes", "status", "label"))
_ROW = _by_position(CaseRow, ("id", "patient", "pathways", "status", "urgency", "next_due", "alert_codes",
                              "alert_severities", "onset", "snoozed"))


class TupleTable:
    """Tuples of strings (pathways, alert codes) stored once per cache file, as lists of string refs."""

    def __init__(self, strings: StringTable):
        self.strings = strings
        self.refs: list[list[int]] = []
        self._index: dict[tuple[str, ...], int] = {}

    def ref(self, values: tuple[str, ...]) -> int:
        found = self._index.get(values)
        if found is None:
            found = self._index[values] = len(self.refs)
            self.refs.append([self.strings.ref(v) for v in values])
        return found


def row_values(row: CaseRow, sig: tuple[int, ...], strings: StringTable, tuples: TupleTable) -> tuple:
    """A row with its case file's signature, as the fields of store/index.py ROW_COLUMNS."""
    ref, due = strings.ref, row.next_due
    return (
        row.id, *sig, row.patient, tuples.ref(row.pathways), ref(row.status), ref(row.urgency),
        None if due is None else ref(due.item), None if due is None else ref(due.title),
        None if due is None else due.opens.toordinal(), None if due is None else due.closes.toordinal(),
        None if due is None else ref(due.status), None if due is None else ref(due.label),
        tuples.ref(row.alert_codes), tuples.ref(row.alert_severities), _day_number(row.onset),
        None if row.snoozed is None else ref(row.snoozed[0]),
        None if row.snoozed is None else row.snoozed[1].toordinal(),
    )


class CacheDecoder:
    """Decodes the entries of one cache file. The same few thousand days and the same short tuples of
    strings (pathways, alert codes) recur across 10,000 entries: each is made once and shared, which
    saves time and, for the board's rows, memory."""

    def __init__(self, strings: list[str], tuples: list[Any] | None = None):
        self.strings = strings
        self.tuple_refs = tuples or []
        self._days: dict[int, date] = {}
        self._tuples: dict[tuple[int, ...], tuple[str, ...]] = {}
        self._tuples_at: dict[int, tuple[str, ...]] = {}

    def day(self, number: int | None) -> date | None:
        if number is None:
            return None
        found = self._days.get(number)
        if found is None:
            found = self._days[number] = date.fromordinal(number)
        return found

    def texts(self, refs: list[int]) -> tuple[str, ...]:
        key = tuple(refs)
        found = self._tuples.get(key)
        if found is None:
            found = self._tuples[key] = tuple(map(self.strings.__getitem__, refs))
        return found

    def summary(self, doc: list[Any]) -> CaseSummary:
        # Summaries only live while rows are made from them: days are not shared here (a call per day
        # costs more than it saves), and the loops are list comprehensions, the quickest Python has.
        case_id, patient, pathways, status, onset, items, alerts = doc
        s, d, planned = self.strings, date.fromordinal, _PLANNED
        return _SUMMARY(
            case_id, patient, self.texts(pathways), s[status], d(onset),
            tuple([planned(s[i], s[t], s[st], None if o is None else d(o), None if c is None else d(c),
                           None if u is None else d(u), bool(m), bool(g), s[label])
                   for i, t, st, o, c, u, m, g, label in items]),
            tuple([_ALERT_SPAN(s[code], s[sev], None if a is None else d(a), None if b is None else d(b))
                   for code, sev, a, b in alerts]),
        )

    def tuple_at(self, ref: int) -> tuple[str, ...]:
        found = self._tuples_at.get(ref)
        if found is None:
            refs = self.tuple_refs[ref]
            if type(refs) is not list or type(ref) is not int:
                raise TypeError("a tuple reference is not a list of string references")
            found = self._tuples_at[ref] = tuple(map(self.strings.__getitem__, refs))
        return found

    def row_values(self, values: tuple) -> CaseRow:
        """A row from the fields of store/index.py ROW_COLUMNS (the signature ones are the caller's)."""
        (case_id, _dev, _ino, _size, _mtime, patient, pathways, status, urgency, due_item, due_title, due_opens,
         due_closes, due_status, due_label, codes, severities, onset, snoozed_label, snoozed_until) = values
        if type(case_id) is not str or type(patient) is not str:
            raise TypeError("a row's id and patient are text")
        s, d = self.strings, self.day
        return _ROW(
            case_id, patient, self.tuple_at(pathways), s[status], s[urgency],
            None if due_item is None else _NEXT_DUE(s[due_item], s[due_title], date.fromordinal(due_opens),
                                                    date.fromordinal(due_closes), s[due_status], s[due_label]),
            self.tuple_at(codes), self.tuple_at(severities), d(onset),
            None if snoozed_label is None else (s[snoozed_label], date.fromordinal(snoozed_until)),
        )
