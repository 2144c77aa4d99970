"""Readable errors: damaged files are named and never overwritten; newer schemas are refused; older
ones are migrated after a backup."""

from __future__ import annotations

import stat
from datetime import date

import orjson
import pytest

from checklists.models import Change
from store import migrations
from store.errors import CorruptCaseFile, SchemaTooNew
from tests.store.helpers import PATIENT, add_saline, make_case

TODAY = date(2025, 3, 1)


@pytest.fixture
def three_cases(repo):
    ids = []
    for n in range(3):
        case_id = repo.new_case_id()
        repo.add_case(make_case(case_id, patient=f"{PATIENT}-{n}"), [Change("case-add", "case")])
        ids.append(case_id)
    return ids


def truncate(path, keep: float = 0.5) -> bytes:
    raw = path.read_bytes()
    damaged = raw[: int(len(raw) * keep)]
    path.write_bytes(damaged)
    return damaged


def rewrite(path, change) -> bytes:
    tables = orjson.loads(path.read_bytes())
    change(tables)
    raw = orjson.dumps(tables)
    path.write_bytes(raw)
    return raw


DAMAGES = {
    "truncated": lambda path: truncate(path),
    "empty": lambda path: truncate(path, 0),
    "not-json": lambda path: path.write_bytes(b"\x89PNG not a case") and path.read_bytes(),
    "no-case-doc": lambda path: rewrite(path, lambda t: t.pop("case")),
    "bad-date": lambda path: rewrite(path, lambda t: t["case"]["1"].update(onset="01/02/2025")),
    "no-schema": lambda path: rewrite(path, lambda t: t.pop("meta")),
    "event-not-an-object": lambda path: rewrite(path, lambda t: t.setdefault("events", {}).update({"9": "saline"})),
    "bad-document-id": lambda path: rewrite(path, lambda t: t["audit"].update({"x": {}})),
    "meta-not-an-object": lambda path: rewrite(path, lambda t: t.update(meta={"1": [1]})),
}


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_a_damaged_case_is_reported_by_path_never_overwritten_and_the_rest_still_lists(
    repo, three_cases, damage
):
    bad = three_cases[1]
    path = repo.case_path(bad)
    damaged = DAMAGES[damage](path)

    with pytest.raises(CorruptCaseFile) as caught:
        repo.get(bad)
    message = str(caught.value)
    assert str(path) in message and "backup" in message and "\n" not in message
    assert PATIENT not in message
    with pytest.raises(CorruptCaseFile):
        repo.update(bad, add_saline())

    result = repo.list_rows(TODAY)
    assert sorted(r.id for r in result.rows) == sorted(set(three_cases) - {bad})
    assert result.warnings == [f"skipped {caught.value}"]
    assert result.warnings[0].startswith(f"skipped damaged case file {path}: ")
    warnings: list[str] = []
    assert {c.id for c in repo.all_cases(warnings)} == set(three_cases) - {bad}
    assert warnings == result.warnings

    assert path.read_bytes() == damaged  # after a get, an update, a list and an export scan


def test_a_damaged_settings_file_is_refused_not_replaced(repo, case_id):
    damaged = truncate(repo.settings_path)
    with pytest.raises(CorruptCaseFile, match="damaged settings file"):
        repo.policy()
    with pytest.raises(CorruptCaseFile):
        repo.update_policy(lambda p: (p, [Change("policy-set", "soon_days", 14, 14)]))
    with pytest.raises(CorruptCaseFile):
        repo.record_export([case_id], "csv", False, "file")
    with pytest.raises(CorruptCaseFile):
        repo.deid_key()
    # The case list still shows, on the default policy, and says why.
    result = repo.list_rows(TODAY)
    assert [r.id for r in result.rows] == [case_id]
    (warning,) = result.warnings
    assert str(repo.settings_path) in warning and "default policy" in warning
    assert repo.settings_path.read_bytes() == damaged


def test_a_case_from_a_newer_schema_is_refused(repo, three_cases):
    newer = three_cases[0]
    path = repo.case_path(newer)
    raw = rewrite(path, lambda t: t["meta"]["1"].update(schema_version=migrations.SCHEMA_VERSION + 1))

    with pytest.raises(SchemaTooNew, match="newer version of Rounds") as caught:
        repo.get(newer)
    assert "upgrade Rounds" in str(caught.value)
    with pytest.raises(SchemaTooNew):
        repo.update(newer, add_saline())
    result = repo.list_rows(TODAY)
    assert len(result.rows) == 2
    assert result.warnings == [f"skipped case {newer}: {caught.value}"]
    assert path.read_bytes() == raw


def test_a_policy_value_that_is_not_a_number_is_damage(repo, case_id):
    repo.update_policy(lambda p: (p, [Change("policy-set", "soon_days", 14, 14)]))
    rewrite(repo.settings_path, lambda t: t["policy"]["1"].update(soon_days="fourteen"))
    with pytest.raises(CorruptCaseFile):
        repo.policy()


def test_settings_from_a_newer_schema_are_refused(repo, case_id):
    rewrite(repo.settings_path, lambda t: t["meta"]["1"].update(schema_version=99))
    with pytest.raises(SchemaTooNew):
        repo.policy()
    with pytest.raises(SchemaTooNew):
        repo.list_rows(TODAY)


def _rename_label_to_patient(tables):
    """A made-up migration from a pretend version 0 that called the patient field `label`."""
    for doc in tables["case"].values():
        doc["patient"] = doc.pop("label")
    return tables


@pytest.fixture
def version_zero_case(repo, case_id, monkeypatch):
    monkeypatch.setitem(migrations.MIGRATIONS, 0, _rename_label_to_patient)

    def make_old(tables):
        tables["meta"]["1"]["schema_version"] = 0
        tables["case"]["1"]["label"] = tables["case"]["1"].pop("patient")

    return rewrite(repo.case_path(case_id), make_old)


def test_an_older_case_reads_migrated_without_touching_the_file(repo, case_id, version_zero_case):
    path = repo.case_path(case_id)
    assert repo.get(case_id).patient == PATIENT
    assert [r.patient for r in repo.list_rows(TODAY).rows] == [PATIENT]
    assert path.read_bytes() == version_zero_case
    assert not path.with_name(path.name + ".v0.bak").exists()


def test_an_older_case_is_migrated_on_its_next_write_after_a_backup(repo, case_id, version_zero_case):
    path = repo.case_path(case_id)
    repo.update(case_id, add_saline())

    backup = path.with_name(path.name + ".v0.bak")
    assert backup.read_bytes() == version_zero_case
    assert stat.S_IMODE(backup.stat().st_mode) & 0o007 == 0
    tables = orjson.loads(path.read_bytes())
    assert tables["meta"]["1"]["schema_version"] == migrations.SCHEMA_VERSION
    assert tables["case"]["1"]["patient"] == PATIENT and "label" not in tables["case"]["1"]
    assert tables["meta"]["1"]["deid_offset_days"]  # untouched tables survive the migration
    assert repo.get(case_id).revision == 2
    assert [r.id for r in repo.list_rows(TODAY).rows] == [case_id]  # the backup is not a case


def test_a_version_without_a_migration_is_reported_as_damage(repo, case_id):
    rewrite(repo.case_path(case_id), lambda t: t["meta"]["1"].update(schema_version=0))
    with pytest.raises(CorruptCaseFile):
        repo.get(case_id)


def test_an_empty_settings_file_is_damage_not_a_fresh_start(repo, case_id):
    repo.settings_path.write_bytes(b"")
    with pytest.raises(CorruptCaseFile):
        repo.deid_key()
    assert repo.settings_path.read_bytes() == b""
