"""One bad file blocks no one: a case file that parses but holds a wrong value (an unknown pathway,
a wrong type, a date off the calendar Rounds uses), or that the caller may not read, is skipped with a
warning naming it by everything that lists or exports: `case list`, `export --all` and the board.

The attack (issue 10): one file with an unknown pathway made `case list`, `export --all` and the
board fail (KeyError); one file written by a colleague with umask 077 did the same for everyone else.
"""

from __future__ import annotations

import asyncio
import os


import pytest

import store.storage
from seeds.loader import default_catalogue
from store.errors import CorruptCaseFile
from store.repository import Repository
from tests.security.conftest import add_case, case_file, read_tables, run, snapshot, write_tables

SECRET = "DEMO-SECRET-LABEL"

# What a hand edit, a bad restore or a hostile colleague can leave in a case file that still parses.
WRONG_VALUES = {
    "unknown pathway": lambda t: t["case"]["1"].update(pathways=["steroid-atrophy", "made-up"]),
    "pathways not a list": lambda t: t["case"]["1"].update(pathways="steroid-atrophy"),
    "no pathway": lambda t: t["case"]["1"].update(pathways=[]),
    "patient a number": lambda t: t["case"]["1"].update(patient=17),
    "unknown status": lambda t: t["case"]["1"].update(status="asleep"),
    "unknown etiology": lambda t: t["case"]["1"].update(etiology="gremlins"),
    "onset off the calendar": lambda t: t["case"]["1"].update(onset="9999-12-31"),
    "onset not a date": lambda t: t["case"]["1"].update(onset=20260901),
    "revision text": lambda t: t["case"]["1"].update(revision="7"),
    "revision negative": lambda t: t["case"]["1"].update(revision=-1),
    "items a list": lambda t: t["case"]["1"].update(items=["review-6m"]),
    "item state unknown": lambda t: t["case"]["1"].update(items={"review-6m": {"state": "lost"}}),
    "item date wrong": lambda t: t["case"]["1"].update(items={"review-6m": {"state": "done", "date": "x"}}),
    "item checks not dates": lambda t: t["case"]["1"].update(items={"recurrence-check": {"checks": [1]}}),
    "event kind unknown": lambda t: t["events"].update({"9": {"id": "e9", "seq": 9, "kind": "magic",
                                                              "date": "2026-10-01"}}),
    "event seq text": lambda t: t["events"].update({"9": {"id": "e9", "seq": "9", "kind": "note",
                                                          "date": "2026-10-01", "note": "x"}}),
    "event volume text": lambda t: t["events"].update({"9": {"id": "e9", "seq": 9, "kind": "saline",
                                                             "date": "2026-10-01", "volume_ml": "ten"}}),
    "saline without its volume": lambda t: t["events"].update({"9": {"id": "e9", "seq": 9, "kind": "saline",
                                                                     "date": "2026-10-01"}}),
    "event seq beyond any real one": lambda t: t["events"].update({"9": {"id": "e9", "seq": 2**62, "kind": "note",
                                                                         "date": "2026-10-01", "note": "x"}}),
    "event mrc a float": lambda t: t["events"].update({"9": {"id": "e9", "seq": 9, "kind": "assessment",
                                                             "date": "2026-10-01", "mrc": 2.5}}),
    "event photo text": lambda t: t["events"].update({"9": {"id": "e9", "seq": 9, "kind": "assessment",
                                                            "date": "2026-10-01", "photo": "yes"}}),
    "event date off the calendar": lambda t: t["events"].update({"9": {"id": "e9", "seq": 9, "kind": "note",
                                                                       "date": "0001-01-01", "note": "x"}}),
    "event id twice": lambda t: t["events"].update({"8": {"id": "e1", "seq": 8, "kind": "note",
                                                          "date": "2026-10-01", "note": "x"},
                                                    "9": {"id": "e1", "seq": 9, "kind": "note",
                                                          "date": "2026-10-01", "note": "x"}}),
    "id not its file name": lambda t: t["case"]["1"].update(id="0000000000"),
}


@pytest.fixture()
def two_cases(capsys, db) -> tuple[str, str]:
    good = add_case(capsys, db, "DEMO-GOOD")
    bad = add_case(capsys, db, SECRET)
    return good, bad


def damage(db, case_id, change) -> None:
    path = case_file(db, case_id)
    tables = read_tables(path)
    tables.setdefault("events", {})
    change(tables)
    write_tables(path, tables)


def assert_skipped_with_warning(err: str, db, bad: str) -> None:
    assert "Traceback" not in err and "internal error" not in err
    assert f"skipped damaged case file {case_file(db, bad)}" in err, err
    assert SECRET not in err


@pytest.mark.parametrize("wrong", WRONG_VALUES, ids=list(WRONG_VALUES))
def test_case_list_and_export_all_skip_a_file_with_a_wrong_value(capsys, db, two_cases, wrong):
    good, bad = two_cases
    damage(db, bad, WRONG_VALUES[wrong])
    before = snapshot(db / "cases")
    code, out, err = run(capsys, db, "case", "list", "--filter", "all")
    assert code == 0, err
    assert "DEMO-GOOD" in out and good in out
    assert_skipped_with_warning(err, db, bad)
    code, out, err = run(capsys, db, "export", "--all", "--format", "json")
    assert code == 0, err
    assert "DEMO-GOOD" in out and SECRET not in out
    assert_skipped_with_warning(err, db, bad)
    # Shown alone, it is an error naming the file (exit 1), never a traceback; and it is never rewritten.
    code, out, err = run(capsys, db, "case", "show", bad)
    assert code == 1 and str(case_file(db, bad)) in err and "Traceback" not in err
    assert SECRET not in err
    assert run(capsys, db, "log", bad, "note", "--note", "x")[0] == 1
    assert snapshot(db / "cases") == before


def test_the_message_says_what_is_wrong_without_the_value(capsys, db, two_cases):
    good, bad = two_cases
    damage(db, bad, WRONG_VALUES["unknown pathway"])
    with pytest.raises(CorruptCaseFile) as caught:
        Repository(db, default_catalogue()).get(bad)
    assert "pathway" in str(caught.value) and "made-up" not in str(caught.value)


def test_the_board_lists_the_others_and_warns(capsys, db, two_cases):
    from tests.tui.demo_db import TODAY, screen_text, wait_for
    from tui.app import make_app

    good, bad = two_cases
    damage(db, bad, WRONG_VALUES["unknown pathway"])
    repo = Repository(db, default_catalogue())
    result = repo.list_rows(TODAY)
    assert [r.id for r in result.rows] == [good]
    assert result.warnings and str(case_file(db, bad)) in result.warnings[0]

    async def scenario():
        app = make_app(Repository(db, default_catalogue()), today=TODAY)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: "DEMO-GOOD" in screen_text(app))
            assert app.is_running

    asyncio.run(scenario())


# --- a file the caller may not read ----------------------------------------------------------


def refuse_reading(monkeypatch, path) -> None:
    """What opening a file a colleague wrote with umask 077 does (root cannot be refused for real)."""
    real_open, real_os_open = open, os.open

    def guarded_open(file, *args, **kwargs):
        if os.fspath(file) == os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    def guarded_os_open(file, *args, **kwargs):
        if os.fspath(file) == os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_os_open(file, *args, **kwargs)

    monkeypatch.setattr(store.storage, "open", guarded_open, raising=False)
    monkeypatch.setattr(store.storage.os, "open", guarded_os_open)


def test_a_case_file_the_caller_may_not_read_is_skipped_with_a_warning(capsys, db, two_cases, monkeypatch):
    good, bad = two_cases
    (db / "index.json").unlink(missing_ok=True)
    (db / "rows.json").unlink(missing_ok=True)
    refuse_reading(monkeypatch, case_file(db, bad))
    code, out, err = run(capsys, db, "case", "list")
    assert code == 0 and "DEMO-GOOD" in out, err
    assert str(case_file(db, bad)) in err and "Permission denied" in err and "Traceback" not in err
    code, out, err = run(capsys, db, "export", "--all", "--format", "csv")
    assert code == 0 and "DEMO-GOOD" in out, err
    assert str(case_file(db, bad)) in err
    code, out, err = run(capsys, db, "case", "show", bad)
    assert code == 1 and "Permission denied" in err and str(case_file(db, bad)) in err


def test_unreadable_list_caches_are_only_a_slower_list(capsys, db, two_cases, monkeypatch):
    refuse_reading(monkeypatch, db / "rows.json")
    code, out, err = run(capsys, db, "case", "list")
    assert code == 0 and "DEMO-GOOD" in out, err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file whatever its mode")
def test_a_file_written_with_umask_077_by_someone_else_for_real(capsys, db, two_cases):
    good, bad = two_cases
    os.chmod(case_file(db, bad), 0o000)
    (db / "index.json").unlink(missing_ok=True)
    (db / "rows.json").unlink(missing_ok=True)
    code, out, err = run(capsys, db, "case", "list")
    assert code == 0 and "DEMO-GOOD" in out and str(case_file(db, bad)) in err


def test_a_file_name_that_is_not_a_case_id_is_not_a_case(capsys, db, two_cases):
    good, _ = two_cases
    odd = db / "cases" / good[:2] / "\x1b]2;x\x07.json"
    odd.write_bytes(case_file(db, good).read_bytes())
    code, out, err = run(capsys, db, "case", "list", "--filter", "all")
    assert code == 0 and "\x1b" not in out + err




# --- a case file that is not a file ------------------------------------------------------------------


def list_within(capsys, db, seconds: float = 20.0):
    """`case list`, failing (not hanging the suite) if it blocks."""
    import threading

    result = {}

    def attempt():
        result["value"] = run(capsys, db, "case", "list", "--filter", "all")

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        pytest.fail("case list blocked on a case file")
    return result["value"]


def replace_with(db, case_id, make) -> None:
    path = case_file(db, case_id)
    path.unlink()
    make(path)
    for cache in ("index.json", "rows.json"):
        (db / cache).unlink(missing_ok=True)


def test_a_named_pipe_in_place_of_a_case_file_blocks_no_one(capsys, db, two_cases):
    good, bad = two_cases
    replace_with(db, bad, os.mkfifo)
    code, out, err = list_within(capsys, db)
    assert code == 0 and "DEMO-GOOD" in out
    assert str(case_file(db, bad)) in err and "not a regular file" in err


def test_a_link_in_place_of_a_case_file_is_not_followed(capsys, db, two_cases, tmp_path):
    good, bad = two_cases
    secret = tmp_path / "someone-elses.json"
    secret.write_bytes(case_file(db, bad).read_bytes())  # even a valid case is not read through a link
    replace_with(db, bad, lambda path: path.symlink_to(secret))
    code, out, err = list_within(capsys, db)
    assert code == 0 and "DEMO-GOOD" in out and SECRET not in out
    assert str(case_file(db, bad)) in err and "link" in err


def test_a_huge_case_file_is_not_read_into_memory(capsys, db, two_cases):
    from store.storage import MAX_CASE_FILE_BYTES

    good, bad = two_cases

    def sparse(path):
        with open(path, "wb") as handle:
            handle.truncate(MAX_CASE_FILE_BYTES + 1)

    replace_with(db, bad, sparse)
    code, out, err = list_within(capsys, db)
    assert code == 0 and "DEMO-GOOD" in out
    assert str(case_file(db, bad)) in err and "larger than" in err
