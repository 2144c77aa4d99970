"""Exclusive flock on a sidecar lock file (`<file>.lock`, never the data file), waited for with a
timeout. Lock files are never deleted: unlinking a flock file lets two processes lock two inodes.
"""

# The data file is replaced on every write, so a lock on it would guard an inode that is gone.

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from store.errors import LockTimeout
from store.storage import new_file_mode

DEFAULT_TIMEOUT = 10.0
# How often a waiting process retries; short, because a holder keeps a case for about a millisecond.
_POLL_SECONDS = 0.005


def lock_path_for(path: Path) -> Path:
    """`cases/ab/abcdef0123.json` -> `cases/ab/abcdef0123.lock`."""
    return path.with_suffix(".lock")


def _file_lock(lock_path: Path, timeout: float):
    # Deferred: filelock costs ~50 ms to import, and a plain read (`case list`) never needs it.
    from filelock import FileLock

    return FileLock(lock_path, timeout=timeout, mode=new_file_mode(lock_path.parent), poll_interval=_POLL_SECONDS)


@contextmanager
def exclusive(lock_path: Path, *, what: str, timeout: float = DEFAULT_TIMEOUT) -> Iterator[None]:
    """Hold the lock for the block; after `timeout` seconds of waiting raise LockTimeout naming `what`."""
    from filelock import Timeout

    lock = _file_lock(lock_path, timeout)
    try:
        lock.acquire()
    except Timeout:
        raise LockTimeout(what, lock_path, timeout) from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def try_exclusive(lock_path: Path) -> Iterator[bool]:
    """Take the lock only if it is free right now; yields whether we got it (for best-effort work)."""
    from filelock import Timeout

    lock = _file_lock(lock_path, 0)
    try:
        lock.acquire(blocking=False)
    except (Timeout, OSError):  # busy, or a lock file we may not open: either way, not now
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
