"""Is a database directory safe to write patient data into? Asked before every write.

A directory someone else prepared (`mkdir /tmp/restored && chmod 2777 /tmp/restored`) would hand
them every file Rounds writes there: new files take the directory's group when it is setgid, and a
directory others can write to lets them replace files or plant links. So Rounds writes only into a
directory that

- is the caller's own: owned by them, its group one of theirs, not writable by others; or
- is shared with one of the caller's groups the way `rounds init --shared-group GROUP` makes it:
  group one of theirs, setgid (new files stay in the group), no access at all for others.

and, when the path given is a symbolic link, one that the caller (or root) made. Reads of such a
directory still work, with a warning, and write nothing (not even the list cache).
"""

# Not covered (and said so in docs/SECURITY.md): a directory of one's own inside a directory an
# attacker can write to can be swapped between this check and the write; keep databases in a home
# directory, or in a folder made by `rounds init`.

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path

from store.errors import UnsafeDatabase


def user_name(uid: int) -> str:
    """The account name of `uid` for a message; `uid N` when it has none (some containers)."""
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def group_name(gid: int) -> str:
    """The name of group `gid` for a message; the number when it has none."""
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _my_groups() -> set[int]:
    return set(os.getgroups()) | {os.getegid()}


def directory_problem(path: Path) -> str | None:
    """Why Rounds must not write into `path` and how to fix it, in one line; None if it may.

    A directory that does not exist yet is fine: Rounds creates it, private, itself.
    """
    try:
        link = os.lstat(path)
    except FileNotFoundError:
        return None
    me = os.geteuid()
    quoted = shlex.quote(str(path))
    if stat.S_ISLNK(link.st_mode) and link.st_uid not in (me, 0):
        return (f"{path} is a link made by another user "
                f"({user_name(link.st_uid)}); give --db the real folder instead")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None  # a dangling link: creating the folder will fail with its own message
    if not stat.S_ISDIR(info.st_mode):
        return None  # not a directory at all: NotADatabase says so
    mode = stat.S_IMODE(info.st_mode)
    groups = _my_groups()
    shared_with_me = info.st_gid in groups and mode & stat.S_ISGID and not mode & 0o007
    if info.st_uid != me and not shared_with_me:
        return (f"{path} belongs to another user ({user_name(info.st_uid)}), who "
                f"could read what Rounds writes there; use a folder of your own (Rounds creates one, private, "
                f"on the first save), or have a team folder made with `rounds init --shared-group GROUP`")
    if mode & 0o002:
        return (f"other users of this computer can write to {path}; "
                f"fix it with: chmod o-rwx {quoted}")
    if info.st_gid not in groups:
        return (f"the group of {path} ({group_name(info.st_gid)}) is not one of yours, "
                f"so its members could read what Rounds writes there; "
                f"fix it with: chgrp {shlex.quote(group_name(os.getegid()))} {quoted}")
    return None


def check_writable(path: Path) -> None:
    """Raise UnsafeDatabase (one line, no patient text) unless Rounds may write into `path`."""
    problem = directory_problem(path)
    if problem is not None:
        raise UnsafeDatabase(f"refusing to write: {problem}")
