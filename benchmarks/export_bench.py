"""Time `rounds export --all` in every format on synthetic demo databases of 1,000 and 10,000 cases.

    python benchmarks/export_bench.py [--sizes 1000 10000] [--keep DIR]

Builds each database with `store.demo.fill_demo` in a temp folder (not timed), then exports every
case to a file in each format, plain and de-identified, through the same `export_cases` the CLI uses
(reading the case files, evaluating, rendering, the atomic write and the audit record all included).
Target: seconds, not minutes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seeds.loader import default_catalogue  # noqa: E402
from store.demo import fill_demo  # noqa: E402
from store.export.runner import FORMATS, ExportOptions, export_cases  # noqa: E402
from store.repository import Repository  # noqa: E402

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=timezone.utc)


def bench(size: int, base: Path) -> list[tuple[str, float, int]]:
    catalogue = default_catalogue()
    repo = Repository(base / f"db-{size}", catalogue, now=lambda: NOW)
    started = time.perf_counter()
    fill_demo(repo, catalogue, TODAY, size)
    print(f"built {size} demo cases in {time.perf_counter() - started:.1f} s", flush=True)
    results = []
    for fmt in FORMATS:
        for deidentify in (False, True):
            out = base / f"export-{size}{'-deid' if deidentify else ''}.{fmt}"
            started = time.perf_counter()
            result = export_cases(repo, None, ExportOptions(fmt, deidentify=deidentify), out,
                                  catalogue=catalogue, today=TODAY, now=NOW)
            took = time.perf_counter() - started
            assert len(result.case_ids) == size
            label = fmt + (" --deidentify" if deidentify else "")
            results.append((label, took, result.size))
            print(f"  {size:>6} cases  {label:<18} {took:6.2f} s  {result.size / 1e6:7.1f} MB", flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (default: a temp folder)")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            bench(size, args.keep)
        return 0
    with tempfile.TemporaryDirectory(prefix="rounds-export-bench-") as folder:
        for size in args.sizes:
            bench(size, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
