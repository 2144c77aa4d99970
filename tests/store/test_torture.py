"""Torture: many processes writing at once, kill -9 at random moments, a stuck lock, and undo, backup
and restore while others write. Every acknowledged write must be there, exactly once, in files that
all read back. (A longer run with figures: benchmarks/torture.py.)

The databases live on a tmpfs (/dev/shm) when there is one: these tests are about processes, locks
and crashes, not about the disk, and a tmpfs keeps them fast on a busy CI machine. A kill -9 leaves
the kernel's page cache in place, so durability against power loss (the fsyncs) is not what is
tested here; benchmarks/torture.py runs on the real disk.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from store.backup import MANIFEST, backup, restore
from store.history import history
from store.locking import lock_path_for
from store.undo import undo
from tests.store.conftest import ROOT, child_env, start_python, wait_for
from tests.store.helpers import make_repo
from tests.store.torture_kit import acked, judge, make_cases, start_writer, tagged_note
from tests.store.people import act_as

WRITERS = 8
WRITES = 200
KILLS = int(os.environ.get("ROUNDS_TORTURE_KILLS", "200"))


@pytest.fixture
def place(tmp_path):
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        with tempfile.TemporaryDirectory(dir=shm, prefix="rounds-torture-") as directory:
            yield Path(directory)
    else:
        yield tmp_path


def run_writers(db, plan, kind):
    """plan: one list of case ids per writer. Waits for all; returns their ack files."""
    acks = [db.parent / f"writer-{n}.ack" for n in range(len(plan))]
    writers = [start_writer(db, ids, f"w{n}", WRITES, acks[n], seed=n, kind=kind) for n, ids in enumerate(plan)]
    for writer in writers:
        assert writer.wait(timeout=300) == 0, writer.stderr.read()
    return acks


def test_eight_processes_on_one_case_lose_nothing(place):
    db = place / "db"
    (case_id,) = make_cases(db, 1)
    acks = run_writers(db, [[case_id]] * WRITERS, kind="value")

    verdict = judge(db, [case_id], acks)

    assert verdict.acknowledged == WRITERS * WRITES
    assert verdict.sound, verdict.line()
    case = make_repo(db).get(case_id)
    assert case.revision == 1 + WRITERS * WRITES  # one revision per write: none lost, none merged


def test_eight_processes_on_eight_cases_lose_nothing(place):
    db = place / "db"
    ids = make_cases(db, WRITERS)
    acks = run_writers(db, [[case_id] for case_id in ids], kind="note")

    verdict = judge(db, ids, acks)

    assert verdict.acknowledged == WRITERS * WRITES
    assert verdict.sound, verdict.line()
    repo = make_repo(db)
    assert all(len(repo.get(case_id).events) == WRITES for case_id in ids)


KILLER = """
import json, sys
from pathlib import Path
from tests.store.torture_kit import kill_run
a = json.loads(sys.argv[1])
print(kill_run(Path(a["db"]), a["ids"], a["kills"], Path(a["acks"]), seed=a["seed"]))
"""


def test_kill_9_at_random_moments_leaves_whole_files_and_every_acknowledged_write(place):
    db = place / "db"
    ids = make_cases(db, 4)
    acks = place / "acks"
    acks.mkdir()
    args = json.dumps({"db": str(db), "ids": ids, "kills": KILLS, "acks": str(acks), "seed": 11})
    killer = subprocess.run([sys.executable, "-c", KILLER, args], cwd=ROOT, env=child_env(),
                            capture_output=True, text=True, timeout=600)
    assert killer.returncode == 0, killer.stderr
    tried = int(killer.stdout.strip())

    verdict = judge(db, ids, sorted(acks.glob("*.ack")), tried=tried)

    assert verdict.sound, verdict.line()
    assert verdict.tried >= KILLS  # every writer had begun writing when it was killed
    in_flight = verdict.tried - verdict.acknowledged  # kills that landed inside a write
    assert KILLS // 4 <= in_flight <= KILLS
    assert list(db.rglob("*.tmp")) == []  # leftovers of killed writers are gone once the list is read


HOLDER = """
import sys, time
from pathlib import Path
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
Path(sys.argv[2]).touch()
time.sleep(120)
"""


def test_a_lock_held_by_a_stuck_process_gives_up_after_its_timeout_with_a_message(place):
    db = place / "db"
    (case_id,) = make_cases(db, 1)
    path = make_repo(db).case_path(case_id)
    before = path.read_bytes()
    holding = place / "holding"
    stuck = start_python(HOLDER, str(lock_path_for(path)), str(holding))
    try:
        wait_for(holding, stuck)
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "tui", "--db", str(db), "log", case_id, "note", "--note", "waiting"],
            cwd=ROOT, env=child_env(ROUNDS_LOCK_TIMEOUT="0.5"), capture_output=True, text=True, timeout=60,
        )
        waited = time.monotonic() - started
    finally:
        stuck.kill()
        stuck.wait()
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert f"case {case_id} is being changed by another Rounds process and stayed locked for 0.5 s" in line
    assert "try again" in line and str(lock_path_for(path)) in line
    assert 0.5 <= waited < 10
    assert path.read_bytes() == before


def writes_to(acks, case_id, more_than, timeout=60.0):
    """Wait until the writers have acknowledged more than `more_than` writes to `case_id`."""
    deadline = time.monotonic() + timeout
    while len([w for w in acked(acks) if w[0] == case_id]) <= more_than:
        assert time.monotonic() < deadline, "the writers made no progress"
        time.sleep(0.01)


def test_undo_backup_and_restore_while_others_write_lose_and_duplicate_nothing(place, monkeypatch):
    db = place / "db"
    ids = make_cases(db, 4)
    stop = place / "stop"
    acks = [place / f"writer-{n}.ack" for n in range(3)]
    writers = [start_writer(db, ids, f"w{n}", None, acks[n], stop_path=stop, seed=n, kind="note",
                            LOGNAME=f"writer{n}") for n in range(3)]
    act_as(monkeypatch, "alice")
    repo = make_repo(db, lock_timeout=60)
    restored_case, backup_dir = ids[0], place / "backup"
    rounds = 30
    try:
        writes_to(acks, restored_case, more_than=0)  # the writers are at work before anything starts
        for n in range(rounds):
            case_id = ids[n % len(ids)]
            repo.update(case_id, tagged_note(f"alice-{n}"))
            result = undo(repo, case_id)
            assert result.plan.what.startswith("event-log") and result.plan.case == case_id
            if n == 8:
                backup(repo, backup_dir)
                at_backup = len([w for w in acked(acks) if w[0] == restored_case])
            if n == 20:
                writes_to(acks, restored_case, more_than=at_backup)  # there is something to restore over
                assert restore(repo, backup_dir, [restored_case]).restored == [restored_case]
    finally:
        stop.touch()
        for writer in writers:
            assert writer.wait(timeout=120) == 0, writer.stderr.read()

    verdict = judge(db, ids, acks)
    assert verdict.acknowledged > 0 and verdict.sound, verdict.line()
    cases = {case_id: repo.get(case_id) for case_id in ids}
    events = [e for case in cases.values() for e in case.events]
    alices = [e for e in events if e.note and e.note.startswith("alice-")]
    assert sorted(e.note for e in alices) == sorted(f"alice-{n}" for n in range(rounds))
    assert all(e.voided and e.void_reason == "undo" for e in alices)
    # An undo never touches a colleague's entry; only the restore voided theirs (and only in its case).
    theirs = [e for e in events if e.note and e.note.startswith("w") and e.voided]
    assert all(e.void_reason == "restored from backup" for e in theirs)
    assert {case_id for case_id, case in cases.items() for e in case.events if e in theirs} <= {restored_case}
    restores = [e for e in history(repo, restored_case) if e.action == "case-restore"]
    assert len(restores) == 1 and restores[0].who == "alice"
    undos = [e for e in history(repo) if e.action == "undo"]
    assert len(undos) == rounds and {e.who for e in undos} == {"alice"}
    # The backup, taken while three writers were at work: every file whole, every trail unbroken.
    manifest = json.loads((backup_dir / MANIFEST).read_text())
    copy = judge(backup_dir, ids, [])
    assert copy.sound, copy.line()
    copied = make_repo(backup_dir)
    assert {case_id: copied.get(case_id).revision for case_id in ids} == manifest["cases"]
