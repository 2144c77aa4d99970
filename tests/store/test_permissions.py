"""Private: nothing in a database is ever open to "other"; a group can share through umask 007."""

from __future__ import annotations

import json
import os
import stat

import pytest

from tests.store.conftest import run_python
from tests.store.helpers import add_saline

# Runs in a fresh interpreter because the store reads the umask once per process.
MAKE_DATABASE = """
import json, os, sys
os.umask(int(sys.argv[2], 8))
from datetime import date
from pathlib import Path
from checklists.models import Change
from tests.store.helpers import add_saline, make_case, make_repo

repo = make_repo(Path(sys.argv[1]) / "nested" / "db")
case_id = repo.new_case_id()
repo.add_case(make_case(case_id), [Change("case-add", "case")])
repo.update(case_id, add_saline())
repo.update_policy(lambda p: (p, [Change("policy-set", "soon_days", 14, 14)]))
repo.record_export([case_id], "json", True, "file")
repo.list_rows(date(2025, 3, 1))
modes = {}
for folder, dirs, files in os.walk(repo.db_dir):
    for name in dirs + files:
        path = os.path.join(folder, name)
        modes[os.path.relpath(path, repo.db_dir)] = os.stat(path).st_mode & 0o777
modes["."] = os.stat(repo.db_dir).st_mode & 0o777
modes[".."] = os.stat(repo.db_dir.parent).st_mode & 0o777
print(json.dumps(modes))
"""


@pytest.mark.parametrize(
    "umask, file_mode, dir_mode",
    [("022", 0o640, 0o750), ("002", 0o660, 0o770), ("007", 0o660, 0o770), ("077", 0o600, 0o700)],
    ids=["umask-022", "umask-002", "umask-007-group-shared", "umask-077"],
)
def test_new_files_and_folders_never_give_other_any_access(tmp_path, umask, file_mode, dir_mode):
    child = run_python(MAKE_DATABASE, str(tmp_path), umask)
    assert child.returncode == 0, child.stderr
    modes = json.loads(child.stdout)

    kinds = {"settings.json", "rows.json", "settings.lock", "rows.lock", "summaries"}
    assert kinds <= set(modes)
    assert any(p.endswith(".lock") and p.startswith("cases") for p in modes)
    assert any(p.endswith(".json") and p.startswith("summaries") for p in modes)
    for path, mode in modes.items():
        is_dir = path in (".", "..", "cases", "summaries") or (path.startswith("cases") and path.count(os.sep) == 1)
        assert mode & 0o007 == 0, f"{path} is open to other: {oct(mode)}"
        assert mode == (dir_mode if is_dir else file_mode), f"{path}: {oct(mode)}"


def test_an_update_keeps_the_group_access_a_team_gave_the_file(tmp_path, repo, case_id):
    """A colleague with a strict umask must not lock the group out of a case they touch."""
    path = repo.case_path(case_id)
    os.chmod(path, 0o660)
    child = run_python(
        """
        import os, sys
        os.umask(0o077)
        from pathlib import Path
        from tests.store.helpers import add_saline, make_repo
        make_repo(Path(sys.argv[1])).update(sys.argv[2], add_saline())
        """,
        str(repo.db_dir), case_id,
    )
    assert child.returncode == 0, child.stderr
    assert repo.get(case_id).revision == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o660


def test_an_update_drops_other_access_from_an_exposed_file(repo, case_id):
    path = repo.case_path(case_id)
    os.chmod(path, 0o644)
    repo.update(case_id, add_saline())
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_world_readable_files_give_a_warning_naming_the_fix(repo, case_id):
    assert repo.permission_warnings() == []
    os.chmod(repo.case_path(case_id), 0o644)
    os.chmod(repo.db_dir, 0o755)
    repo.signatures()  # a scan of every case (as a list, the board or an export makes) sees the file

    warnings = repo.permission_warnings()
    assert len(warnings) == 1
    assert f"chmod -R o-rwx {repo.db_dir}" in warnings[0]
    assert "2 file(s) or folder(s)" in warnings[0]

    os.chmod(repo.case_path(case_id), 0o640)
    os.chmod(repo.db_dir, 0o750)
    repo.signatures()
    assert repo.permission_warnings() == []


def test_every_open_folder_is_found_without_a_scan_of_the_cases(repo, case_id):
    """Folders are what keep case files out of reach, so they are checked on every command; the case
    files only by a scan made anyway (not 10,000 stats before each command)."""
    shard = repo.case_path(case_id).parent
    os.chmod(shard, 0o755)
    os.chmod(repo.cases_dir, 0o751)
    assert "2 file(s) or folder(s)" in repo.permission_warnings()[0]

    os.chmod(shard, 0o750)
    os.chmod(repo.cases_dir, 0o750)
    os.chmod(repo.case_path(case_id), 0o644)
    assert repo.permission_warnings() == []  # behind closed folders; counted once a scan sees it
    repo.signatures()
    assert "1 file(s) or folder(s)" in repo.permission_warnings()[0]
