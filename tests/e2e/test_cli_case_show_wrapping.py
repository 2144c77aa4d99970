"""`rounds case show` at 80 columns wraps cleanly (review defect 13): a wrapped fact continues under
its value, a wrapped note under its own start, and no line is indented twice over."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_cli import run


@pytest.fixture()
def db(tmp_path):
    return tmp_path / "db"


def _case(capsys, db) -> str:
    code, out, err = run(capsys, db, "case", "add", "--patient", "DEMO-401", "--pathway",
                         "panniculitis-lipoatrophy", "--onset", "2026-06-01")
    assert code == 0, err
    case = out.strip()
    assert run(capsys, db, "case", "set", case, "etiology", "aat-deficiency", "--date", "2026-11-05")[0] == 0
    assert run(capsys, db, "case", "set", case, "inflammation", "active", "--date", "2026-11-05")[0] == 0
    return case


def test_case_show_at_80_columns_keeps_each_block_together(capsys, db, monkeypatch):
    case = _case(capsys, db)
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = run(capsys, db, "case", "show", case)
    assert code == 0, err
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    # The etiology fact is too long for one line: it continues under its value (column 13), not at 6.
    fact = next(n for n, line in enumerate(lines) if line.startswith("  etiology   "))
    assert lines[fact + 1].startswith(" " * 13) and not lines[fact + 1].startswith(" " * 14), lines[fact:fact + 2]
    # An item's source line starts under the item's id; a wrapped one continues just right of it.
    sources = [line for line in lines if line.lstrip().startswith("source: ")]
    assert sources and all(re.match(r"^ {21}source: ", line) for line in sources), sources
    assert not any(line.startswith(" " * 30) for line in lines), [line for line in lines if line.startswith(" " * 30)]
