"""Isolated and no lost updates: several processes on one case, a lock that times out, revisions."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from checklists.errors import ValidationError
from checklists.models import Change
from store.errors import LockTimeout, RevisionConflict
from store.locking import lock_path_for
from tests.store.conftest import run_python, start_python, wait_for
from tests.store.helpers import PATIENT, add_saline, make_repo, set_note

WRITER = """
import sys, time
from pathlib import Path
from tests.store.helpers import add_saline, make_repo

db, case_id, name, ready, go = sys.argv[1:]
repo = make_repo(Path(db))
Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.001)
for n in range(50):
    repo.update(case_id, add_saline(note=f"{name}-{n}"))
"""


def test_two_processes_updating_one_case_lose_nothing(repo, case_id, tmp_path):
    go = tmp_path / "go"
    writers = []
    for name in ("alice", "bob"):
        ready = tmp_path / f"ready-{name}"
        writers.append(start_python(WRITER, str(repo.db_dir), case_id, name, str(ready), str(go)))
        wait_for(ready, writers[-1])
    go.touch()  # both start together, so their read-modify-writes overlap
    for writer in writers:
        assert writer.wait(timeout=60) == 0, writer.stderr.read()

    case = repo.get(case_id)
    notes = Counter(e.note.split("-")[0] for e in case.events if e.note)
    assert notes == {"alice": 50, "bob": 50}
    assert len({e.seq for e in case.events}) == len(case.events) == 103
    assert case.revision == 101
    logged = [a for a in repo.audit_trail(case_id) if a.action == "event-log"]
    assert len(logged) == 100
    assert sorted(a.revision for a in logged) == list(range(2, 102))


HOLD_LOCK = """
import sys, time
from pathlib import Path
from filelock import FileLock

lock = FileLock(sys.argv[1])
lock.acquire()
Path(sys.argv[2]).touch()
time.sleep(60)
"""


def test_a_held_lock_times_out_with_a_clear_message_not_a_hang(db_dir, case_id, tmp_path):
    repo = make_repo(db_dir, lock_timeout=0.3)
    path = repo.case_path(case_id)
    before = path.read_bytes()
    marker = tmp_path / "holding"
    holder = start_python(HOLD_LOCK, str(lock_path_for(path)), str(marker))
    try:
        wait_for(marker, holder)
        started = time.monotonic()
        with pytest.raises(LockTimeout) as caught:
            repo.update(case_id, add_saline())
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()

    assert 0.25 <= waited < 3
    message = str(caught.value)
    assert "\n" not in message
    assert case_id in message and "try again" in message
    assert PATIENT not in message
    assert path.read_bytes() == before
    # Once the holder is gone (killed: the kernel drops its flock), writing works again.
    assert repo.update(case_id, add_saline()).revision == 2


def test_the_lock_is_held_from_the_read_to_the_write(repo, case_id):
    """While one update is between its read and its write, another process cannot get in."""
    outcome = {}

    def mutate(case):
        other = run_python(
            """
            import sys
            from pathlib import Path
            from store.errors import LockTimeout
            from tests.store.helpers import add_saline, make_repo
            try:
                make_repo(Path(sys.argv[1]), lock_timeout=0.2).update(sys.argv[2], add_saline())
            except LockTimeout:
                sys.exit(3)
            """,
            str(repo.db_dir), case_id,
        )
        outcome["exit"] = other.returncode
        return add_saline()(case)

    repo.update(case_id, mutate)
    assert outcome["exit"] == 3
    assert repo.get(case_id).revision == 2


def test_update_rereads_the_case_under_the_lock(db_dir, case_id):
    screen = make_repo(db_dir)  # e.g. a TUI that loaded the case a while ago
    stale = screen.get(case_id)
    make_repo(db_dir).update(case_id, add_saline(note="from the other terminal"))

    seen = {}

    def mutate(case):
        seen["revision"] = case.revision
        return add_saline(note="mine")(case)

    updated = screen.update(case_id, mutate)
    assert stale.revision == 1 and seen["revision"] == 2
    assert [e.note for e in updated.events[-2:]] == ["from the other terminal", "mine"]


def test_a_free_text_edit_against_an_old_revision_is_a_conflict(db_dir, case_id):
    screen = make_repo(db_dir)
    loaded = screen.get(case_id)
    make_repo(db_dir).update(case_id, set_note("edited elsewhere"))
    before = screen.case_path(case_id).read_bytes()

    with pytest.raises(RevisionConflict) as caught:
        screen.update(case_id, set_note("my edit"), expected_revision=loaded.revision)

    assert screen.case_path(case_id).read_bytes() == before
    assert screen.get(case_id).note == "edited elsewhere"
    assert "revision 1 is now 2" in str(caught.value)
    assert "edited elsewhere" not in str(caught.value) and PATIENT not in str(caught.value)
    # With the current revision the edit goes through.
    assert screen.update(case_id, set_note("my edit"), expected_revision=2).note == "my edit"


def test_a_failing_mutation_writes_nothing_and_its_error_propagates(repo, case_id):
    path = repo.case_path(case_id)
    before, signature = path.read_bytes(), repo.case_signature(case_id)
    error = ValidationError("volume must be a number")

    def mutate(case):
        raise error

    with pytest.raises(ValidationError) as caught:
        repo.update(case_id, mutate)
    assert caught.value is error
    assert path.read_bytes() == before and repo.case_signature(case_id) == signature


def test_a_mutation_without_changes_writes_nothing(repo, case_id):
    signature = repo.case_signature(case_id)
    result = repo.update(case_id, lambda case: (case, []))
    assert result.revision == 1
    assert repo.case_signature(case_id) == signature
    assert len(repo.audit_trail(case_id)) == 1


def test_events_are_never_deleted(repo, case_id):
    with pytest.raises(ValueError, match="void"):
        repo.update(case_id, lambda case: (replace(case, events=case.events[1:]), [Change("event-log", "e1")]))
    assert len(repo.get(case_id).events) == 3


def test_lock_files_are_never_deleted(repo, case_id):
    lock = lock_path_for(repo.case_path(case_id))
    inode = lock.stat().st_ino
    for _ in range(3):
        repo.update(case_id, add_saline())
    repo.list_rows(date(2025, 3, 1))
    assert lock.stat().st_ino == inode
