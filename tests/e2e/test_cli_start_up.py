"""What a command loads: every `rounds ...` is a new process, so a change on the command line (issue 12:
under 80 ms, whole process) must not pay for the engine, the reviews, filelock or the UI.

Each command runs in a fresh interpreter and reports the modules it ended with; speed itself is measured
by benchmarks/rounds_bench.py, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

REPORT = """
import json, sys
from tui.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""

NEVER_FOR_A_CHANGE = ("textual", "rich", "filelock", "checklists.signoff", "store.signoff", "store.export",
                      "secrets", "hashlib", "icalendar")


def loaded(db: Path, *argv: str) -> set[str]:
    env = {**os.environ, "ROUNDS_TODAY": "2026-11-21", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", REPORT, "--db", str(db), *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    return set(report["modules"])


def _hits(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.fixture
def case_db(tmp_path):
    from seeds.loader import default_catalogue
    from store.demo import fill_demo
    from store.repository import Repository
    from datetime import date

    repo = Repository(tmp_path / "db", default_catalogue())
    fill_demo(repo, repo.catalogue, date(2026, 11, 21), 6)
    row = next(r for r in repo.list_rows(date(2026, 11, 21)).rows if r.next_due is not None)
    return repo.db_dir, row.id, row.next_due.item


def test_logging_an_event_loads_no_engine_no_reviews_no_filelock(case_db):
    db, case_id, _ = case_db
    modules = loaded(db, "log", case_id, "note", "--note", "seen in clinic")
    assert _hits(modules, NEVER_FOR_A_CHANGE + ("checklists.engine", "checklists.board")) == []


def test_marking_an_item_loads_the_engine_but_not_the_rest(case_db):
    db, case_id, item = case_db
    modules = loaded(db, "item", case_id, item, "snooze", "--until", "2027-01-01", "--reason", "away")
    assert "checklists.engine" in modules
    assert _hits(modules, NEVER_FOR_A_CHANGE) == []


def test_the_case_list_loads_no_ui_and_no_lock_library(case_db):
    db, _, _ = case_db
    modules = loaded(db, "case", "list", "--json")
    assert _hits(modules, ("textual", "rich", "filelock", "store.export", "icalendar")) == []


def test_the_disabled_mark_is_the_table_name():
    from store.protocol import _DISABLED_MARK
    from store.signoff import DISABLED_TABLE

    assert _DISABLED_MARK == f'"{DISABLED_TABLE}"'.encode()
