"""Shared helpers for the security tests: run `rounds` in-process, photograph a database's files,
and edit a case file on disk as an attacker (or a damaged disk) would."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from tui.cli import main

TODAY = "2026-11-21"
LABEL = "DEMO-017"


def run(capsys, db: Path, *args: str, today: str = TODAY) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--today", today, *args])
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under `root` (itself included): kind, bytes, mode, owner. "Nothing changed" keeps it."""
    if not os.path.lexists(root):
        return {}
    found = {}
    for path in [root, *sorted(root.rglob("*"))]:
        info = os.lstat(path)
        data = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
        found[str(path.relative_to(root))] = (info.st_mode, info.st_uid, info.st_gid, data)
    return found


def add_case(capsys, db: Path, label: str = LABEL, *extra: str) -> str:
    code, out, err = run(capsys, db, "case", "add", "--patient", label, "--pathway", "steroid-atrophy",
                         "--onset", "2026-09-01", "--injection-date", "2026-08-15", *extra)
    assert code == 0, err
    return out.strip()


def case_file(db: Path, case_id: str) -> Path:
    return db / "cases" / case_id[:2] / f"{case_id}.json"


def read_tables(path: Path) -> dict:
    return orjson.loads(path.read_bytes())


def write_tables(path: Path, tables: dict) -> None:
    path.write_bytes(orjson.dumps(tables))


def edit_case_doc(db: Path, case_id: str, **changes) -> None:
    """Set fields of the stored case document directly, as a hand edit or a hostile colleague would."""
    path = case_file(db, case_id)
    tables = read_tables(path)
    tables["case"]["1"].update(changes)
    write_tables(path, tables)


@pytest.fixture()
def db(tmp_path) -> Path:
    return tmp_path / "db"
