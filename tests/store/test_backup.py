"""Backup and restore: a private, whole copy; cases brought back as audited changes, nothing deleted."""

from __future__ import annotations

import os
import stat

import orjson
import pytest

from store.backup import MANIFEST, RESTORE_VOID_REASON, BackupError, backup, restore
from store.errors import CorruptCaseFile
from store.history import history
from store.undo import UndoRefused
from tests.store.people import alice, bob, clinic_fixture  # noqa: F401 - fixtures


@pytest.fixture
def clinic(repo, alice):
    """Three cases with some history, and a policy of the clinic's own."""
    ids = [alice.add_case(patient=f"DEMO-{n:03}") for n in range(3)]
    alice.log(ids[0], "saline", volume_ml="12")
    alice.item(ids[1], "review-6m", "skip", reason="moved away")
    alice.policy(soon_days=10)
    return ids


def files_under(directory):
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


def test_a_backup_is_a_private_whole_copy_with_a_manifest(repo, alice, clinic, tmp_path):
    to = tmp_path / "backups" / "monday"
    settings = repo.settings_path.read_bytes()
    result = alice.act(lambda: backup(repo, to))

    assert result.cases == 3 and result.skipped == []
    for case_id in clinic:
        copy = to / "cases" / case_id[:2] / f"{case_id}.json"
        assert copy.read_bytes() == repo.case_path(case_id).read_bytes()
    assert (to / "settings.json").read_bytes() == settings  # the backup's own record comes after it
    assert not any(name.endswith(("index.json", "rows.json", ".lock")) for name in files_under(to))
    for path in [to, *to.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) & 0o007 == 0, path
    manifest = orjson.loads((to / MANIFEST).read_bytes())
    assert manifest["format"] == "rounds-backup" and manifest["by"] == "alice"
    assert manifest["cases"] == {clinic[0]: 2, clinic[1]: 2, clinic[2]: 1}
    newest = history(repo, limit=1)[0]
    assert (newest.who, newest.what) == ("alice", f"backup of 3 cases to {to}")


@pytest.mark.parametrize("where", ["not-empty", "inside", "a-file"])
def test_a_backup_refuses_a_destination_it_could_damage(repo, alice, clinic, tmp_path, where):
    to = {"not-empty": tmp_path / "full", "inside": repo.db_dir / "copy", "a-file": tmp_path / "file"}[where]
    if where == "not-empty":
        to.mkdir()
        (to / "keep.txt").write_text("mine")
    if where == "a-file":
        to.write_text("mine")
    before = files_under(repo.db_dir)
    with pytest.raises(BackupError) as refused:
        backup(repo, to)
    assert str(to) in str(refused.value)
    assert files_under(repo.db_dir) == before


def test_a_damaged_case_is_left_out_and_named(repo, alice, clinic, tmp_path):
    repo.case_path(clinic[2]).write_bytes(b'{"case": ')
    result = backup(repo, tmp_path / "b")
    assert result.cases == 2
    (line,) = result.skipped
    assert clinic[2] in line and "damaged" in line
    assert not (tmp_path / "b" / "cases" / clinic[2][:2] / f"{clinic[2]}.json").exists()


def test_restoring_a_case_brings_back_its_state_as_a_new_revision(repo, alice, bob, clinic, tmp_path):
    first = clinic[0]
    alice.act(lambda: backup(repo, tmp_path / "b"))
    backed_up = repo.get(first)
    bob.log(first, "note", note="after the backup")
    bob.set(first, "status", "resolved")
    trail_before = repo.audit_trail(first)

    result = bob.act(lambda: restore(repo, tmp_path / "b", [first[:5]]))

    assert result.restored == [first]
    case = repo.get(first)
    assert case.status == backed_up.status and case.items == backed_up.items
    assert case.revision == 5  # 2 at the backup, 2 changes since, then the restore
    later = case.event("e2")
    assert later.voided and later.void_reason == RESTORE_VOID_REASON and later.note == "after the backup"
    assert [e for e in case.events if e.id != "e2"] == list(backed_up.events)
    trail = repo.audit_trail(first)
    assert trail[: len(trail_before)] == trail_before  # the trail only grows
    entry = history(repo, first, limit=1)[0]
    assert (entry.who, entry.action, entry.details["from"]) == ("bob", "case-restore", str(tmp_path / "b"))
    # A second restore finds it already as backed up and writes nothing.
    signature = repo.case_signature(first)
    assert bob.act(lambda: restore(repo, tmp_path / "b", [first])).unchanged == [first]
    assert repo.case_signature(first) == signature
    # Changes from before the restore cannot be undone piecemeal any more.
    with pytest.raises(UndoRefused, match="bob changed case-restore"):
        alice.undo(first)


def test_a_missing_case_is_recreated_with_its_trail(repo, alice, clinic, tmp_path):
    gone = clinic[1]
    alice.act(lambda: backup(repo, tmp_path / "b"))
    original = repo.case_path(gone).read_bytes()
    trail = repo.audit_trail(gone)
    os.unlink(repo.case_path(gone))

    result = alice.act(lambda: restore(repo, tmp_path / "b", [gone]))

    assert result.recreated == [gone]
    case = repo.get(gone)
    assert case.revision == 3 and case.items["review-6m"].state == "skipped"
    assert repo.audit_trail(gone)[:-1] == trail
    assert repo.audit_trail(gone)[-1].action == "case-restore"
    old_meta = orjson.loads(original)["meta"]["1"]
    assert orjson.loads(repo.case_path(gone).read_bytes())["meta"]["1"] == old_meta  # same de-id offset


def test_a_damaged_case_is_moved_aside_and_recreated(repo, alice, clinic, tmp_path):
    bad = clinic[0]
    alice.act(lambda: backup(repo, tmp_path / "b"))
    repo.case_path(bad).write_bytes(b"\x00\x00 half a case")
    with pytest.raises(CorruptCaseFile):
        repo.get(bad)

    result = alice.act(lambda: restore(repo, tmp_path / "b", [bad]))

    assert result.recreated == [bad]
    (aside,) = result.moved_aside
    assert aside.read_bytes() == b"\x00\x00 half a case" and aside.parent == repo.case_path(bad).parent
    assert repo.get(bad).events[0].volume_ml == 12
    assert sorted(r.id for r in repo.list_rows(repo_today()).rows) == sorted(clinic)


def repo_today():
    from tests.store.people import TODAY

    return TODAY


def test_restoring_everything_brings_back_the_policy_in_one_change(repo, alice, bob, clinic, tmp_path):
    alice.act(lambda: backup(repo, tmp_path / "b"))
    bob.policy(soon_days=3, recurrence_months=12)
    newer = bob.add_case(patient="DEMO-900")

    result = bob.act(lambda: restore(repo, tmp_path / "b"))

    assert sorted(result.policy_keys) == ["recurrence_months", "soon_days"]
    assert (repo.policy().soon_days, repo.policy().recurrence_months) == (10, 6)
    restoring = [e for e in repo.settings_audit() if e.details and e.details.get("from")]
    assert len(restoring) == 2 and len({e.revision for e in restoring}) == 1
    assert sorted(result.unchanged) == sorted(clinic)
    assert repo.get(newer).patient == "DEMO-900"  # not in the backup: left as it is


def test_a_case_not_in_the_backup_stops_the_restore_before_anything_is_written(repo, alice, clinic, tmp_path):
    alice.act(lambda: backup(repo, tmp_path / "b"))
    alice.set(clinic[0], "status", "resolved")
    before = {p: p.read_bytes() for p in repo.db_dir.rglob("*.json")}
    with pytest.raises(BackupError, match="case ffff0000 is not in the backup"):
        restore(repo, tmp_path / "b", [clinic[0], "ffff0000"])
    assert {p: p.read_bytes() for p in repo.db_dir.rglob("*.json")} == before


@pytest.mark.parametrize("what", ["missing", "empty-dir", "the-database", "bad-manifest"])
def test_restore_refuses_what_is_not_a_backup(repo, alice, clinic, tmp_path, what):
    source = {"missing": tmp_path / "nope", "empty-dir": tmp_path / "empty", "the-database": repo.db_dir,
              "bad-manifest": tmp_path / "b"}[what]
    if what == "empty-dir":
        source.mkdir()
    if what == "bad-manifest":
        backup(repo, source)
        (source / MANIFEST).write_bytes(b'{"format": "something else"}')
    with pytest.raises(BackupError):
        restore(repo, source)
