"""TUI benchmark: start to an interactive case board, in a fresh process, at 1,000 and 10,000 cases.

    python benchmarks/tui_bench.py [--cases 1000 10000] [--runs 5]

(The real-terminal figures, start to an interactive board among them, are in rounds_bench.py.)
Each run is a new Python process that imports the app, opens the database and stops the clock when
the board has drawn its first rows (headless, 80x24), as a clinician's `rounds` would; the time
includes interpreter start and every import. A warm-up run first fills the list cache, as the first
`rounds` of the day on a shared server does. Target (storage.md): under 0.6 s at 10,000 cases.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.store_bench import build_database  # noqa: E402 - after the path is set

# Runs in the child: the clock starts in the parent just before the process is spawned.
CHILD = r"""
import asyncio, sys, time
from pathlib import Path
from datetime import date
from seeds.loader import default_catalogue
from store.repository import Repository
from tui.app import make_app

async def main():
    app = make_app(Repository(Path(sys.argv[1]), default_catalogue()), today=date(2026, 11, 21))
    async with app.run_test(size=(80, 24)) as pilot:
        while not getattr(app.screen, "has_loaded", False):
            await pilot.pause(0.005)
        print(f"{time.time():.6f}")

asyncio.run(main())
"""


def start_once(db_dir: Path) -> float:
    started = time.time()
    done = subprocess.run([sys.executable, "-c", CHILD, str(db_dir)], cwd=ROOT, capture_output=True, text=True,
                          check=True, timeout=120)
    return float(done.stdout.strip()) - started


def bench(count: int, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="rounds-tui-bench-") as tmp:
        db_dir = Path(tmp) / "db"
        build_database(db_dir, count)
        cold = start_once(db_dir)  # builds the list cache, as the first start of the day does
        times = [start_once(db_dir) for _ in range(runs)]
    print(f"== {count:,} cases ==")
    print(f"  first start (no list cache)   {cold:.3f} s")
    print(f"  start to interactive board    median {statistics.median(times):.3f} s   "
          f"min {min(times):.3f} s   max {max(times):.3f} s   [target < 0.6 s]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for count in args.cases:
        bench(count, args.runs)


if __name__ == "__main__":
    main()
