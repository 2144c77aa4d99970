"""Atomic: a crash at any instant leaves the old or the new file, whole; leftovers are cleaned up."""

from __future__ import annotations

import os
import random
import signal
import time
from datetime import date
from pathlib import Path

import orjson
import pytest
from tinydb import TinyDB

from store.errors import CorruptCaseFile
from store.storage import AtomicJSONStorage, BufferedStorage, atomic_write_bytes
from tests.store.conftest import start_python, wait_for
from tests.store.helpers import add_saline

TODAY = date(2025, 3, 1)


def temp_files(directory: Path) -> list[str]:
    return sorted(n for n in os.listdir(directory) if n.endswith(".tmp"))


# --- in-process failures ------------------------------------------------------------------------------


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_a_failed_write_leaves_the_old_file_whole_and_no_temp(repo, case_id, monkeypatch, failing):
    path = repo.case_path(case_id)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OSError):
        repo.update(case_id, add_saline())
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert temp_files(path.parent) == []
    assert repo.get(case_id).revision == 1


def test_storage_reads_missing_and_empty_files_as_empty(tmp_path):
    assert AtomicJSONStorage(tmp_path / "missing.json").read() is None
    (tmp_path / "empty.json").write_bytes(b"")
    assert AtomicJSONStorage(tmp_path / "empty.json").read() is None
    assert not (tmp_path / "missing.json").exists()  # reading created nothing


@pytest.mark.parametrize("damage", [b'{"case": {"1": {"id": "ab', b"\x00\x00\x00", b"[1, 2]", b'{"case": 3}'])
def test_storage_names_the_path_of_an_unreadable_file(tmp_path, damage):
    path = tmp_path / "case.json"
    path.write_bytes(damage)
    with pytest.raises(CorruptCaseFile) as caught:
        AtomicJSONStorage(path).read()
    assert caught.value.path == path
    assert str(path) in str(caught.value)


def test_buffered_storage_writes_once_for_several_tables(tmp_path, monkeypatch):
    path = tmp_path / "file.json"
    writes = []
    monkeypatch.setattr(AtomicJSONStorage, "write", lambda self, data: writes.append(orjson.dumps(data)))
    db = TinyDB(path, storage=BufferedStorage(AtomicJSONStorage))
    db.table("case").insert({"a": 1})
    db.table("events").insert_multiple([{"n": 1}, {"n": 2}])
    db.table("audit").insert({"who": "x"})
    assert writes == []
    db.storage.commit()
    db.storage.commit()  # nothing new: no second write
    assert len(writes) == 1
    assert set(orjson.loads(writes[0])) == {"case", "events", "audit"}


def test_buffered_storage_close_without_commit_writes_nothing(tmp_path):
    path = tmp_path / "file.json"
    db = TinyDB(path, storage=BufferedStorage(AtomicJSONStorage))
    db.table("case").insert({"a": 1})
    db.close()
    assert not path.exists()


def test_atomic_write_replaces_the_inode(tmp_path):
    path = tmp_path / "f.json"
    atomic_write_bytes(path, b"{}")
    first = os.stat(path).st_ino
    atomic_write_bytes(path, b'{"a": {}}')
    assert os.stat(path).st_ino != first
    assert path.read_bytes() == b'{"a": {}}'
    assert temp_files(tmp_path) == []


# --- real crashes: a writer killed with SIGKILL -------------------------------------------------------

CRASH_AT_FSYNC = """
import os, sys, time
from pathlib import Path
from tests.store.helpers import add_saline, make_repo

db, case_id, marker, crash_at = sys.argv[1:]
real_fsync, calls = os.fsync, []

def fsync_then_freeze(fd):
    real_fsync(fd)
    calls.append(fd)
    if len(calls) == int(crash_at):
        Path(marker).touch()   # tell the test where we are, then wait to be killed
        time.sleep(60)

os.fsync = fsync_then_freeze
make_repo(Path(db)).update(case_id, add_saline(note="x" * 20000))
"""


@pytest.mark.parametrize(
    "crash_at, expected_revision, leaves_temp",
    [(1, 1, True), (2, 2, False)],
    ids=["after-temp-written-before-replace", "after-replace-before-dir-fsync"],
)
def test_sigkill_mid_write_leaves_a_whole_file(
    repo, case_id, tmp_path, crash_at, expected_revision, leaves_temp
):
    path = repo.case_path(case_id)
    marker = tmp_path / "frozen"
    child = start_python(CRASH_AT_FSYNC, str(repo.db_dir), case_id, str(marker), str(crash_at))
    try:
        wait_for(marker, child)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()

    assert orjson.loads(path.read_bytes())  # whole JSON, either version
    assert repo.get(case_id).revision == expected_revision
    assert bool(temp_files(path.parent)) is leaves_temp

    # The next write (the crashed writer's lock died with it) cleans up and succeeds.
    repo.update(case_id, add_saline())
    assert temp_files(path.parent) == []
    assert repo.get(case_id).revision == expected_revision + 1


KEEP_WRITING = """
import sys
from pathlib import Path
from tests.store.helpers import add_saline, make_repo

db, case_id, marker = sys.argv[1:]
repo = make_repo(Path(db))
repo.update(case_id, add_saline())
Path(marker).touch()
while True:
    repo.update(case_id, add_saline(note="y" * 5000))
"""


def test_random_sigkills_never_leave_a_damaged_case(repo, case_id, tmp_path):
    path = repo.case_path(case_id)
    rng = random.Random(7)
    for attempt in range(4):
        marker = tmp_path / f"writing-{attempt}"
        child = start_python(KEEP_WRITING, str(repo.db_dir), case_id, str(marker))
        try:
            wait_for(marker, child)
            time.sleep(rng.uniform(0.02, 0.25))  # somewhere in a stream of writes
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        case = repo.get(case_id)  # parses, and the revision matches the events it holds
        assert case.revision == len(case.events) - 3 + 1
    rows = repo.list_rows(TODAY)
    assert [r.id for r in rows.rows] == [case_id] and rows.warnings == []
    assert temp_files(path.parent) == []


# --- leftover temp files ------------------------------------------------------------------------------


def test_leftover_temp_is_removed_when_the_case_is_next_listed(repo, case_id):
    shard = repo.case_path(case_id).parent
    leftover = shard / f".{case_id}.json.deadbeef.tmp"
    leftover.write_bytes(b'{"half": ')
    repo.list_rows(TODAY)
    assert not leftover.exists()
    assert repo.get(case_id).revision == 1


def test_temp_of_a_case_being_written_is_left_alone(repo, case_id, tmp_path):
    """Another process holding the case lock may be mid-write: its temp file must survive a scan."""
    shard = repo.case_path(case_id).parent
    in_progress = shard / f".{case_id}.json.cafef00d.tmp"
    in_progress.write_bytes(b"{")
    marker = tmp_path / "locked"
    holder = start_python(
        """
        import sys, time
        from pathlib import Path
        from filelock import FileLock
        lock = FileLock(sys.argv[1]); lock.acquire()
        Path(sys.argv[2]).touch(); time.sleep(60)
        """,
        str(repo.case_path(case_id).with_suffix(".lock")), str(marker),
    )
    try:
        wait_for(marker, holder)
        repo.list_rows(TODAY)
        repo.signatures()
        assert in_progress.exists()
    finally:
        holder.kill()
        holder.wait()
    repo.list_rows(TODAY)
    assert not in_progress.exists()


def test_leftover_settings_temp_is_removed_on_list(repo, case_id):
    leftover = repo.db_dir / ".settings.json.0badc0de.tmp"
    leftover.write_bytes(b"{")
    repo.list_rows(TODAY)
    assert not leftover.exists()
