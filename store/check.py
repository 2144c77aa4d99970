"""`rounds check`: read every file of a database and name each problem with its fix.

Read-only: it takes no lock, creates no file and removes nothing (not even a crashed writer's temp
file). What it looks at: that each file parses and has the shape and schema version Rounds writes;
references (pathways, checklist items, event kinds this Rounds knows; a case file in its own folder,
holding the case its name says); revisions (the audit trail ends at the case's revision); and
permissions (nothing open to other users; in a shared database, everything readable and writable by
the group, in the database's group, folders setgid).
"""

from __future__ import annotations

import os
import shlex
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checklists.models import CASE_STATUSES, ITEM_STATES, Policy
from seeds.vocabulary import EVENT_KINDS
from store import codec
from store.errors import CorruptCaseFile, SchemaTooNew
from store.files import ONE
from store.export_log import EXPORT_LOG
from store.index import SUMMARIES_DIR, cache_paths
from store.migrations import parse_current
from store.safety import group_name, user_name
from store.storage import TEMP_SUFFIX, read_file

if TYPE_CHECKING:
    from store.repository import Repository



@dataclass(slots=True, frozen=True)
class Problem:
    path: Path
    what: str
    fix: str

    def line(self) -> str:
        return f"{self.path}: {self.what}; fix: {self.fix}"


@dataclass(slots=True, frozen=True)
class CheckResult:
    db_dir: Path
    problems: tuple[Problem, ...]
    cases: int  # case files read
    shared: bool  # the database is shared through a group

    @property
    def sound(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        how = f", shared with group {self._group()}" if self.shared else ""
        if self.sound:
            return f"{self.db_dir}: {self.cases} case file(s) and the settings read{how}: no problems"
        return f"{self.db_dir}: {len(self.problems)} problem(s) in {self.cases} case file(s) and the settings{how}"

    def _group(self) -> str:
        return group_name(os.stat(self.db_dir).st_gid)


def check(repo) -> CheckResult:
    db = repo.db_dir
    if not db.exists():
        problem = Problem(db, "there is no database here", f"check --db, or create it: rounds --db {_q(db)} init")
        return CheckResult(db, (problem,), 0, False)
    repo._check_is_database()
    checker = _Checker(repo)
    checker.run()
    return CheckResult(db, tuple(checker.problems), checker.cases, checker.shared)


class _Checker:
    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.db = repo.db_dir
        self.catalogue = repo.catalogue
        self.problems: list[Problem] = []
        self.cases = 0
        info = os.stat(self.db)
        self.group = info.st_gid
        # Shared: the team's setup (rounds init --shared-group: setgid), or a group-writable folder.
        self.shared = bool(info.st_mode & stat.S_ISGID) or bool(info.st_mode & stat.S_IWGRP)

    def add(self, path: Path, what: str, fix: str) -> None:
        self.problems.append(Problem(path, what, fix))

    def run(self) -> None:
        self.permissions(self.db, is_dir=True)
        self.settings()
        self.permissions(self.db / EXPORT_LOG)  # which cases went where: audit, private
        summaries = self.db / SUMMARIES_DIR  # the list's cache holds patient labels too
        if summaries.is_dir():
            self.permissions(summaries, is_dir=True)
        for path in cache_paths(self.db):
            self.permissions(path, lock=path.suffix == ".lock")
        for lock in sorted(self.db.glob("*.lock")):
            if lock.name != "settings.lock":
                self.permissions(lock, lock=True)
        backups = self.db / "backups"  # copies taken before a schema upgrade: patient data too
        if backups.is_dir():
            for path in [backups, *sorted(backups.rglob("*"))]:
                self.permissions(path, is_dir=path.is_dir())
        cases_dir = self.db / "cases"
        if cases_dir.is_dir():
            self.permissions(cases_dir, is_dir=True)
            for shard in sorted(cases_dir.iterdir()):
                if shard.is_dir():
                    self.permissions(shard, is_dir=True)
                    for entry in sorted(shard.iterdir()):
                        self.shard_entry(shard, entry)

    # --- permissions ------------------------------------------------------------------------------

    def permissions(self, path: Path, *, is_dir: bool = False, lock: bool = False) -> None:
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return
        mode = stat.S_IMODE(info.st_mode)
        where = _q(path)
        if mode & 0o007:
            fix = f"chmod -R o-rwx {where}" if is_dir else f"chmod o-rwx {where}"
            self.add(path, f"can be used by every user of this computer (mode {mode:04o})", fix)
        if not self.shared:
            return
        owner = _owner(info)
        if info.st_gid != self.group:
            self.add(path, f"belongs to group {group_name(info.st_gid)}, not the database's group "
                           f"{group_name(self.group)}",
                     f"{owner}chgrp {group_name(self.group)} {where}")
        needed = (stat.S_IRWXG | stat.S_ISGID) if is_dir else (stat.S_IRGRP | stat.S_IWGRP) if lock else stat.S_IRGRP
        if mode & needed != needed:
            letters = "rwxs" if is_dir else "rw" if lock else "r"
            kind = "folder" if is_dir else "lock file" if lock else "file"
            self.add(path, f"the team cannot use this {kind} (mode {mode:04o}; a shared database needs group "
                           f"{letters})", f"{owner}chmod g+{letters} {where}; and work with umask 007")

    # --- settings ---------------------------------------------------------------------------------

    def settings(self) -> None:
        path = self.repo.settings_path
        if not path.exists():
            if (self.db / "cases").is_dir():
                self.add(path, "is missing (the clinic policy and the de-identification key)",
                         f"copy it back from your latest backup: cp BACKUP/settings.json {_q(path)}")
            return
        self.permissions(path)
        self.permissions(path.with_suffix(".lock"), lock=True)
        tables = self.tables(path, "settings file", fix=f"copy it back from your latest backup: "
                                                        f"cp BACKUP/settings.json {_q(path)}")
        if tables is None:
            return
        meta = _one(tables, "meta")
        key = meta.get("deid_key")
        if not (isinstance(key, str) and len(key) == 64 and all(c in "0123456789abcdef" for c in key)):
            self.add(path, "has no valid de-identification key",
                     f"copy it back from your latest backup: cp BACKUP/settings.json {_q(path)}")
        self.policy(path, _one(tables, "policy"))

    def policy(self, path: Path, doc: dict[str, Any]) -> None:
        from checklists.errors import ValidationError
        from checklists.policy import set_policies

        numbers = {}
        for key, value in doc.items():
            if key not in Policy.__dataclass_fields__:
                self.add(path, f"holds an unknown policy key '{key}'", "copy it back from your latest backup")
            elif not isinstance(value, (int, float)) or isinstance(value, bool):
                self.add(path, f"policy {key} is not a number", f"rounds config set {key} VALUE")
            else:
                numbers[key] = value
        try:
            set_policies(Policy(), numbers)
        except ValidationError as error:
            key = error.field or "KEY"
            self.add(path, f"policy {key} is not allowed ({error})", f"rounds config set {key} VALUE")

    # --- case files -------------------------------------------------------------------------------

    def shard_entry(self, shard: Path, entry: Path) -> None:
        name = entry.name
        if name.endswith(".lock"):
            self.permissions(entry, lock=True)
            return
        if name.startswith(".") and name.endswith(TEMP_SUFFIX):
            return  # a crashed writer's temp file: removed the next time the database is opened
        if not name.endswith(".json"):
            self.permissions(entry)  # kept backups (`.v1.bak`, `.damaged-...`) hold patient data too
            return
        self.permissions(entry)
        case_id = name[:-5]
        if not codec_case_id(case_id):
            self.add(entry, "is not a case file name (case ids are 4-64 lower-case letters, digits or dashes)",
                     f"move it out of the database directory: mv {_q(entry)} SOMEWHERE")
            return
        if shard.name != case_id[:2]:
            self.add(entry, f"is in folder {shard.name}, not {case_id[:2]}",
                     f"mv {_q(entry)} {_q(self.db / 'cases' / case_id[:2])}/")
        self.cases += 1
        restore = f"rounds restore --from BACKUP {case_id} (or move the file out of the database directory)"
        tables = self.tables(entry, "case file", fix=restore)
        if tables is not None:
            self.case(entry, case_id, tables, restore)

    def tables(self, path: Path, kind: str, fix: str) -> dict[str, Any] | None:
        try:
            found = read_file(path)
        except PermissionError:
            info = os.stat(path)
            self.add(path, f"cannot be read by {_me()} (mode {stat.S_IMODE(info.st_mode):04o})",
                     f"{_owner(info, always=True)}chmod g+r {_q(path)}")
            return None
        if found is None:
            return None
        try:
            tables, _ = parse_current(found[0], path, kind)
        except CorruptCaseFile:
            self.add(path, f"is damaged (not a whole {kind} of this version of Rounds)", fix)
            return None
        except SchemaTooNew as error:
            self.add(path, f"was written by a newer Rounds (schema {error.found}; this one reads up to "
                           f"{error.supported})", "upgrade Rounds")
            return None
        return tables

    def case(self, path: Path, case_id: str, tables: dict[str, Any], restore: str) -> None:
        try:
            doc = tables["case"][str(ONE)]
            case = codec.case_from_docs(doc, tables.get("events", {}).values(), path)
        except CorruptCaseFile as error:
            # The codec names the field and what is wrong with it, never the value (store/codec.py).
            what = error.reason or "its case record has a value of the wrong kind"
            self.add(path, f"is damaged ({what})", restore)
            return
        except (KeyError, TypeError, AttributeError):
            self.add(path, "is damaged (its case record is missing or has a value of the wrong kind)", restore)
            return
        if case.id != case_id:
            self.add(path, f"holds case {case.id}, not {case_id} as its name says", restore)
        offset = _one(tables, "meta").get("deid_offset_days")
        if not isinstance(offset, int) or isinstance(offset, bool) or offset == 0:
            self.add(path, "has no valid de-identification offset", restore)
        if case.status not in CASE_STATUSES:
            self.add(path, f"has an unknown status '{case.status}'", f"rounds case set {case_id} status active")
        self.references(path, case, restore)
        self.revisions(path, case, tables, restore)

    def references(self, path: Path, case, restore: str) -> None:
        known_items: set[str] = set()
        for pathway in case.pathways:
            definition = self.catalogue.pathways.get(pathway) if self.catalogue is not None else None
            if self.catalogue is not None and definition is None:
                self.add(path, f"names pathway {pathway}, which this Rounds does not know",
                         f"upgrade Rounds, or {restore}")
            elif definition is not None:
                known_items |= {item.id for item in definition.items}
        for item_id, record in case.items.items():
            if self.catalogue is not None and known_items and item_id not in known_items:
                self.add(path, f"has a record for item {item_id}, which is not part of its pathways", restore)
            if record.state not in ITEM_STATES:
                self.add(path, f"item {item_id} has an unknown state '{record.state}'",
                         f"rounds item {case.id} {item_id} reopen")
        seen_ids: set[str] = set()
        seen_seqs: set[int] = set()
        for event in case.events:
            if event.kind not in EVENT_KINDS:
                self.add(path, f"event {event.id} is of an unknown kind '{event.kind}'", restore)
            if event.id in seen_ids or event.seq in seen_seqs:
                self.add(path, f"event {event.id} (number {event.seq}) appears twice", restore)
            seen_ids.add(event.id)
            seen_seqs.add(event.seq)

    def revisions(self, path: Path, case, tables: dict[str, Any], restore: str) -> None:
        audit = tables.get("audit") or {}
        if case.revision < 1:
            self.add(path, f"has revision {case.revision}; every saved case has 1 or more", restore)
        if not audit:
            self.add(path, "has no audit trail", restore)
            return
        recorded = [d.get("revision") for d in audit.values() if isinstance(d, dict)]
        numbers = [n for n in recorded if isinstance(n, int) and not isinstance(n, bool)]
        if numbers and max(numbers) != case.revision:
            self.add(path, f"is at revision {case.revision} but its audit trail ends at revision {max(numbers)}",
                     restore)
        next_seq = tables["case"][str(ONE)].get("next_event_seq")
        top = max((e.seq for e in case.events), default=0)
        if isinstance(next_seq, int) and next_seq <= top:
            self.add(path, f"would number its next event {next_seq}, already taken", restore)


def codec_case_id(case_id: str) -> bool:
    from store.repository import CASE_ID_PATTERN

    return bool(CASE_ID_PATTERN.fullmatch(case_id))


def _one(tables: dict[str, Any], name: str) -> dict[str, Any]:
    table = tables.get(name) or {}
    doc = table.get(str(ONE)) if isinstance(table, dict) else None
    return doc if isinstance(doc, dict) else {}


def _q(path: Path) -> str:
    return shlex.quote(str(path))


def _me() -> str:
    return user_name(os.geteuid())


def _owner(info: os.stat_result, always: bool = False) -> str:
    """"ask alice to run: " when the fix needs the file's owner (or root), else nothing."""
    if info.st_uid == os.geteuid() or (os.geteuid() == 0 and not always):
        return ""
    return f"ask {user_name(info.st_uid)} (its owner) to run: "
