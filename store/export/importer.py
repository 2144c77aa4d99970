"""`rounds import`: read a JSON export back into a database, all or nothing.

Everything is validated before anything is written; a bad file is rejected whole with one line
naming the case and the field at fault. A de-identified export cannot be imported: its ids, dates
and free text were changed or removed on purpose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, Mapping

import orjson

from checklists.actions import check_pathways, check_patient
from checklists.errors import ValidationError
from checklists.policy import POLICY_KEYS, set_policies
from checklists.models import (
    CASE_STATUSES, EVENT_FIELDS, INFLAMMATION_STATES, ITEM_STATES, AlertAck, Case, Change, Event,
    ItemRecord, Policy,
)
from checklists.validation import check_event_fields, check_text
from seeds.loader import Catalogue
from store.codec import ack_from_doc, item_from_doc
from store.errors import CaseExists
from store.export.json_data import FORMAT_NAME, SCHEMA_VERSION
from store.repository import CASE_ID_PATTERN as _CASE_ID  # the ids `Repository.add_case` accepts

_EVENT_KEYS = frozenset(f.name for f in fields(Event))
_RECORD_KEYS = frozenset(f.name for f in fields(ItemRecord)) - {"item"}
_AUDIT_TEXT = ("who", "when", "action", "target")
# Keys of `case show --json` that are computed on the day of the export; ignored on import.
_COMPUTED = frozenset({"items", "counts", "alerts", "alert_codes", "next_due", "today", "urgency"})


class ImportFileError(Exception):
    """The file cannot be imported; `str()` is one line naming what is wrong (never patient text)."""

    bad_input = True


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
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_export(raw, catalogue, source=str(path))


def parse_export(raw: bytes | str, catalogue: Catalogue, source: str = "import") -> ImportPlan:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ImportFileError(f"{source}: not valid JSON ({exc})") from None
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


def _day(doc: Mapping, name: str, *, required: bool = False) -> date | None:
    value = doc.get(name)
    if value is None:
        if required:
            raise _field(name, "is missing")
        return None
    if not isinstance(value, str) or len(value) != 10:
        raise _field(name, "must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _field(name, f"'{value}' is not a real calendar date") from None


def _choice(doc: Mapping, name: str, allowed: tuple[str, ...], *, required: bool = False) -> str | None:
    value = doc.get(name)
    if value is None:
        if required:
            raise _field(name, "is missing")
        return None
    if value not in allowed:
        raise _field(name, f"must be one of {', '.join(allowed)}")
    return value


def _whole(doc: Mapping, name: str, low: int = 0, *, required: bool = False) -> int | None:
    value = doc.get(name)
    if value is None:
        if required:
            raise _field(name, "is missing")
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise _field(name, f"must be a whole number of at least {low}")
    return value


def _case(doc: Mapping[str, Any], catalogue: Catalogue) -> ImportedCase:
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
    if injection_date and injection_date > onset:
        raise _field("injection_date", "is after onset")
    events = _events(_list(doc, "events"))
    known_items = {i.id for p in pathways for i in catalogue.pathways[p].items}
    records = _records(doc.get("item_records", {}), known_items)
    known_codes = {a.code for p in pathways for a in catalogue.pathways[p].alerts}
    acks = _acks(doc.get("alert_acks", {}), known_codes)
    audit = _audit(doc.get("audit", []))
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
        inflammation=_choice(doc, "inflammation", INFLAMMATION_STATES),
        inflammation_date=_day(doc, "inflammation_date"),
        events=events,
        items=records,
        revision=_whole(doc, "revision", 0, required=True),
        acks=acks,
    )
    return ImportedCase(case=case, audit=audit)


def _list(doc: Mapping, name: str) -> list:
    value = doc.get(name)
    if not isinstance(value, list):
        raise _field(name, "must be a list")
    return value


def _events(docs: list) -> tuple[Event, ...]:
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
    stamps = {}
    for name in ("recorded_at", "recorded_by"):
        if doc.get(name) is not None and not isinstance(doc[name], str):
            raise _field(name, "must be text")
        stamps[name] = doc.get(name)
    return Event(id=event_id, seq=seq, kind=kind, date=day, **details, voided=voided,
                 void_reason=reason if voided else None, **stamps)


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
            if not isinstance(checks, list):
                raise _field("checks", "must be a list of dates")
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
    for n, doc in enumerate(docs):
        if not isinstance(doc, dict):
            raise _Bad(f"audit[{n}]: must be an object")
        for name in _AUDIT_TEXT:
            if not isinstance(doc.get(name), str):
                raise _Bad(f"audit[{n}]: field '{name}' must be text")
    return tuple(docs)


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
            return f"imported {len(self.case_ids)} case(s) with new ids"
        return f"imported {len(self.case_ids)} case(s)"


def import_cases(repo, plan: ImportPlan, *, as_new: bool = False) -> ImportResult:
    """Write the validated cases. Without `as_new`, any id already in the database stops the whole
    import before anything is written; with it, every case gets a new id."""
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
    restored, differs = _policy_for(repo, plan)
    written = []
    for item in plan.cases:
        case = item.case
        if as_new:
            case = replace(case, id=renamed[case.id])
        change = Change(action="case-import", target="case", old=item.case.id if as_new else None,
                        new={"source": Path(plan.source).name, "revision": case.revision})
        _write_case(repo, case, item.audit, [change])
        written.append(case.id)
    return ImportResult(case_ids=tuple(written), renamed=renamed, policy_restored=restored, policy_differs=differs)


def _policy_for(repo, plan: ImportPlan) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Into an empty database the export's policy comes along (so statuses round-trip); a database
    that already has cases keeps the policy its clinic chose, and the difference is reported."""
    if plan.policy is None:
        return (), ()
    current = repo.policy()
    differs = tuple(k for k in POLICY_KEYS if getattr(current, k) != getattr(plan.policy, k))
    if not differs:
        return (), ()
    if repo.signatures():
        return (), differs
    restored = {k: getattr(plan.policy, k) for k in differs}
    repo.update_policy(lambda policy: set_policies(policy, restored))
    return differs, ()


def _fresh_id(repo, taken: set[str]) -> str:
    while True:
        case_id = repo.new_case_id()
        if case_id not in taken:
            return case_id


def _write_case(repo, case: Case, audit: tuple[dict, ...], changes: list[Change]) -> None:
    """Write one imported case exactly as it was: its revision, its events' stamps, its audit trail."""
    try:
        repo.import_case(case, list(audit), changes)
    except CaseExists:
        raise ImportFileError(f"case {case.id} appeared in this database while importing; it was left as it is") from None
