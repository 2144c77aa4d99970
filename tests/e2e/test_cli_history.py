"""`rounds audit` and `rounds undo` as a clinician and a script use them."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_cli import run, snapshot
from tests.store.people import act_as


@pytest.fixture()
def db(tmp_path):
    return tmp_path / "db"


def as_user(monkeypatch, name: str) -> None:
    act_as(monkeypatch, name)


def new_case(capsys, db) -> str:
    code, out, err = run(capsys, db, "case", "add", "--patient", "DEMO-301", "--pathway", "steroid-atrophy",
                         "--onset", "2026-09-01")
    assert code == 0, err
    return out.strip()


def test_audit_lists_who_did_what_newest_first(capsys, db, monkeypatch):
    as_user(monkeypatch, "alice")
    case_id = new_case(capsys, db)
    as_user(monkeypatch, "bob")
    assert run(capsys, db, "log", case_id, "saline", "--volume-ml", "10")[0] == 0
    assert run(capsys, db, "config", "set", "soon_days", "9")[0] == 0
    assert run(capsys, db, "export", case_id, "--format", "csv", "-o", str(db.parent / "out.csv"))[0] == 0

    code, out, err = run(capsys, db, "audit")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 4
    assert "bob" in lines[0] and "Exported 1 case (csv)" in lines[0]
    assert "bob" in lines[1] and "Clinic policy: Due-soon lead (days) set to 9 (was 14)" in lines[1]
    assert "bob" in lines[2] and case_id in lines[2] and "Logged saline infiltration of 2026-11-21 (e1)" in lines[2]
    assert "alice" in lines[3] and "Added the case to " in lines[3] and "onset 2026-09-01" in lines[3]

    code, out, _ = run(capsys, db, "audit", case_id[:5], "--json", "--limit", "2")
    data = json.loads(out)
    assert [d["what"] for d in data] == ["export csv of 1 case", "event-log e1"]
    assert all(list(d)[:6] == ["when", "who", "case", "what", "old", "new"] for d in data)
    assert data[1]["case"] == case_id and data[1]["who"] == "bob"


@pytest.mark.parametrize("args", [("audit", "--limit", "0"), ("audit", "--limit", "x"), ("audit", "zz"),
                                  ("undo", "nosuchcase")])
def test_bad_input_is_one_line_and_exit_2(capsys, db, monkeypatch, args):
    as_user(monkeypatch, "alice")
    new_case(capsys, db)
    before = snapshot(db)
    code, out, err = run(capsys, db, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert snapshot(db) == before


def test_undo_reverts_and_a_colleagues_later_change_refuses_it(capsys, db, monkeypatch):
    as_user(monkeypatch, "alice")
    case_id = new_case(capsys, db)
    assert run(capsys, db, "item", case_id, "review-6m", "skip", "--reason", "moved away")[0] == 0
    assert run(capsys, db, "log", case_id, "note", "--note", "phoned")[0] == 0
    code, out, err = run(capsys, db, "undo", case_id)
    assert code == 0, err
    assert out.startswith(f"undid event-log e1 in case {case_id}")

    as_user(monkeypatch, "bob")
    assert run(capsys, db, "item", case_id, "review-6m", "reopen")[0] == 0
    as_user(monkeypatch, "alice")
    before = snapshot(db)
    code, out, err = run(capsys, db, "undo")
    assert code == 2 and out == ""
    assert "bob changed item-reopen review-6m" in err and "nothing was undone" in err
    assert len(err.strip().splitlines()) == 1
    assert snapshot(db) == before

    code, out, _ = run(capsys, db, "--json", "case", "show", case_id)
    shown = json.loads(out)
    assert shown["events"][0]["voided"] is True


def test_undo_with_nothing_to_undo_says_so(capsys, db, monkeypatch):
    as_user(monkeypatch, "alice")
    new_case(capsys, db)
    as_user(monkeypatch, "carol")
    code, out, err = run(capsys, db, "undo")
    assert code == 2 and "carol has made no change in this database that can be undone" in err


def test_backup_and_restore_from_the_command_line(capsys, db, tmp_path, monkeypatch):
    as_user(monkeypatch, "alice")
    case_id = new_case(capsys, db)
    to = tmp_path / "nightly"
    code, out, err = run(capsys, db, "backup", "--to", str(to))
    assert code == 0, err
    assert out.strip() == f"backed up 1 case and the clinic settings to {to}"
    assert run(capsys, db, "case", "set", case_id, "status", "closed")[0] == 0

    as_user(monkeypatch, "bob")
    code, out, err = run(capsys, db, "--json", "restore", "--from", str(to), case_id[:6])
    assert code == 0, err
    assert json.loads(out)["restored"] == [case_id]
    code, out, _ = run(capsys, db, "--json", "audit", case_id, "--limit", "1")
    (entry,) = json.loads(out)
    assert (entry["who"], entry["what"]) == ("bob", f"case-restore from {to}")

    before = snapshot(db)
    code, out, err = run(capsys, db, "backup", "--to", str(to))
    assert code == 2 and "is not empty" in err and snapshot(db) == before
    code, out, err = run(capsys, db, "restore", "--from", str(to), "0000ffff")
    assert code == 2 and "not in the backup" in err and snapshot(db) == before
