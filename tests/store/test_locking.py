"""A free lock is taken with flock directly, a busy one through filelock: both are the same flock on the
same file, so either way excludes the other, across threads and processes alike."""

from __future__ import annotations

import os
import stat
import threading

import pytest
from filelock import FileLock, Timeout

from store.errors import LockTimeout
from store.locking import exclusive, try_exclusive


def test_a_lock_taken_at_once_keeps_filelock_out(tmp_path):
    lock_path = tmp_path / "case.lock"
    with exclusive(lock_path, what="case x", timeout=1):
        with pytest.raises(Timeout):
            FileLock(lock_path, timeout=0.05).acquire()
    with FileLock(lock_path, timeout=0.05):
        pass  # free again once the block ends


def test_a_lock_filelock_holds_is_waited_for_and_times_out(tmp_path):
    lock_path = tmp_path / "case.lock"
    with FileLock(lock_path):
        with pytest.raises(LockTimeout):
            with exclusive(lock_path, what="case x", timeout=0.1):
                pass
        with try_exclusive(lock_path) as got:
            assert got is False
    with try_exclusive(lock_path) as got:
        assert got is True


def test_two_threads_never_hold_one_lock_together(tmp_path):
    lock_path = tmp_path / "case.lock"
    inside = 0
    overlaps = []

    def work():
        nonlocal inside
        for _ in range(50):
            with exclusive(lock_path, what="case x", timeout=10):
                inside += 1
                overlaps.append(inside)
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(overlaps) == 200 and max(overlaps) == 1


def test_a_new_lock_file_is_private_whatever_the_umask(tmp_path):
    lock_path = tmp_path / "case.lock"
    old = os.umask(0)
    try:
        with exclusive(lock_path, what="case x"):
            pass
    finally:
        os.umask(old)
    assert not stat.S_IMODE(os.stat(lock_path).st_mode) & 0o007
