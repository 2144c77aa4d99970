"""A JSON export of every case made by several processes (the command line, for large databases) is
byte for byte the one a single process makes: same cases, same order, same warnings, same audit."""

from __future__ import annotations

import pytest

import store.export.parallel_json as parallel_json
from store.export.runner import ExportOptions, export_cases, render_export
from tests.export.conftest import NOW, TODAY


@pytest.fixture
def split_in_two(monkeypatch):
    monkeypatch.setattr(parallel_json, "workers_for", lambda cases: 2)


@pytest.mark.parametrize("deidentify", [False, True])
def test_two_processes_write_what_one_writes(demo, split_in_two, deidentify):
    damaged = demo.repo.case_path(demo.ids[1])
    damaged.write_bytes(b"{not json")
    options = ExportOptions("json", deidentify=deidentify)
    one_warnings: list[str] = []
    two_warnings: list[str] = []
    one, one_ids = render_export(demo.repo, None, options, catalogue=demo.catalogue, today=TODAY, now=NOW,
                                 warnings=one_warnings)
    two, two_ids = render_export(demo.repo, None, options, catalogue=demo.catalogue, today=TODAY, now=NOW,
                                 warnings=two_warnings, parallel=True)
    assert isinstance(two, bytes)
    assert two == one.encode("utf-8")
    assert two_ids == one_ids and demo.ids[1] not in two_ids
    assert two_warnings == one_warnings and len(two_warnings) == 1


def test_a_parallel_export_is_written_and_audited_as_any(demo, split_in_two, tmp_path):
    out = tmp_path / "all.json"
    result = export_cases(demo.repo, None, ExportOptions("json"), out, catalogue=demo.catalogue, today=TODAY,
                          now=NOW, parallel=True)
    assert out.read_bytes().decode("utf-8").endswith("}\n")
    (entry,) = [e for e in demo.repo.settings_audit() if e.action == "export"]
    assert sorted(entry.details["cases"]) == sorted(demo.ids) == sorted(result.case_ids)


def test_small_exports_stay_in_one_process():
    assert parallel_json.workers_for(parallel_json.PARALLEL_FROM - 1) == 1
