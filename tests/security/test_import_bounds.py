"""Import checks what the command line checks, reads boundedly, stays linear and writes all or nothing.

The attacks (issue 10): dates outside 1900-2199, revisions and sequence numbers beyond any real value,
audit details nested hundreds deep and huge files were accepted and broke later commands or the
backup route; time grew quadratically with events (8,000 events: 18.5 s); `import /dev/zero` read
until memory ran out; a write failing after two of three cases left two behind.
"""

from __future__ import annotations

import copy
import os
import stat
import threading

import orjson
import pytest

from tests.security.conftest import add_case, run, snapshot


@pytest.fixture()
def export_doc(capsys, tmp_path) -> dict:
    """A real JSON export of three cases (with events, an item decision and audit trails)."""
    source = tmp_path / "source"
    ids = [add_case(capsys, source, f"DEMO-00{n}") for n in range(3)]
    assert run(capsys, source, "log", ids[0], "saline", "--volume-ml", "10", "--date", "2026-11-01")[0] == 0
    assert run(capsys, source, "item", ids[0], "review-6m", "skip", "--reason", "seen elsewhere")[0] == 0
    out = tmp_path / "all.json"
    assert run(capsys, source, "export", "--all", "--format", "json", "-o", str(out))[0] == 0
    return orjson.loads(out.read_bytes())


def write(tmp_path, doc, name="import.json"):
    import json  # orjson will not write more than 255 levels; an attacker's file may hold more

    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def refused(capsys, db, path, *words) -> str:
    before = snapshot(db)
    code, out, err = run(capsys, db, "import", str(path))
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and "internal error" not in err
    for word in words:
        assert word in err, err
    assert snapshot(db) == before
    return err


def first(doc) -> dict:
    return next(c for c in doc["cases"] if c["events"])


ATTACKS = {
    "onset before 1900": lambda d: first(d).update(onset="1066-10-14", injection_date=None),
    "enrolment after 2199": lambda d: first(d).update(enrolment="2500-01-01"),
    "event date far off": lambda d: first(d)["events"][0].update(date="9999-12-31"),
    "item date far off": lambda d: first(d)["item_records"]["review-6m"].update(date="0001-01-01"),
    "revision beyond any real one": lambda d: first(d).update(revision=2**62),
    "sequence number beyond any real one": lambda d: first(d)["events"][0].update(seq=2**62),
    "reopen marker beyond any real one": lambda d: first(d)["item_records"]["review-6m"].update(
        reopened_after_seq=2**62),
    "audit details nested deep": lambda d: first(d)["audit"][0].update(details=_nested(200)),
    "audit value nested deep": lambda d: first(d)["audit"][0].update(new=_nested(100)),
    "audit who with a terminal escape": lambda d: first(d)["audit"][0].update(who="\x1b]2;x\x07"),
    "audit text huge": lambda d: first(d)["audit"][0].update(reason="x" * 100_000),
    "audit entry with an unknown key": lambda d: first(d)["audit"][0].update(extra=1),
    "too many audit entries": lambda d: first(d).update(audit=first(d)["audit"] * 60_000),
    "label with a direction override": lambda d: first(d).update(patient="DEMO\u202e017"),
    "an event's note an object": lambda d: first(d)["events"][0].update(note={"a": 1}),
    "an event's volume text": lambda d: next(e for e in first(d)["events"] if e["kind"] == "saline").update(
        volume_ml="ten"),
    "nested 900 deep": lambda d: first(d).update(note=_nested(900)),
    "too many events": lambda d: first(d).update(events=[
        {"id": f"e{n}", "seq": n, "kind": "note", "date": "2026-10-01", "note": "x", "voided": False}
        for n in range(1, 10_002)]),
}


def _nested(depth: int):
    value: object = "leaf"
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize("attack", ATTACKS, ids=list(ATTACKS))
def test_an_import_beyond_the_bounds_is_refused_whole(capsys, tmp_path, export_doc, attack):
    doc = copy.deepcopy(export_doc)
    ATTACKS[attack](doc)
    db = tmp_path / "restored"
    refused(capsys, db, write(tmp_path, doc))
    assert not db.exists()


def test_import_reads_no_device_and_no_pipe(capsys, tmp_path):
    db = tmp_path / "restored"
    refused(capsys, db, "/dev/zero", "not a regular file")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # A pipe with no writer would block an open() for reading forever: the import must not wait.
    done = threading.Event()
    errors = []

    def attempt():
        try:
            refused(capsys, db, fifo, "not a regular file")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        done.set()

    threading.Thread(target=attempt, daemon=True).start()
    if not done.wait(10):
        os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # unblock it, then fail
        pytest.fail("import blocked on a named pipe")
    assert not errors, errors
    refused(capsys, db, tmp_path, "not a regular file")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_file_over_the_size_cap_is_refused_without_reading_it(capsys, tmp_path):
    from store.export import importer

    huge = tmp_path / "huge.json"
    with open(huge, "wb") as handle:  # sparse: costs no disk, and reading it would cost the memory
        handle.truncate(importer.MAX_IMPORT_BYTES + 1)
    refused(capsys, tmp_path / "restored", huge, "larger than")


def test_at_most_the_cap_and_one_byte_are_read(capsys, tmp_path, monkeypatch, export_doc):
    """A file that grows while it is read (or lies about its size) is cut off at the cap."""
    from store.export import importer

    path = write(tmp_path, export_doc)
    monkeypatch.setattr(importer, "MAX_IMPORT_BYTES", 100)
    sizes = []
    real_read = importer._read_limited

    def spy(handle, limit):
        data = real_read(handle, limit)
        sizes.append(len(data))
        return data

    monkeypatch.setattr(importer, "_read_limited", spy)
    monkeypatch.setattr(importer, "_declared_size", lambda info: 0)  # as if the file said it was empty
    refused(capsys, tmp_path / "restored", path, "larger than")
    assert sizes == [101]


def test_the_work_per_event_does_not_grow_with_the_number_of_events(tmp_path):
    """Linear time, checked by counting rather than timing: a case file is read and written a fixed
    number of times however many events it has (each TinyDB table update re-reads the whole table)
    (benchmarks/import_bench.py has the seconds)."""
    from benchmarks.import_bench import export_document
    from seeds.loader import default_catalogue
    from store.export.importer import import_cases, parse_export
    from store.repository import Repository
    from tinydb.table import Table

    catalogue = default_catalogue()
    counts = {}
    for events in (10, 400):
        calls = {"n": 0}
        real = Table._update_table

        def counting(self, *args, real=real, calls=calls, **kwargs):
            calls["n"] += 1
            return real(self, *args, **kwargs)

        Table._update_table = counting
        try:
            repo = Repository(tmp_path / f"db-{events}", catalogue)
            import_cases(repo, parse_export(orjson.dumps(export_document(events)), catalogue))
        finally:
            Table._update_table = real
        counts[events] = calls["n"]
        assert len(repo.get("b0b0b0b0b0").events) == events
    assert counts[400] == counts[10], counts


def test_a_write_failing_part_way_leaves_none_of_the_import_behind(capsys, tmp_path, export_doc, monkeypatch):
    from store.repository import Repository

    db = tmp_path / "restored"
    path = write(tmp_path, export_doc)
    real = Repository.import_case
    done = []

    def third_fails(self, case, audit, changes):
        if len(done) == 2:
            raise OSError(28, "No space left on device")
        done.append(case.id)
        return real(self, case, audit, changes)

    monkeypatch.setattr(Repository, "import_case", third_fails)
    code, out, err = run(capsys, db, "import", str(path))
    assert code == 1 and "No space left on device" in err and len(err.strip().splitlines()) == 1
    assert len(done) == 2
    assert list(db.rglob("*.json")) == [db / "settings.json"] or not list(db.rglob("??????????.json"))
    assert not [p for p in db.rglob("*.json") if p.parent.parent.name == "cases"]
    monkeypatch.setattr(Repository, "import_case", real)
    code, out, err = run(capsys, db, "import", str(path))  # and the same file imports cleanly after
    assert code == 0, err
    assert len(out.split()) == 3


def test_a_policy_restore_failing_leaves_no_case_behind(capsys, tmp_path, export_doc, monkeypatch):
    from store.repository import Repository

    export_doc["policy"]["soon_days"] = 3
    db = tmp_path / "restored"
    path = write(tmp_path, export_doc)

    def fails(self, mutate):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Repository, "update_policy", fails)
    code, _, err = run(capsys, db, "import", str(path))
    assert code == 1, err
    assert not [p for p in db.rglob("*.json") if p.parent.parent.name == "cases"]
