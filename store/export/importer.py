"""`rounds import`: read a JSON export back into a database, all or nothing.

Everything is validated before anything is written, with the bounds the command line and the store
use (dates 1900-2199, text without controls, revisions and sequence numbers a real case could have,
audit entries of bounded size and depth); a bad file is rejected whole with one line naming the case
and the field at fault. Only a regular file is read, and at most MAX_IMPORT_BYTES of it. If a write
fails part-way, the cases this import wrote are removed again. A de-identified export cannot be
imported: its ids, dates and free text were changed or removed on purpose.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal, Mapping, overload

import orjson

from checklists.actions import check_pathways, check_patient
from checklists.errors import ValidationError
from checklists.inflammation import check_history
from checklists.wording import count_of
from checklists.policy import POLICY_KEYS, set_policies
from checklists.models import (
    CASE_STATUSES, EVENT_FIELDS, INFLAMMATION_STATES, ITEM_STATES, AlertAck, Case, Change, Event,
    InflammationChange, ItemRecord, Policy,
)
from checklists.dates import EARLIEST, LATEST
from checklists.text import unsafe_character
from checklists.validation import MAX_TEXT, check_event_fields, check_text
from seeds.loader import Catalogue
from store.codec import (
    MAX_CHECKS, MAX_EVENT_SEQ, MAX_EVENTS, MAX_INFLAMMATION_CHANGES, MAX_REVISION, ack_from_doc, item_from_doc,
)
from store.errors import CaseExists, ImportFileError, StoreError
from store.export.json_data import FORMAT_NAME, SCHEMA_VERSION
from store.repository import CASE_ID_PATTERN as _CASE_ID  # the ids `Repository.add_case` accepts

_EVENT_KEYS = frozenset(f.name for f in fields(Event))
_RECORD_KEYS = frozenset(f.name for f in fields(ItemRecord)) - {"item"}
_AUDIT_TEXT = ("who", "when", "action", "target")
_AUDIT_KEYS = frozenset(("who", "when", "action", "target", "old", "new", "reason", "revision", "details",
                         "imported"))
# Bounds no real export comes near. A full backup of 10,000 cases is some hundreds of MB of JSON.
MAX_IMPORT_BYTES = 1 << 30
MAX_CASE_BYTES = 32 << 20  # one case, as JSON: its events and its whole audit trail
MAX_AUDIT_ENTRIES = 100_000  # per case
MAX_AUDIT_ENTRY_BYTES = 64 << 10
MAX_AUDIT_DEPTH = 8  # old / new / details values: a policy, a list of case ids, never deeper
MAX_DEPTH = 16  # the whole file: an export is 7 levels deep at most
_NUMBER_FIELDS = frozenset({"volume_ml", "size_mm", "depth_mm", "mrc", "pain"})
# Keys of `case show --json` that are computed on the day of the export; ignored on import.
_COMPUTED = frozenset({"items", "counts", "alerts", "alert_codes", "next_due", "today", "urgency"})


@dataclass(slots=True, frozen=True)
class ImportedCase:
    case: Case
    audit: tuple[dict, ...]


@dataclass(slots=True, frozen=True)
class ImportPlan:
    """A whole file, validated: the cases to write, in file order, and the policy they were made under."""

    cases: tuple[ImportedCase, ...]
    source: str
    policy: Policy | None = None


def read_export(path: Path | str, catalogue: Catalogue) -> ImportPlan:
    """Read and validate an export file; raises ImportFileError, having written nothing."""
    path = Path(path)
    return parse_export(_read_bounded(path), catalogue, source=str(path))


def _read_bounded(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_IMPORT_BYTES; never a device, pipe or folder.

    Opened without blocking (a pipe with no writer would wait forever) and read to at most the cap and
    one byte, whatever the file says its size is (`/dev/zero` would otherwise fill the memory).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot be read ({exc.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise ImportFileError(f"{path}: not a regular file (a device, pipe or folder); give a JSON export file")
    with os.fdopen(fd, "rb") as handle:
        too_large = ImportFileError(f"{path}: larger than {MAX_IMPORT_BYTES >> 20} MiB, more than any Rounds "
                                    "export; nothing was imported")
        if _declared_size(info) > MAX_IMPORT_BYTES:
            raise too_large
        try:
            raw = _read_limited(handle, MAX_IMPORT_BYTES + 1)
        except OSError as exc:
            raise ImportFileError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise too_large
    return raw


def _declared_size(info: os.stat_result) -> int:
    return info.st_size


def _read_limited(handle, limit: int) -> bytes:
    return handle.read(limit)


def parse_export(raw: bytes | str, catalogue: Catalogue, source: str = "import") -> ImportPlan:
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportFileError(f"{source}: larger than {MAX_IMPORT_BYTES >> 20} MiB; nothing was imported")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        # orjson's message says where (line, column) and what, never the text it found there.
        raise ImportFileError(f"{source}: not valid JSON ({exc})") from None
    if _too_deep(data, MAX_DEPTH):
        raise ImportFileError(f"{source}: nested more than {MAX_DEPTH} levels deep, deeper than any Rounds export")
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ImportFileError(f"{source}: not a Rounds JSON export (no \"format\": \"{FORMAT_NAME}\")")
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ImportFileError(f"{source}: field 'schema_version' is missing or not a whole number")
    if version > SCHEMA_VERSION:
        raise ImportFileError(
            f"{source}: export schema {version} is newer than this Rounds reads ({SCHEMA_VERSION}); upgrade Rounds"
        )
    if version < 1:
        raise ImportFileError(f"{source}: field 'schema_version' {version} is not a known version")
    if data.get("deidentified") is not False:
        raise ImportFileError(
            f"{source}: a de-identified export cannot be imported (its case ids, dates and free text were "
            "replaced or removed); import a full JSON export instead"
        )
    policy = _policy(data.get("policy"), source)
    cases = data.get("cases")
    if not isinstance(cases, list):
        raise ImportFileError(f"{source}: field 'cases' must be a list")
    seen: set[str] = set()
    imported = []
    for n, doc in enumerate(cases):
        where = f"{source}: cases[{n}]"
        if not isinstance(doc, dict):
            raise ImportFileError(f"{where}: must be an object")
        case_id = doc.get("id")
        if isinstance(case_id, str) and case_id.strip():
            where = f"{source}: case {case_id}"
        try:
            item = _case(doc, catalogue)
        except _Bad as bad:
            raise ImportFileError(f"{where}: {bad}") from None
        if item.case.id in seen:
            raise ImportFileError(f"{where}: the id appears twice in the file")
        seen.add(item.case.id)
        imported.append(item)
    return ImportPlan(cases=tuple(imported), source=source, policy=policy)


def _too_deep(data: Any, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` deep (walked without recursion)."""
    level = [data]
    for _ in range(limit + 1):
        nested: list[Any] = []
        for node in level:
            if isinstance(node, dict):
                nested.extend(v for v in node.values() if isinstance(v, (dict, list)))
            elif isinstance(node, list):
                nested.extend(v for v in node if isinstance(v, (dict, list)))
        if not nested:
            return False
        level = nested
    return True


def _policy(doc: Any, source: str) -> Policy | None:
    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise ImportFileError(f"{source}: field 'policy' must be an object")
    unknown = sorted(set(doc) - set(POLICY_KEYS))
    if unknown:
        raise ImportFileError(f"{source}: field 'policy.{unknown[0]}' is not a policy key")
    try:
        policy, _ = set_policies(Policy(), doc)
    except ValidationError as exc:
        raise ImportFileError(f"{source}: field 'policy.{exc.field}' is not valid: {exc}") from None
    return policy


class _Bad(Exception):
    """One thing wrong inside a case; the caller adds which case."""


def _field(name: str, why: str) -> _Bad:
    return _Bad(f"field '{name}' {why}")


@overload
def _text(doc: Mapping, name: str, *, required: Literal[True]) -> str: ...
@overload
def _text(doc: Mapping, name: str, *, required: bool = False) -> str | None: ...
def _text(doc: Mapping, name: str, *, required: bool = False) -> str | None:
    value = doc.get(name)
    if value is None:
        if required:
            raise _field(name, "is missing")
        return None
    if not isinstance(value, str):
        raise _field(name, "must be text")
    try:
        return check_text(value, name, required=required)
    except ValidationError as exc:
        raise _field(name, f"is not valid: {exc}") from None


@overload
def _day(doc: Mapping, name: str, *, required: Literal[True]) -> date: ...
@overload
def _day(doc: Mapping, name: str, *, required: bool = False) -> date | None: ...
def _day(doc: Mapping, name: str, *, required: bool = False) -> date | None:
    value = doc.get(name)
    if value is None:
        if required:
            raise _field(name, "is missing")
        return None
    if not isinstance(value, str) or len(value) != 10:
        raise _field(name, "must be a date written YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise _field(name, f"'{value}' is not a real calendar date") from None
    if not EARLIEST <= day <= LATEST:
        # The bounds of `--date` and `--onset` on the command line: windows run years past a date.
        raise _field(name, f"must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    return day


@overload
def _choice(doc: Mapping, name: str, allowed: tuple[str, ...], *, required: Literal[True]) -> str: ...
@overload
def _choice(doc: Mapping, name: str, allowed: tuple[str, ...], *, required: bool = False) -> str | None: ...
def _choice(doc: Mapping, name: str, allowed: tuple[str, ...], *, required: bool = False) -> str | None:
    value = doc.get(name)
    if value is None:
        if required:
            raise _field(name, "is missing")
        return None
    if value not in allowed:
        raise _field(name, f"must be one of {', '.join(allowed)}")
    return value


@overload
def _whole(doc: Mapping, name: str, low: int = 0, high: int = MAX_EVENT_SEQ, *,
           required: Literal[True]) -> int: ...
@overload
def _whole(doc: Mapping, name: str, low: int = 0, high: int = MAX_EVENT_SEQ, *,
           required: bool = False) -> int | None: ...
def _whole(doc: Mapping, name: str, low: int = 0, high: int = MAX_EVENT_SEQ, *,
           required: bool = False) -> int | None:
    value = doc.get(name)
    if value is None:
        if required:
            raise _field(name, "is missing")
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _field(name, f"must be a whole number from {low} to {high}")
    return value


def _case(doc: Mapping[str, Any], catalogue: Catalogue) -> ImportedCase:
    if len(orjson.dumps(doc)) > MAX_CASE_BYTES:
        raise _Bad(f"is larger than {MAX_CASE_BYTES >> 20} MiB as JSON, more than any real case")
    case_id = _text(doc, "id", required=True)
    if not _CASE_ID.fullmatch(case_id):
        raise _field("id", "must be a case id: 4-64 lower-case letters, digits or dashes")
    try:
        patient = check_patient(doc.get("patient"))
        pathways = check_pathways(_list(doc, "pathways"), catalogue)
    except ValidationError as exc:
        raise _field(exc.field or "case", f"is not valid: {exc}") from None
    for pathway in pathways:
        if pathway not in catalogue.pathways:
            raise _field("pathways", f"names pathway {pathway}, which this Rounds does not know")
    onset = _day(doc, "onset", required=True)
    injection_date = _day(doc, "injection_date")
    complication = catalogue.onset_after_injection(pathways)
    if injection_date and injection_date > onset and complication is not None:
        raise _field("injection_date", f"is after onset, and on {complication.id} the onset follows the injection")
    events = _events(_list(doc, "events"))
    known_items = {i.id for p in pathways for i in catalogue.pathways[p].items}
    records = _records(doc.get("item_records", {}), known_items)
    known_codes = {a.code for p in pathways for a in catalogue.pathways[p].alerts}
    acks = _acks(doc.get("alert_acks", {}), known_codes)
    audit = _audit(doc.get("audit", []))
    inflammation = _choice(doc, "inflammation", INFLAMMATION_STATES)
    inflammation_date = _day(doc, "inflammation_date")
    case = Case(
        id=case_id,
        patient=patient,
        pathways=pathways,
        onset=onset,
        enrolment=_day(doc, "enrolment", required=True),
        status=_choice(doc, "status", CASE_STATUSES, required=True),
        injection_date=injection_date,
        site=_text(doc, "site"),
        note=_text(doc, "note"),
        etiology=_choice(doc, "etiology", catalogue.etiologies_for(pathways)),
        etiology_date=_day(doc, "etiology_date"),
        inflammation=inflammation,
        inflammation_date=inflammation_date,
        inflammation_history=_inflammation_history(doc, inflammation, inflammation_date),
        severity=_choice(doc, "severity", catalogue.severities_for(pathways)),
        severity_date=_day(doc, "severity_date"),
        events=events,
        items=records,
        revision=_whole(doc, "revision", 0, MAX_REVISION, required=True),
        acks=acks,
    )
    return ImportedCase(case=case, audit=audit)


def _inflammation_history(doc: Mapping, state: str | None, day: date | None) -> tuple[InflammationChange, ...]:
    """Every change of inflammation state (`inflammation_history`, oldest first); an export written before
    the history was kept has only the current state, which is taken as the one change on record."""
    value = doc.get("inflammation_history")
    if value is None:
        return (InflammationChange(state, day),) if state is not None and day is not None else ()
    if not isinstance(value, list) or len(value) > MAX_INFLAMMATION_CHANGES:
        raise _field("inflammation_history", f"must be a list of at most {MAX_INFLAMMATION_CHANGES} changes")
    history = []
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != {"state", "date"}:
            raise _field("inflammation_history", "must hold objects with a state and a date only")
        history.append(InflammationChange(_choice(entry, "state", INFLAMMATION_STATES, required=True) or "",
                                          _day(entry, "date", required=True) or EARLIEST))
    try:
        check_history(tuple(history))
    except ValidationError as exc:
        raise _field("inflammation_history", f"is not valid: {exc}") from None
    last = (history[-1].state, history[-1].date) if history else (None, None)
    if last != (state, day):
        raise _field("inflammation_history", "does not end with the case's inflammation and inflammation_date")
    return tuple(history)


def _list(doc: Mapping, name: str) -> list:
    value = doc.get(name)
    if not isinstance(value, list):
        raise _field(name, "must be a list")
    return value


def _events(docs: list) -> tuple[Event, ...]:
    if len(docs) > MAX_EVENTS:
        raise _field("events", f"holds more than {MAX_EVENTS} events, more than any real case")
    events: list[Event] = []
    ids: set[str] = set()
    seqs: set[int] = set()
    for n, doc in enumerate(docs):
        try:
            event = _event(doc)
        except _Bad as bad:
            name = doc.get("id") if isinstance(doc, dict) and isinstance(doc.get("id"), str) else f"events[{n}]"
            raise _Bad(f"event {name}: {bad}") from None
        if event.id in ids:
            raise _Bad(f"event {event.id}: the id appears twice")
        if event.seq in seqs:
            raise _Bad(f"event {event.id}: field 'seq' {event.seq} appears twice")
        ids.add(event.id)
        seqs.add(event.seq)
        events.append(event)
    return tuple(sorted(events, key=lambda e: e.seq))


def _event(doc: Any) -> Event:
    if not isinstance(doc, dict):
        raise _Bad("must be an object")
    unknown = sorted(set(doc) - _EVENT_KEYS)
    if unknown:
        raise _field(unknown[0], "is not an event field")
    event_id = _text(doc, "id", required=True)
    seq = _whole(doc, "seq", 1, required=True)
    kind = doc.get("kind")
    if not isinstance(kind, str):
        raise _field("kind", "is missing")
    day = _day(doc, "date", required=True)
    given = {name: doc[name] for name in EVENT_FIELDS if doc.get(name) is not None}
    for name, value in given.items():
        # As an export writes them: numbers as numbers, yes/no as true/false, the rest as text.
        if name in _NUMBER_FIELDS:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        else:
            ok = isinstance(value, bool) if name == "photo" else isinstance(value, str)
        if not ok:
            raise _field(name, "has the wrong type")
    try:
        # The same rules as when the event was logged (its date was checked above).
        _, details = check_event_fields(kind, {"date": day, **given}, date.max)
    except ValidationError as exc:
        raise _field(exc.field or "kind", f"is not valid: {exc}") from None
    voided = doc.get("voided", False)
    if not isinstance(voided, bool):
        raise _field("voided", "must be true or false")
    reason = _text(doc, "void_reason")
    if voided and not reason:
        raise _field("void_reason", "is missing for a voided event")
    return Event(id=event_id, seq=seq, kind=kind, date=day, **details, voided=voided,
                 void_reason=reason if voided else None, recorded_at=_text(doc, "recorded_at"),
                 recorded_by=_text(doc, "recorded_by"))


def _records(docs: Any, known_items: set[str]) -> dict[str, ItemRecord]:
    if not isinstance(docs, dict):
        raise _field("item_records", "must be an object keyed by item id")
    records = {}
    for item_id, doc in docs.items():
        if item_id not in known_items:
            raise _Bad(f"item record {item_id}: not an item of this case's pathways")
        try:
            if not isinstance(doc, dict):
                raise _Bad("must be an object")
            unknown = sorted(set(doc) - _RECORD_KEYS)
            if unknown:
                raise _field(unknown[0], "is not an item record field")
            _choice(doc, "state", ITEM_STATES, required=True)
            _day(doc, "date")
            _day(doc, "until")
            _text(doc, "reason")
            _whole(doc, "reopened_after_seq", 0)
            if not isinstance(doc.get("early", False), bool):
                raise _field("early", "must be true or false")
            checks = doc.get("checks", [])
            if not isinstance(checks, list) or len(checks) > MAX_CHECKS:
                raise _field("checks", f"must be a list of at most {MAX_CHECKS} dates")
            for n in range(len(checks)):
                _day({f"checks[{n}]": checks[n]}, f"checks[{n}]", required=True)
        except _Bad as bad:
            raise _Bad(f"item record {item_id}: {bad}") from None
        records[item_id] = item_from_doc(item_id, doc)
    return records


def _acks(docs: Any, known_codes: set[str]) -> dict[str, AlertAck]:
    """Acknowledgements of alerts (exports made before they existed have none)."""
    if not isinstance(docs, dict):
        raise _field("alert_acks", "must be an object keyed by alert code")
    acks = {}
    for code, doc in docs.items():
        try:
            if code not in known_codes:
                raise _Bad("not an alert of this case's pathways")
            if not isinstance(doc, dict) or set(doc) - {"by", "on", "note", "covers"}:
                raise _Bad("must be an object with by, on, note and covers")
            _text(doc, "by", required=True)
            _text(doc, "note", required=True)
            _day(doc, "on", required=True)
            covers = doc.get("covers", [])
            if not isinstance(covers, list) or not all(isinstance(c, str) and 0 < len(c) <= 200 for c in covers):
                raise _field("covers", "must be a list of event ids and marks")
            acks[code] = ack_from_doc(code, doc)
        except _Bad as bad:
            raise _Bad(f"acknowledgement of {code}: {bad}") from None
    return acks


def _audit(docs: Any) -> tuple[dict, ...]:
    if not isinstance(docs, list):
        raise _field("audit", "must be a list")
    if len(docs) > MAX_AUDIT_ENTRIES:
        raise _field("audit", f"holds more than {MAX_AUDIT_ENTRIES} entries, more than any real case")
    for n, doc in enumerate(docs):
        try:
            _audit_entry(doc)
        except _Bad as bad:
            raise _Bad(f"audit[{n}]: {bad}") from None
    return tuple(docs)


def _audit_entry(doc: Any) -> None:
    """An audit entry as Rounds writes them: known keys, short plain text, shallow small values."""
    if not isinstance(doc, dict):
        raise _Bad("must be an object")
    unknown = sorted(set(doc) - _AUDIT_KEYS)
    if unknown:
        raise _field(unknown[0], "is not an audit field")
    for name in _AUDIT_TEXT:
        if not isinstance(doc.get(name), str):
            raise _field(name, "must be text")
    _whole(doc, "revision", 0, MAX_REVISION)
    for name in ("old", "new", "details", "reason", "imported", *_AUDIT_TEXT):
        _plain_value(doc.get(name), name, MAX_AUDIT_DEPTH)
    if len(orjson.dumps(doc)) > MAX_AUDIT_ENTRY_BYTES:
        raise _Bad(f"is larger than {MAX_AUDIT_ENTRY_BYTES >> 10} KiB")


def _plain_value(value: Any, name: str, depth: int) -> None:
    """JSON data at most `depth` levels deep whose text is bounded and has no controls."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT or unsafe_character(value) is not None:
            raise _field(name, f"holds text longer than {MAX_TEXT} characters or with control characters")
    elif isinstance(value, (list, dict)):
        if depth <= 0:
            raise _field(name, f"is nested more than {MAX_AUDIT_DEPTH} levels deep")
        for item in value.values() if isinstance(value, dict) else value:
            _plain_value(item, name, depth - 1)
        if isinstance(value, dict):
            for key in value:
                _plain_value(key, name, depth - 1)


@dataclass(slots=True, frozen=True)
class ImportResult:
    case_ids: tuple[str, ...]  # the ids the cases have in this database, in file order
    renamed: dict[str, str]  # old id -> new id (with `as_new`)
    policy_restored: tuple[str, ...] = ()  # policy keys set from the file (into an empty database)
    policy_differs: tuple[str, ...] = ()  # keys where this database's own policy was kept

    def warnings(self) -> list[str]:
        if self.policy_differs:
            return [f"the export was made under another clinic policy ({', '.join(self.policy_differs)}); "
                    "this database keeps its own, so statuses and alerts may differ from the export's"]
        return []

    def line(self) -> str:
        if self.renamed:
            return f"imported {count_of(len(self.case_ids), 'case')} with new ids"
        return f"imported {count_of(len(self.case_ids), 'case')}"


def import_cases(repo, plan: ImportPlan, *, as_new: bool = False) -> ImportResult:
    """Write the validated cases, all or none. Without `as_new`, any id already in the database stops
    the whole import before anything is written; with it, every case gets a new id. If a write fails
    part-way, the cases written so far are taken back and the error says so."""
    renamed: dict[str, str] = {}
    if as_new:
        for item in plan.cases:
            renamed[item.case.id] = _fresh_id(repo, set(renamed.values()))
    else:
        for item in plan.cases:
            if repo.case_path(item.case.id).exists():
                raise ImportFileError(
                    f"{plan.source}: case {item.case.id} already exists in this database; nothing was "
                    "imported (use --as-new to import the file's cases under new ids)"
                )
    restored, differs = _policy_to_restore(repo, plan)  # decided on the database as it was
    repo.check_writable()
    written: list[Case] = []
    # All or nothing: a failure part-way takes back the cases this import wrote. (A process killed
    # outright, or a power cut, can still leave the ones written so far: importing the file again is
    # then refused, naming the first id already there, and `rounds audit` shows what was imported.)
    try:
        for item in plan.cases:
            case = item.case
            if as_new:
                case = replace(case, id=renamed[case.id])
            change = Change(action="case-import", target="case", old=item.case.id if as_new else None,
                            new={"source": Path(plan.source).name, "revision": case.revision})
            written.append(_write_case(repo, case, item.audit, [change]))
        if restored:
            # One audited change of the policy (several keys), last, in the order the paired bounds allow.
            repo.update_policy_values({k: getattr(plan.policy, k) for k in restored})
    except BaseException as error:
        removed = _remove_written(repo, written)
        if isinstance(error, (OSError, StoreError)) and not getattr(error, "bad_input", False):
            raise ImportStopped(plan.source, error, removed, len(written) - removed) from None
        raise
    return ImportResult(case_ids=tuple(c.id for c in written), renamed=renamed, policy_restored=restored,
                        policy_differs=differs)


class ImportStopped(StoreError):
    """A write failed part-way (disk full, say); what the import had written was taken back."""

    def __init__(self, source: str, error: BaseException, removed: int, kept: int):
        if isinstance(error, StoreError):  # its own line names the file (WriteFailed, LockTimeout)
            reason, where = str(error), ""
        else:
            reason = (error.strerror or type(error).__name__) if isinstance(error, OSError) else str(error)
            where = f" ({error.filename})" if isinstance(error, OSError) and error.filename else ""
        were = "was" if removed == 1 else "were"
        outcome = (f"the {count_of(removed, 'case')} already written {were} removed, so nothing was imported"
                   if not kept else
                   f"{count_of(removed, 'case')} written {were} removed; {kept} that someone has worked on since stay")
        super().__init__(f"import of {source} stopped: {reason}{where}; {outcome}")


def _remove_written(repo, written: list[Case]) -> int:
    """Take back what this import wrote (unless someone has worked on a case since); how many went."""
    removed = 0
    for case in reversed(written):
        try:
            removed += bool(repo.discard_new_case(case.id, case.revision))
        except (OSError, StoreError):
            continue  # best effort: the error that stopped the import is the one to report
    return removed


def _policy_to_restore(repo, plan: ImportPlan) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Into an empty database the export's policy comes along (so statuses round-trip); a database
    that already has cases keeps the policy its clinic chose, and the difference is reported.
    Returns (keys to restore, keys that differ and are kept)."""
    if plan.policy is None:
        return (), ()
    current = repo.policy()
    differs = tuple(k for k in POLICY_KEYS if getattr(current, k) != getattr(plan.policy, k))
    if not differs:
        return (), ()
    if repo.signatures():
        return (), differs
    return differs, ()


def _fresh_id(repo, taken: set[str]) -> str:
    while True:
        case_id = repo.new_case_id()
        if case_id not in taken:
            return case_id


def _write_case(repo, case: Case, audit: tuple[dict, ...], changes: list[Change]) -> Case:
    """Write one imported case exactly as it was: its revision, its events' stamps, its audit trail."""
    try:
        return repo.import_case(case, list(audit), changes)
    except CaseExists:
        raise ImportFileError(
            f"case {case.id} appeared in this database while importing; it was left as it is") from None
