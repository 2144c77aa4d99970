"""Audited: every change says who, when (UTC), what, old and new; exports are recorded; append-only."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

import store.audit
from checklists.models import Change, Policy
from store.audit import current_user, utc_stamp
from tests.store.helpers import add_saline, make_case, make_repo, resolve_item, set_note

# A small account database: who is who comes from it (by uid), never from environment variables.
ACCOUNTS = {0: "root", 1000: "nurse.kim", 1001: "dr.osei"}


def _getpwuid(uid):
    if uid not in ACCOUNTS:
        raise KeyError(uid)
    return SimpleNamespace(pw_name=ACCOUNTS[uid], pw_uid=uid)


def _getpwnam(name):
    uid = next((u for u, n in ACCOUNTS.items() if n == name), None)
    if uid is None:
        raise KeyError(name)
    return SimpleNamespace(pw_name=name, pw_uid=uid)


@pytest.fixture(autouse=True)
def known_login(monkeypatch):
    for name in ("SUDO_USER", "SUDO_UID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(store.audit, "pwd", SimpleNamespace(getpwuid=_getpwuid, getpwnam=_getpwnam))
    monkeypatch.setattr(store.audit, "_effective_uid", lambda: 1000)


def as_root_through_sudo(monkeypatch, name: str, uid: int) -> None:
    monkeypatch.setattr(store.audit, "_effective_uid", lambda: 0)
    monkeypatch.setenv("SUDO_USER", name)
    monkeypatch.setenv("SUDO_UID", str(uid))


def test_who_is_the_login_name_or_the_sudo_user(monkeypatch):
    assert current_user() == "nurse.kim"
    as_root_through_sudo(monkeypatch, "dr.osei", 1001)
    assert current_user() == "dr.osei"
    monkeypatch.setenv("SUDO_USER", "  ")
    assert current_user() == "root"


def test_who_falls_back_when_there_is_no_login_name(monkeypatch):
    monkeypatch.setattr(store.audit, "_effective_uid", lambda: 4242)
    assert current_user() == "uid-4242"


def test_when_is_utc_with_a_z():
    assert utc_stamp(datetime(2025, 3, 1, 10, 30, tzinfo=timezone(timedelta(hours=1)))) == "2025-03-01T09:30:00.000Z"
    assert utc_stamp(datetime(2025, 3, 1, 9, 30)) == "2025-03-01T09:30:00.000Z"  # naive: taken as UTC


def test_each_change_is_recorded_with_who_when_old_and_new(db_dir, monkeypatch):
    moments = iter([
        datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc), datetime(2025, 3, 2, 14, 5, tzinfo=timezone.utc)
    ])
    repo = make_repo(db_dir, now=lambda: next(moments))
    case_id = repo.new_case_id()
    repo.add_case(make_case(case_id), [Change("case-add", "case", None, {"pathways": ["steroid-atrophy"]})])
    as_root_through_sudo(monkeypatch, "dr.osei", 1001)
    repo.update(case_id, resolve_item("review-6m"))

    added, resolved = repo.audit_trail(case_id)
    assert (added.who, added.when) == ("nurse.kim", "2025-03-01T09:00:00.000Z")
    assert (added.action, added.revision) == ("case-add", 1)
    assert added.new == {"pathways": ["steroid-atrophy"]}
    assert (resolved.who, resolved.when) == ("dr.osei", "2025-03-02T14:05:00.000Z")
    assert (resolved.action, resolved.target) == ("item-done", "review-6m")
    assert (resolved.old, resolved.new) == ("open", "done")
    assert resolved.revision == 2


def test_the_trail_is_append_only(repo, case_id):
    first = repo.audit_trail(case_id)
    repo.update(case_id, set_note("one"))
    repo.update(case_id, set_note("two"))
    trail = repo.audit_trail(case_id)
    assert trail[: len(first)] == first
    assert [(a.old, a.new) for a in trail[len(first):]] == [(None, "one"), ("one", "two")]


def test_new_events_are_stamped_with_who_entered_them(repo, case_id):
    event = repo.update(case_id, add_saline()).events[-1]
    assert (event.recorded_by, event.recorded_at) == ("nurse.kim", "2025-03-01T09:30:00.000Z")


def test_policy_changes_are_audited_in_the_settings(repo):
    assert repo.policy() == Policy()
    updated = repo.update_policy(lambda p: (replace(p, soon_days=21), [Change("policy-set", "soon_days", 14, 21)]))
    assert updated.soon_days == 21 and repo.policy().soon_days == 21
    (entry,) = repo.settings_audit()
    assert (entry.who, entry.when) == ("nurse.kim", "2025-03-01T09:30:00.000Z")
    assert (entry.action, entry.target, entry.old, entry.new) == ("policy-set", "soon_days", 14, 21)


def test_a_policy_mutation_without_a_change_writes_nothing(repo, case_id):
    before = repo.settings_path.read_bytes()
    assert repo.update_policy(lambda p: (p, [])) == Policy()
    assert repo.settings_path.read_bytes() == before


def test_exports_are_recorded_once_in_the_settings_not_in_each_case(repo, case_id):
    case_file = repo.case_path(case_id).read_bytes()
    entry = repo.record_export([case_id], "csv", True, "file")
    assert repo.case_path(case_id).read_bytes() == case_file
    assert repo.settings_audit() == [entry]
    assert (entry.who, entry.when, entry.action) == ("nurse.kim", "2025-03-01T09:30:00.000Z", "export")
    assert entry.details == {"cases": [case_id], "format": "csv", "deidentified": True, "destination": "file"}
