"""`rounds init`: a private database, or one a team shares through a Unix group (setgid, nothing for others)."""

from __future__ import annotations

import grp
import json
import os
import stat

import pytest

from tests.e2e.test_cli import run
from tests.store.conftest import run_python


def modes(db):
    return {p: (stat.S_IMODE(p.stat().st_mode) | (p.stat().st_mode & stat.S_ISGID), p.stat().st_gid)
            for p in [db, *db.rglob("*")]}


def my_group() -> str:
    return grp.getgrgid(os.getegid()).gr_name


def test_a_private_database(capsys, tmp_path):
    db = tmp_path / "clinic" / "db"
    code, out, err = run(capsys, db, "init")
    assert code == 0, err
    assert out.strip() == f"created the database {db} (private: no access for other users)"
    assert (db / "cases").is_dir() and (db / "settings.json").is_file()
    assert all(mode & 0o007 == 0 for mode, _ in modes(db).values())
    assert run(capsys, db, "check")[0] == 0
    code, out, _ = run(capsys, db, "init")  # again: nothing to do, nothing lost
    assert code == 0 and "the database is ready" in out


def test_a_team_database_is_group_owned_setgid_and_closed_to_others(capsys, tmp_path):
    db = tmp_path / "team" / "db"
    group = my_group()
    code, out, err = run(capsys, db, "init", "--shared-group", group)
    assert code == 0, err
    assert f"shared with group {group} (setgid, no access for others)" in out and "umask 007" in out
    gid = grp.getgrnam(group).gr_gid
    found = modes(db)
    assert found[db] == (0o2770, gid) and found[db / "cases"] == (0o2770, gid)
    assert found[db / "settings.json"] == (0o660, gid)
    assert os.stat(db.parent).st_gid == gid and stat.S_IMODE(os.stat(db.parent).st_mode) & 0o007 == 0
    code, out, _ = run(capsys, db, "check")
    assert code == 0 and f"shared with group {group}: no problems" in out


# A colleague with a strict umask adds a case: in the team's setgid folder it is still theirs to share.
STRICT_COLLEAGUE = """
import os, sys
os.umask(0o077)
from tui.cli import main
sys.exit(main(["--db", sys.argv[1], "--today", "2026-11-21", "case", "add", "--patient", "DEMO-401",
               "--pathway", "steroid-atrophy", "--onset", "2026-09-01"]))
"""


def test_in_a_team_database_new_files_are_the_teams_whatever_the_umask(capsys, tmp_path):
    db = tmp_path / "db"
    assert run(capsys, db, "init", "--shared-group", my_group())[0] == 0
    child = run_python(STRICT_COLLEAGUE, str(db))
    assert child.returncode == 0, child.stderr
    case_id = child.stdout.strip()
    path = db / "cases" / case_id[:2] / f"{case_id}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o660
    assert stat.S_IMODE(path.with_suffix(".lock").stat().st_mode) == 0o660
    shard = path.parent.stat()
    assert stat.S_IMODE(shard.st_mode) == 0o2770
    assert run(capsys, db, "check")[0] == 0


def test_an_existing_private_database_is_brought_into_shape(capsys, tmp_path):
    db = tmp_path / "db"
    assert run(capsys, db, "case", "add", "--patient", "DEMO-402", "--pathway", "steroid-atrophy",
               "--onset", "2026-09-01")[0] == 0
    os.chmod(db, 0o755)  # and someone opened it up by hand
    code, out, _ = run(capsys, db, "init", "--shared-group", my_group())
    assert code == 0 and "the database is ready" in out
    for path, (mode, _) in modes(db).items():
        assert mode & 0o007 == 0, path
        assert mode & 0o060 == 0o060, path
    assert run(capsys, db, "check")[0] == 0
    code, out, _ = run(capsys, db, "--json", "audit", "--limit", "1")
    assert json.loads(out)[0]["what"] == f"init (shared with group {my_group()})"


@pytest.mark.parametrize("case", ["unknown-group", "not-a-database", "a-file"])
def test_refusals_are_one_line_exit_2_and_change_nothing(capsys, tmp_path, case):
    db = tmp_path / "db"
    args = ["init"]
    if case == "unknown-group":
        args += ["--shared-group", "no-such-group-for-rounds"]
    if case == "not-a-database":
        db.mkdir(mode=0o700)
        (db / "thesis.txt").write_text("mine")
    if case == "a-file":
        db.write_text("mine")
    before = sorted(tmp_path.rglob("*"))
    code, out, err = run(capsys, db, *args)
    # A --db that names a file is bad input (exit 2), as for every other command.
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert sorted(tmp_path.rglob("*")) == before
