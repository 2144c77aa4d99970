"""Shared-server benchmark: history (`rounds audit`), undo, backup, check and restore at 1,000 and
10,000 cases. Run as `python benchmarks/server_bench.py [--cases 1000 10000]`.
"""

# The fixture is store_bench's (about 12 KB a case, 25-40 events each, their audit entries), with each
# file's time set to its last entry's, as in a database written over months. Then a clinician makes a
# few changes (through the Repository, as the CLI does) and everything below is measured. (`check` finds
# one problem in some fixture cases: store_bench gives every case steroid-atrophy item records, whatever
# its pathways; a real database has none of those.)

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from benchmarks.store_bench import build_database, engine_parts  # noqa: E402
from store.backup import backup, restore  # noqa: E402
from store.check import check  # noqa: E402
from store.history import history  # noqa: E402
from store.repository import Repository  # noqa: E402
from store.undo import plan_undo, undo  # noqa: E402


def age_files(repo: Repository) -> None:
    """Give each case file the time of its newest audit entry (a database written over months)."""
    for path, _ in repo._scan().values():
        tables = orjson.loads(Path(path).read_bytes())
        newest = max(doc["when"] for doc in tables["audit"].values())
        moment = datetime.fromisoformat(newest.replace("Z", "+00:00")).timestamp()
        os.utime(path, (moment, moment))


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def fresh(db: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tui", "--db", str(db), *args], cwd=ROOT, check=True,
                   capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - started


def bench(count: int) -> None:
    catalogue, summarize, case_row, toggle, _ = engine_parts()
    base = Path(tempfile.mkdtemp(prefix=f"rounds-server-{count}-"))
    db = base / "db"
    try:
        build_database(db, count)
        repo = Repository(db, catalogue, summarize=summarize, case_row=case_row)
        age_files(repo)
        ids = sorted(repo.signatures())
        os.environ["LOGNAME"] = "bench.clinician"
        for case_id in ids[:5]:
            repo.update(case_id, lambda case: toggle(case, "review-6m" if "steroid-atrophy" in case.pathways
                                                     else case_items(case)))
        print(f"\n== {count:,} cases ==")
        seconds, entries = timed(history, repo, limit=50)
        print(f"  history, newest 50              {seconds * 1e3:8.1f} ms ({len(entries)} entries)")
        seconds, entries = timed(history, repo)
        print(f"  history, everything             {seconds:8.2f} s  ({len(entries):,} entries)")
        seconds, entries = timed(history, repo, ids[3])
        print(f"  history of one case             {seconds * 1e3:8.1f} ms ({len(entries)} entries)")
        print(f"  `rounds audit --limit 50`       {fresh(db, 'audit', '--limit', '50'):8.2f} s (new process)")
        seconds, plan = timed(plan_undo, repo)
        print(f"  undo: find my latest change     {seconds * 1e3:8.1f} ms ({plan.what})")
        seconds, _ = timed(undo, repo)
        print(f"  undo: find and revert it        {seconds * 1e3:8.1f} ms")
        seconds, result = timed(backup, repo, base / "backup")
        size = sum(p.stat().st_size for p in (base / "backup").rglob("*") if p.is_file()) / 2**20
        print(f"  backup                          {seconds:8.2f} s  ({result.cases:,} cases, {size:.0f} MB)")
        seconds, result = timed(check, repo)
        kinds = sorted({" ".join(p.what.split()[:5]) for p in result.problems})
        print(f"  check                           {seconds:8.2f} s  ({len(result.problems)} problems"
              + (f": {'; '.join(kinds)}" if kinds else "") + ")")
        repo.update(ids[7], lambda case: toggle(case, "review-6m" if "steroid-atrophy" in case.pathways
                                                else case_items(case)))
        seconds, result = timed(restore, repo, base / "backup", [ids[7]])
        print(f"  restore one case                {seconds * 1e3:8.1f} ms")
        seconds, result = timed(restore, repo, base / "backup")
        print(f"  restore everything              {seconds:8.2f} s  ({len(result.unchanged):,} already as backed up)")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def case_items(case) -> str:
    return "pt-before-injection" if "hip-injection" in case.pathways else "deep-biopsy"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    for count in args.cases:
        bench(count)


if __name__ == "__main__":
    main()
