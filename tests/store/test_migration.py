"""Schema migrations, tried on a database written by Rounds 0.1 (schema 1, tests/fixtures/db-v1):
reads change nothing; the first change backs the whole database up and brings it to this version;
a database from a newer Rounds is refused, naming its version."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson
import pytest

from store import migrations, upgrade
from tests.e2e.test_cli import run
from tests.store.people import act_as

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "db-v1"
CASES = {"e1e2e2cad9": "DEMO-V1-001", "5775a7ca12": "DEMO-V1-002", "5bdfebead2": "DEMO-V1-003",
         "d15d0ff54e": "DEMO-V1-004"}


@pytest.fixture
def old_db(tmp_path) -> Path:
    db = tmp_path / "db"
    shutil.copytree(FIXTURE, db)
    for folder, _dirs, files in os.walk(db):
        os.chmod(folder, 0o700)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o600)
    return db


def files(db: Path) -> dict[str, bytes]:
    return {str(p.relative_to(db)): p.read_bytes() for p in sorted(db.rglob("*.json"))}


def version(path: Path) -> int:
    return orjson.loads(path.read_bytes())["meta"]["1"]["schema_version"]


def as_user(monkeypatch, name):
    act_as(monkeypatch, name)


def test_the_fixture_is_what_rounds_0_1_wrote():
    assert migrations.SCHEMA_VERSION == 2
    assert {version(p) for p in FIXTURE.rglob("*.json")} == {1}
    assert len(list(FIXTURE.rglob("cases/*/*.json"))) == len(CASES)


def test_reading_an_older_database_shows_everything_and_writes_nothing(capsys, old_db):
    before = files(old_db)
    code, out, err = run(capsys, old_db, "--json", "case", "list", "--filter", "all")
    assert code == 0, err
    assert {row["id"]: row["patient"] for row in orjson.loads(out)} == CASES
    code, out, _ = run(capsys, old_db, "--json", "case", "show", "e1e2")
    shown = orjson.loads(out)
    assert [e["id"] for e in shown["events"]] == ["e1", "e2", "e3"] and shown["events"][2]["voided"]
    code, out, _ = run(capsys, old_db, "--json", "audit")
    history = orjson.loads(out)
    assert {e["who"] for e in history} == {"alice", "bob", "carol"}
    assert [e["what"] for e in history][:2] == ["case-import", "event-log e1"]
    assert run(capsys, old_db, "check")[0] == 0
    for name, data in before.items():  # the list caches may appear; no database file changed
        assert (old_db / name).read_bytes() == data
    assert not (old_db / "backups").exists()


def test_the_first_change_backs_up_the_whole_database_and_migrates_it(capsys, old_db, monkeypatch):
    before = files(old_db)
    as_user(monkeypatch, "alice")

    code, out, err = run(capsys, old_db, "log", "5bdf", "note", "--note", "first change with 0.2")

    assert code == 0, err
    assert "upgraded the database from schema 1 to 2 (4 case file(s))" in err
    (backup,) = (old_db / "backups").iterdir()
    assert backup.name.startswith("before-schema-2-")
    assert files(backup) == {**before, "backup.json": (backup / "backup.json").read_bytes()}
    for path in [old_db / "settings.json", *old_db.glob("cases/*/*.json")]:
        assert version(path) == 2, path
    settings = orjson.loads((old_db / "settings.json").read_bytes())
    trail = [settings["audit"][k] for k in sorted(settings["audit"], key=int)]
    # Each earlier write of the settings now has its own number; the upgrade is the next write.
    assert [e["revision"] for e in trail] == [1, 2, 3, 4, 5, 6]
    assert trail[-1]["action"] == "upgrade" and trail[-1]["details"]["backup"] == str(backup)
    assert settings["meta"]["1"]["revision"] == 6
    # Nothing from version 1 is lost: every case reads back as before, with the new change.
    code, out, _ = run(capsys, old_db, "--json", "case", "list", "--filter", "all")
    assert {row["id"]: row["patient"] for row in orjson.loads(out)} == CASES
    code, out, _ = run(capsys, old_db, "check")
    assert code == 0, out
    # The next change finds it current: no second backup.
    assert run(capsys, old_db, "log", "5bdf", "note", "--note", "second")[0] == 0
    assert len(list((old_db / "backups").iterdir())) == 1


def test_changes_made_before_the_upgrade_can_be_undone(capsys, old_db, monkeypatch):
    as_user(monkeypatch, "alice")
    code, out, err = run(capsys, old_db, "undo")  # her exports are passed over: records, not changes
    assert code == 0, err
    assert out.startswith("undid policy-set soon_days in the clinic policy")
    code, out, _ = run(capsys, old_db, "--json", "config", "show")
    assert orjson.loads(out)["soon_days"] == 14
    code, out, err = run(capsys, old_db, "undo", "e1e2")
    assert code == 0 and out.startswith("undid item-skip review-6m in case e1e2e2cad9"), err
    as_user(monkeypatch, "bob")
    code, out, err = run(capsys, old_db, "undo")
    assert code == 2 and "your latest change to case d15d0ff54e is importing it" in err


def test_an_upgrade_cut_short_is_finished_by_the_next_change(capsys, old_db, monkeypatch):
    real = upgrade._migrate_file
    calls = []

    def crash_on_the_third(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as if the process were stopped half-way
        return real(path, *args, **kwargs)

    monkeypatch.setattr(upgrade, "_migrate_file", crash_on_the_third)
    assert run(capsys, old_db, "case", "set", "5bdf", "status", "active")[0] == 130
    assert version(old_db / "settings.json") == 1  # the marker of a finished upgrade is written last
    monkeypatch.setattr(upgrade, "_migrate_file", real)

    code, out, err = run(capsys, old_db, "case", "set", "5bdf", "status", "active")
    assert code == 0 and "upgraded the database from schema 1 to 2" in err
    assert {version(p) for p in old_db.glob("cases/*/*.json")} == {2}
    assert len(list((old_db / "backups").iterdir())) == 2


@pytest.mark.parametrize("where", ["settings", "case"])
def test_a_database_from_a_newer_rounds_is_refused_naming_its_version(capsys, old_db, where):
    if where == "case":  # one case file from a newer Rounds in a database already at this version
        assert run(capsys, old_db, "log", "e1e2", "note", "--note", "upgrade first")[0] == 0
    path = old_db / "settings.json" if where == "settings" else next(old_db.glob("cases/5b/*.json"))
    tables = orjson.loads(path.read_bytes())
    tables["meta"]["1"]["schema_version"] = 7
    path.write_bytes(orjson.dumps(tables))
    before = files(old_db)

    code, out, err = run(capsys, old_db, "case", "set", "5bdf", "status", "closed")

    assert code == 1
    assert f"{path} was written by a newer version of Rounds (schema 7; this version reads up to 2)" in err
    assert "upgrade Rounds" in err
    assert files(old_db) == before


def test_version_2_only_adds():
    """The migration keeps every value a version-1 file had and fills in events' authors from the trail."""
    tables = {
        "meta": {"1": {"schema_version": 1, "deid_offset_days": -9000}},
        "case": {"1": {"id": "abcd0001", "revision": 2}},
        "events": {"1": {"id": "e1", "seq": 1, "kind": "note", "date": "2026-01-01"}},
        "audit": {"1": {"who": "dana", "when": "2026-01-01T10:00:00.000Z", "action": "event-log", "target": "e1"}},
    }
    original = orjson.loads(orjson.dumps(tables))
    migrated, found = migrations.upgrade(tables, Path("x.json"), "case file")
    assert found == 1 and migrated["meta"]["1"]["schema_version"] == 2
    assert migrated["events"]["1"] == {**original["events"]["1"], "recorded_by": "dana",
                                       "recorded_at": "2026-01-01T10:00:00.000Z"}
    assert migrated["audit"]["1"] == {**original["audit"]["1"], "old": None, "new": None, "reason": None,
                                      "revision": None}
    assert migrated["case"] == original["case"]


def test_a_damaged_settings_file_does_not_stop_work_on_the_cases(capsys, old_db):
    (old_db / "settings.json").write_bytes(b'{"meta": ')
    code, out, err = run(capsys, old_db, "log", "5bdf", "note", "--note", "still works")
    assert code == 0, err
    path = next(old_db.glob("cases/5b/*.json"))
    assert version(path) == 2 and path.with_name(path.name + ".v1.bak").exists()  # migrated on its own
    code, out, _ = run(capsys, old_db, "check")
    assert code == 1 and "settings.json: is damaged" in out
