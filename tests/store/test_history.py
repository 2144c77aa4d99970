"""History: every audited change of the database (cases, policy, exports), newest first."""

from __future__ import annotations

import os
import random


from store.history import entry_json, history
from tests.store.people import Clinician, clinic_repo
from tests.store.people import clinic_fixture  # noqa: F401 - fixtures


def test_the_whole_database_newest_first_with_policy_and_exports(repo, monkeypatch):
    alice, bob = Clinician(repo, "alice", monkeypatch), Clinician(repo, "bob", monkeypatch)
    first = alice.add_case()
    bob.log(first, "saline", volume_ml="12")
    alice.policy(soon_days=7)
    second = bob.add_case(patient="DEMO-202")
    alice.act(lambda: repo.record_export([first, second], "csv", True, "file"))
    alice.item(first, "review-6m", "skip", reason="moved away")

    entries = history(repo)
    assert [(e.who, e.case, e.what) for e in entries] == [
        ("alice", first, "item-skip review-6m"),
        ("alice", None, "export csv de-identified of 2 cases"),
        ("bob", second, "case-add"),
        ("alice", None, "policy-set soon_days"),
        ("bob", first, "event-log e1"),
        ("alice", first, "case-add"),
    ]
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)
    policy = entries[3]
    assert (policy.old, policy.new) == (14, 7)


def test_one_case_with_the_exports_that_included_it(repo, monkeypatch):
    alice = Clinician(repo, "alice", monkeypatch)
    first, second = alice.add_case(), alice.add_case(patient="DEMO-202")
    alice.policy(soon_days=7)
    alice.act(lambda: repo.record_export([second], "md", False, "file"))
    alice.act(lambda: repo.record_export([first], "json", False, "stdout"))
    alice.log(first, "note", note="phoned")

    assert [e.what for e in history(repo, first[:6])] == ["event-log e1", "export json of 1 case", "case-add"]
    assert [e.what for e in history(repo, second, limit=1)] == ["export md of 1 case"]


def test_json_keys_are_the_contract(repo, monkeypatch):
    alice = Clinician(repo, "alice", monkeypatch)
    case_id = alice.add_case()
    alice.set(case_id, "status", "resolved")
    data = entry_json(history(repo, limit=1)[0])
    assert list(data)[:6] == ["when", "who", "case", "what", "old", "new"]
    assert (data["who"], data["case"], data["what"], data["old"], data["new"]) == (
        "alice", case_id, "field-set status", "active", "resolved")


def test_the_newest_n_are_the_first_n_of_everything(repo, monkeypatch):
    """--limit reads the most recently written files first and stops early: it must agree with a full read."""
    alice = Clinician(repo, "alice", monkeypatch)
    ids = [alice.add_case(patient=f"DEMO-{n:03}") for n in range(12)]
    rng = random.Random(7)
    for n in range(40):
        case_id = rng.choice(ids)
        alice.log(case_id, "note", note=f"visit {n}")
        # Real clocks: each file's time is at or after its entries' stamps (here: the ticking clock's).
        stamp = alice.repo._now().timestamp()
        os.utime(repo.case_path(case_id), (stamp, stamp))
    everything = history(repo)
    for limit in (1, 5, 17, 60, 500):
        assert history(repo, limit=limit) == everything[:limit]


def test_a_clock_in_the_future_turns_the_shortcut_off(repo, monkeypatch):
    alice = Clinician(repo, "alice", monkeypatch)
    ids = [alice.add_case(patient=f"DEMO-{n:03}") for n in range(4)]
    for n, case_id in enumerate(ids):
        alice.log(case_id, "note", note=f"visit {n}")
        os.utime(repo.case_path(case_id), (1_000_000_000 + n, 1_000_000_000 + n))  # files "from 2001"
    assert history(repo, limit=3) == history(repo)[:3]


def test_a_damaged_case_file_is_named_and_the_rest_listed(repo, monkeypatch):
    alice = Clinician(repo, "alice", monkeypatch)
    good, bad = alice.add_case(), alice.add_case(patient="DEMO-202")
    repo.case_path(bad).write_bytes(b'{"case": {"1": ')
    warnings: list[str] = []
    entries = history(repo, warnings=warnings)
    assert [e.case for e in entries] == [good]
    assert len(warnings) == 1 and str(repo.case_path(bad)) in warnings[0]


def test_an_empty_or_missing_database_has_no_history(tmp_path):
    repo = clinic_repo(tmp_path / "nothing-here")
    assert history(repo) == []
    assert not (tmp_path / "nothing-here").exists()
