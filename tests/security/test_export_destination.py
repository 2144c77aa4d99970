"""Export over anything: `export -o` writes only a new file or replaces a regular file, never a link,
a device, a pipe or a folder, and never anything inside the database (whatever path leads there).

The attack (issue 10): `-o DB/settings.json` replaced the settings (a new de-identification key,
default policy, the export audit gone); `-o DB/cases/xx/ID.json` destroyed a case; device nodes and
symlinks were replaced by a regular file.
"""

from __future__ import annotations

import os
import stat

import pytest

from tests.security.conftest import add_case, case_file, run, snapshot


def export_to(capsys, db, target) -> tuple[int, str, str]:
    return run(capsys, db, "export", "--all", "--format", "csv", "-o", str(target))


def assert_refused(code: int, err: str, *words: str) -> None:
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1
    for word in words:
        assert word in err, err


@pytest.fixture()
def db_with_case(capsys, db):
    add_case(capsys, db)
    return db


@pytest.mark.parametrize("inside", ["settings.json", "case", "index.json", "new-file.csv", "cases/new.csv"])
def test_no_path_inside_the_database(capsys, db_with_case, inside):
    db = db_with_case
    case_id = next((db / "cases").rglob("*.json")).stem
    target = case_file(db, case_id) if inside == "case" else db / inside
    before = snapshot(db)
    code, out, err = export_to(capsys, db, target)
    assert_refused(code, err, "inside the database")
    assert snapshot(db) == before


def test_no_roundabout_path_into_the_database_either(capsys, db_with_case, tmp_path, monkeypatch):
    db = db_with_case
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "door").symlink_to(db)  # a link to the database folder, in another folder
    before = snapshot(db)
    for target in (tmp_path / "elsewhere" / ".." / "db" / "settings.json", tmp_path / "door" / "settings.json"):
        code, _, err = export_to(capsys, db, target)
        assert_refused(code, err, "inside the database")
    monkeypatch.chdir(db)
    code, _, err = export_to(capsys, db, "settings.json")
    assert_refused(code, err, "inside the database")
    assert snapshot(db) == before


def test_no_symbolic_link(capsys, db_with_case, tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    link = tmp_path / "out.csv"
    link.symlink_to(precious)
    code, _, err = export_to(capsys, db_with_case, link)
    assert_refused(code, err, "link")
    assert link.is_symlink() and precious.read_text() == "keep me"


def test_no_dangling_symbolic_link(capsys, db_with_case, tmp_path):
    link = tmp_path / "out.csv"
    link.symlink_to(tmp_path / "not-yet")
    code, _, err = export_to(capsys, db_with_case, link)
    assert_refused(code, err, "link")
    assert link.is_symlink() and not (tmp_path / "not-yet").exists()


def test_no_named_pipe(capsys, db_with_case, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, _, err = export_to(capsys, db_with_case, fifo)
    assert_refused(code, err, "not a regular file")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can make a device node")
def test_no_device_node(capsys, db_with_case, tmp_path):
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    code, _, err = export_to(capsys, db_with_case, device)
    assert_refused(code, err, "not a regular file")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_no_folder(capsys, db_with_case, tmp_path):
    code, _, err = export_to(capsys, db_with_case, tmp_path)
    assert_refused(code, err, "folder")


def test_a_new_file_and_a_regular_file_are_fine(capsys, db_with_case, tmp_path):
    new = tmp_path / "new.csv"
    assert export_to(capsys, db_with_case, new)[0] == 0
    assert "DEMO-017" in new.read_text()
    new.write_text("old export")
    assert export_to(capsys, db_with_case, new)[0] == 0
    assert "DEMO-017" in new.read_text()
