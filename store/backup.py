"""`rounds backup --to DIR` and `rounds restore --from DIR [CASE ...]`.

A backup is a new directory laid out like a database (`settings.json`, `cases/<shard>/<id>.json`)
plus `backup.json`, written last, which says when, by whom and from where it was made and lists each
case's revision. Each file is copied while holding its lock, so every copy is a whole, current version
even while colleagues keep writing; the list caches are left out (they are rebuilt).

A restore brings cases back as audited changes, never by copying files over the database:
- a case that exists is replaced by its backed-up state as a new revision, under its lock; events
  logged since the backup are kept but voided (events are never deleted) and its audit trail only
  grows, with a `case-restore` entry naming who restored it and from where;
- a case that is missing, or whose file is damaged (moved aside as `<file>.damaged-<time>`, never
  deleted), is re-created from the backup with the same entry;
- restoring everything (no CASE) also brings back the clinic policy, as one audited change; cases
  that the backup does not hold are left as they are.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import orjson

from checklists.models import Case, Change, Event
from checklists.wording import count_of
from store import codec
from store.audit import change_docs, current_user, utc_stamp
from store.errors import CorruptCaseFile, SchemaTooNew, StoreError, UnknownCase
from store.files import ONE, CaseFile, SettingsFile
from store.locking import exclusive, lock_path_for
from store.migrations import SCHEMA_VERSION, read_current, upgrade
from store.storage import (
    atomic_write_bytes, fsync_dir, make_private_dirs, parse_tables, read_file,
)

MANIFEST = "backup.json"
MANIFEST_FORMAT = "rounds-backup"
RESTORE_VOID_REASON = "restored from backup"


class BackupError(StoreError):
    """The backup or restore cannot be done as asked (a bad directory, a case not in the backup)."""

    bad_input = True


@dataclass(slots=True)
class BackupResult:
    to: Path
    cases: int = 0
    skipped: list[str] = field(default_factory=list)  # one line each: a damaged or unreadable case file

    def line(self) -> str:
        return f"backed up {count_of(self.cases, 'case')} and the clinic settings to {self.to}"


@dataclass(slots=True)
class RestoreResult:
    source: Path
    restored: list[str] = field(default_factory=list)  # existing cases replaced by their backed-up state
    recreated: list[str] = field(default_factory=list)  # missing or damaged cases written again
    unchanged: list[str] = field(default_factory=list)  # already as in the backup: nothing written
    policy_keys: list[str] = field(default_factory=list)
    moved_aside: list[Path] = field(default_factory=list)  # damaged files kept beside the new ones

    def line(self) -> str:
        parts = [f"{count_of(len(self.restored), 'case')} restored", f"{len(self.recreated)} re-created",
                 f"{len(self.unchanged)} already as backed up"]
        if self.policy_keys:
            parts.append(f"clinic policy restored ({', '.join(self.policy_keys)})")
        return f"from {self.source}: " + ", ".join(parts)


# --- backup ---------------------------------------------------------------------------------------


def backup(repo, to: Path | str) -> BackupResult:
    """Copy the database into `to` (a new or empty directory), each file under its lock."""
    repo._check_is_database()
    if not repo.db_dir.is_dir():
        raise BackupError(f"there is no database at {repo.db_dir} to back up")
    to = Path(to).expanduser().absolute()
    _check_destination(repo, to)
    result = copy_database(repo, to)
    repo.record_backup(to, result.cases)
    return result


def copy_database(repo, to: Path) -> BackupResult:
    """The copy itself, with its manifest (also used before a schema upgrade, into the database)."""
    make_private_dirs(to)
    result = BackupResult(to)
    revisions: dict[str, int] = {}

    settings = _copy_locked(repo, repo.settings_path, to / repo.settings_path.name, "the clinic settings",
                            "settings file")
    if settings is False:
        result.skipped.append(f"the settings file {repo.settings_path} is damaged and was not copied")
    _copy_export_log(repo, to)
    for case_id, (path, _) in sorted(repo._scan().items()):
        target = to / "cases" / case_id[:2] / f"{case_id}.json"
        try:
            copied = _copy_locked(repo, Path(path), target, f"case {case_id}", "case file")
        except PermissionError:
            result.skipped.append(f"case {case_id}: {path} cannot be read (permission denied); not in the backup")
            continue
        if copied is False:
            result.skipped.append(f"case {case_id}: {path} is damaged; not in the backup")
        elif copied is not None:
            revisions[case_id] = copied
    result.cases = len(revisions)
    os.sync()  # one flush of every copy at the end, rather than an fsync per file
    _write_manifest(repo, to, revisions, result.skipped)
    return result


def _check_destination(repo, to: Path) -> None:
    db = repo.db_dir.resolve()
    real = to.resolve()
    if real == db or db in real.parents:
        raise BackupError(f"{to} is inside the database; back up to a directory outside {repo.db_dir}")
    if to.exists() and not to.is_dir():
        raise BackupError(f"{to} exists and is not a directory; name a new directory for the backup")
    if to.is_dir() and any(to.iterdir()):
        raise BackupError(f"{to} is not empty; back up into a new (or empty) directory")


def _copy_locked(repo, source: Path, target: Path, what: str, kind: str) -> int | None | bool:
    """Copy one file under its lock. Its revision (0 for the settings); None if it is gone; False if
    it cannot be parsed (then nothing is copied)."""
    with exclusive(lock_path_for(source), what=what, timeout=repo.lock_timeout):
        found = read_file(source)
    if found is None:
        return None
    raw = found[0]
    try:
        tables = parse_tables(raw, source, kind)
        if tables is None:
            raise CorruptCaseFile(source, kind)
        revision = tables.get("case", {}).get(str(ONE), {}).get("revision", 0) if kind == "case file" else 0
        upgrade(tables, source, kind)
    except SchemaTooNew:
        pass  # whole, from a newer Rounds: copied as it is
    except (CorruptCaseFile, AttributeError):
        return False
    make_private_dirs(target.parent)
    atomic_write_bytes(target, raw, durable=False)
    return revision if isinstance(revision, int) else 0


def _copy_export_log(repo, to: Path) -> None:
    """The ids of large exports (store/export_log.py) go with the settings' audit that points to them;
    under the settings lock, so no export is half appended."""
    from store.export_log import EXPORT_LOG

    source = repo.db_dir / EXPORT_LOG
    with exclusive(lock_path_for(repo.settings_path), what="the clinic settings", timeout=repo.lock_timeout):
        found = read_file(source)
    if found is not None:
        atomic_write_bytes(to / EXPORT_LOG, found[0], durable=False)


def _write_manifest(repo, to: Path, revisions: dict[str, int], skipped: list[str]) -> None:
    manifest = {
        "format": MANIFEST_FORMAT, "version": 1, "made": utc_stamp(repo._now()), "by": current_user(),
        "from": str(repo.db_dir.absolute()), "schema_version": SCHEMA_VERSION,
        "cases": revisions, "skipped": skipped,
    }
    atomic_write_bytes(to / MANIFEST, orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    fsync_dir(to)


# --- restore --------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class _BackedUp:
    case: Case
    tables: dict[str, Any]  # the file's tables, migrated to this version


class _Source:
    """A backup (or any copy of a database directory) read without writing a byte into it."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.cases_dir = directory / "cases"
        self.settings_path = directory / "settings.json"

    def case_ids(self) -> list[str]:
        ids = []
        if self.cases_dir.is_dir():
            for shard in sorted(self.cases_dir.iterdir()):
                if shard.is_dir():
                    ids += sorted(p.name[:-5] for p in shard.iterdir()
                                  if p.name.endswith(".json") and not p.name.startswith("."))
        return ids

    def resolve(self, ref: str, ids: list[str]) -> str:
        ref = ref.strip().lower()
        matches = [i for i in ids if i == ref] or ([i for i in ids if i.startswith(ref)] if len(ref) >= 4 else [])
        if len(matches) != 1:
            if matches:
                raise BackupError(f"'{ref}' matches {len(matches)} cases in the backup; type more of the case id")
            raise BackupError(f"case {ref} is not in the backup {self.dir}")
        return matches[0]

    def load(self, case_id: str) -> _BackedUp:
        path = self.cases_dir / case_id[:2] / f"{case_id}.json"
        found = read_current(path, "case file")
        if found is None:
            raise BackupError(f"case {case_id} is not in the backup {self.dir}")
        tables = found[0]
        try:
            doc = tables["case"][str(ONE)]
            case = codec.case_from_docs(doc, tables.get("events", {}).values(), path)
        except (KeyError, TypeError, AttributeError):
            raise CorruptCaseFile(path) from None
        if case.id != case_id:
            raise CorruptCaseFile(path)
        return _BackedUp(case, tables)

    def settings_tables(self) -> dict[str, Any] | None:
        found = read_current(self.settings_path, "settings file")
        return None if found is None else found[0]


def open_backup(repo, source: Path | str) -> _Source:
    source = Path(source).expanduser().absolute()
    if not source.is_dir():
        raise BackupError(f"{source} is not a directory; name a backup made by rounds backup --to DIR")
    if source.resolve() == repo.db_dir.resolve():
        raise BackupError(f"{source} is the database itself; name a backup of it")
    manifest = source / MANIFEST
    if manifest.exists():
        try:
            data = orjson.loads(manifest.read_bytes())
        except orjson.JSONDecodeError:
            raise BackupError(f"{manifest} is damaged; this backup cannot be trusted") from None
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            raise BackupError(f"{manifest} is not a Rounds backup manifest")
        version = data.get("schema_version")
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise SchemaTooNew(manifest, version, SCHEMA_VERSION)
    elif not (source / "cases").is_dir() and not (source / "settings.json").is_file():
        raise BackupError(f"{source} is not a Rounds backup (it has no {MANIFEST} and no cases folder)")
    return _Source(source)


def restore(repo, source: Path | str, case_refs: list[str] | None = None) -> RestoreResult:
    """Bring cases (or, without `case_refs`, every case and the clinic policy) back from a backup.

    Every case asked for is read and checked first: an unknown or damaged one stops the restore
    before anything is written. Then each case is written under its own lock.
    """
    backup_dir = open_backup(repo, source)
    ids = backup_dir.case_ids()
    wanted = ids if not case_refs else list(dict.fromkeys(backup_dir.resolve(r, ids) for r in case_refs))
    loaded = [backup_dir.load(case_id) for case_id in wanted]
    settings = backup_dir.settings_tables() if not case_refs else None
    for item in loaded:
        _refuse_newer(repo, item.case.id)
    result = RestoreResult(backup_dir.dir)
    if settings is not None:
        _restore_settings(repo, settings, backup_dir.dir, result)
    for item in loaded:
        _restore_case(repo, item, backup_dir.dir, result)
    return result


def _refuse_newer(repo, case_id: str) -> None:
    """A case a newer Rounds has written is left alone: refuse before anything is written."""
    try:
        CaseFile(repo.case_path(case_id)).load()
    except CorruptCaseFile:
        pass  # damaged: the restore replaces it (and keeps it aside)


def _restore_details(source: Path, backed_up: Case) -> dict[str, Any]:
    return {"from": str(source), "backup_revision": backed_up.revision}


def _restore_case(repo, item: _BackedUp, source: Path, result: RestoreResult) -> None:
    case_id = item.case.id
    path = repo.case_path(case_id)
    details = _restore_details(source, item.case)
    if path.exists():
        try:
            if _replace_existing(repo, item.case, details):
                result.restored.append(case_id)
            else:
                result.unchanged.append(case_id)
            return
        except CorruptCaseFile:
            pass  # damaged: moved aside and written again below, under the lock
        except UnknownCase:
            pass  # removed meanwhile
    moved = _recreate(repo, item, details)
    result.recreated.append(case_id)
    if moved is not None:
        result.moved_aside.append(moved)


def _replace_existing(repo, backed_up: Case, details: dict[str, Any]) -> bool:
    """Replace a readable case by its backed-up state as a new revision; False if it already is that."""
    written = []

    def mutate(current: Case) -> tuple[Case, list[Change]]:
        restored = replace(backed_up, revision=current.revision, events=_merged_events(current, backed_up))
        if restored == current:
            return current, []  # restored already (events logged since are voided): nothing to write
        change = Change("case-restore", "case", old={"revision": current.revision},
                        new={"backup_revision": backed_up.revision}, details=details)
        written.append(change)
        return restored, [change]

    repo.update(backed_up.id, mutate)
    return bool(written)


def _merged_events(current: Case, backed_up: Case) -> tuple[Event, ...]:
    """The backed-up events, and every event logged since kept but voided (events are never deleted)."""
    kept = {e.id for e in backed_up.events}
    later = [e if e.voided else replace(e, voided=True, void_reason=RESTORE_VOID_REASON)
             for e in current.events if e.id not in kept]
    return tuple(sorted((*backed_up.events, *later), key=lambda e: e.seq))


def _recreate(repo, item: _BackedUp, details: dict[str, Any]) -> Path | None:
    """Write a case file again from its backed-up tables, with a `case-restore` entry; a damaged file
    in the way is renamed aside first. Returns where a damaged file was moved, if one was."""
    case_id = item.case.id
    path = repo.case_path(case_id)
    make_private_dirs(path.parent)
    repo._ensure_settings()
    who, when = current_user(), utc_stamp(repo._now())
    with exclusive(lock_path_for(path), what=f"case {case_id}", timeout=repo.lock_timeout):
        moved = None
        if path.exists():
            try:
                CaseFile(path).load_case(case_id)
            except CorruptCaseFile:
                moved = path.with_name(f"{path.name}.damaged-{when.replace(':', '')}")
                os.rename(path, moved)
            else:
                raise BackupError(f"case {case_id} appeared in the database while restoring; run restore again")
        tables = copy.deepcopy(item.tables)
        revision = item.case.revision + 1
        tables["case"][str(ONE)]["revision"] = revision
        change = Change("case-restore", "case", old=None, new={"backup_revision": item.case.revision},
                        details=details)
        audit = tables.setdefault("audit", {})
        next_id = max((int(k) for k in audit), default=0) + 1
        for n, doc in enumerate(change_docs([change], who, when, revision)):
            audit[str(next_id + n)] = doc
        atomic_write_bytes(path, orjson.dumps(tables))
    return moved


def _restore_settings(repo, tables: dict[str, Any], source: Path, result: RestoreResult) -> None:
    """The backed-up clinic policy, as one audited change. With no settings file in the database, the
    whole file comes back first: its de-identification key keeps earlier exports' pseudonyms valid."""
    from checklists.policy import set_policies

    if not repo.settings_path.exists():
        make_private_dirs(repo.db_dir)
        with repo._settings_lock():
            if not repo.settings_path.exists():
                atomic_write_bytes(repo.settings_path, orjson.dumps(tables))
    backed_up = SettingsFile(source / "settings.json")
    backed_up.load()
    policy = backed_up.policy()
    values = {f.name: getattr(policy, f.name) for f in fields(policy)}
    details = {"from": str(source)}

    def mutate(current):
        updated, changes = set_policies(current, values)
        return updated, [replace(c, details=details) for c in changes]

    before = repo.policy()
    after = repo.update_policy(mutate)
    result.policy_keys = [f.name for f in fields(after) if getattr(before, f.name) != getattr(after, f.name)]
