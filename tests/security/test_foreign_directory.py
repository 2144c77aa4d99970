"""A folder prepared by someone else: Rounds refuses to write patient data into a database directory
that another user owns (unless it is a group-shared one of the caller's groups, as `rounds init
--shared-group` makes), that others can write to, or whose group is not one of the caller's.

The attack (issue 10): another user runs `mkdir /tmp/restored && chmod 2777 /tmp/restored` first; every
file Rounds then writes there inherits that user's group, so they read every label and the
de-identification key. Simulated here by chown to uid/gid 65534, which only root can do.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.security.conftest import add_case, run, snapshot

OTHER = 65534  # "nobody": another user, and a group the caller is not in
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a folder to another user")


def prepared(path: Path, mode: int, uid: int | None = None, gid: int | None = None) -> Path:
    path.mkdir()
    if uid is not None or gid is not None:
        os.chown(path, -1 if uid is None else uid, -1 if gid is None else gid)
    os.chmod(path, mode)
    return path


WRITES = [
    ("case", "add", "--patient", "DEMO-017", "--pathway", "steroid-atrophy", "--onset", "2026-09-01"),
    ("config", "set", "soon_days", "7"),
    ("demo", "--cases", "2"),
]


def assert_refused(code: int, err: str, *words: str) -> None:
    assert code == 1, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    for word in words:
        assert word in err, err


@needs_root
@pytest.mark.parametrize("command", WRITES, ids=lambda c: " ".join(c[:2]))
def test_a_folder_made_by_another_user_for_everyone_is_refused(capsys, tmp_path, command):
    db = prepared(tmp_path / "restored", 0o2777, OTHER, OTHER)
    before = snapshot(db)
    code, out, err = run(capsys, db, *command)
    assert_refused(code, err, str(db), "another user", "rounds init")
    assert snapshot(db) == before  # not one file: no settings (the key), no case, no lock


@needs_root
def test_an_export_record_and_an_import_are_refused_too(capsys, tmp_path):
    source = tmp_path / "source"
    case_id = add_case(capsys, source)
    backup = tmp_path / "backup.json"
    assert run(capsys, source, "export", case_id, "--format", "json", "-o", str(backup))[0] == 0
    db = prepared(tmp_path / "restored", 0o2777, OTHER, OTHER)
    before = snapshot(db)
    assert_refused(*run(capsys, db, "import", str(backup))[::2], "another user")
    assert snapshot(db) == before


def test_a_folder_others_can_write_to_is_refused_and_the_fix_clears_it(capsys, tmp_path):
    db = prepared(tmp_path / "db", 0o777)
    before = snapshot(db)
    code, _, err = run(capsys, db, *WRITES[0])
    assert_refused(code, err, "other users", "chmod")
    assert snapshot(db) == before
    fix = err.split("fix it with: ")[1].strip()
    subprocess.run(shlex.split(fix), check=True)
    add_case(capsys, db)


@needs_root
def test_a_folder_of_a_group_that_is_not_yours_is_refused_and_the_fix_clears_it(capsys, tmp_path):
    db = prepared(tmp_path / "db", 0o2770, gid=OTHER)
    code, _, err = run(capsys, db, *WRITES[0])
    assert_refused(code, err, "group", "chgrp")
    assert not (db / "settings.json").exists()
    fix = err.split("fix it with: ")[1].strip()
    subprocess.run(shlex.split(fix), check=True)
    add_case(capsys, db)


@needs_root
def test_an_existing_database_handed_to_another_user_is_not_written(capsys, tmp_path):
    db = tmp_path / "db"
    case_id = add_case(capsys, db)
    os.chown(db, OTHER, OTHER)
    os.chmod(db, 0o2777)
    before = snapshot(db)
    code, _, err = run(capsys, db, "log", case_id, "saline", "--volume-ml", "10")
    assert_refused(code, err, "another user")
    assert snapshot(db) == before


@needs_root
def test_a_link_planted_by_another_user_is_refused(capsys, tmp_path):
    target = tmp_path / "mine"
    target.mkdir(mode=0o700)
    link = tmp_path / "db"
    link.symlink_to(target)
    os.lchown(link, OTHER, OTHER)
    code, _, err = run(capsys, link, *WRITES[0])
    assert_refused(code, err, "link")
    assert list(target.iterdir()) == []


@needs_root
def test_reading_such_a_folder_warns_and_writes_no_cache(capsys, tmp_path):
    db = tmp_path / "db"
    add_case(capsys, db)
    os.chown(db, OTHER, OTHER)
    os.chmod(db, 0o2777)
    (db / "index.json").unlink(missing_ok=True)
    (db / "rows.json").unlink(missing_ok=True)
    before = snapshot(db)
    code, out, err = run(capsys, db, "case", "list")
    assert code == 0 and "DEMO-017" in out
    assert "another user" in err
    assert snapshot(db) == before  # the list cache holds labels: not written there


# --- what `rounds init` makes, and the usual private folder, are accepted ----------------------


def test_a_new_folder_and_a_private_one_are_accepted(capsys, tmp_path):
    add_case(capsys, tmp_path / "new" / "db")
    add_case(capsys, prepared(tmp_path / "private", 0o700))
    add_case(capsys, prepared(tmp_path / "umask022", 0o755))  # readable by others: a warning, not a refusal


def test_a_group_shared_setgid_folder_of_the_callers_group_is_accepted(capsys, tmp_path):
    db = prepared(tmp_path / "shared", 0o2770, gid=os.getegid())
    add_case(capsys, db)


@needs_root
def test_a_colleagues_shared_folder_of_one_of_your_groups_is_accepted(capsys, tmp_path):
    """What `rounds init --shared-group clinic` leaves for the rest of the team: owned by whoever made
    it, group one of yours, setgid, nothing for others."""
    db = prepared(tmp_path / "clinic", 0o2770, OTHER, os.getegid())
    code, out, err = run(capsys, db, *WRITES[0])
    assert code == 0, err
    assert "another user" not in err


@needs_root
def test_a_colleagues_folder_that_others_can_enter_is_refused(capsys, tmp_path):
    db = prepared(tmp_path / "clinic", 0o2775, OTHER, os.getegid())
    code, _, err = run(capsys, db, *WRITES[0])
    assert_refused(code, err, "another user")


def test_the_refusal_names_no_patient_text(capsys, tmp_path):
    db = prepared(tmp_path / "db", 0o777)
    code, _, err = run(capsys, db, "case", "add", "--patient", "DEMO-SECRET", "--pathway", "hip-injection",
                       "--onset", "2026-09-01")
    assert code == 1 and "DEMO-SECRET" not in err




@needs_root
def test_an_export_from_a_database_handed_to_another_user_is_not_made(capsys, tmp_path):
    """Every export is audited in the database; where that record cannot be written, no export."""
    db = tmp_path / "db"
    add_case(capsys, db)
    os.chown(db, OTHER, OTHER)
    os.chmod(db, 0o2777)
    before = snapshot(db)
    out_file = tmp_path / "out.csv"
    code, out, err = run(capsys, db, "export", "--all", "--format", "csv", "-o", str(out_file))
    assert_refused(code, err, "another user")
    assert not out_file.exists() and snapshot(db) == before
    code, out, err = run(capsys, db, "export", "--all", "--format", "csv")
    assert_refused(code, err, "another user")
    assert "DEMO-017" not in out
