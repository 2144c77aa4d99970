"""One database file opened for one action: read once, upgraded in memory, written at most once.
The repository holds the locks; these classes stage changes in a BufferedStorage until `commit()`.
"""

from __future__ import annotations

from dataclasses import fields
from functools import partial
from pathlib import Path
from collections.abc import MutableMapping
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document, Table

from checklists.models import Case, Policy
from seeds.loader import Catalogue
from store import codec
from store.errors import CorruptCaseFile, UnknownCase
from store.migrations import SCHEMA_VERSION, backup_path, upgrade
from store.storage import AtomicJSONStorage, BufferedStorage, Signature, atomic_write_bytes, read_file

ONE = 1  # the doc id of single-document tables (meta, case, policy)


class TinyFile:
    """A TinyDB file opened for one action: read once, upgraded in memory, written at most once."""

    kind = "file"

    def __init__(self, path: Path):
        self.path = path
        # Calling the middleware with the path opens our file storage under it (TinyDB's own protocol).
        self.buffer = BufferedStorage(partial(AtomicJSONStorage, kind=self.kind))(path)
        self._db: TinyDB | None = None
        self.found_version: int | None = None

    @property
    def db(self) -> TinyDB:
        """TinyDB over the buffer, made on first use: a read that only decodes the tables (a list, an
        export) skips its tables and their caches, a fifth of the time of reading a case file."""
        if self._db is None:
            buffer = self.buffer
            self._db = TinyDB(storage=lambda: buffer)
        return self._db

    def load(self) -> bool:
        """Read the file; False if it does not exist. SchemaTooNew if a newer Rounds wrote it."""
        tables = self.buffer.read()
        if tables is None:
            if self.signature is not None:
                raise CorruptCaseFile(self.path, self.kind)  # empty: Rounds never writes that
            return False
        upgraded, self.found_version = upgrade(tables, self.path, self.kind)
        if self.found_version < SCHEMA_VERSION:
            self.buffer.write(upgraded)  # persisted (after a backup) only if this action writes
        return True

    @property
    def signature(self) -> Signature | None:
        return self.buffer.atomic.signature

    def table(self, name: str) -> Table:
        return self.db.table(name)

    def meta(self) -> dict[str, Any]:
        """The meta document (a copy), read from the buffered tables."""
        tables = self.buffer.read() or {}
        doc = (tables.get("meta") or {}).get(str(ONE))
        return dict(doc) if isinstance(doc, dict) else {}

    def commit(self) -> None:
        if self.buffer.dirty and self.found_version is not None and self.found_version < SCHEMA_VERSION:
            self._keep_backup(self.found_version)
        self.buffer.commit()

    def _keep_backup(self, version: int) -> None:
        """Copy the file as it was before its first migration (we hold its lock, so it is unchanged)."""
        original = read_file(self.path)
        if original is not None:
            atomic_write_bytes(backup_path(self.path, version), original[0])


class CaseFile(TinyFile):
    kind = "case file"

    def __init__(self, path: Path, catalogue: Catalogue | None = None):
        """`catalogue`: the database's pathways, to refuse a case that names one it does not define."""
        super().__init__(path)
        self.catalogue = catalogue
        self._event_doc_ids: dict[str, int] = {}

    def load_case(self, case_id: str) -> Case:
        if not self.load():
            raise UnknownCase(f"case {case_id} no longer exists")
        # Straight from the tables TinyDB holds: Table.all() would copy every event document first,
        # which is a tenth of the time of listing 10,000 cases without a cache.
        tables = self.buffer.read() or {}
        try:
            doc = tables["case"][str(ONE)]
            events = tables.get("events", {})
            self._event_doc_ids = {e["id"]: int(doc_id) for doc_id, e in events.items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            raise CorruptCaseFile(self.path) from None
        case = codec.case_from_docs(doc, events.values(), self.path)
        if case.id != case_id:
            # A copied or renamed file would be listed under one id and changed under another.
            raise CorruptCaseFile(self.path, reason="the case id inside it is not its file name")
        if self.catalogue is not None:
            _check_against(case, self.catalogue, self.path)
        return case

    def audit_docs(self) -> list[dict]:
        """The raw audit documents, oldest first, from the tables already read (no second read)."""
        tables = self.buffer.read() or {}
        audit = tables.get("audit") or {}
        return list(audit.values())

    def create(self, case: Case, audit: list[dict]) -> None:
        self.table("meta").insert(Document(codec.new_meta(SCHEMA_VERSION), doc_id=ONE))
        self.save(None, case, audit)

    def save(self, old: Case | None, new: Case, audit: list[dict]) -> None:
        """Stage the case, its new or changed events and its new audit entries (written on commit)."""
        put_document(self.table("case"), ONE, codec.case_doc(new))
        self._save_events(old, new)
        self.table("audit").insert_multiple(audit)

    def _save_events(self, old: Case | None, new: Case) -> None:
        """Write the events that are new or changed (a void); events are never deleted."""
        before = {e.id: e for e in old.events} if old else {}
        if before.keys() - {e.id for e in new.events}:
            raise ValueError("events are never deleted; void them instead")
        table = self.table("events")
        added = []
        for event in new.events:
            if before.get(event.id) == event:
                continue
            doc_id = self._event_doc_ids.get(event.id)
            if doc_id is None:
                added.append(codec.event_doc(event))
            else:
                put_document(table, doc_id, codec.event_doc(event))
        # In one go: each TinyDB insert re-reads the whole table, so one at a time is quadratic
        # (an import of 8,000 events took seconds per thousand).
        if added:
            table.insert_multiple(added)


class SettingsFile(TinyFile):
    kind = "settings file"

    def load_or_create(self) -> None:
        if not self.load():
            import secrets  # here: a settings file is made once per database

            meta = {"schema_version": SCHEMA_VERSION, "deid_key": secrets.token_hex(32)}
            self.table("meta").insert(Document(meta, doc_id=ONE))

    def policy(self) -> Policy:
        """The stored policy (defaults for keys never set); a value that is not a number is damage."""
        doc: dict[str, Any] = dict(self.table("policy").get(doc_id=ONE) or {})
        values = {f.name: doc[f.name] for f in fields(Policy) if f.name in doc}
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values.values()):
            raise CorruptCaseFile(self.path, self.kind)
        return Policy(**values)

    def put_policy(self, policy: Policy) -> None:
        put_document(self.table("policy"), ONE, {f.name: getattr(policy, f.name) for f in fields(Policy)})

    def append_audit(self, docs: list[dict]) -> None:
        self.table("audit").insert_multiple(docs)

    def next_revision(self) -> int:
        """Number this write of the settings (policy changes, export records): one number a write, so
        the audit entries of a change of several keys can be told apart from the next change."""
        meta = dict(self.meta())
        meta["revision"] = _whole(meta.get("revision")) + 1
        put_document(self.table("meta"), ONE, meta)
        return meta["revision"]


def _whole(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _check_against(case: Case, catalogue: Catalogue, path: Path) -> None:
    """A case that names a pathway or an etiology this database does not define cannot be evaluated:
    damaged as far as this database goes (a clinic's pathway file removed, a hand edit). The message
    says which field, never the value (a hostile file may put anything there)."""
    if any(p not in catalogue.pathways for p in case.pathways):
        raise CorruptCaseFile(path, reason="pathways: names a pathway this database does not define "
                                           "(was a clinic pathway file removed from pathways/?)")
    if case.etiology is not None and case.etiology not in catalogue.etiologies_for(case.pathways):
        raise CorruptCaseFile(path, reason="etiology: not one of its pathways' etiologies")


def put_document(table: Table, doc_id: int, doc: dict[str, Any]) -> None:
    """Set document `doc_id` to exactly `doc` (TinyDB's update merges, which would keep cleared fields)."""
    if table.contains(doc_id=doc_id):

        def replace_with(current: MutableMapping[str, Any]) -> None:
            current.clear()
            current.update(doc)

        table.update(replace_with, doc_ids=[doc_id])
    else:
        table.insert(Document(doc, doc_id=doc_id))
