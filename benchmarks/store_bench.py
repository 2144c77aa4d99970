"""Store benchmark: toggle latency and `case list` time on throwaway databases of synthetic cases.
Run as `python benchmarks/store_bench.py [--cases 1000 10000] [--toggles 200] [--keep]`.
"""

# The fixture cases (labels `DEMO-00017`, about 12 KB each: a few dozen events, item records and
# audit entries) are written straight through the codec without an fsync per file: 10,000 fsyncs
# would time the disk, not the store, and the fixture is thrown away. Everything that is *measured*
# goes through the Repository exactly as the CLI and the TUI use it: locked, re-read, audited,
# fsynced, atomic.

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from checklists.models import Case, Event, ItemRecord  # noqa: E402
from store import codec  # noqa: E402
from store.migrations import SCHEMA_VERSION  # noqa: E402
from store.repository import Repository  # noqa: E402
from store.storage import make_private_dirs, private_file_mode  # noqa: E402

TODAY = date(2025, 6, 1)
PATHWAY_SETS = (("steroid-atrophy",), ("hip-injection",), ("panniculitis-lipoatrophy",),
                ("steroid-atrophy", "hip-injection"))
NOTE = "Reviewed in clinic; patient reports the dent is smaller. Photo taken, same lighting as last time."


# --- the engine, or a stand-in until it exists ---------------------------------------------------------


def engine_parts():
    """(catalogue, summarize, case_row, toggle, name): the real engine when it is there."""
    try:
        from checklists.engine import case_row, summarize
        from checklists.actions import resolve_item
        from seeds.loader import default_catalogue

        catalogue = default_catalogue()
    except (ImportError, AttributeError):
        sys.path.insert(0, str(ROOT / "tests" / "store"))
        from tests.store.helpers import fake_case_row, fake_summarize, resolve_item as fake_resolve

        def toggle(case, item):
            state = "open" if case.items.get(item, ItemRecord(item)).state == "done" else "done"
            return fake_resolve(item, state, TODAY)(case)

        return None, fake_summarize, fake_case_row, toggle, "fake engine (checklists.engine missing)"

    def toggle(case, item):
        done = case.items.get(item) is not None and case.items[item].state == "done"
        return resolve_item(case, item, "reopen" if done else "done", today=TODAY, catalogue=catalogue)

    return catalogue, summarize, case_row, toggle, "real engine (checklists.engine)"


# --- building a throwaway database ---------------------------------------------------------------------


def synthetic_case(n: int, case_id: str, rng: random.Random) -> Case:
    onset = TODAY - timedelta(days=rng.randint(20, 900))
    events = []
    for seq in range(1, rng.randint(25, 40) + 1):
        day = onset + timedelta(days=min(seq * rng.randint(3, 20), (TODAY - onset).days))
        kind = rng.choice(("saline", "saline", "assessment", "note", "injection"))
        fields = {
            "saline": {"volume_ml": float(rng.randint(5, 20)), "site": "left lateral thigh"},
            "assessment": {"size_mm": float(rng.randint(5, 60)), "depth_mm": 2.0, "improvement": "partial",
                           "photo": True, "pain": rng.randint(0, 6), "note": NOTE},
            "note": {"note": NOTE},
            "injection": {"guidance": "image", "drug": "triamcinolone", "dose": "40 mg"},
        }[kind]
        events.append(Event(id=f"e{seq}", seq=seq, kind=kind, date=day, recorded_at=utc_stamp_for(day),
                            recorded_by="nurse.kim", **fields))
    items = {
        "baseline-assessment": ItemRecord("baseline-assessment", "done", date=onset + timedelta(days=7)),
        "review-6m": ItemRecord("review-6m", "snoozed", reason="patient travelling", until=TODAY + timedelta(30)),
    }
    return Case(
        id=case_id, patient=f"DEMO-{n:05}", pathways=rng.choice(PATHWAY_SETS), onset=onset,
        enrolment=onset + timedelta(days=3), injection_date=onset - timedelta(days=60),
        site="left lateral thigh", note=NOTE, events=tuple(events), items=items, revision=len(events) + 1,
    )


def utc_stamp_for(day: date) -> str:
    return f"{day.isoformat()}T10:00:00.000Z"


def case_tables(case: Case) -> dict:
    """The whole TinyDB file for a case, as the repository would have written it over time."""
    audit = {
        str(i): {"who": "nurse.kim", "when": e.recorded_at, "action": "event-log", "target": e.id,
                 "old": None, "new": e.kind, "reason": None, "revision": i + 1}
        for i, e in enumerate(case.events, start=1)
    }
    return {
        "meta": {"1": codec.new_meta(SCHEMA_VERSION)},
        "case": {"1": codec.case_doc(case)},
        "events": {str(i): codec.event_doc(e) for i, e in enumerate(case.events, start=1)},
        "audit": audit,
    }


def build_database(db_dir: Path, count: int, seed: int = 1) -> int:
    """Write `count` case files (no fsync each: see the module docstring); returns total bytes."""
    rng = random.Random(seed)
    repo = Repository(db_dir, catalogue=None)
    repo.deid_key()  # creates the settings file like a real first write would
    total, mode = 0, private_file_mode()
    for n in range(count):
        case_id = f"{rng.getrandbits(40):010x}"
        path = repo.case_path(case_id)
        make_private_dirs(path.parent)
        data = orjson.dumps(case_tables(synthetic_case(n, case_id, rng)))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        total += len(data)
    return total


# --- measuring -------------------------------------------------------------------------------------------


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def toggle_latencies(repo: Repository, toggle, count: int, rng: random.Random) -> list[float]:
    ids = sorted(repo.signatures())
    items = ("baseline-assessment", "review-12m", "saline-session", "review-6m")
    latencies = []
    for _ in range(count):
        case_id = rng.choice(ids)
        item = rng.choice(items)
        seconds, _ = timed(repo.update, case_id, lambda case, item=item: _toggle_any(case, item, toggle))
        latencies.append(seconds)
    return latencies


def _toggle_any(case: Case, item: str, toggle):
    """Toggle `item`, or the case's first item when this pathway does not have it."""
    try:
        return toggle(case, item)
    except Exception:  # noqa: BLE001 - a pathway without that item: use one it has
        return toggle(case, "baseline-assessment" if "steroid-atrophy" in case.pathways else
                      ("pt-before-injection" if "hip-injection" in case.pathways else "deep-biopsy"))


FRESH_LIST = """
import resource, sys, time
started = time.perf_counter()
sys.path.insert(0, sys.argv[2])
import orjson
from datetime import date
from benchmarks.store_bench import engine_parts
from store.repository import Repository
catalogue, summarize, case_row, _, _ = engine_parts()
repo = Repository(sys.argv[1], catalogue, summarize=summarize, case_row=case_row)
result = repo.list_rows(date.fromisoformat(sys.argv[3]))
out = orjson.dumps([{"id": r.id, "patient": r.patient, "urgency": r.urgency} for r in result.rows])
print(f"{time.perf_counter() - started:.4f} {len(result.rows)} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
"""


def fresh_process_list(db_dir: Path, day: date = TODAY) -> tuple[float, float, int, float]:
    """`case list --json` as a new process sees it: (wall incl. interpreter start, in-script, rows, MB)."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", FRESH_LIST, str(db_dir), str(ROOT), day.isoformat()],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()
    wall = time.perf_counter() - started
    return wall, float(out[0]), int(out[1]), int(out[2]) / 1024


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def bench(count: int, toggles: int, keep: bool) -> dict:
    catalogue, summarize, case_row, toggle, engine_name = engine_parts()
    base = Path(tempfile.mkdtemp(prefix=f"rounds-bench-{count}-", dir=os.environ.get("BENCH_DIR")))
    db_dir = base / "db"
    try:
        build_s, size = timed(build_database, db_dir, count)
        repo = Repository(db_dir, catalogue, summarize=summarize, case_row=case_row)
        cold_s, result = timed(repo.list_rows, TODAY)
        assert len(result.rows) == count and not result.warnings, result.warnings[:3]
        warm_s, _ = timed(repo.list_rows, TODAY)
        fresh_warm = fresh_process_list(db_dir)
        fresh_new_day = fresh_process_list(db_dir, TODAY + timedelta(days=1))
        repo.list_rows(TODAY)
        lat = toggle_latencies(repo, toggle, toggles, random.Random(2))
        after_s, _ = timed(repo.list_rows, TODAY)  # the toggled cases are read and summarized again
        after_warm_s, _ = timed(repo.list_rows, TODAY)
        summaries = list(repo.summaries_dir.glob("*.json"))
        sizes = [sum(p.stat().st_size for p in summaries) / 2**20, repo.rows_path.stat().st_size / 2**20]
        sig_s, _ = timed(repo.signatures)
        for path in [*summaries, repo.rows_path]:
            path.unlink()
        fresh_cold = fresh_process_list(db_dir)
        return {
            "cases": count, "engine": engine_name, "build_s": build_s, "avg_case_kb": size / count / 1024,
            "toggle_p50_ms": statistics.median(lat) * 1e3, "toggle_p95_ms": percentile(lat, 0.95) * 1e3,
            "toggle_max_ms": max(lat) * 1e3,
            "list_cold_s": cold_s, "list_warm_s": warm_s,
            "list_after_toggles_s": after_s, "list_warm_again_s": after_warm_s,
            "fresh_process_list_warm_s": fresh_warm[0], "fresh_process_list_warm_in_script_s": fresh_warm[1],
            "fresh_process_list_warm_rss_mb": fresh_warm[3],
            "fresh_process_list_new_day_s": fresh_new_day[0], "fresh_process_list_new_day_rss_mb": fresh_new_day[3],
            "fresh_process_list_cold_s": fresh_cold[0], "fresh_process_list_cold_rss_mb": fresh_cold[3],
            "signatures_scan_s": sig_s, "index_mb": sizes[0], "rows_mb": sizes[1],
            "bench_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "db": str(db_dir) if keep else None,
        }
    finally:
        if not keep:
            shutil.rmtree(base, ignore_errors=True)


def report(r: dict) -> None:
    print(f"\n== {r['cases']:,} cases ({r['avg_case_kb']:.1f} KB each, {r['engine']}) ==")
    print(f"  fixture build                  {r['build_s']:.2f} s (not a measured path)")
    print(f"  toggle (durable update)        p50 {r['toggle_p50_ms']:.2f} ms   p95 {r['toggle_p95_ms']:.2f} ms"
          f"   max {r['toggle_max_ms']:.2f} ms   [target p50 < 5 ms]")
    print(f"  list_rows, no cache            {r['list_cold_s']:.3f} s")
    print(f"  list_rows, warm cache          {r['list_warm_s']:.3f} s")
    print(f"  list_rows after the toggles    {r['list_after_toggles_s']:.3f} s, then {r['list_warm_again_s']:.3f} s")
    print(f"  new process, warm cache        {r['fresh_process_list_warm_s']:.3f} s wall "
          f"({r['fresh_process_list_warm_in_script_s']:.3f} s after start; "
          f"{r['fresh_process_list_warm_rss_mb']:.0f} MB peak)   [target < 0.5 s]")
    print(f"  new process, new day           {r['fresh_process_list_new_day_s']:.3f} s wall "
          f"({r['fresh_process_list_new_day_rss_mb']:.0f} MB peak; cached summaries, rows made again)")
    print(f"  new process, no cache at all   {r['fresh_process_list_cold_s']:.3f} s wall "
          f"({r['fresh_process_list_cold_rss_mb']:.0f} MB peak)")
    print(f"  signatures() scan              {r['signatures_scan_s'] * 1e3:.1f} ms")
    print(f"  summaries/ / rows.json         {r['index_mb']:.1f} MB / {r['rows_mb']:.1f} MB")
    print(f"  bench process peak RSS         {r['bench_peak_rss_mb']:.0f} MB")
    if r["db"]:
        print(f"  kept: {r['db']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--toggles", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the databases (prints where)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    results = []
    for count in args.cases:
        results.append(bench(count, args.toggles, args.keep))
        report(results[-1])
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
