"""The queries of the live screens added after the board and the case screen (protocol, history,
worklist): each runs without any screen (a worker is handed the query, never the screen), and the
signature a read is stamped with equals the poll's while nothing changes (else the screen would read
again every second) and differs once what it shows changes."""

from __future__ import annotations

import dataclasses

import pytest

from store.signoff import record_review
from tests.tui.demo_db import TODAY, log, set_field
from tui.screens.history import HistoryQuery
from tui.screens.protocol import ProtocolQuery
from tui.screens.worklist import WorklistQuery

CASE = "c3d0000003"


def queries(repo):
    return {
        "protocol": ProtocolQuery(repo, repo.catalogue, TODAY),
        "case history": HistoryQuery(repo, CASE, TODAY),
        "database history": HistoryQuery(repo, None, TODAY),
        "worklist": WorklistQuery(repo, repo.catalogue, TODAY, TODAY),
    }


@pytest.mark.parametrize("name", ["protocol", "case history", "database history", "worklist"])
def test_a_query_is_frozen_and_its_read_is_stamped_with_the_polls_signature(demo_repo, name):
    query = queries(demo_repo)[name]
    with pytest.raises(dataclasses.FrozenInstanceError):
        query.today = TODAY  # type: ignore[misc]
    _, signature = query.read()
    assert query.signature() == signature


def test_what_each_query_reads_changes_its_signature(demo_repo):
    before = {name: query.read()[1] for name, query in queries(demo_repo).items()}
    log(demo_repo, CASE, "note", date="2026-11-20", note="from another terminal")
    after = {name: query.signature() for name, query in queries(demo_repo).items()}
    assert {name for name in before if before[name] != after[name]} == {
        "case history", "database history", "worklist"}  # a note changes no rule of the protocol

    record_review(demo_repo, demo_repo.catalogue, "steroid-atrophy", "review-6m", "accept", "ok", TODAY)
    reviewed = {name: query.signature() for name, query in queries(demo_repo).items()}
    # Reviews are in the settings file, which also holds the exports that a case's history lists.
    assert all(reviewed[name] != after[name] for name in reviewed)


def test_a_query_reads_what_the_screen_shows(demo_repo):
    found = {name: query.read()[0] for name, query in queries(demo_repo).items()}
    assert [doc.id for doc in found["protocol"].documents] == list(demo_repo.catalogue.pathways)
    assert {worded.entry.case for worded in found["case history"].entries} == {CASE}
    assert {worded.entry.case for worded in found["database history"].entries} > {CASE}
    assert found["worklist"].worklist.start == TODAY and found["worklist"].worklist.cases
    set_field(demo_repo, found["worklist"].worklist.cases[0].case_id, "status", "closed")
    worklist = queries(demo_repo)["worklist"].read()[0].worklist
    assert len(worklist.cases) == len(found["worklist"].worklist.cases) - 1
