"""Is a database open to other users of the machine? Checked cheaply enough for every command.

While the database folder, its `cases` folder and the shard folders are closed to others, nobody else
can reach a case file whatever its own mode; so every command checks those (a few hundred entries at
most) and the top-level files. Case files themselves are checked from the stat that a scan of every
case (a list, the board, an export) makes anyway: no command stats 10,000 files just for this, which
was half the time of `rounds case list` at that size.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

OTHER_BITS = 0o007


def open_to_others(mode: int) -> bool:
    return bool(mode & OTHER_BITS)


def open_folders_and_files(db_dir: Path, top_names: Iterable[str], cases_dir: Path) -> int:
    """How many of the database folder, the named top-level entries, the cases folder and its shard
    folders (and whatever else sits directly in it) others may read or enter.

    A symbolic link's own mode means nothing (always 0777, and `chmod` cannot change it), so a link
    counts for nothing; the database folder itself, named through a link or not, is judged by the folder.
    """
    count = 0
    with suppress(FileNotFoundError, NotADirectoryError):
        count += open_to_others(os.stat(db_dir).st_mode)
    for path in (db_dir / name for name in top_names):
        with suppress(FileNotFoundError, NotADirectoryError):
            count += _open_entry(os.lstat(path).st_mode)
    with suppress(FileNotFoundError, NotADirectoryError), os.scandir(cases_dir) as shards:
        for shard in shards:
            with suppress(FileNotFoundError):
                count += _open_entry(shard.stat(follow_symlinks=False).st_mode)
    return count


def _open_entry(mode: int) -> bool:
    return not stat.S_ISLNK(mode) and open_to_others(mode)


def exposure_warnings(db_dir: Path, exposed: int) -> list[str]:
    """The warning for `exposed` open files or folders, naming the command that fixes them."""
    if not exposed:
        return []
    import shlex  # only when there is something to say

    # The real folder: `chmod -R` on a link may change the link's target without going into it.
    return [
        f"{exposed} file(s) or folder(s) in {db_dir} can be read by other users of this computer; "
        f"fix it with: chmod -R o-rwx {shlex.quote(str(db_dir.resolve()))}"
    ]
