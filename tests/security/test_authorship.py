"""Faked authorship: the audit trail names who really acted.

The attack (issue 10): `SUDO_USER=someone rounds ...` recorded "someone" without any sudo (and
`USER=someone` / `LOGNAME=someone` did the same through getpass); `import` kept `who`/`when` as
written in the file, so anyone could write history in a colleague's name.
"""

from __future__ import annotations

import os
import pwd

import orjson
import pytest

import store.audit
from store.audit import current_user
from tests.security.conftest import add_case, run

ME = pwd.getpwuid(os.geteuid()).pw_name
# A real account that is not the caller, for sudo as it really sets the variables.
OTHER = next(p for p in pwd.getpwall() if p.pw_uid not in (0, os.geteuid()))


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("SUDO_USER", "SUDO_UID", "SUDO_GID", "SUDO_COMMAND"):
        monkeypatch.delenv(name, raising=False)


def test_environment_variables_alone_name_nobody(monkeypatch):
    monkeypatch.setenv("SUDO_USER", "dr.someone")
    monkeypatch.setenv("USER", "dr.someone")
    monkeypatch.setenv("LOGNAME", "dr.someone")
    assert current_user() == ME


def test_sudo_user_counts_only_for_root_acting_through_sudo(monkeypatch):
    monkeypatch.setenv("SUDO_USER", OTHER.pw_name)
    monkeypatch.setenv("SUDO_UID", str(OTHER.pw_uid))
    monkeypatch.setattr(store.audit, "_effective_uid", lambda: 0)
    assert current_user() == OTHER.pw_name  # root, through sudo, for a real account: that person
    monkeypatch.setenv("SUDO_UID", str(OTHER.pw_uid + 1))
    assert current_user() != OTHER.pw_name  # the uid sudo would have set does not match the name
    monkeypatch.delenv("SUDO_UID")
    assert current_user() != OTHER.pw_name  # sudo always sets both
    monkeypatch.setenv("SUDO_USER", "nobody-such-account")
    monkeypatch.setenv("SUDO_UID", "4242")
    assert current_user() != "nobody-such-account"


def test_sudo_user_is_ignored_when_not_root(monkeypatch):
    monkeypatch.setenv("SUDO_USER", OTHER.pw_name)
    monkeypatch.setenv("SUDO_UID", str(OTHER.pw_uid))
    monkeypatch.setattr(store.audit, "_effective_uid", lambda: 4242)
    assert current_user() != OTHER.pw_name


def test_the_command_line_records_the_real_account(capsys, db, monkeypatch):
    monkeypatch.setenv("SUDO_USER", "dr.someone")
    monkeypatch.setenv("USER", "dr.someone")
    case_id = add_case(capsys, db)
    code, out, _ = run(capsys, db, "export", case_id, "--format", "json")
    trail = orjson.loads(out)["cases"][0]["audit"]
    assert [entry["who"] for entry in trail] == [ME]


def test_imported_history_is_kept_but_marked_with_who_imported_it_and_when(capsys, tmp_path, monkeypatch):
    source = tmp_path / "source"
    case_id = add_case(capsys, source)
    out = tmp_path / "export.json"
    assert run(capsys, source, "export", case_id, "--format", "json", "-o", str(out))[0] == 0
    doc = orjson.loads(out.read_bytes())
    doc["cases"][0]["audit"][0]["who"] = "dr.framed"  # history written in a colleague's name
    out.write_bytes(orjson.dumps(doc))

    target = tmp_path / "target"
    assert run(capsys, target, "import", str(out))[0] == 0
    assert run(capsys, target, "export", case_id, "--format", "json", "-o", str(tmp_path / "again.json"))[0] == 0
    trail = orjson.loads((tmp_path / "again.json").read_bytes())["cases"][0]["audit"]
    added, imported = trail
    assert added["who"] == "dr.framed"  # kept as it was ...
    assert added["imported"]["by"] == ME and added["imported"]["at"]  # ... but marked as imported
    assert imported["action"] == "case-import" and imported["who"] == ME and not imported.get("imported")
