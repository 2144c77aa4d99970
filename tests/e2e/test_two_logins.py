"""Two real login accounts on one machine sharing one database, as a clinic would set it up
(docs/TEAM.md): a Unix group, `rounds init --shared-group`, `umask 007`. Both see each
other's changes, the history names the right person, undo and restore work, and `rounds check` is
clean. Needs root (to add the accounts, removed again afterwards); skipped otherwise.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-11-21"


def _tool(name: str) -> str | None:
    return shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if os.path.exists(p)), None)


pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not all(_tool(t) for t in ("useradd", "userdel", "groupadd", "groupdel", "su")),
    reason="needs root and useradd/groupadd/su to make two real login accounts",
)


class Login:
    """A login account that runs `rounds` with its own uid, groups, umask and login name."""

    def __init__(self, name: str, python: str, db: Path):
        self.name, self.python, self.db = name, python, db

    def shell(self, script: str) -> subprocess.CompletedProcess:
        return subprocess.run([_tool("su"), "-s", "/bin/bash", self.name, "-c", script],
                              capture_output=True, text=True, timeout=120, cwd="/")

    def rounds(self, *args: str, umask: str = "007") -> subprocess.CompletedProcess:
        env = f"PYTHONPATH={shlex.quote(_python_path())} ROUNDS_TODAY={TODAY}"
        command = " ".join(shlex.quote(a) for a in (self.python, "-m", "tui", "--db", str(self.db), *args))
        return self.shell(f"umask {umask}; unset SUDO_USER; {env} {command}")

    def ok(self, *args: str, **options) -> str:
        done = self.rounds(*args, **options)
        assert done.returncode == 0, f"{self.name}: rounds {' '.join(args)}: {done.stderr}"
        return done.stdout


def _python_path() -> str:
    return f"{ROOT}{os.pathsep}{sysconfig.get_paths()['purelib']}"


def _python_for(user: str) -> str | None:
    """An interpreter the test account may run (this one may sit in root's home), with our packages."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for python in (sys.executable, f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"):
        probe = subprocess.run(
            [_tool("su"), "-s", "/bin/bash", user, "-c",
             f"PYTHONPATH={shlex.quote(_python_path())} {shlex.quote(python)} -c 'import orjson, tinydb, filelock'"],
            capture_output=True, text=True, cwd="/",
        )
        if probe.returncode == 0:
            return python
    return None


@pytest.fixture
def clinic():
    """A group, two accounts in it, and a place for the team's database; all removed afterwards."""
    suffix = secrets.token_hex(3)
    group, names = f"rclinic{suffix}", [f"ralice{suffix}", f"rbob{suffix}"]
    base = Path(tempfile.mkdtemp(prefix="rounds-two-logins-", dir="/tmp"))
    made_group, made_users = False, []
    try:
        subprocess.run([_tool("groupadd"), group], check=True, capture_output=True)
        made_group = True
        for name in names:
            subprocess.run([_tool("useradd"), "-M", "-N", "-G", group, "-s", "/bin/bash", name], check=True,
                           capture_output=True)
            made_users.append(name)
        # What an administrator prepares: a folder the team (and nobody else) can get into.
        os.chown(base, 0, int(subprocess.run(["getent", "group", group], capture_output=True, text=True,
                                             check=True).stdout.split(":")[2]))
        os.chmod(base, 0o2770)
        python = _python_for(names[0])
        if python is None:
            pytest.skip("no Python interpreter the test accounts may run")
        db = base / "clinic-db"
        yield group, Login(names[0], python, db), Login(names[1], python, db), base
    finally:
        for name in made_users:
            subprocess.run([_tool("userdel"), name], capture_output=True)
        if made_group:
            subprocess.run([_tool("groupdel"), group], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_two_clinicians_share_one_database(clinic):
    group, alice, bob, base = clinic

    # Setting up, as docs/TEAM.md says.
    out = alice.ok("init", "--shared-group", group)
    assert f"shared with group {group} (setgid, no access for others)" in out

    # Alice adds a case and logs a session; Bob sees it and works on it; Alice sees Bob's work.
    case_id = alice.ok("case", "add", "--patient", "DEMO-501", "--pathway", "steroid-atrophy",
                       "--onset", "2026-09-01").strip()
    alice.ok("log", case_id, "saline", "--volume-ml", "10")
    listed = json.loads(bob.ok("--json", "case", "list"))
    assert [row["id"] for row in listed] == [case_id]
    bob.ok("log", case_id, "note", "--note", "phoned the patient")
    bob.ok("item", case_id, "review-6m", "skip", "--reason", "moved away", umask="077")  # a strict umask too
    shown = json.loads(alice.ok("--json", "case", "show", case_id))
    assert [e["kind"] for e in shown["events"]] == ["saline", "note"]
    assert next(i for i in shown["items"] if i["id"] == "review-6m")["state"] == "skipped"

    # The history names the right person for each change.
    history = json.loads(alice.ok("--json", "audit", case_id))
    assert [(e["who"], e["what"]) for e in history] == [
        (bob.name, "item-skip review-6m"), (bob.name, "event-log e2"),
        (alice.name, "event-log e1"), (alice.name, "case-add"),
    ]

    # Undo: each reverts their own latest change; a colleague's change to the same thing refuses it.
    assert alice.ok("undo").startswith(f"undid event-log e1 in case {case_id}")
    bob.ok("log", case_id, "note", "--note", "second call")
    bob.ok("event", "void", case_id, "e3", "--reason", "duplicate")
    refused = alice.rounds("undo", case_id)
    assert refused.returncode == 2 and "adding it, which cannot be undone" in refused.stderr
    assert bob.ok("undo").startswith(f"undid event-void e3 in case {case_id}")
    events = {e["id"]: e for e in json.loads(alice.ok("--json", "case", "show", case_id))["events"]}
    assert events["e1"]["voided"] and not events["e3"]["voided"]

    # Backup by one, a mistake by the other, restore from the backup, all named in the history.
    backups = base / "backups"
    bob.shell(f"umask 007; mkdir {shlex.quote(str(backups))}")
    bob.ok("backup", "--to", str(backups / "monday"))
    alice.ok("case", "set", case_id, "status", "closed")
    restored = json.loads(bob.ok("--json", "restore", "--from", str(backups / "monday"), case_id))
    assert restored["restored"] == [case_id]
    assert json.loads(alice.ok("--json", "case", "show", case_id))["status"] == "active"
    newest = json.loads(alice.ok("--json", "audit", "--limit", "2"))
    assert (newest[0]["who"], newest[0]["what"]) == (bob.name, f"case-restore from {backups / 'monday'}")
    assert (newest[1]["who"], newest[1]["what"]) == (alice.name, "field-set status")

    # Everything is the team's and nobody else's: check is clean for both.
    for login in (alice, bob):
        done = login.rounds("check")
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"shared with group {group}: no problems" in done.stdout
    for path in [alice.db, *alice.db.rglob("*")]:
        info = path.stat()
        assert info.st_mode & 0o007 == 0, path
        assert info.st_mode & 0o060 == 0o060, path

    # Someone outside the group gets nothing.
    outsider = subprocess.run([_tool("su"), "-s", "/bin/bash", "nobody", "-c",
                               f"ls {shlex.quote(str(alice.db))}"], capture_output=True, text=True)
    assert outsider.returncode != 0
