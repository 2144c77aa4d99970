"""`rounds check`: every file read, each problem named with its file and its fix, nothing written."""

from __future__ import annotations

import os
import stat

import orjson
import pytest

from store import migrations
from store.check import check
from tests.e2e.test_cli import run
from tests.store.people import Clinician
from tests.store.people import clinic_fixture  # noqa: F401 - fixtures


@pytest.fixture
def cases(repo, monkeypatch):
    alice = Clinician(repo, "alice", monkeypatch)
    ids = [alice.add_case(patient=f"DEMO-{n:03}") for n in range(3)]
    alice.log(ids[0], "saline")
    alice.item(ids[1], "review-6m", "done", date="2026-11-20", early=True)
    alice.policy(soon_days=10)
    return ids


def everything(directory):
    return {p: (p.read_bytes() if p.is_file() else None, p.stat().st_mtime_ns, stat.S_IMODE(p.stat().st_mode))
            for p in sorted(directory.rglob("*"))}


def rewrite(path, change):
    tables = orjson.loads(path.read_bytes())
    change(tables)
    path.write_bytes(orjson.dumps(tables))


def test_a_sound_database_is_sound_and_check_writes_nothing(repo, cases):
    temp = repo.case_path(cases[0]).with_name(f".{cases[0]}.json.dead.tmp")  # a crashed writer's leftover
    temp.write_bytes(b"half")
    for lock in repo.db_dir.rglob("*.lock"):
        lock.unlink()
    before = everything(repo.db_dir)

    result = check(repo)

    assert result.sound, [p.line() for p in result.problems]
    assert result.cases == 3
    assert everything(repo.db_dir) == before  # no lock taken, no temp removed, no cache written


DAMAGES = {
    "truncated": (0, lambda p: p.write_bytes(p.read_bytes()[:40]), "is damaged", "rounds restore --from BACKUP"),
    "unknown-pathway": (0, lambda p: rewrite(p, lambda t: t["case"]["1"].update(pathways=["knee-injection"])),
                        "names pathway knee-injection, which this Rounds does not know", "upgrade Rounds, or"),
    "unknown-item": (1, lambda p: rewrite(p, lambda t: t["case"]["1"]["items"].update({"x-ray": {"state": "done"}})),
                     "has a record for item x-ray", "rounds restore --from BACKUP"),
    "unknown-event-kind": (0, lambda p: rewrite(p, lambda t: t["events"]["1"].update(kind="laser")),
                           "event #1: field 'kind' is missing or not an event kind this Rounds knows",
                           "rounds restore"),
    "revision-behind-trail": (0, lambda p: rewrite(p, lambda t: t["case"]["1"].update(revision=1)),
                              "is at revision 1 but its audit trail ends at revision 2", "rounds restore"),
    "other-case-inside": (2, lambda p: rewrite(p, lambda t: t["case"]["1"].update(id="abcdef0123")),
                          "holds case abcdef0123", "rounds restore"),
    "newer-schema": (2, lambda p: rewrite(p, lambda t: t["meta"]["1"].update(
        schema_version=migrations.SCHEMA_VERSION + 5)), f"schema {migrations.SCHEMA_VERSION + 5}", "upgrade Rounds"),
    "open-to-others": (1, lambda p: os.chmod(p, 0o644), "can be used by every user of this computer (mode 0644)",
                       "chmod o-rwx"),
}


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_each_problem_names_its_file_and_its_fix(repo, cases, damage):
    which, do, what, fix = DAMAGES[damage]
    path = repo.case_path(cases[which])
    do(path)
    before = everything(repo.db_dir)

    result = check(repo)

    lines = [p.line() for p in result.problems]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}: ") and what in lines[0] and f"fix: {fix}" in lines[0]
    assert "DEMO-" not in lines[0]
    assert everything(repo.db_dir) == before


def test_a_case_file_in_the_wrong_folder(repo, cases):
    path = repo.case_path(cases[0])
    wrong = repo.cases_dir / "zz"
    wrong.mkdir(mode=0o750)
    os.rename(path, wrong / path.name)
    (line,) = [p.line() for p in check(repo).problems]
    assert line.startswith(str(wrong / path.name)) and f"not {cases[0][:2]}" in line and "fix: mv " in line


def test_settings_problems(repo, cases):
    rewrite(repo.settings_path, lambda t: t["policy"]["1"].update(soon_days=999, saline_min_ml="five"))
    lines = [p.line() for p in check(repo).problems]
    assert any("policy saline_min_ml is not a number" in line and "rounds config set saline_min_ml" in line
               for line in lines)
    assert any("policy soon_days is not allowed" in line for line in lines)
    repo.settings_path.unlink()
    (line,) = [p.line() for p in check(repo).problems]
    assert line.startswith(f"{repo.settings_path}: is missing") and "cp BACKUP/settings.json" in line


def test_a_shared_database_needs_group_access_everywhere(repo, cases):
    """The team's setup (setgid folder): a file the group cannot read, or a lock it cannot write, is named."""
    for folder in [repo.db_dir, *[p for p in repo.db_dir.rglob("*") if p.is_dir()]]:
        os.chmod(folder, 0o2770)
    for path in [p for p in repo.db_dir.rglob("*") if p.is_file()]:
        os.chmod(path, 0o660)
    assert check(repo).sound and check(repo).shared

    private = repo.case_path(cases[0])
    os.chmod(private, 0o600)
    lock = private.with_suffix(".lock")
    os.chmod(lock, 0o640)
    os.chmod(private.parent, 0o750)

    lines = sorted(p.line() for p in check(repo).problems)
    assert len(lines) == 3, lines
    assert any(line.startswith(f"{private}: the team cannot use this file") and f"chmod g+r {private}" in line
               and "umask 007" in line for line in lines)
    assert any(line.startswith(f"{lock}: the team cannot use this lock file") and "chmod g+rw" in line
               for line in lines)
    assert any(line.startswith(f"{private.parent}: the team cannot use this folder") and "chmod g+rwxs" in line
               for line in lines)


def test_a_file_in_another_group_is_named_with_chgrp(repo, cases):
    groups = sorted(set(os.getgroups()) - {os.stat(repo.db_dir).st_gid})
    if os.geteuid() != 0 and not groups:
        pytest.skip("needs a second group to give a file to")
    other = groups[0] if groups else 65534
    os.chmod(repo.db_dir, 0o2770)
    path = repo.case_path(cases[2])
    os.chown(path, -1, other)
    problems = [p.line() for p in check(repo).problems if p.path == path]
    assert len(problems) == 1 and "not the database's group" in problems[0] and "chgrp" in problems[0]


def test_the_command_line_exits_0_when_sound_and_1_with_one_line_a_problem(capsys, repo, cases):
    code, out, err = run(capsys, repo.db_dir, "check")
    assert code == 0 and "3 case file(s) and the settings read: no problems" in out
    os.chmod(repo.case_path(cases[0]), 0o604)
    repo.case_path(cases[1]).write_bytes(b"{")
    code, out, err = run(capsys, repo.db_dir, "check")
    assert code == 1
    assert len(out.splitlines()) == 2
    assert "2 problem(s)" in err
    code, out, _ = run(capsys, repo.db_dir, "--json", "check")
    data = orjson.loads(out)
    assert code == 1 and not data["sound"] and {p["file"] for p in data["problems"]} == {
        str(repo.case_path(cases[0])), str(repo.case_path(cases[1]))}


def test_no_database_at_all(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path / "nothing", "check")
    assert code == 1 and "there is no database here" in out and "init" in out
    assert not (tmp_path / "nothing").exists()
