"""Exclusive flock on a sidecar lock file (`<file>.lock`, never the data file), waited for with a
timeout. Lock files are never deleted: unlinking a flock file lets two processes lock two inodes.
"""

# The data file is replaced on every write, so a lock on it would guard an inode that is gone.

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
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
    # Deferred: filelock costs ~10 ms to import, and a plain read (`case list`) never needs it.
    from filelock import FileLock

    return FileLock(lock_path, timeout=timeout, mode=new_file_mode(lock_path.parent), poll_interval=_POLL_SECONDS)


def _lock_at_once(lock_path: Path) -> int | None:
    """A free lock taken straight away with flock: the descriptor holding it, else None.

    The usual case (nobody else is saving that case) without importing filelock, which is an eighth
    of the time of a whole `rounds log`. Anything else, a lock someone holds or a file system that
    answers oddly, goes the long way through filelock; both take the same flock on the same file.
    """
    flags = os.O_RDWR | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC
    mode = new_file_mode(lock_path.parent)
    try:
        try:
            fd, created = os.open(lock_path, flags | os.O_CREAT | os.O_EXCL, mode), True
        except FileExistsError:
            fd, created = os.open(lock_path, flags), False
    except OSError:
        return None
    try:
        if created:
            with suppress(PermissionError):
                os.fchmod(fd, mode)  # exactly the mode asked for, whatever the umask (as filelock does)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _unlock(fd: int) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def exclusive(lock_path: Path, *, what: str, timeout: float = DEFAULT_TIMEOUT) -> Iterator[None]:
    """Hold the lock for the block; after `timeout` seconds of waiting raise LockTimeout naming `what`."""
    fd = _lock_at_once(lock_path)
    if fd is not None:
        try:
            yield
        finally:
            _unlock(fd)
        return
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
    fd = _lock_at_once(lock_path)
    if fd is not None:
        try:
            yield True
        finally:
            _unlock(fd)
        return
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
