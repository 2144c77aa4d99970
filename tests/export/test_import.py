"""`rounds import`: a JSON export restores a database exactly; a bad file is refused whole."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from checklists.engine import evaluate
from checklists.serialize import case_json
from store.export.importer import ImportFileError, import_cases, parse_export, read_export
from store.export.runner import ExportOptions, export_cases
from store.repository import Repository
from tests.export.conftest import NOW, TODAY, fixed_now, render


def export_json(demo, path: Path) -> Path:
    export_cases(demo.repo, None, ExportOptions("json"), path, catalogue=demo.catalogue, today=TODAY, now=NOW)
    return path


def shown(repo, case_id, catalogue) -> dict:
    return case_json(evaluate(repo.get(case_id), catalogue, repo.policy(), TODAY))


def files_under(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*")) if path.exists() else []


def test_export_then_import_round_trips_the_database(demo, tmp_path):
    source = export_json(demo, tmp_path / "all.json")
    target = Repository(tmp_path / "restored", demo.catalogue, now=fixed_now)
    result = import_cases(target, read_export(source, demo.catalogue))
    assert sorted(result.case_ids) == sorted(demo.ids) and not result.renamed
    for case_id in demo.ids:
        assert shown(target, case_id, demo.catalogue) == shown(demo.repo, case_id, demo.catalogue)
        # Not only what `case show` prints: the record itself, event stamps and reopen markers included.
        assert target.get(case_id) == demo.repo.get(case_id)
        before, after = demo.repo.audit_trail(case_id), target.audit_trail(case_id)
        # The history comes along as it was, each entry marked as imported (by whom, when).
        assert [replace(a, imported=None) for a in after[:-1]] == before
        assert all(a.imported == {"by": after[-1].who, "at": after[-1].when} for a in after[:-1])
        assert after[-1].action == "case-import" and after[-1].new["source"] == "all.json"
    # And the restored database exports the same again.
    again = json.loads(render(type(demo)(repo=target, db_dir=tmp_path / "restored", ids=demo.ids), "json"))
    first = json.loads(source.read_text())
    assert [{k: v for k, v in c.items() if k != "audit"} for c in again["cases"]] == [
        {k: v for k, v in c.items() if k != "audit"}
        for c in sorted(first["cases"], key=lambda c: demo.ids.index(c["id"]))
    ]


def test_restored_files_are_private(demo, tmp_path):
    source = export_json(demo, tmp_path / "all.json")
    target = Repository(tmp_path / "restored", demo.catalogue, now=fixed_now)
    import_cases(target, read_export(source, demo.catalogue))
    for path in (tmp_path / "restored").rglob("*"):
        assert not os.stat(path).st_mode & 0o007, path


def test_an_id_already_in_the_database_stops_the_import_before_any_write(demo, tmp_path):
    source = export_json(demo, tmp_path / "all.json")
    target = Repository(tmp_path / "other", demo.catalogue, now=fixed_now)
    plan = read_export(source, demo.catalogue)
    # Import only the last case first, so that the clash comes after cases that could be written.
    last = plan.cases[-1]
    import_cases(target, type(plan)(cases=(last,), source=plan.source))
    before = files_under(tmp_path / "other")
    with pytest.raises(ImportFileError, match=f"case {last.case.id} already exists.*--as-new"):
        import_cases(target, plan)
    assert files_under(tmp_path / "other") == before


def test_as_new_gives_new_ids_and_the_same_content(demo, tmp_path):
    source = export_json(demo, tmp_path / "all.json")
    result = import_cases(demo.repo, read_export(source, demo.catalogue), as_new=True)
    assert set(result.renamed) == set(demo.ids)
    assert not set(result.renamed.values()) & set(demo.ids)
    for old, new in result.renamed.items():
        original, copy = shown(demo.repo, old, demo.catalogue), shown(demo.repo, new, demo.catalogue)
        assert copy == {**original, "id": new}
        assert demo.repo.audit_trail(new)[-1].old == old


def test_a_deidentified_export_cannot_be_imported(demo, tmp_path):
    with pytest.raises(ImportFileError, match="a de-identified export cannot be imported"):
        parse_export(render(demo, "json", deidentify=True), demo.catalogue)


def _broken(demo, mutate) -> str:
    data = json.loads(render(demo, "json"))
    mutate(data)
    return json.dumps(data)


def _event(data, case_index, kind):
    return next(e for e in data["cases"][case_index]["events"] if e["kind"] == kind)


MALFORMED = {
    "not json": (lambda d: None, "not valid JSON"),
    "bad event date": (lambda d: _event(d, 1, "biopsy").update(date="2026-02-30"),
                       "case {1}: event e1: field 'date' '2026-02-30' is not a real calendar date"),
    "volume out of range": (lambda d: _event(d, 0, "saline").update(volume_ml=500),
                            "case {0}: event e2: field 'volume_ml' is not valid"),
    "unknown event field": (lambda d: _event(d, 2, "injection").update(colour="red"),
                            "case {2}: event e1: field 'colour' is not an event field"),
    "missing onset": (lambda d: d["cases"][3].pop("onset"), "case {3}: field 'onset' is missing"),
    "unknown pathway": (lambda d: d["cases"][4].update(pathways=["knee-injection"]),
                        "case {4}: field 'pathway' is not valid"),
    "bad status": (lambda d: d["cases"][5].update(status="gone"), "case {5}: field 'status' must be one of"),
    "item not in pathways": (lambda d: d["cases"][0]["item_records"].update({"deep-biopsy": {"state": "done"}}),
                             "case {0}: item record deep-biopsy: not an item of this case's pathways"),
    "duplicate seq": (lambda d: d["cases"][0]["events"][1].update(seq=1), "case {0}: event e2: field 'seq' 1"),
    "duplicate case": (lambda d: d["cases"].append(d["cases"][0]), "case {0}: the id appears twice"),
    "newer schema": (lambda d: d.update(schema_version=99), "export schema 99 is newer"),
    "bad id": (lambda d: d["cases"][0].update(id="../../etc"), "field 'id' must be a case id"),
    "audit entry": (lambda d: d["cases"][2]["audit"].append({"who": 5}), "case {2}: audit["),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_file_is_rejected_whole_naming_case_and_field(demo, tmp_path, name):
    mutate, message = MALFORMED[name]
    text = "{not json" if name == "not json" else _broken(demo, mutate)
    path = tmp_path / "broken.json"
    path.write_text(text)
    target = tmp_path / "target"
    with pytest.raises(ImportFileError) as caught:
        import_cases(Repository(target, demo.catalogue), read_export(path, demo.catalogue))
    assert message.format(*demo.ids) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not target.exists(), "nothing is written, not even the database folder"


def test_error_messages_never_echo_patient_text(demo, tmp_path):
    text = _broken(demo, lambda d: d["cases"][0].update(patient="DEMO-001\nsecond line"))
    with pytest.raises(ImportFileError) as caught:
        parse_export(text, demo.catalogue)
    assert "DEMO-001" not in str(caught.value) and "patient" in str(caught.value)


def _set_policy(repo, **values):
    from checklists.policy import set_policies

    for key, value in values.items():
        repo.update_policy(lambda policy, key=key, value=value: set_policies(policy, {key: value}))


def test_the_policy_comes_along_into_an_empty_database(demo, tmp_path):
    # Bounds that have to be set maximum first, so the order of the changes matters.
    _set_policy(demo.repo, saline_max_sessions=12, saline_min_sessions=8, saline_max_ml=40, saline_min_ml=25)
    source = export_json(demo, tmp_path / "all.json")
    target = Repository(tmp_path / "restored", demo.catalogue, now=fixed_now)
    result = import_cases(target, read_export(source, demo.catalogue))
    assert set(result.policy_restored) == {"saline_max_sessions", "saline_min_sessions", "saline_max_ml",
                                           "saline_min_ml"}
    assert target.policy() == demo.repo.policy()
    for case_id in demo.ids:
        assert shown(target, case_id, demo.catalogue) == shown(demo.repo, case_id, demo.catalogue)


def test_a_database_with_cases_keeps_its_own_policy_and_says_so(demo, tmp_path):
    source = export_json(demo, tmp_path / "all.json")
    _set_policy(demo.repo, soon_days=30)
    result = import_cases(demo.repo, read_export(source, demo.catalogue), as_new=True)
    assert demo.repo.policy().soon_days == 30
    assert result.policy_differs == ("soon_days",) and "another clinic policy" in result.warnings()[0]


def test_an_impossible_policy_in_the_file_is_refused(demo):
    text = _broken(demo, lambda d: d["policy"].update(saline_min_ml=50, saline_max_ml=10))
    with pytest.raises(ImportFileError, match="field 'policy.saline_m.._ml' is not valid"):
        parse_export(text, demo.catalogue)


@pytest.mark.parametrize("where", ["before", "after"])
def test_import_json_names_the_imported_cases_with_json_before_or_after_the_command(demo, tmp_path, capsys, where):
    from tui.cli import main

    source = export_json(demo, tmp_path / "all.json")
    args = ["import", str(source)]
    args = ["--json", *args] if where == "before" else [*args, "--json"]
    assert main(["--db", str(tmp_path / f"restored-{where}"), "--today", TODAY.isoformat(), *args]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert sorted(printed["imported"]) == sorted(demo.ids) and printed["renamed"] == {}
    assert set(printed) == {"imported", "renamed", "policy_restored"}


# --- issue 15: every change of inflammation, and the severity -------------------------------------------

def panniculitis_doc(demo, tmp_path) -> tuple[dict, dict]:
    data = json.loads(export_json(demo, tmp_path / "all.json").read_text())
    case = next(c for c in data["cases"] if c["inflammation"] == "resolved")
    return data, case


def test_an_export_carries_every_change_of_inflammation_and_the_severity_back_in(demo, tmp_path):
    data, case = panniculitis_doc(demo, tmp_path)
    day = date.fromisoformat(case["inflammation_date"])
    case["inflammation_history"] = [
        {"state": state, "date": (day - timedelta(days=back)).isoformat()}
        for state, back in (("active", 300), ("resolved", 200), ("active", 100), ("resolved", 0))]
    case["severity"], case["severity_date"] = "severe", (day - timedelta(days=250)).isoformat()
    plan = parse_export(json.dumps(data), demo.catalogue)
    imported = next(c.case for c in plan.cases if c.case.id == case["id"])
    assert [c.state for c in imported.inflammation_history] == ["active", "resolved", "active", "resolved"]
    assert (imported.severity, imported.severity_date) == ("severe", day - timedelta(days=250))


def test_an_export_from_before_the_history_reads_its_state_as_one_change(demo, tmp_path):
    data, case = panniculitis_doc(demo, tmp_path)
    del case["inflammation_history"]
    plan = parse_export(json.dumps(data), demo.catalogue)
    imported = next(c.case for c in plan.cases if c.case.id == case["id"])
    assert [(c.state, c.date.isoformat()) for c in imported.inflammation_history] == [
        ("resolved", case["inflammation_date"])]


@pytest.mark.parametrize("history, why", [
    ([{"state": "resolved", "date": "2020-01-01"}], "does not end with the case's inflammation"),
    ([{"state": "active", "date": "2030-01-01"}, {"state": "active", "date": "2031-01-01"}], "is not valid"),
    ([{"state": "quiet", "date": "2020-01-01"}], "must be one of active, resolved"),
    ("resolved", "must be a list"),
])
def test_an_inflammation_history_that_cannot_be_true_is_refused_and_nothing_is_imported(demo, tmp_path, history, why):
    data, case = panniculitis_doc(demo, tmp_path)
    case["inflammation_history"] = history
    with pytest.raises(ImportFileError, match=why):
        parse_export(json.dumps(data), demo.catalogue)
