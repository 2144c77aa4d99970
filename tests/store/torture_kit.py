"""The torture harness shared by tests/store/test_torture.py (short runs, in CI) and
benchmarks/torture.py (the long run): writers in separate processes, each writing acknowledgements
of the writes the store accepted, and a judge that checks every acknowledged write is there.

A write is "acknowledged" once `Repository.update` has returned: only then does a writer append the
write's tag to its own ack file (one short line, O_APPEND). A write killed before its ack may or may
not be in the case; an acknowledged one must be, exactly once.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def tagged_note(tag: str):
    """A mutation that logs one event whose note is `tag` (the store's own path, as `rounds log` takes)."""
    from checklists.models import Change, Event

    def mutate(case):
        seq = max((e.seq for e in case.events), default=0) + 1
        event = Event(id=f"e{seq}", seq=seq, kind="note", date=date(2026, 11, 21), note=tag)
        return replace(case, events=case.events + (event,)), [Change("event-log", event.id, None, "note")]

    return mutate


def tagged_value(tag: str):
    """A mutation that sets the case's note to `tag`: one value written (never toggled), one audit entry."""
    from checklists.models import Change

    def mutate(case):
        return replace(case, note=tag), [Change("field-set", "note", case.note, tag)]

    return mutate


MUTATIONS = {"note": tagged_note, "value": tagged_value}


def make_cases(db: Path, count: int) -> list[str]:
    from checklists.models import Change
    from tests.store.helpers import make_case, make_repo

    repo = make_repo(db)
    ids = []
    for n in range(count):
        case_id = repo.new_case_id()
        repo.add_case(make_case(case_id, patient=f"DEMO-{n:03d}"), [Change("case-add", "case")])
        ids.append(case_id)
    return ids


def write_loop(db: Path, case_ids: list[str], name: str, count: int | None, ack_path: Path,
               stop_path: Path | None = None, seed: int = 0, kind: str = "note") -> None:
    """Write tagged notes into random cases of `case_ids` until `count` are done or `stop_path` exists."""
    from tests.store.helpers import make_repo

    repo = make_repo(db, lock_timeout=60)
    rng = random.Random(seed)
    ack = os.open(ack_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    n = 0
    try:
        while (count is None or n < count) and not (stop_path is not None and stop_path.exists()):
            case_id = rng.choice(case_ids)
            tag = f"{name}-{n}"
            repo.update(case_id, MUTATIONS[kind](tag))
            os.write(ack, f"{case_id} {tag}\n".encode())
            n += 1
    finally:
        os.close(ack)


def start_writer(db: Path, case_ids: list[str], name: str, count: int | None, ack_path: Path,
                 stop_path: Path | None = None, seed: int = 0, kind: str = "note", **env: str) -> subprocess.Popen:
    code = ("import sys, json; from pathlib import Path; from tests.store.torture_kit import write_loop; "
            "a = json.loads(sys.argv[1]); "
            "write_loop(Path(a['db']), a['ids'], a['name'], a['count'], Path(a['ack']), "
            "Path(a['stop']) if a['stop'] else None, a['seed'], a['kind'])")
    args = json.dumps({"db": str(db), "ids": case_ids, "name": name, "count": count, "ack": str(ack_path),
                       "stop": str(stop_path) if stop_path else None, "seed": seed,
                       "kind": kind})
    return subprocess.Popen([sys.executable, "-c", code, args], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def acked(ack_paths: list[Path]) -> list[tuple[str, str]]:
    """(case id, tag) of every acknowledged write; a line cut short by a kill does not count."""
    found = []
    for path in ack_paths:
        if path.exists():
            for line in path.read_text().splitlines(keepends=True):
                if line.endswith("\n") and " " in line:
                    case_id, tag = line.split()
                    found.append((case_id, tag))
    return found


@dataclass
class Verdict:
    tried: int = 0  # writes started (acknowledged, or cut short by a kill)
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged writes not in their case
    duplicated: list[str] = field(default_factory=list)  # a tag present more than once
    corrupted: list[str] = field(default_factory=list)  # files that do not read back
    broken_trails: list[str] = field(default_factory=list)  # revisions missing or repeated in a trail
    leftover_temps: int = 0

    @property
    def sound(self) -> bool:
        return not (self.lost or self.duplicated or self.corrupted or self.broken_trails)

    def line(self) -> str:
        return (f"writes tried {self.tried}, acknowledged {self.acknowledged}, lost {len(self.lost)}, "
                f"duplicated {len(self.duplicated)}, files corrupted {len(self.corrupted)}, "
                f"broken audit trails {len(self.broken_trails)}")


def judge(db: Path, case_ids: list[str], ack_paths: list[Path], tried: int | None = None) -> Verdict:
    """Read every case back and hold it against the acknowledgements."""
    from store.errors import StoreError
    from tests.store.helpers import make_repo

    repo = make_repo(db)
    verdict = Verdict()
    writes = acked(ack_paths)
    verdict.acknowledged = len(writes)
    verdict.tried = tried if tried is not None else len(writes)
    verdict.leftover_temps = sum(1 for p in db.rglob("*.tmp"))
    notes: dict[str, Counter] = {}
    for case_id in case_ids:
        try:
            case = repo.get(case_id)
            trail = repo.audit_trail(case_id)
        except StoreError as error:
            verdict.corrupted.append(f"{case_id}: {error}")
            continue
        notes[case_id] = Counter(e.note for e in case.events if e.note)
        # A value write leaves its mark in the trail: one `field-set note` entry per write.
        notes[case_id] += Counter(a.new for a in trail if a.action == "field-set" and a.target == "note")
        revisions = sorted({a.revision for a in trail if a.revision is not None})
        seqs = [e.seq for e in case.events]
        if revisions != list(range(1, case.revision + 1)) or len(set(seqs)) != len(seqs):
            verdict.broken_trails.append(case_id)
    for case_id, tag in writes:
        count = notes.get(case_id, Counter())[tag]
        if count == 0 and case_id in notes:
            verdict.lost.append(f"{case_id} {tag}")
    for case_id, counter in notes.items():
        verdict.duplicated += [f"{case_id} {tag}" for tag, n in counter.items() if n > 1]
    listing = repo.list_rows(date(2026, 11, 21))
    verdict.corrupted += [w for w in listing.warnings if w not in verdict.corrupted]
    return verdict


# --- kill -9 at random moments --------------------------------------------------------------------


def kill_run(db: Path, case_ids: list[str], kills: int, ack_dir: Path, seed: int = 1,
             max_delay: float = 0.03) -> int:
    """Fork a writer, let it write for a random moment, SIGKILL it; `kills` times. Returns how many
    writes were started. Run in a process of its own (forking a process with threads is unsafe)."""
    from tests.store.helpers import make_repo

    rng = random.Random(seed)
    make_repo(db)  # the store's modules are imported once, before the forks
    started = 0
    for n in range(kills):
        ack_path = ack_dir / f"kill-{n}.ack"
        counter = ack_dir / f"kill-{n}.tried"
        pid = os.fork()
        if pid == 0:  # the child: write until killed
            try:
                tried = os.open(counter, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                repo = make_repo(db, lock_timeout=60)
                ack = os.open(ack_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                child_rng = random.Random(seed * 100_000 + n)
                i = 0
                while True:
                    case_id = child_rng.choice(case_ids)
                    tag = f"k{n}-{i}"
                    os.write(tried, b".")
                    repo.update(case_id, tagged_note(tag))
                    os.write(ack, f"{case_id} {tag}\n".encode())
                    i += 1
            finally:
                os._exit(3)
        # Kill at a random moment after the child has begun writing (a loaded machine may take a while
        # to run it at all), so that every kill lands among writes.
        deadline = time.monotonic() + 10
        while (not counter.exists() or counter.stat().st_size == 0) and time.monotonic() < deadline:
            time.sleep(0.0005)
        time.sleep(rng.uniform(0, max_delay))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    for n in range(kills):
        counter = ack_dir / f"kill-{n}.tried"
        started += counter.stat().st_size if counter.exists() else 0
    return started
