"""`rounds import` writes every case or none: a failure after two of three takes the two back."""

from __future__ import annotations

import errno

import pytest

from checklists import actions
from store.errors import WriteFailed
from store.export.importer import ImportStopped, import_cases, read_export
from store.repository import Repository
from tests.e2e.test_cli import run
from tests.export.conftest import TODAY, fixed_now
from tests.export.test_import import export_json


def failing_on(n: int, error: BaseException, then=None):
    """Repository.import_case that fails on its n-th call (after `then(repo)` has run, if given)."""
    real = Repository.import_case
    calls = []

    def import_case(self, case, audit, changes):
        calls.append(case.id)
        if len(calls) == n:
            if then is not None:
                then(self)
            raise error
        return real(self, case, audit, changes)

    return import_case


def full_disk(path="x") -> WriteFailed:
    return WriteFailed(path, OSError(errno.ENOSPC, "No space left on device"))


@pytest.mark.parametrize("error", [full_disk(), KeyboardInterrupt()], ids=["disk-full", "interrupted"])
def test_a_failure_part_way_leaves_no_case_and_no_policy_behind(demo, tmp_path, monkeypatch, error):
    demo.repo.update_policy_values({"soon_days": "21"})  # so that an import into an empty db brings it
    plan = read_export(export_json(demo, tmp_path / "all.json"), demo.catalogue)
    assert len(plan.cases) >= 3
    target = Repository(tmp_path / "target", demo.catalogue, now=fixed_now)
    monkeypatch.setattr(Repository, "import_case", failing_on(3, error))

    # A failed write stops the import with one line saying so; an interrupt is left to end the program.
    with pytest.raises(ImportStopped if isinstance(error, WriteFailed) else type(error)):
        import_cases(target, plan)

    assert target.signatures() == {}
    assert target.policy().soon_days == 14  # the export's policy did not come along half-way
    assert list((tmp_path / "target").rglob("*.json")) == [tmp_path / "target" / "settings.json"]


def test_a_case_someone_worked_on_meanwhile_is_kept(demo, tmp_path, monkeypatch):
    plan = read_export(export_json(demo, tmp_path / "all.json"), demo.catalogue)
    first = plan.cases[0].case.id
    target = Repository(tmp_path / "target", demo.catalogue, now=fixed_now)

    def colleague_logs(repo):
        repo.update(first, lambda c: actions.log_event(c, "note", {"note": "phoned"}, today=TODAY))

    monkeypatch.setattr(Repository, "import_case", failing_on(3, full_disk(), then=colleague_logs))
    with pytest.raises(ImportStopped, match="1 that someone has worked on since stay"):
        import_cases(target, plan)
    assert list(target.signatures()) == [first]  # their note is not lost with the rollback


def test_the_command_line_says_so_in_one_line_and_writes_no_case(capsys, demo, tmp_path, monkeypatch):
    source = export_json(demo, tmp_path / "all.json")
    target = tmp_path / "target"
    monkeypatch.setattr(Repository, "import_case", failing_on(2, full_disk(target / "cases" / "ab" / "ab12.json")))
    code, out, err = run(capsys, target, "import", str(source))
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "no space left on device" in err.lower()
    assert not list(target.rglob("cases/*/*.json"))
