"""Large exports keep the settings small (issue 12): their audit entry counts the cases and names a
digest, and their ids go to the append-only export log, where `rounds audit CASE` still finds them."""

from __future__ import annotations

import os
import stat

import pytest

import store.export_log as export_log
from store.backup import backup
from store.export_log import EXPORT_LOG, digest_of, logged_ids
from store.history import history
from tests.store.people import Clinician
from tests.store.people import clinic_fixture  # noqa: F401 - fixtures


@pytest.fixture
def cases(repo, monkeypatch):
    alice = Clinician(repo, "alice", monkeypatch)
    return alice, [alice.add_case(patient=f"DEMO-{n:03}") for n in range(5)]


def test_a_large_export_counts_its_cases_and_logs_their_ids(repo, cases, monkeypatch):
    monkeypatch.setattr(export_log, "INLINE_IDS", 3)
    alice, ids = cases
    inside, outside = ids[:4], ids[4]
    entry = alice.act(lambda: repo.record_export(inside, "json", False, "file"))
    assert "cases" not in entry.details
    assert entry.details["count"] == 4 and entry.details["digest"] == digest_of(inside)
    assert logged_ids(repo.db_dir) == {digest_of(inside): frozenset(inside)}
    assert history(repo)[0].what == "export json of 4 cases"
    # The case's own history still shows the export that held it, and only that case's.
    assert [e.what for e in history(repo, inside[2]) if e.case is None] == ["export json of 4 cases"]
    assert [e.what for e in history(repo, outside) if e.case is None] == []


def test_a_small_export_still_lists_its_ids_in_the_settings(repo, cases, monkeypatch):
    alice, ids = cases
    entry = alice.act(lambda: repo.record_export(ids[:2], "csv", True, "file"))
    assert entry.details == {"cases": ids[:2], "format": "csv", "deidentified": True, "destination": "file"}
    assert not (repo.db_dir / EXPORT_LOG).exists()


def test_the_settings_stay_small_however_many_large_exports(repo, cases, monkeypatch):
    monkeypatch.setattr(export_log, "INLINE_IDS", 3)
    alice, ids = cases
    alice.act(lambda: repo.record_export(ids, "json", False, "file"))
    size = repo.settings_path.stat().st_size
    for _ in range(20):
        alice.act(lambda: repo.record_export(ids, "json", False, "file"))
    per_export = (repo.settings_path.stat().st_size - size) / 20
    assert per_export < 400  # bytes: what, when, who and a digest, never the ids
    assert len((repo.db_dir / EXPORT_LOG).read_bytes().splitlines()) == 21


def test_the_log_is_private_and_goes_with_a_backup(repo, cases, monkeypatch, tmp_path):
    monkeypatch.setattr(export_log, "INLINE_IDS", 3)
    alice, ids = cases
    alice.act(lambda: repo.record_export(ids, "json", False, "file"))
    mode = stat.S_IMODE(os.stat(repo.db_dir / EXPORT_LOG).st_mode)
    assert not mode & 0o007
    copy = tmp_path / "backup"
    alice.act(lambda: backup(repo, copy))
    assert logged_ids(copy) == logged_ids(repo.db_dir) == {digest_of(ids): frozenset(ids)}


def test_a_torn_last_line_is_passed_over(repo, cases, monkeypatch):
    monkeypatch.setattr(export_log, "INLINE_IDS", 3)
    alice, ids = cases
    alice.act(lambda: repo.record_export(ids, "json", False, "file"))
    with open(repo.db_dir / EXPORT_LOG, "ab") as log:
        log.write(b'{"when": "2026-01-01", "digest": "sha256:ab')
    assert logged_ids(repo.db_dir) == {digest_of(ids): frozenset(ids)}
    alice.act(lambda: repo.record_export(ids[1:], "csv", False, "file"))  # the next one is whole
    assert logged_ids(repo.db_dir) == {digest_of(ids): frozenset(ids), digest_of(ids[1:]): frozenset(ids[1:])}
