"""Time `rounds export --all` in every format on synthetic demo databases of 1,000 and 10,000 cases.

    python benchmarks/export_bench.py [--sizes 1000 10000] [--formats fhir redcap ...] [--keep DIR]

Builds each database with `store.demo.fill_demo` in a temp folder (not timed), then exports every
case to a file in each format, plain and de-identified, through the same `export_cases` the CLI uses
(reading the case files, evaluating, rendering, the atomic write and the audit record all included),
and the week's worklist (`rounds worklist`) the same way. Target: seconds, not minutes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seeds.loader import default_catalogue  # noqa: E402
from store.demo import fill_demo  # noqa: E402
from store.export.runner import FIELD_FORMATS, FORMATS, ExportOptions, export_cases, export_worklist  # noqa: E402
from store.repository import Repository  # noqa: E402

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=timezone.utc)


def bench(size: int, base: Path, formats=FORMATS) -> list[tuple[str, float, int]]:
    catalogue = default_catalogue()
    repo = Repository(base / f"db-{size}", catalogue, now=lambda: NOW)
    started = time.perf_counter()
    fill_demo(repo, catalogue, TODAY, size)
    print(f"built {size} demo cases in {time.perf_counter() - started:.1f} s", flush=True)
    results = []
    for fmt in (f for f in formats if f in FORMATS):
        for deidentify in (False, True) if fmt not in FIELD_FORMATS else (False,):
            out = base / f"export-{size}{'-deid' if deidentify else ''}.{fmt}"
            started = time.perf_counter()
            result = export_cases(repo, None, ExportOptions(fmt, deidentify=deidentify), out,
                                  catalogue=catalogue, today=TODAY, now=NOW)
            took = time.perf_counter() - started
            assert len(result.case_ids) == (0 if fmt in FIELD_FORMATS else size)
            label = fmt + (" --deidentify" if deidentify else "")
            results.append((label, took, result.size))
            print(f"  {size:>6} cases  {label:<28} {took:6.2f} s  {result.size / 1e6:7.1f} MB", flush=True)
    if "worklist" in formats:
        for deidentify in (False, True):
            started = time.perf_counter()
            result, listing = export_worklist(repo, "text", TODAY, TODAY + timedelta(days=7), base / "week.txt",
                                              catalogue=catalogue, now=NOW, deidentify=deidentify)
            took = time.perf_counter() - started
            label = "worklist (a week)" + (" --deidentify" if deidentify else "")
            results.append((label, took, result.size))
            print(f"  {size:>6} cases  {label:<28} {took:6.2f} s  {result.size / 1e6:7.1f} MB "
                  f"({len(listing.cases)} cases listed)", flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--formats", nargs="+", default=list(FORMATS) + ["worklist"],
                        choices=list(FORMATS) + ["worklist"], help="which exports to time (default: all)")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (default: a temp folder)")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            bench(size, args.keep, args.formats)
        return 0
    with tempfile.TemporaryDirectory(prefix="rounds-export-bench-") as folder:
        for size in args.sizes:
            bench(size, Path(folder), args.formats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
