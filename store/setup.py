"""`rounds init [--shared-group GROUP]`: create a database directory, private or shared by a team.

Shared means: the directory and every folder in it belong to GROUP and are setgid (what is made inside
belongs to GROUP too), the team has read and write access (new files get it whatever a member's umask,
see store/storage.py), and other users of the computer have none. Run on an existing database, it
brings what is already there into that shape. Each member still works with `umask 007`, so that files
they make outside Rounds' own code (exports) are shared the same way.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from dataclasses import dataclass
from pathlib import Path

from store.audit import current_user
from store.errors import NotADatabase, StoreError
from store.storage import make_private_dirs

_TEAM_DIR_MODE = 0o2770  # setgid; owner and group everything; others nothing
_TEAM_FILE_MODE = 0o660


class InitError(StoreError):
    bad_input = True


@dataclass(slots=True, frozen=True)
class InitResult:
    db_dir: Path
    created: bool
    group: str | None
    changed: int  # files and folders whose group or mode was set

    def line(self) -> str:
        done = "created the database" if self.created else "the database is ready:"
        if self.group is None:
            return f"{done} {self.db_dir} (private: no access for other users)"
        return (f"{done} {self.db_dir}, shared with group {self.group} (setgid, no access for others); "
                "every member should work with umask 007")


def init_database(repo, group: str | None = None) -> InitResult:
    db = repo.db_dir
    if db.exists() and not db.is_dir():
        raise NotADatabase(db)
    gid = _team_gid(group) if group is not None else None
    created = not db.exists()
    if not created and any(db.iterdir()) and not _looks_like_database(db):
        raise InitError(f"{db} exists and is not a Rounds database; choose a new directory")
    new_dirs = _missing_parents(db)
    make_private_dirs(db / "cases")
    repo._ensure_settings()
    changed = 0
    if gid is not None:
        for directory in new_dirs:  # folders made here for the database: the team must get through them
            changed += _share(directory, gid, 0o750 if directory != db else _TEAM_DIR_MODE)
        changed += _share_tree(db, gid)
    repo.record_init(group)
    return InitResult(db, created, group, changed)


def _team_gid(group: str) -> int:
    try:
        entry = grp.getgrnam(group)
    except KeyError:
        raise InitError(f"there is no group named {group} on this computer "
                        f"(create it: sudo groupadd {group})") from None
    if os.geteuid() != 0 and entry.gr_gid not in os.getgroups() and entry.gr_gid != os.getegid():
        me = _login()
        raise InitError(f"{me} is not a member of group {group}; add yourself (sudo usermod -aG {group} {me}) and "
                        "log in again")
    return entry.gr_gid


def _login() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return current_user()


def _looks_like_database(db: Path) -> bool:
    return (db / "settings.json").exists() or (db / "cases").is_dir()


def _missing_parents(db: Path) -> list[Path]:
    missing = []
    probe = db
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    return list(reversed(missing))


def _share_tree(db: Path, gid: int) -> int:
    changed = 0
    for folder, _dirs, files in os.walk(db):
        changed += _share(Path(folder), gid, _TEAM_DIR_MODE)
        for name in files:
            changed += _share(Path(folder) / name, gid, _TEAM_FILE_MODE)
    return changed


def _share(path: Path, gid: int, mode: int) -> int:
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return 0  # never follow a link out of the database
    if stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) & 0o100:
        mode |= 0o100
    done = 0
    if info.st_gid != gid:
        os.chown(path, -1, gid, follow_symlinks=False)
        done = 1
    if stat.S_IMODE(info.st_mode) != mode:
        os.chmod(path, mode)
        done = 1
    return done
