"""Schema versions of the database files, and the registry of functions that bring an older file up
to date (`MIGRATIONS[n]`: tables of version n -> tables of version n+1).
"""

# Reads upgrade in memory only; the first write of an old file keeps a backup `<file>.v<n>.bak`.

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from store.errors import CorruptCaseFile, SchemaTooNew

SCHEMA_VERSION = 1

Tables = dict[str, Any]
MIGRATIONS: dict[int, Callable[[Tables], Tables]] = {}


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


def _set_version(tables: Tables, version: int) -> None:
    meta: dict[str, dict[str, Any]] = tables.setdefault("meta", {})
    doc = next(iter(meta.values()), None)
    if doc is None:
        doc = meta["1"] = {}
    doc["schema_version"] = version


def backup_path(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}.v{version}.bak")
