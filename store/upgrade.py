"""A database written by an older Rounds is backed up whole and brought up to this version on the
first change this version makes to it (reads never write: an older database still opens read-only
exactly as it is). A database from a newer Rounds is refused, naming its version.

The settings file carries the database's version: it is migrated last, so a crash half-way leaves a
database that is simply upgraded again (after another backup) by the next change. A case file found at
an older version later (say, copied in from an old backup) is still migrated on its own next write,
keeping `<file>.v<n>.bak` beside it (store/files.py).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import orjson

from store.audit import current_user, utc_stamp
from store.errors import CorruptCaseFile, SchemaTooNew
from store.locking import exclusive, lock_path_for
from store.migrations import SCHEMA_VERSION, read_current, schema_version
from store.storage import atomic_write_bytes, parse_tables, read_file

BACKUPS_DIR = "backups"
_UPGRADE_LOCK = "upgrade.lock"


@dataclass(slots=True, frozen=True)
class UpgradeResult:
    from_version: int
    backup: Path
    cases: int  # case files migrated
    skipped: tuple[str, ...]  # damaged case files left as they were (`rounds check` names them)

    def line(self) -> str:
        return (f"upgraded the database from schema {self.from_version} to {SCHEMA_VERSION} ({self.cases} case "
                f"file(s)); a copy as it was is in {self.backup}")


def settings_version(repo) -> int | None:
    """The database's schema version (its settings file's); None when there is no settings file yet."""
    found = read_file(repo.settings_path)
    if found is None:
        return None
    tables = parse_tables(found[0], repo.settings_path, "settings file")
    if tables is None:
        raise CorruptCaseFile(repo.settings_path, "settings file")
    return schema_version(tables, repo.settings_path, "settings file")


def ensure_current(repo) -> UpgradeResult | None:
    """Before a change: upgrade an older database (once per repository object), refuse a newer one."""
    if getattr(repo, "_schema_current", False):
        return None
    try:
        version = settings_version(repo) if repo.db_dir.is_dir() else None
    except (CorruptCaseFile, PermissionError):
        # A damaged or unreadable settings file must not stop work on the cases (`rounds check` names
        # it); case files still migrate one by one on their next write.
        return None
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaTooNew(repo.settings_path, version, SCHEMA_VERSION)
    result = None
    if version is not None and version < SCHEMA_VERSION:
        result = upgrade_database(repo)
        repo.last_upgrade = result
    repo._schema_current = True
    return result


def upgrades_first(method):
    """Decorates a Repository method that writes: the database is made current before it runs."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        ensure_current(self)
        return method(self, *args, **kwargs)

    return wrapper


def upgrade_database(repo) -> UpgradeResult | None:
    """Back the whole database up into `backups/before-schema-<n>-<time>/`, then migrate every file,
    each under its lock, the settings file last. None if another process did it meanwhile."""
    from store.backup import copy_database

    with exclusive(repo.db_dir / _UPGRADE_LOCK, what="the database upgrade", timeout=max(repo.lock_timeout, 60)):
        found = settings_version(repo)
        if found is None or found >= SCHEMA_VERSION:
            return None
        when = utc_stamp(repo._now())
        backup_dir = repo.db_dir / BACKUPS_DIR / f"before-schema-{SCHEMA_VERSION}-{when.replace(':', '')}"
        copied = copy_database(repo, backup_dir)
        migrated, skipped = 0, list(copied.skipped)
        for case_id, (path, _) in sorted(repo._scan().items()):
            try:
                migrated += _migrate_file(Path(path), "case file", f"case {case_id}", repo.lock_timeout)
            except (CorruptCaseFile, SchemaTooNew) as error:
                skipped.append(str(error))
        entry = {
            "who": current_user(), "when": when, "action": "upgrade", "target": "database", "old": found,
            "new": SCHEMA_VERSION, "reason": None,
            "details": {"from": found, "to": SCHEMA_VERSION, "backup": str(backup_dir), "cases": migrated},
        }
        _migrate_file(repo.settings_path, "settings file", "the clinic settings", repo.lock_timeout, entry)
    return UpgradeResult(found, backup_dir, migrated, tuple(skipped))


def _migrate_file(path: Path, kind: str, what: str, timeout: float, entry: dict | None = None) -> int:
    """Rewrite one file at this version under its lock (1), or leave it (0: current already, or gone).
    The settings file also gets the upgrade's audit entry, numbered as the next settings write."""
    with exclusive(lock_path_for(path), what=what, timeout=timeout):
        found = read_current(path, kind)
        if found is None:
            return 0
        tables, version = found
        if version >= SCHEMA_VERSION and entry is None:
            return 0
        if entry is not None:
            meta = tables.setdefault("meta", {}).setdefault("1", {})
            meta["revision"] = entry["revision"] = (meta.get("revision") or 0) + 1
            audit = tables.setdefault("audit", {})
            audit[str(max((int(k) for k in audit), default=0) + 1)] = entry
        atomic_write_bytes(path, orjson.dumps(tables))
    return 1
