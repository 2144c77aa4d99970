"""Schema versions of the database files, and the registry of functions that bring an older file up
to date (`MIGRATIONS[n]`: tables of version n -> tables of version n+1).
"""

# Reads upgrade in memory only; the first write of an old file keeps a backup `<file>.v<n>.bak`.

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from store.errors import CorruptCaseFile, SchemaTooNew
from store.storage import parse_tables, read_file

SCHEMA_VERSION = 2

Tables = dict[str, Any]
_AUDIT_KEYS = ("who", "when", "action", "target", "old", "new", "reason", "revision")


def _docs(table: Any) -> list[dict]:
    """A TinyDB table's documents in the order they were written."""
    if not isinstance(table, dict):
        return []
    return [table[key] for key in sorted(table, key=int) if isinstance(table[key], dict)]


def _v1_to_v2(tables: Tables) -> Tables:
    """Version 2 numbers every write of the settings and fills in what older entries left out.

    - Settings: each write (policy change, export record) gets a revision, as case writes always had,
      so that the entries of one change of several policy keys can be told from the next change (for
      `rounds undo`); consecutive entries by one person at one instant are one write. The number
      reached is kept in `meta.revision`.
    - Audit entries of every file carry every key (None where an older entry had none), and an event
      without `recorded_by`/`recorded_at` (imported from an old export) gets them from the entry
      that logged it, where the trail has one.
    Only ever adds: a file read by version 1 keeps every value it had.
    """
    audit = _docs(tables.get("audit"))
    for doc in audit:
        for key in _AUDIT_KEYS:
            doc.setdefault(key, None)
    if "case" in tables:
        _stamp_events(tables, audit)
        return tables
    revision, last = 0, None
    for doc in audit:
        if isinstance(doc.get("revision"), int):
            revision = max(revision, doc["revision"])
            continue
        write = (doc.get("who"), doc.get("when"))
        if write != last:
            revision += 1
            last = write
        doc["revision"] = revision
    meta = tables.setdefault("meta", {}).setdefault("1", {})
    meta["revision"] = max(revision, meta.get("revision") if isinstance(meta.get("revision"), int) else 0)
    return tables


def _stamp_events(tables: Tables, audit: list[dict]) -> None:
    logged = {doc.get("target"): doc for doc in audit if doc.get("action") == "event-log"}
    for event in _docs(tables.get("events")):
        entry = logged.get(event.get("id"))
        if entry is None:
            continue
        if event.get("recorded_by") is None and isinstance(entry.get("who"), str):
            event["recorded_by"] = entry["who"]
        if event.get("recorded_at") is None and isinstance(entry.get("when"), str):
            event["recorded_at"] = entry["when"]


MIGRATIONS: dict[int, Callable[[Tables], Tables]] = {1: _v1_to_v2}


def meta_doc(tables: Tables) -> dict[str, Any]:
    """The one document of the `meta` table (TinyDB keys documents by id: "1")."""
    meta = tables.get("meta") or {}
    return next(iter(meta.values()), {}) if isinstance(meta, dict) else {}


def schema_version(tables: Tables, path: Path, kind: str) -> int:
    version = meta_doc(tables).get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise CorruptCaseFile(path, kind)
    return version


def upgrade(tables: Tables, path: Path, kind: str) -> tuple[Tables, int]:
    """Tables at the current version, and the version they were found at.

    Refuses (SchemaTooNew) a file from a newer Rounds rather than guess at what it means.
    """
    found = schema_version(tables, path, kind)
    if found > SCHEMA_VERSION:
        raise SchemaTooNew(path, found, SCHEMA_VERSION)
    version = found
    while version < SCHEMA_VERSION:
        migrate = MIGRATIONS.get(version)
        if migrate is None:
            raise CorruptCaseFile(path, kind)  # a version no release ever wrote
        tables = migrate(tables)
        version += 1
        _set_version(tables, version)
    return tables, found


def parse_current(raw: bytes, path: Path, kind: str) -> tuple[Tables, int]:
    """A file's bytes as tables at this version, and the version they were found at.

    CorruptCaseFile for an empty file (Rounds never writes one) or one that is not a whole database
    file; SchemaTooNew for one a newer Rounds wrote. In memory only: nothing is written.
    """
    tables = parse_tables(raw, path, kind)
    if tables is None:
        raise CorruptCaseFile(path, kind)
    return upgrade(tables, path, kind)


def read_current(path: Path, kind: str) -> tuple[Tables, int] | None:
    """`parse_current` of the file at `path` (read without following links); None if it does not exist.
    The reads that are not an action on the file (history, backup, check, upgrade) go through here."""
    found = read_file(path, kind)
    return None if found is None else parse_current(found[0], path, kind)


def _set_version(tables: Tables, version: int) -> None:
    meta: dict[str, dict[str, Any]] = tables.setdefault("meta", {})
    doc = next(iter(meta.values()), None)
    if doc is None:
        doc = meta["1"] = {}
    doc["schema_version"] = version


def backup_path(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}.v{version}.bak")
