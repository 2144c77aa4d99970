"""The case repository: what the CLI and the TUI are given to read and change a Rounds database.
Every change is one locked, re-read, audited, atomic write of one file.
"""

# A database is a directory: `cases/<2-char shard>/<case id>.json` (one TinyDB file per case, with
# its lock file beside it), `settings.json` (clinic policy, de-identification key, export records),
# and `summaries/` / `rows.json` (caches for the case list, store/index.py).

from __future__ import annotations

import gc
import os
import stat
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from checklists.models import Case, CaseRow, CaseSummary, Change, Event, Policy
from store.audit import AuditEntry, change_docs, current_user, entry_from_doc, utc_now, utc_stamp
from store.errors import (
    AmbiguousCase, CaseExists, CorruptCaseFile, NotADatabase, RevisionConflict, SchemaTooNew, UnknownCase,
)
from store.export_log import EXPORT_LOG
from store.index import INDEX_FILE, ROWS_FILE, SUMMARIES_DIR, ListCache
from store.locking import DEFAULT_TIMEOUT, exclusive, lock_path_for, try_exclusive
from store.files import CaseFile, SettingsFile
from store.permissions import OTHER_BITS, exposure_warnings, open_folders_and_files
from store.safety import check_writable, directory_problem
from store.storage import TEMP_SUFFIX, Signature, fsync_dir, is_temp_for, make_private_dirs, signature_of
from store.upgrade import upgrades_first

CASES_DIR = "cases"
SETTINGS_FILE = "settings.json"
MIN_PREFIX = 4
CASE_ID_PATTERN = re.compile(r"[0-9a-z][0-9a-z-]{3,63}")
_CASE_ID = CASE_ID_PATTERN
_REF = re.compile(r"[0-9a-z-]{1,64}")

Summarize = Callable[[Case, Any, Policy], CaseSummary]
MakeRow = Callable[[CaseSummary, date, Policy], CaseRow]
Mutation = Callable[[Case], tuple[Case, list[Change]]]


@dataclass(slots=True, frozen=True)
class CaseRecord:
    """A case with what an export also needs of its file, all from one read of it."""

    case: Case
    audit: list[dict]  # the raw audit documents, oldest first
    deid_offset: Any  # the file's stored de-identification offset, checked when used (deid_offset_of)
    path: Path


@dataclass(slots=True, frozen=True)
class ListResult:
    rows: list[CaseRow]
    warnings: list[str]  # one line each, e.g. a damaged case file that was skipped
    # The stat signatures of the scan the rows were read after: a watcher compares later scans with
    # these instead of scanning a second time (10,000 stats saved on every board load).
    signatures: dict[str, Signature] = field(default_factory=dict)
    # The rows' places in the board's order, when the list cache knew it (store/index.py).
    board_order: list[int] | None = None

    def in_board_order(self) -> list[CaseRow]:
        """The rows as checklists.board.sort_rows orders them, without sorting where the cache kept it."""
        if self.board_order is not None and len(self.board_order) == len(self.rows):
            rows = self.rows
            return [rows[n] for n in self.board_order]
        from checklists.board import sort_rows

        return sort_rows(self.rows)


class Repository:
    """One Rounds database directory. Cheap to create; a read never creates anything on disk."""

    def __init__(
        self,
        db_dir: Path | str,
        catalogue: Any,
        *,
        now: Callable[[], datetime] | None = None,
        lock_timeout: float = DEFAULT_TIMEOUT,
        summarize: Summarize | None = None,
        case_row: MakeRow | None = None,
    ):
        self.db_dir = Path(db_dir).expanduser()
        self.catalogue = catalogue
        self.lock_timeout = lock_timeout
        self._now = now or utc_now
        self._summarize = summarize
        self._case_row = case_row
        self._index_base: bytes | None = None
        self._open_case_files = 0  # found by the last scan of every case

    # --- where things are ---------------------------------------------------------------------------

    @property
    def cases_dir(self) -> Path:
        return self.db_dir / CASES_DIR

    @property
    def settings_path(self) -> Path:
        return self.db_dir / SETTINGS_FILE

    @property
    def index_path(self) -> Path:
        return self.db_dir / INDEX_FILE

    @property
    def rows_path(self) -> Path:
        return self.db_dir / ROWS_FILE

    @property
    def summaries_dir(self) -> Path:
        return self.db_dir / SUMMARIES_DIR

    def case_path(self, case_id: str) -> Path:
        return self.cases_dir / case_id[:2] / f"{case_id}.json"

    # --- finding cases ------------------------------------------------------------------------------

    def new_case_id(self) -> str:
        """A random id (10 hex characters) that no case file has; ids are never renumbered."""
        import secrets

        while True:
            case_id = secrets.token_hex(5)
            if not self.case_path(case_id).exists():
                return case_id

    def _check_is_database(self) -> None:
        if self.db_dir.exists() and not self.db_dir.is_dir():
            raise NotADatabase(self.db_dir)

    def resolve(self, ref: str) -> str:
        """The full id of the one case whose id is `ref` or starts with it (at least 4 characters)."""
        self._check_is_database()
        ref = ref.strip().lower()
        if not _REF.fullmatch(ref):
            # Never echo it: people type a patient's name here by mistake.
            raise UnknownCase("that is not a case id (case ids are lower-case letters and digits)")
        if len(ref) >= MIN_PREFIX and self.case_path(ref).is_file():
            return ref
        if len(ref) < MIN_PREFIX:
            raise UnknownCase(
                f"no case has the id '{ref}'; a short form needs at least {MIN_PREFIX} characters"
            )
        matches = self._ids_starting_with(ref)
        if not matches:
            raise UnknownCase(f"no case id starts with '{ref}'")
        if len(matches) > 1:
            raise AmbiguousCase(ref, matches)
        return matches[0]

    def _ids_starting_with(self, prefix: str) -> list[str]:
        try:
            names = os.listdir(self.cases_dir / prefix[:2])
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(n[:-5] for n in names if n.startswith(prefix) and n.endswith(".json"))

    # --- reading and changing one case ----------------------------------------------------------------

    def get(self, ref: str) -> Case:
        """The case as stored now (no lock: files are only ever replaced whole)."""
        case_id = self.resolve(ref)
        return CaseFile(self.case_path(case_id), self.catalogue).load_case(case_id)

    @upgrades_first
    def add_case(self, case: Case, changes: list[Change]) -> Case:
        """Write a new case file (revision 1) with its audit entries; returns the case as stored."""
        who, when = self._who_when()
        stored = replace(_stamp_new_events(None, case, who, when), revision=1)
        with self._new_case_file(stored) as case_file:
            case_file.create(stored, change_docs(changes, who, when, stored.revision))
        return stored

    @upgrades_first
    def import_case(self, case: Case, audit: list[dict], changes: list[Change]) -> Case:
        """Write a case from an export as it was (revision, event stamps, audit trail, each entry marked
        `imported` by whom and when), with `changes` (the import itself) appended to its trail.
        CaseExists if the id is taken."""
        who, when = self._who_when()
        stored = replace(case, revision=max(case.revision, 1))
        # Kept as the file has it, but marked: who and when there are the file's word, not ours.
        marker = {"by": who, "at": when}
        trail = [{**_audit_fields(doc), "imported": marker} for doc in audit]
        trail += change_docs(changes, who, when, stored.revision)
        with self._new_case_file(stored) as case_file:
            case_file.create(stored, trail)
        return stored

    def discard_new_case(self, case_id: str, revision: int) -> bool:
        """Take back a case file that a failed import (all or nothing) wrote moments ago: only if it is
        still exactly as written (its revision, last changed by an import); True if it was removed."""
        path = self.case_path(case_id)
        with exclusive(lock_path_for(path), what=f"case {case_id}", timeout=self.lock_timeout):
            case_file = CaseFile(path, self.catalogue)
            try:
                current = case_file.load_case(case_id)
            except (UnknownCase, CorruptCaseFile):
                return False
            trail = case_file.table("audit").all()
            if current.revision != revision or not trail or trail[-1].get("action") != "case-import":
                return False  # someone has worked on it since: it stays
            os.unlink(path)
            fsync_dir(path.parent)
        return True

    @contextmanager
    def _new_case_file(self, case: Case) -> Iterator[CaseFile]:
        """A fresh case file for `case`, under its lock; written when the block ends without error."""
        if not _CASE_ID.fullmatch(case.id):
            raise ValueError("a case id is 4-64 lower-case letters, digits or dashes")
        path = self.case_path(case.id)
        self._prepare_to_write()
        make_private_dirs(path.parent)
        self._ensure_settings()
        with exclusive(lock_path_for(path), what=f"case {case.id}", timeout=self.lock_timeout):
            if path.exists():
                raise CaseExists(case.id)
            case_file = CaseFile(path, self.catalogue)
            yield case_file
            case_file.commit()

    @upgrades_first
    def update(self, ref: str, mutate: Mutation, expected_revision: int | None = None) -> Case:
        """Apply `mutate` to the case as it is on disk now, under its lock; one atomic, audited write.

        `expected_revision` (for free-text edits made on screen) turns a change someone else made in
        the meantime into RevisionConflict. If `mutate` raises, nothing is written and the error
        propagates unchanged; if it returns no changes, nothing is written.
        """
        case_id = self.resolve(ref)
        path = self.case_path(case_id)
        check_writable(self.db_dir)
        if not lock_path_for(path).exists():
            # A case restored without its lock file: try the change first, so that a refused one
            # leaves no new lock file behind. (The lock file stays once made: see store/locking.py.)
            _, changes = mutate(CaseFile(path, self.catalogue).load_case(case_id))
            if not changes:
                return CaseFile(path, self.catalogue).load_case(case_id)
        with exclusive(lock_path_for(path), what=f"case {case_id}", timeout=self.lock_timeout):
            _remove_leftover_temps(path)  # we hold the lock, so no writer owns them
            case_file = CaseFile(path, self.catalogue)
            current = case_file.load_case(case_id)
            if expected_revision is not None and expected_revision != current.revision:
                raise RevisionConflict(case_id, expected_revision, current.revision)
            changed, changes = mutate(current)
            if not changes:
                return current
            if changed.id != current.id:
                raise ValueError("a change may not alter a case's id")
            who, when = self._who_when()
            stored = replace(_stamp_new_events(current, changed, who, when), revision=current.revision + 1)
            case_file.save(current, stored, change_docs(changes, who, when, stored.revision))
            case_file.commit()
        return stored

    def audit_trail(self, ref: str) -> list[AuditEntry]:
        """The case's audit entries, oldest first."""
        case_id = self.resolve(ref)
        case_file = CaseFile(self.case_path(case_id), self.catalogue)
        case_file.load_case(case_id)
        return [entry_from_doc(doc) for doc in case_file.table("audit").all()]

    def case_signature(self, ref: str) -> Signature | None:
        """A cheap fingerprint of the case file (changes with every write); None once it is gone."""
        try:
            return signature_of(os.stat(self.case_path(self.resolve(ref))))
        except (FileNotFoundError, UnknownCase):
            return None

    def settings_signature(self) -> Signature | None:
        """A cheap fingerprint of the clinic settings file, so that a policy changed by another process
        shows too (`signatures()` covers the case files); None while there is none or it cannot be stat-ed."""
        try:
            return signature_of(os.stat(self.settings_path))
        except OSError:
            return None

    # --- settings: policy, de-identification key, export records -------------------------------------

    def policy(self) -> Policy:
        """The clinic policy every user of this database shares; the defaults until one is set."""
        settings = SettingsFile(self.settings_path)
        return settings.policy() if settings.load() else Policy()

    @upgrades_first
    def update_policy(self, mutate: Callable[[Policy], tuple[Policy, list[Change]]]) -> Policy:
        """Apply `mutate` to the policy as it is on disk now, under the settings lock: one audited write,
        one audit entry a key, however many keys it changes."""
        # Check the change against the policy as it stands before creating anything, so that a refused
        # `config set` on a new database leaves no directory behind; it is checked again under the lock.
        mutate(self.policy())
        self._prepare_to_write()
        with self._settings_lock():
            settings = SettingsFile(self.settings_path)
            settings.load_or_create()
            current = settings.policy()
            changed, changes = mutate(current)
            if not changes:
                return current
            settings.put_policy(changed)
            settings.append_audit(change_docs(changes, *self._who_when(), revision=settings.next_revision()))
            settings.commit()
        return changed

    def update_policy_values(self, values: dict[str, object]) -> Policy:
        """Set several policy keys as one audited change (the policy form, a restore)."""
        from checklists.policy import set_policies

        return self.update_policy(lambda policy: set_policies(policy, values))

    def deid_key(self) -> bytes:
        """The database's secret key for pseudonyms in de-identified exports (made with the database)."""
        self._ensure_settings()
        settings = SettingsFile(self.settings_path)
        settings.load()
        try:
            return bytes.fromhex(settings.meta()["deid_key"])
        except (KeyError, TypeError, ValueError):
            raise CorruptCaseFile(self.settings_path, SettingsFile.kind) from None

    def deid_offset_days(self, case_id: str) -> int:
        """The case's secret date shift for de-identified exports: 20 to 40 years back (store/export/deidentify.py)."""
        case_id = self.resolve(case_id)
        case_file = CaseFile(self.case_path(case_id), self.catalogue)
        case_file.load_case(case_id)
        return deid_offset_of(case_file.meta().get("deid_offset_days"), case_file.path)

    @upgrades_first
    def record_export(
        self, case_ids: list[str], fmt: str, deidentified: bool, destination_kind: str
    ) -> AuditEntry:
        """Note an export in the settings file's audit table (one write, however many cases). Up to
        INLINE_IDS case ids are listed in the entry; for more, their count and digest, with the ids in
        the export log (store/export_log.py), so the settings every command reads stay small."""
        from store import export_log

        who, when = self._who_when()
        details: dict[str, Any] = {"format": fmt, "deidentified": bool(deidentified), "destination": destination_kind}
        logged = len(case_ids) > export_log.INLINE_IDS
        if logged:
            digest = export_log.digest_of(list(case_ids))
            details = {"count": len(case_ids), "digest": digest, "cases_in": export_log.EXPORT_LOG, **details}
        else:
            details = {"cases": list(case_ids), **details}
        doc: dict[str, Any] = {
            "who": who, "when": when, "action": "export", "target": "cases", "old": None, "new": None,
            "reason": None, "revision": None, "details": details,
        }
        self._prepare_to_write()
        with self._settings_lock():
            settings = SettingsFile(self.settings_path)
            settings.load_or_create()
            doc["revision"] = settings.next_revision()
            if logged:
                export_log.append(self.db_dir, details["digest"], list(case_ids), who, when)
            settings.append_audit([doc])
            settings.commit()
        return entry_from_doc(doc)

    def record_backup(self, to: Path, cases: int) -> None:
        """Note a backup in the settings file's audit table: where a copy of the data went."""
        self._record("backup", {"to": str(to), "cases": cases})

    def record_init(self, group: str | None) -> None:
        """Note `rounds init` (and the group the database is shared with) in the settings' audit table."""
        self._record("init", {"group": group})

    @upgrades_first
    def _record(self, action: str, details: dict) -> None:
        who, when = self._who_when()
        doc: dict[str, Any] = {"who": who, "when": when, "action": action, "target": "database", "old": None,
                               "new": None, "reason": None, "details": details}
        make_private_dirs(self.db_dir)
        with self._settings_lock():
            settings = SettingsFile(self.settings_path)
            settings.load_or_create()
            doc["revision"] = settings.next_revision()
            settings.append_audit([doc])
            settings.commit()

    def settings_audit(self) -> list[AuditEntry]:
        """Policy changes and exports, oldest first."""
        settings = SettingsFile(self.settings_path)
        if not settings.load():
            return []
        return [entry_from_doc(doc) for doc in settings.table("audit").all()]

    def change_settings(self, stage: Callable[[SettingsFile, str, str], list[Change]]) -> list[Change]:
        """Run `stage(settings, who, when)` on the settings as stored now, under their lock; it stages
        its own tables and returns the changes to audit. One atomic write with their audit entries;
        nothing is written if it raises or returns no change (the protocol's reviews: store/signoff.py)."""
        make_private_dirs(self.db_dir)
        with self._settings_lock():
            settings = SettingsFile(self.settings_path)
            settings.load_or_create()
            who, when = self._who_when()
            changes = stage(settings, who, when)
            if not changes:
                return []
            settings.append_audit(change_docs(changes, who, when, revision=None))
            settings.commit()
        return changes

    def _ensure_settings(self) -> None:
        if self.settings_path.exists():
            return
        self._prepare_to_write()
        with self._settings_lock():
            settings = SettingsFile(self.settings_path)
            if not settings.load():
                settings.load_or_create()
                settings.commit()

    def _prepare_to_write(self) -> None:
        """Make the database directory if it is missing, and refuse one that is not safe to write to."""
        self._check_is_database()
        check_writable(self.db_dir)  # before creating anything: a foreign folder stays untouched
        make_private_dirs(self.db_dir)
        check_writable(self.db_dir)  # what we found or made (another process may have been first)

    def can_write(self) -> bool:
        """Whether writes (the list cache included) may go into this database directory."""
        return directory_problem(self.db_dir) is None

    def check_writable(self) -> None:
        """UnsafeDatabase now, rather than after work whose record could not be written (an export)."""
        self._check_is_database()
        check_writable(self.db_dir)

    def _settings_lock(self):
        return exclusive(
            lock_path_for(self.settings_path), what="the clinic settings", timeout=self.lock_timeout
        )

    def _who_when(self) -> tuple[str, str]:
        return current_user(), utc_stamp(self._now())

    # --- the whole database -----------------------------------------------------------------------------

    def signatures(self) -> dict[str, Signature]:
        """Every case id and its file's signature: one stat per case (the TUI's thorough check)."""
        return {case_id: sig for case_id, (_, sig) in self._scan().items()}

    def folder_marks(self) -> dict[str, tuple[int, int, int]]:
        """A cheap fingerprint of which case files exist and which version each is: the stat of the cases
        folder and of each shard folder, a few hundred stats however many cases (the TUI's poll; one stat
        per case was 6% of a core, every second, at 10,000 cases).

        Every write Rounds makes renames a new file into the case's shard folder, which changes that
        folder's times. What it cannot see: a case file edited in place by another tool, or two changes
        within one tick of a file system that keeps times to the second (`coarse_times` tells); the
        per-file `signatures()` see those.
        """
        marks: dict[str, tuple[int, int, int]] = {}
        try:
            shards = os.scandir(self.cases_dir)
            info = os.stat(self.cases_dir)
        except (FileNotFoundError, NotADirectoryError):
            return marks
        marks[""] = (info.st_ino, info.st_mtime_ns, info.st_ctime_ns)
        with shards:
            for shard in shards:
                with suppress(FileNotFoundError):
                    if shard.is_dir():  # as _scan() has it: a shard is any folder in cases/
                        info = shard.stat()
                        marks[shard.name] = (info.st_ino, info.st_mtime_ns, info.st_ctime_ns)
        return marks

    def all_cases(self, warnings: list[str] | None = None) -> Iterator[Case]:
        """Every readable case, by id; damaged or too-new files are skipped with a line in `warnings`."""
        for case_id, (path, _) in sorted(self._scan().items()):
            try:
                yield CaseFile(Path(path), self.catalogue).load_case(case_id)
            except (CorruptCaseFile, SchemaTooNew) as error:
                if warnings is not None:
                    warnings.append(_skipped(case_id, error))
            except UnknownCase:
                continue  # removed since the scan

    def records(self, case_ids: list[str] | None = None, warnings: list[str] | None = None) -> Iterator[CaseRecord]:
        """Each case (the given ids in order, else every readable case by id) with its audit documents
        and de-identification offset, reading its file once: an export of 10,000 cases read each file
        three times before (the case, its trail, its offset). With `case_ids` None, damaged or too-new
        files are skipped with a line in `warnings`, as in `all_cases`; a given id that cannot be
        read raises, as `get` does."""
        if case_ids is not None:
            for ref in case_ids:
                case_id = self.resolve(ref)
                yield self._record_of(case_id, self.case_path(case_id))
            return
        for case_id, (path, _) in sorted(self._scan().items()):
            try:
                yield self._record_of(case_id, Path(path))
            except (CorruptCaseFile, SchemaTooNew) as error:
                if warnings is not None:
                    warnings.append(_skipped(case_id, error))
            except UnknownCase:
                continue  # removed since the scan

    def _record_of(self, case_id: str, path: Path) -> CaseRecord:
        case_file = CaseFile(path, self.catalogue)
        case = case_file.load_case(case_id)
        return CaseRecord(case, case_file.audit_docs(), case_file.meta().get("deid_offset_days"), path)

    def list_rows(self, today: date, policy: Policy | None = None) -> ListResult:
        """A row for every readable case, by id; a damaged or too-new case file becomes a warning.

        Rows and summaries come from the list cache wherever the case file has not changed since.
        """
        self._check_is_database()
        if not self.cases_dir.is_dir():
            return ListResult([], [])
        _remove_orphans(self.db_dir)
        warnings: list[str] = []
        if policy is None:
            policy = self._policy_for_listing(warnings)
        # The engine itself is imported only if some row must be made again (tui/cli start-up time).
        cache = ListCache(self.db_dir, self._index_fingerprint(self._summary_policy(policy)),
                          writable=self.can_write(), rows_fingerprint=self._index_fingerprint(policy))
        scanned = self._scan()
        make_row = self._case_row

        def row_of(summary: CaseSummary) -> CaseRow:
            nonlocal make_row
            make_row = make_row or _engine("case_row")
            return make_row(summary, today, policy)

        with collector_paused():
            rows = cache.rows(scanned, today, self._summary_of(policy, warnings), row_of)
        return ListResult(rows, warnings, {case_id: sig for case_id, (_, sig) in scanned.items()}, cache.board_order)

    def _policy_for_listing(self, warnings: list[str]) -> Policy:
        """The stored policy; if its file is damaged, the defaults and a warning (the list still shows)."""
        try:
            return self.policy()
        except CorruptCaseFile as error:
            warnings.append(f"{error}; the case list uses the default policy until it is repaired")
            return Policy()

    def permission_warnings(self) -> list[str]:
        """A warning naming the fix if anything in the database is open to other users of the machine.

        Cheap enough for every command (store/permissions.py): the folders and top-level files, plus
        the case files that this repository's last scan of every case (a list, the board, an export)
        found open.
        """
        if not self.db_dir.is_dir():
            return []
        problem = directory_problem(self.db_dir)
        if problem is not None:
            # This one first and alone: its fix (another folder) makes a chmod beside the point.
            return [f"changes cannot be saved here: {problem}"]
        names = (SETTINGS_FILE, INDEX_FILE, ROWS_FILE, SUMMARIES_DIR, EXPORT_LOG, CASES_DIR)
        exposed = open_folders_and_files(self.db_dir, names, self.cases_dir) + self._open_case_files
        return exposure_warnings(self.db_dir, exposed)

    # --- scanning and the list index --------------------------------------------------------------------

    def _scan(self) -> dict[str, tuple[str, Signature]]:
        """Case id -> (path, signature) for every case file; removes orphaned temp files on the way."""
        found: dict[str, tuple[str, Signature]] = {}
        try:
            shards = os.scandir(self.cases_dir)
        except FileNotFoundError:
            return found
        open_files = 0
        with shards:
            for shard in shards:
                if shard.is_dir():
                    open_files += self._scan_shard(shard.path, found)
        self._open_case_files = open_files  # for permission_warnings(), from stats made anyway
        return found

    def _scan_shard(self, shard: str, found: dict[str, tuple[str, Signature]]) -> int:
        """Add the shard's case files to `found`; returns how many are open to other users.

        Each file is stat-ed relative to the open folder (fstatat), not by its full path: the kernel
        walks one name instead of the whole path, 10,000 times a list (a quarter of the scan).
        """
        leftovers = []
        open_files = 0
        shard_name = os.path.basename(shard)
        try:
            fd = os.open(shard, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except (FileNotFoundError, NotADirectoryError):
            return 0  # gone since the folder was listed
        try:
            prefix = shard + os.sep
            is_case_file = _CASE_FILE_NAME.fullmatch
            for name in os.listdir(fd):
                if name.startswith("."):
                    if name.endswith(TEMP_SUFFIX):
                        leftovers.append(name)
                elif name[-5:] == ".json" and name[:2] == shard_name and is_case_file(name) and len(shard_name) == 2:
                    try:
                        info = os.stat(name, dir_fd=fd, follow_symlinks=False)  # a link is no case file
                    except FileNotFoundError:
                        continue
                    # signature_of(info), inline: this runs once per case.
                    found[name[:-5]] = (prefix + name, (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns))
                    if info.st_mode & OTHER_BITS and not stat.S_ISLNK(info.st_mode):
                        open_files += 1
        finally:
            os.close(fd)
        if leftovers:
            _remove_orphans(Path(shard), leftovers)
        return open_files

    def _summary_of(self, policy: Policy, warnings: list[str]):
        """Read and summarize one case file for the list cache; None (and a warning) if it is unreadable."""

        def summary_of(case_id: str, path: str):
            summarize = self._summarize or _engine("summarize")
            case_file = CaseFile(Path(path), self.catalogue)
            try:
                case = case_file.load_case(case_id)
            except (CorruptCaseFile, SchemaTooNew) as error:
                warnings.append(_skipped(case_id, error))
                return None
            except UnknownCase:
                return None  # removed since the scan
            try:
                return summarize(case, self.catalogue, policy), case_file.signature
            except (ValueError, OverflowError) as error:
                # One case the engine cannot place (say, dates at the edge of the calendar) must not
                # hide every other case; the message names the case and the error type, no patient text.
                warnings.append(f"skipped case {case_id}: its dates cannot be scheduled ({type(error).__name__})")
                return None

        return summary_of

    def _summary_policy(self, policy: Policy) -> object:
        """What of the policy the summaries depend on: for the engine's own summarize, every key but those
        only the day's rows read (checklists.policy.ROW_ONLY_POLICY_KEYS); for any other, all of it."""
        if self._summarize is None or self._summarize is _engine("summarize"):
            from checklists.policy import summary_policy

            return summary_policy(policy)
        return policy

    def _index_fingerprint(self, policy: object) -> str:
        """What cached summaries or rows depend on besides the case files: catalogue, engine code, and the
        policy (all of it for rows; for summaries, the keys they read: _summary_policy)."""
        if self._index_base is None:
            identity = _code_identity(self._summarize) if self._summarize is not None else _engine_identity()
            self._index_base = repr((self.catalogue, identity)).encode()
        try:  # hashlib's own blake2b, without hashlib's load of OpenSSL (2 ms of every list)
            from _blake2 import blake2b
        except ImportError:
            from hashlib import blake2b

        digest = blake2b(self._index_base, digest_size=16)
        digest.update(repr(policy).encode())
        return digest.hexdigest()


# --- helpers ------------------------------------------------------------------------------------------


_AUDIT_KEYS = ("who", "when", "action", "target", "old", "new", "reason", "revision", "details")


def _audit_fields(doc: dict) -> dict:
    """An imported audit entry with only the fields an audit entry has (an earlier import marker is
    replaced by this import's)."""
    return {key: doc.get(key) for key in _AUDIT_KEYS if key in doc}


def _stamp_new_events(old: Case | None, new: Case, who: str, when: str) -> Case:
    """Record who entered each new event and when (the engine's actions cannot know either)."""
    known = {e.id for e in old.events} if old else set()
    if all(e.id in known or e.recorded_at for e in new.events):
        return new
    return replace(new, events=tuple(_stamped(e, who, when) if e.id not in known else e for e in new.events))


def _stamped(event: Event, who: str, when: str) -> Event:
    if event.recorded_at:
        return event
    return replace(event, recorded_at=when, recorded_by=event.recorded_by or who)


def _remove_leftover_temps(path: Path) -> None:
    """Delete temp files a crashed writer left for this case. Call only while holding its lock."""
    with suppress(FileNotFoundError), os.scandir(path.parent) as entries:
        for entry in entries:
            if is_temp_for(entry.name, path.name):
                with suppress(FileNotFoundError):
                    os.unlink(entry.path)


def _remove_orphans(directory: Path, temp_names: list[str] | None = None) -> None:
    """Delete temp files that crashed writers left in `directory`, unless a writer is at work now.

    Writers make temp files only while holding the file's lock, so a temp file whose lock is free is
    an orphan; one whose lock is busy may be a write in progress and is left alone.
    """
    if temp_names is None:
        with suppress(OSError):
            temp_names = [n for n in os.listdir(directory) if n.startswith(".") and n.endswith(TEMP_SUFFIX)]
    for name in temp_names or ():
        target = name[1:].split(".json", 1)[0] + ".json"  # `.<id>.json.<random>.tmp`, also for backups
        with try_exclusive(lock_path_for(directory / target)) as got:
            if got:
                with suppress(FileNotFoundError):
                    os.unlink(directory / name)


# `<case id>.json` (CASE_ID_PATTERN and the suffix, in one match).
_CASE_FILE_NAME = re.compile(r"[0-9a-z][0-9a-z-]{3,63}\.json")


def coarse_times(marks: dict[str, tuple[int, int, int]]) -> bool:
    """Whether the file system keeps folder times to the whole second (some NFS servers, ext3): a
    nanosecond part of exactly zero, which a fine-grained one shows once in a billion times."""
    return any(mtime % 1_000_000_000 == 0 for _, mtime, _ in marks.values())


def deid_offset_of(offset: Any, path: Path) -> int:
    """A stored de-identification offset, which must be a non-zero whole number of days."""
    if not isinstance(offset, int) or isinstance(offset, bool) or offset == 0:
        raise CorruptCaseFile(path)
    return offset


def _skipped(case_id: str, error: Exception) -> str:
    if isinstance(error, CorruptCaseFile):
        return f"skipped {error}"
    return f"skipped case {case_id}: {error}"


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while building the list (or an export: store/export/runner.py).

    Tens of thousands of new objects (none of them cyclic) make it run over and over, walking
    everything already built; measured, that is half the time of a list of 10,000 cases.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _code_identity(function: Callable) -> tuple:
    """Name and file signatures of the code that computes summaries, so an upgrade drops stale ones."""
    module = sys.modules.get(getattr(function, "__module__", ""), None)
    source = getattr(module, "__file__", None)
    return (getattr(function, "__module__", ""), getattr(function, "__qualname__", ""), _package_files(source))


def _engine_identity() -> tuple:
    """_code_identity(checklists.engine.summarize), without importing the engine: the list of a warm
    cache never runs it."""
    import checklists

    return ("checklists.engine", "summarize", _package_files(checklists.__file__))


def _package_files(source: str | None) -> tuple:
    files: list[tuple] = []
    if source:
        # The engine's package and its sub-packages (the rules modules live in checklists/rules/).
        with suppress(OSError):
            files = sorted(
                (str(path.relative_to(Path(source).parent)), info.st_size, info.st_mtime_ns)
                for path in Path(source).parent.glob("**/*.py") for info in (path.stat(),)
            )
    return tuple(files)


def _engine(name: str) -> Callable:
    # Deferred so that the store can be imported (and tested) without the engine.
    from checklists import engine

    return getattr(engine, name)
