"""Clinicians for the history, undo and restore tests: a real repository (engine and catalogue) whose
clock ticks a second a call, and a way to act as a named login."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from checklists import actions
from seeds.loader import default_catalogue
from store.repository import Repository

TODAY = date(2026, 11, 21)


class TickingClock:
    """Each change is a second after the one before, so "most recent" never depends on a tie."""

    def __init__(self, start: datetime = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)):
        self.moment = start

    def __call__(self) -> datetime:
        self.moment += timedelta(seconds=1)
        return self.moment


def clinic_repo(path: Path, clock: TickingClock | None = None) -> Repository:
    return Repository(path, default_catalogue(), now=clock or TickingClock())


# Fake login accounts: Rounds takes "who" from the account database for the effective uid, never from
# the environment (tests/security/test_authorship.py), so acting as someone means being their uid.
_ACCOUNTS: dict[int, str] = {}


def act_as(monkeypatch, name: str) -> None:
    """From now on in this test, Rounds records changes as made by the login `name`."""
    import pwd
    from types import SimpleNamespace

    import store.audit

    uid = next((u for u, n in _ACCOUNTS.items() if n == name), 60000 + len(_ACCOUNTS))
    _ACCOUNTS[uid] = name

    def getpwuid(wanted: int):
        if wanted in _ACCOUNTS:
            return SimpleNamespace(pw_name=_ACCOUNTS[wanted], pw_uid=wanted, pw_gecos="")
        return pwd.getpwuid(wanted)

    def getpwnam(wanted: str):
        uid_of = next((u for u, n in _ACCOUNTS.items() if n == wanted), None)
        if uid_of is not None:
            return SimpleNamespace(pw_name=wanted, pw_uid=uid_of, pw_gecos="")
        return pwd.getpwnam(wanted)

    for variable in ("SUDO_USER", "SUDO_UID"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(store.audit, "pwd", SimpleNamespace(getpwuid=getpwuid, getpwnam=getpwnam))
    monkeypatch.setattr(store.audit, "_effective_uid", lambda: uid)


class Clinician:
    """Acts on a repository as one login name (what the store records as `who`)."""

    def __init__(self, repo: Repository, name: str, monkeypatch):
        self.repo, self.name, self._monkeypatch = repo, name, monkeypatch

    def __enter__(self) -> "Clinician":
        act_as(self._monkeypatch, self.name)
        return self

    def __exit__(self, *exc) -> None:
        pass

    def act(self, fn):
        with self:
            return fn()

    def add_case(self, pathways=("steroid-atrophy",), patient: str = "DEMO-201", onset: str = "2026-09-01",
                 **extra) -> str:
        def go():
            case_id = self.repo.new_case_id()
            case, changes = actions.new_case(case_id=case_id, patient=patient, pathways=list(pathways),
                                             onset=onset, enrolment=TODAY, catalogue=self.repo.catalogue, **extra)
            self.repo.add_case(case, changes)
            return case_id

        return self.act(go)

    def log(self, case_id: str, kind: str = "saline", **fields):
        fields.setdefault("volume_ml", "10") if kind == "saline" else None
        return self.act(lambda: self.repo.update(case_id, lambda c: actions.log_event(c, kind, fields, today=TODAY)))

    def void(self, case_id: str, event_id: str, reason: str = "wrong case"):
        return self.act(lambda: self.repo.update(case_id, lambda c: actions.void_event(c, event_id, reason)))

    def item(self, case_id: str, item: str, action: str, **options):
        return self.act(lambda: self.repo.update(case_id, lambda c: actions.resolve_item(
            c, item, action, today=TODAY, catalogue=self.repo.catalogue, **options)))

    def set(self, case_id: str, field: str, value, **options):
        return self.act(lambda: self.repo.update(case_id, lambda c: actions.set_field(
            c, field, value, today=TODAY, catalogue=self.repo.catalogue, **options)))

    def policy(self, **values):
        return self.act(lambda: self.repo.update_policy_values({k: str(v) for k, v in values.items()}))

    def undo(self, case_ref: str | None = None):
        from store.undo import undo

        return self.act(lambda: undo(self.repo, case_ref))


# Fixtures for the modules about a shared database: `from tests.store.people import clinic_fixture` gives
# `repo` (a database on a ticking clock), and `alice` / `bob` two clinicians at work in it.
@pytest.fixture(name="repo")
def clinic_fixture(tmp_path):
    return clinic_repo(tmp_path / "db", TickingClock())


@pytest.fixture
def alice(repo, monkeypatch):
    return Clinician(repo, "alice", monkeypatch)


@pytest.fixture
def bob(repo, monkeypatch):
    return Clinician(repo, "bob", monkeypatch)
