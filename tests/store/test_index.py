"""The list index: a cache of summaries that is reused, refreshed for changed files, and rebuilt when
it cannot be trusted."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date

import orjson
import pytest

from checklists import actions
from checklists.models import Change, Policy
from seeds.loader import default_catalogue
from store.locking import lock_path_for
from store.repository import Repository
from tests.store.conftest import start_python, wait_for
from tests.store.helpers import add_saline, fake_summarize, make_case, make_repo, resolve_item

TODAY = date(2025, 3, 1)


class Counting:
    """A summarize that records which cases it was asked to (re)compute."""

    def __init__(self):
        self.seen: list[str] = []
        self.__module__ = fake_summarize.__module__
        self.__qualname__ = "Counting"

    def __call__(self, case, catalogue, policy):
        self.seen.append(case.id)
        return fake_summarize(case, catalogue, policy)

    def take(self) -> list[str]:
        seen, self.seen = sorted(self.seen), []
        return seen


@pytest.fixture
def summarize():
    return Counting()


@pytest.fixture
def listed(db_dir, summarize):
    """Five cases, listed once so that the index is warm."""
    repo = make_repo(db_dir, summarize=summarize)
    ids = []
    for n in range(5):
        case_id = repo.new_case_id()
        repo.add_case(make_case(case_id, patient=f"DEMO-{n:05}"), [Change("case-add", "case")])
        ids.append(case_id)
    repo.list_rows(TODAY)
    assert summarize.take() == sorted(ids)
    return repo, sorted(ids)


def cache_files(repo):
    """rows.json and every shard's summaries file."""
    return (repo.rows_path, *sorted(repo.summaries_dir.glob("*.json")))


def cached_ids(path) -> list[str]:
    """The case ids a cache file holds: a column of rows.json, the keys of a summaries file."""
    data = orjson.loads(path.read_bytes())
    return list(data["columns"]["id"]) if "columns" in data else list(data["cases"])


def all_cached_ids(repo) -> dict[str, list[str]]:
    """rows.json's ids and, apart, the ids of every summaries file together, each sorted."""
    summaries = sorted(i for path in repo.summaries_dir.glob("*.json") for i in cached_ids(path))
    return {"rows": sorted(cached_ids(repo.rows_path)), "summaries": summaries}


def edit_entries(repo, case_id: str, rows_edit, summary_edit) -> None:
    """Change one case's entry in rows.json (rows_edit(columns, index)) and in its summaries file."""
    data = orjson.loads(repo.rows_path.read_bytes())
    rows_edit(data["columns"], data["columns"]["id"].index(case_id))
    repo.rows_path.write_bytes(orjson.dumps(data))
    path = repo.summaries_dir / f"{case_id[:2]}.json"
    data = orjson.loads(path.read_bytes())
    summary_edit(data["cases"])
    path.write_bytes(orjson.dumps(data))


def stamps(repo):
    return [(p.stat().st_ino, p.stat().st_mtime_ns) for p in cache_files(repo)]


def test_a_warm_cache_summarizes_nothing_and_writes_nothing(listed, summarize):
    repo, ids = listed
    before = stamps(repo)
    rows = repo.list_rows(TODAY).rows
    assert [r.id for r in rows] == ids
    assert summarize.take() == []
    assert stamps(repo) == before


def test_cached_rows_are_the_rows_the_engine_makes(listed, summarize):
    repo, ids = listed
    warm = repo.list_rows(TODAY).rows
    for path in cache_files(repo):
        path.unlink()
    assert repo.list_rows(TODAY).rows == warm


def test_a_change_by_another_process_is_picked_up_alone(listed, summarize):
    repo, ids = listed
    make_repo(repo.db_dir).update(ids[2], resolve_item("review-6m"))
    rows = {r.id: r for r in repo.list_rows(TODAY).rows}
    assert summarize.take() == [ids[2]]
    assert rows[ids[2]].urgency == "done" and rows[ids[0]].urgency == "upcoming"
    repo.list_rows(TODAY)
    assert summarize.take() == []


def test_an_edit_that_keeps_the_size_and_inode_is_seen_by_its_mtime(listed, summarize):
    repo, ids = listed
    path = repo.case_path(ids[1])
    raw = path.read_bytes()
    edited = raw.replace(repo.get(ids[1]).patient.encode(), b"DEMO-99999")
    assert len(edited) == len(raw) and edited != raw
    inode, mtime = path.stat().st_ino, path.stat().st_mtime_ns
    with open(path, "r+b") as handle:  # in place, as an editor might
        handle.write(edited)
    os.utime(path, ns=(mtime + 1_000_000, mtime + 1_000_000))
    assert path.stat().st_ino == inode

    rows = {r.id: r for r in repo.list_rows(TODAY).rows}
    assert summarize.take() == [ids[1]]
    assert rows[ids[1]].patient == "DEMO-99999"


def test_new_and_vanished_cases_are_reflected(listed, summarize):
    repo, ids = listed
    repo.case_path(ids[0]).unlink()
    new_id = repo.new_case_id()
    repo.add_case(make_case(new_id), [Change("case-add", "case")])
    rows = repo.list_rows(TODAY).rows
    assert sorted(r.id for r in rows) == sorted(ids[1:] + [new_id])
    assert summarize.take() == [new_id]
    expected = sorted(ids[1:] + [new_id])
    assert all_cached_ids(repo) == {"rows": expected, "summaries": expected}


def test_a_new_day_recomputes_rows_from_cached_summaries(listed, summarize):
    repo, ids = listed
    tomorrow = date(2025, 3, 2)
    rows = repo.list_rows(tomorrow).rows
    assert summarize.take() == []  # summaries do not depend on the day; only rows are made again
    assert orjson.loads(repo.rows_path.read_bytes())["day"] == "2025-03-02"
    for path in cache_files(repo):
        path.unlink()
    assert repo.list_rows(tomorrow).rows == rows


DAMAGE = [b"", b'{"format": 2, "fingerpr', b"[]", b'{"format": 2, "cases": 7}']


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_rows_are_made_again_from_the_summaries(listed, summarize, damage):
    repo, ids = listed
    repo.rows_path.write_bytes(damage)
    assert [r.id for r in repo.list_rows(TODAY).rows] == ids
    assert summarize.take() == []
    assert sorted(cached_ids(repo.rows_path)) == ids


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_cache_is_rebuilt_from_the_case_files(listed, summarize, damage):
    repo, ids = listed
    for path in cache_files(repo):
        path.write_bytes(damage)
    assert [r.id for r in repo.list_rows(TODAY).rows] == ids
    assert summarize.take() == ids
    assert all_cached_ids(repo) == {"rows": ids, "summaries": ids}


def test_damaged_cache_entries_are_made_again(listed, summarize):
    repo, ids = listed
    def not_an_entry(columns, n):
        columns["patient"][n] = ["not", "a", "label"]

    def past_the_table(columns, n):
        columns["status"][n] = 999  # a string reference past the table

    edit_entries(repo, ids[3], not_an_entry, lambda cases: cases[ids[3]].__setitem__(1, ["not", "an", "entry"]))
    edit_entries(repo, ids[1], past_the_table, lambda cases: cases[ids[1]].__setitem__(1, [999] * 7))
    assert [r.id for r in repo.list_rows(TODAY).rows] == ids
    assert summarize.take() == [ids[1], ids[3]]


def test_a_different_policy_or_catalogue_rebuilds_the_cache(listed, summarize):
    repo, ids = listed
    repo.update_policy(lambda p: (replace(p, soon_days=30), [Change("policy-set", "soon_days", 14, 30)]))
    repo.list_rows(TODAY)
    assert summarize.take() == ids
    repo.list_rows(TODAY, policy=Policy(soon_days=30))
    assert summarize.take() == []

    from dataclasses import replace as edited

    from seeds.loader import default_catalogue

    shipped = default_catalogue()
    other_catalogue = make_repo(repo.db_dir, summarize=summarize)
    fewer = {k: shipped.references[k] for k in list(shipped.references)[1:]}
    other_catalogue.catalogue = edited(shipped, references=fewer)
    other_catalogue.list_rows(TODAY)
    assert summarize.take() == ids


def test_a_busy_cache_lock_skips_the_write_but_still_lists(listed, summarize, tmp_path):
    repo, ids = listed
    repo.update(ids[0], add_saline())
    before = repo.rows_path.read_bytes()
    marker = tmp_path / "holding"
    holder = start_python(
        """
        import sys, time
        from pathlib import Path
        from filelock import FileLock
        lock = FileLock(sys.argv[1]); lock.acquire()
        Path(sys.argv[2]).touch(); time.sleep(60)
        """,
        str(lock_path_for(repo.rows_path)), str(marker),
    )
    try:
        wait_for(marker, holder)
        rows = repo.list_rows(TODAY).rows
    finally:
        holder.kill()
        holder.wait()
    assert [r.id for r in rows] == ids
    assert repo.rows_path.read_bytes() == before
    assert summarize.take() == [ids[0]]
    repo.list_rows(TODAY)  # free again: written now, from the summary cached meanwhile
    assert repo.rows_path.read_bytes() != before
    assert summarize.take() == []


def test_the_cache_never_decides_what_exists(listed, summarize):
    """A case file is the truth: one missing from a stale cache is listed; one in it but gone is not."""
    repo, ids = listed

    def renamed(columns, n):
        columns["id"][n] = "0000000000"

    edit_entries(repo, ids[4], renamed, lambda cases: cases.__setitem__("0000000000", cases.pop(ids[4])))
    assert [r.id for r in repo.list_rows(TODAY).rows] == ids


def test_the_real_engine_rows_survive_the_cache(tmp_path):
    """Rows with next-due items and alerts, from the shipped engine, come back from the cache equal."""
    catalogue = default_catalogue()
    repo = Repository(tmp_path / "db", catalogue)
    for n, pathways in enumerate([["steroid-atrophy"], ["panniculitis-lipoatrophy"], ["hip-injection"]]):
        case, changes = actions.new_case(
            case_id=repo.new_case_id(), patient=f"DEMO-{n:03}", pathways=pathways, onset="2024-10-01",
            injection_date="2024-09-01", enrolment=TODAY, catalogue=catalogue,
        )
        case, more = actions.log_event(case, "saline", {"volume_ml": 30, "date": "2024-11-01"}, today=TODAY)
        repo.add_case(case, changes + more)
    for day in (TODAY, date(2025, 9, 1)):
        cold = repo.list_rows(day).rows
        assert any(r.next_due for r in cold) and any(r.alert_codes for r in cold)
        assert repo.list_rows(day).rows == cold


def test_a_case_the_engine_cannot_place_is_skipped_with_a_warning_not_fatal(tmp_path):
    from datetime import date as _date

    from checklists.engine import case_row, summarize
    from seeds.loader import default_catalogue
    from store.repository import Repository
    from tests.tui.demo_db import add_case

    def fragile(case, catalogue, policy):
        if case.patient == "DEMO-002":
            raise OverflowError("date value out of range")
        return summarize(case, catalogue, policy)

    repo = Repository(tmp_path / "db", default_catalogue(), summarize=fragile, case_row=case_row)
    add_case(repo, "a1d0000001", "DEMO-001", ["steroid-atrophy"], "2026-10-01", _date(2026, 11, 1))
    add_case(repo, "b2d0000002", "DEMO-002", ["steroid-atrophy"], "2026-10-01", _date(2026, 11, 1))
    result = repo.list_rows(_date(2026, 11, 21))
    assert [r.patient for r in result.rows] == ["DEMO-001"]
    assert result.warnings == ["skipped case b2d0000002: its dates cannot be scheduled (OverflowError)"]


def test_the_board_order_is_kept_with_the_rows_and_is_the_sorted_order(tmp_path):
    """rows.json keeps the board's order of its rows, so a list of unchanged rows is not sorted again;
    it is always the order sort_rows gives, after a change too, and a damaged one is not used."""
    from checklists.board import sort_rows
    from store.demo import fill_demo

    repo = Repository(tmp_path / "db", default_catalogue())
    fill_demo(repo, repo.catalogue, TODAY, 30)
    first = repo.list_rows(TODAY)
    assert first.in_board_order() == sort_rows(first.rows)
    warm = repo.list_rows(TODAY)
    assert warm.board_order is not None and warm.in_board_order() == sort_rows(warm.rows)

    repo.update_policy_values({"soon_days": 90})  # many more rows due soon: the order changes
    changed = repo.list_rows(TODAY)
    assert changed.in_board_order() == sort_rows(changed.rows) != warm.in_board_order()

    data = orjson.loads(repo.rows_path.read_bytes())
    data["board_order"] = [0] * len(data["board_order"])  # not every row once
    repo.rows_path.write_bytes(orjson.dumps(data))
    damaged = repo.list_rows(TODAY)
    assert damaged.board_order is None and damaged.in_board_order() == sort_rows(damaged.rows)
