"""Time `rounds import` of one case with many events, to show the time grows linearly with them.

    python benchmarks/import_bench.py [--events 1000 2000 4000 8000]

Builds a JSON export (the shape `rounds export --format json` writes, with an audit entry per event)
in a temp folder (not timed), then imports it into a new database through `read_export` +
`import_cases`, as `rounds import` does: validation, the case file write and its audit included.
Issue 10 measured 18.5 s for 8,000 events before the fix (each event inserted on its own).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seeds.loader import default_catalogue  # noqa: E402
from store.export.importer import import_cases, read_export  # noqa: E402
from store.repository import Repository  # noqa: E402


def export_document(events: int) -> dict:
    start = date(1990, 1, 1)
    return {
        "format": "rounds-export", "schema_version": 1, "deidentified": False,
        "cases": [{
            "id": "b0b0b0b0b0", "patient": "DEMO-BENCH", "pathways": ["steroid-atrophy"],
            "onset": "1990-01-01", "enrolment": "1990-01-02", "status": "active", "revision": events + 1,
            "events": [
                {"id": f"e{n}", "seq": n, "kind": "saline", "date": (start + timedelta(days=n % 9000)).isoformat(),
                 "volume_ml": 10.0, "voided": False}
                for n in range(1, events + 1)
            ],
            "item_records": {},
            "audit": [
                {"who": "demo", "when": "2026-01-01T00:00:00.000Z", "action": "event-log", "target": f"e{n}",
                 "old": None, "new": None, "reason": None, "revision": n + 1}
                for n in range(1, events + 1)
            ],
        }],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1000, 2000, 4000, 8000])
    args = parser.parse_args()
    catalogue = default_catalogue()
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.events:
            source = Path(tmp) / f"export-{count}.json"
            source.write_bytes(orjson.dumps(export_document(count)))
            repo = Repository(Path(tmp) / f"db-{count}", catalogue)
            started = time.perf_counter()
            import_cases(repo, read_export(source, catalogue))
            took = time.perf_counter() - started
            print(f"{count:>6} events  {took:6.2f} s  ({took / count * 1e6:5.0f} µs per event)", flush=True)


if __name__ == "__main__":
    main()
