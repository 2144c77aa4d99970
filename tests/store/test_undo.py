"""Undo: the caller's most recent change reverted as a new audited change; a colleague's later change
to the same thing refuses it, naming who changed what; nothing is ever deleted."""

from __future__ import annotations

import pytest

from store.errors import UnknownCase
from store.history import history
from store.undo import NothingToUndo, UndoRefused, plan_undo
from tests.store.people import Clinician
from tests.store.people import alice, bob, clinic_fixture  # noqa: F401 - fixtures


def test_undoing_a_logged_event_voids_it_and_keeps_it(repo, alice):
    case_id = alice.add_case()
    alice.log(case_id, "saline", volume_ml="12")
    result = alice.undo(case_id)

    case = repo.get(case_id)
    (event,) = case.events
    assert event.voided and event.void_reason == "undo"
    assert case.revision == 3
    assert result.plan.what == "event-log e1"
    newest = history(repo, case_id)[0]
    assert (newest.who, newest.action, newest.target, newest.old, newest.new) == ("alice", "undo", "e1", False, True)
    assert newest.what == "undo event-log e1"
    assert newest.details["undoes"]["revision"] == 2


def test_an_undone_void_brings_the_event_back(repo, alice):
    case_id = alice.add_case()
    alice.log(case_id, "saline")
    alice.void(case_id, "e1", "entered on the wrong case")
    alice.undo(case_id)
    (event,) = repo.get(case_id).events
    assert not event.voided and event.void_reason is None
    assert repo.get(case_id).live_events() == [event]


def test_an_item_goes_back_to_exactly_what_it_was(repo, alice):
    case_id = alice.add_case()
    alice.item(case_id, "review-6m", "skip", reason="moved away")
    alice.item(case_id, "review-6m", "reopen")
    reopened = repo.get(case_id).items["review-6m"]
    alice.item(case_id, "review-6m", "done", date="2026-11-20", early=True)

    alice.undo(case_id)
    assert repo.get(case_id).items["review-6m"] == reopened  # reopened_after_seq and all
    alice.undo(case_id)
    assert repo.get(case_id).items["review-6m"].state == "skipped"
    alice.undo(case_id)
    assert "review-6m" not in repo.get(case_id).items  # untouched, as at the start


def test_a_field_and_its_date_come_back_together(repo, alice):
    case_id = alice.add_case(pathways=("panniculitis-lipoatrophy",))
    before = repo.get(case_id)
    alice.set(case_id, "etiology", "aat-deficiency", date="2026-10-01")
    alice.undo(case_id)
    after = repo.get(case_id)
    assert (after.etiology, after.etiology_date) == (before.etiology, before.etiology_date)


def test_a_policy_change_of_several_keys_is_undone_whole(repo, alice):
    alice.policy(saline_min_ml=25, saline_max_ml=40, soon_days=7)
    result = alice.undo()
    policy = repo.policy()
    assert (policy.saline_min_ml, policy.saline_max_ml, policy.soon_days) == (5, 20, 14)
    assert result.plan.case is None
    undo_entries = [e for e in repo.settings_audit() if e.action == "undo"]
    assert len(undo_entries) == 3 and len({e.revision for e in undo_entries}) == 1


def test_undo_walks_back_one_change_at_a_time_and_never_redoes(repo, alice):
    case_id = alice.add_case()
    alice.log(case_id, "saline")
    alice.set(case_id, "status", "resolved")
    alice.undo()
    assert repo.get(case_id).status == "active"
    alice.undo()
    assert repo.get(case_id).events[0].voided
    with pytest.raises(UndoRefused, match="adding it, which cannot be undone.*status closed"):
        alice.undo()


def test_a_colleagues_later_change_to_the_same_item_refuses_the_undo(repo, alice, bob):
    case_id = alice.add_case()
    alice.item(case_id, "review-6m", "skip", reason="moved away")
    bob.item(case_id, "review-6m", "reopen")
    path = repo.case_path(case_id)
    before = path.read_bytes()

    with pytest.raises(UndoRefused) as refused:
        alice.undo(case_id)
    message = str(refused.value)
    assert "bob changed item-reopen review-6m at 2026-11-21T09:00:0" in message
    assert "after your item-skip review-6m" in message and "nothing was undone" in message
    assert "\n" not in message and "DEMO-201" not in message
    assert path.read_bytes() == before


def test_a_colleagues_change_to_something_else_does_not_block(repo, alice, bob):
    case_id = alice.add_case()
    alice.item(case_id, "review-6m", "skip", reason="moved away")
    bob.log(case_id, "saline")
    alice.undo(case_id)
    case = repo.get(case_id)
    assert "review-6m" not in case.items
    assert not case.events[0].voided  # bob's event is untouched


def test_a_colleagues_void_of_my_event_refuses_undoing_my_log(repo, alice, bob):
    case_id = alice.add_case()
    alice.log(case_id, "saline")
    bob.void(case_id, "e1", "duplicate")
    with pytest.raises(UndoRefused, match="bob changed event-void e1"):
        alice.undo(case_id)


def test_undo_is_per_person(repo, alice, bob):
    case_id = alice.add_case()
    alice.log(case_id, "saline")
    bob.log(case_id, "note", note="called the patient")
    alice.undo(case_id)
    events = {e.id: e for e in repo.get(case_id).events}
    assert events["e1"].voided and not events["e2"].voided
    with pytest.raises(NothingToUndo, match="carol has made no change"):
        Clinician(repo, "carol", alice._monkeypatch).undo()


def test_across_the_database_the_most_recent_change_anywhere_is_undone(repo, alice, bob):
    first = alice.add_case()
    second = alice.add_case(patient="DEMO-202")
    alice.log(first, "saline")
    alice.policy(soon_days=9)
    alice.log(second, "note", note="phoned")
    bob.log(first, "saline")

    assert plan_undo(repo, who="alice").case == second
    alice.undo()
    assert repo.get(second).events[0].voided
    alice.undo()
    assert repo.policy().soon_days == 14
    alice.undo()
    assert repo.get(first).events[0].voided and not repo.get(first).events[1].voided


def test_a_plan_that_no_longer_holds_is_refused(repo, alice):
    from store.undo import undo

    case_id = alice.add_case()
    alice.log(case_id, "saline")
    with alice:
        plan = plan_undo(repo, case_id)
    alice.set(case_id, "status", "resolved")  # e.g. in another terminal, after the dialog opened
    with pytest.raises(UndoRefused, match="no longer event-log e1"):
        alice.act(lambda: undo(repo, case_id, plan=plan))
    assert not repo.get(case_id).events[0].voided


def test_exports_are_passed_over(repo, alice):
    case_id = alice.add_case()
    alice.log(case_id, "saline")
    alice.act(lambda: repo.record_export([case_id], "csv", False, "file"))
    assert alice.undo().plan.what == "event-log e1"


def test_an_unknown_case_is_bad_input(repo, alice):
    with pytest.raises(UnknownCase):
        alice.undo("zzzz")
