"""Torture run: many processes writing one database at once, and kill -9 at random moments, on the
real disk (fsyncs and all). Prints writes tried, acknowledged, lost, duplicated and files corrupted.
Run as `python benchmarks/torture.py [--writers 8] [--writes 200] [--kills 200] [--dir DIR]`.
"""

# The same harness as tests/store/test_torture.py (tests/store/torture_kit.py), with full counts and on
# the disk rather than a tmpfs. A write counts as acknowledged once Repository.update has returned.

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.store.torture_kit import judge, make_cases, start_writer  # noqa: E402


def writers_run(base: Path, writers: int, writes: int, shared: bool, kind: str) -> tuple[str, float]:
    db = base / "db"
    ids = make_cases(db, 1 if shared else writers)
    acks = [base / f"w{n}.ack" for n in range(writers)]
    started = time.perf_counter()
    procs = [start_writer(db, ids if shared else [ids[n]], f"w{n}", writes, acks[n], seed=n, kind=kind)
             for n in range(writers)]
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit(proc.stderr.read())
    seconds = time.perf_counter() - started
    return judge(db, ids, acks).line(), seconds


KILLER = """
import json, sys
from pathlib import Path
from tests.store.torture_kit import kill_run
a = json.loads(sys.argv[1])
print(kill_run(Path(a["db"]), a["ids"], a["kills"], Path(a["acks"]), seed=a["seed"], max_delay=a["delay"]))
"""


def kill_run(base: Path, kills: int, cases: int, delay: float) -> tuple[str, float, int]:
    db, acks = base / "db", base / "acks"
    ids = make_cases(db, cases)
    acks.mkdir()
    started = time.perf_counter()
    args = json.dumps({"db": str(db), "ids": ids, "kills": kills, "acks": str(acks), "seed": 5, "delay": delay})
    out = subprocess.run([sys.executable, "-c", KILLER, args], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True).stdout
    seconds = time.perf_counter() - started
    temps = sum(1 for _ in db.rglob("*.tmp"))
    verdict = judge(db, ids, sorted(acks.glob("*.ack")), tried=int(out.strip()))
    return verdict.line(), seconds, temps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--writes", type=int, default=200, help="writes per writer")
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--kill-cases", type=int, default=20, help="cases the killed writers write to")
    parser.add_argument("--max-delay", type=float, default=0.05, help="longest a writer lives before its kill (s)")
    parser.add_argument("--dir", help="where to make the throwaway databases (default: the temp dir)")
    args = parser.parse_args()

    runs = [
        (f"{args.writers} writers x {args.writes} events, one case", True, "note"),
        (f"{args.writers} writers x {args.writes} value writes, one case", True, "value"),
        (f"{args.writers} writers x {args.writes} events, a case each", False, "note"),
    ]
    for title, shared, kind in runs:
        base = Path(tempfile.mkdtemp(prefix="rounds-torture-", dir=args.dir))
        try:
            line, seconds = writers_run(base, args.writers, args.writes, shared, kind)
            total = args.writers * args.writes
            print(f"{title}: {line}; {seconds:.1f} s ({total / seconds:.0f} writes/s)")
        finally:
            shutil.rmtree(base, ignore_errors=True)
    base = Path(tempfile.mkdtemp(prefix="rounds-torture-", dir=args.dir))
    try:
        line, seconds, temps = kill_run(base, args.kills, args.kill_cases, args.max_delay)
        print(f"kill -9 x {args.kills} at random moments ({args.kill_cases} cases): {line}; "
              f"{temps} temp file(s) left by killed writers, removed when the list was next read; {seconds:.1f} s")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
