"""Protocol sign-off benchmark: what reading the clinic's reviews adds to every command and case view.
Run as `python benchmarks/protocol_bench.py [--reviews 100 2000] [--repeat 50]`.
"""

# The settings file holds the reviews, the switched-off items and the settings audit trail (policy
# changes, exports, reviews), and `load_protocol` reads it at the start of every command, so its size
# is what matters. The fixture writes the reviews straight into the file (one write); everything
# measured goes through the store as the CLI and the app use it.

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checklists.signoff import build_signoff  # noqa: E402
from store.protocol import clinic_catalogue, load_protocol  # noqa: E402
from store.repository import Repository  # noqa: E402
from store.signoff import REVIEWS_TABLE, disable_item, load_signoff, record_review  # noqa: E402

DAY = date(2026, 3, 2)


def fill(db: Path, reviews: int) -> Repository:
    """A database whose settings hold `reviews` decisions and as many audit entries, spread over the rules."""
    repo = Repository(db, clinic_catalogue(db))
    refs = build_signoff(repo.catalogue, []).refs()
    signoff = build_signoff(repo.catalogue, [])

    def stage(settings, who, when):
        table = settings.table(REVIEWS_TABLE)
        docs = []
        for n in range(reviews):
            ref = refs[n % len(refs)]
            docs.append({"pathway": ref.pathway, "kind": ref.kind, "rule": ref.id, "decision": "comment",
                         "by": who, "on": DAY.isoformat(), "note": f"bench note {n}",
                         "rule_hash": signoff.hash(ref), "when": when})
        table.insert_multiple(docs)
        settings.append_audit([{"who": who, "when": when, "action": "export", "target": "cases", "old": None,
                                "new": None, "reason": None, "revision": None} for _ in range(reviews)])
        from checklists.models import Change

        return [Change("bench-fill", "settings")]

    repo.change_settings(stage)
    return repo


def timed(run, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def process_ms(db: Path, *args: str, repeat: int = 5) -> float:
    """Wall time of a whole `rounds` process (start-up included), median of `repeat`."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tui", "--db", str(db), *args], cwd=ROOT, check=True,
                       capture_output=True)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, nargs="+", default=[100, 2000])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    print(f"{'reviews':>8}  {'settings KB':>11}  {'load_protocol p50/p95 ms':>25}  {'… 1 item off':>13}  "
          f"{'signoff p50/p95 ms':>19}  {'review write p50 ms':>19}  {'pathways show (process) ms':>27}")
    for count in args.reviews:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "db"
            repo = fill(db, count)
            size = repo.settings_path.stat().st_size / 1024
            load = timed(lambda db=db: load_protocol(db), args.repeat)
            signoff = timed(lambda repo=repo: load_signoff(repo, repo.catalogue), args.repeat)
            write = timed(lambda repo=repo: record_review(repo, repo.catalogue, "steroid-atrophy", "review-6m",
                                                          "comment", "bench", DAY), max(5, args.repeat // 5))
            show = process_ms(db, "pathways", "show", "steroid-atrophy")
            record_review(repo, repo.catalogue, "steroid-atrophy", "review-12m", "reject", "bench", DAY)
            disable_item(repo, repo.catalogue, "steroid-atrophy", "review-12m", "bench", DAY)
            off = timed(lambda db=db: load_protocol(db), args.repeat)
            print(f"{count:>8}  {size:>11.0f}  {load[0]:>12.2f} / {load[1]:<10.2f}  {off[0]:>13.2f}  "
                  f"{signoff[0]:>8.2f} / {signoff[1]:<8.2f}  {write[0]:>19.2f}  {show:>27.0f}")


if __name__ == "__main__":
    main()
