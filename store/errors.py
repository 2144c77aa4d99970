"""Errors the store raises, each with a one-line message safe to show and to log: never patient
text (labels, notes), at most a case id, a path or a number.
"""

from __future__ import annotations

import errno
import shlex
from pathlib import Path


class StoreError(Exception):
    """Base of every store error; `str(error)` is the one line to show the user.

    `bad_input` says whether the user can fix it by typing something else (the CLI exits 2 for those).
    """

    bad_input = False


class NotADatabase(StoreError):
    """--db (or $ROUNDS_DB) names something that is not a directory: never shown as an empty ward."""

    bad_input = True  # the user typed a wrong path

    def __init__(self, path: Path | str):
        super().__init__(f"{path} is not a Rounds database directory (it exists but is not a directory); "
                         "check --db or $ROUNDS_DB")


class UnknownCase(StoreError, LookupError):
    bad_input = True


class AmbiguousCase(StoreError, LookupError):
    bad_input = True

    def __init__(self, ref: str, matches: list[str]):
        self.ref, self.matches = ref, matches
        shown = ", ".join(matches[:5]) + (", ..." if len(matches) > 5 else "")
        super().__init__(f"'{ref}' matches {len(matches)} cases ({shown}); type more of the case id")


class CaseExists(StoreError, ValueError):
    """A new case's id is already taken (ids are never reused)."""

    def __init__(self, case_id: str):
        self.case_id = case_id
        super().__init__(f"case id {case_id} is already in use in this database; nothing was written")


class CorruptCaseFile(StoreError):
    """A database file cannot be parsed or does not hold what it should. It is left exactly as it is.

    `reason` says what is wrong (a field and the kind of fault), never the value found there.
    """

    def __init__(self, path: Path | str, kind: str = "case file", reason: str | None = None):
        self.path, self.kind, self.reason = Path(path), kind, reason
        what = f"{reason}; " if reason else ""
        how = f"rounds restore --from BACKUP {self.path.stem}" if kind == "case file" else "a backup"
        super().__init__(
            f"damaged {kind} {self.path}: {what}it was left unchanged; restore it from a backup ({how}), "
            f"or move it out of the database directory to carry on without it"
        )


class UnreadableFile(CorruptCaseFile):
    """A database file the caller may not read (a colleague's umask 077): skipped like a damaged one."""

    def __init__(self, path: Path | str, kind: str, error: OSError):
        StoreError.__init__(
            self,
            f"cannot read {kind} {path} ({error.strerror or type(error).__name__}); whoever manages the "
            f"database can give the group access with: chmod g+rw {shlex.quote(str(path))}",
        )
        self.path, self.kind, self.reason = Path(path), kind, error.strerror


class LockTimeout(StoreError):
    def __init__(self, what: str, lock_path: Path | str, timeout: float):
        self.what, self.lock_path, self.timeout = what, Path(lock_path), timeout
        super().__init__(
            f"{what} is being changed by another Rounds process and stayed locked for {timeout:g} s; "
            f"try again in a moment (if it persists, look for a stuck rounds process holding "
            f"{self.lock_path})"
        )


class SchemaTooNew(StoreError):
    def __init__(self, path: Path | str, found: int, supported: int):
        self.path, self.found, self.supported = Path(path), found, supported
        super().__init__(
            f"{self.path} was written by a newer version of Rounds (schema {found}; this version reads up "
            f"to {supported}); upgrade Rounds to open it"
        )


class RevisionConflict(StoreError):
    def __init__(self, case_id: str, expected: int, found: int):
        self.case_id, self.expected, self.found = case_id, expected, found
        super().__init__(
            f"case {case_id} was changed by someone else while you were editing (revision {expected} is now "
            f"{found}); reload it and make your edit again"
        )


class UnsafeDatabase(StoreError):
    """The database directory could let someone else read or replace what Rounds would write there.

    Not bad input (exit 1): nothing typed on this command line fixes it; the folder itself must change.
    """


class WriteFailed(StoreError, OSError):
    """A file could not be saved (disk full, read-only, no permission). The old file is left whole.

    Also an OSError (errno, strerror, filename), so code that handles the operating system's errors
    keeps handling this one.
    """

    def __init__(self, path: Path | str, error: OSError):
        OSError.__init__(self, error.errno, error.strerror, str(path))
        self.path, self.error = Path(path), error
        reason = error.strerror or type(error).__name__
        self.message = (
            f"could not save {self.path}: {reason}; the file was left as it was"
            + (" (free some space, then try again)" if error.errno in _DISK_FULL else "")
        )

    def __str__(self) -> str:
        return self.message


_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


class ImportFileError(StoreError):
    """A file given to `rounds import` cannot be imported as it is; nothing was written.

    The message names the file, the case and the field at fault, never patient text.
    """

    bad_input = True
