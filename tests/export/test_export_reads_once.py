"""An export reads each case file once (issue 12): the case, its audit trail and its de-identification
offset all come from that one read, and what it writes is what the separate reads gave."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pytest

import store.storage
from store.audit import entry_from_doc
from store.export.runner import ExportOptions, _audit_json, export_cases
from tests.export.conftest import NOW, TODAY


def _count_reads(monkeypatch) -> Counter:
    reads: Counter = Counter()
    real = store.storage.read_file

    def counting(path, *args, **kwargs):
        reads[Path(path).name] += 1
        return real(path, *args, **kwargs)

    monkeypatch.setattr(store.storage, "read_file", counting)
    return reads


@pytest.mark.parametrize("deidentify", [False, True])
@pytest.mark.parametrize("chosen", [False, True])
def test_each_case_file_is_read_once(demo, tmp_path, monkeypatch, deidentify, chosen):
    reads = _count_reads(monkeypatch)
    export_cases(demo.repo, demo.ids if chosen else None, ExportOptions("json", deidentify=deidentify),
                 tmp_path / "out.json", catalogue=demo.catalogue, today=TODAY, now=NOW)
    case_reads = {name: n for name, n in reads.items() if name.endswith(".json") and name != "settings.json"}
    assert sorted(case_reads) == sorted(f"{case_id}.json" for case_id in demo.ids)
    assert set(case_reads.values()) == {1}


def test_the_audit_in_a_json_export_is_each_case_trail(demo, tmp_path):
    out = tmp_path / "out.json"
    export_cases(demo.repo, None, ExportOptions("json"), out, catalogue=demo.catalogue, today=TODAY, now=NOW)
    cases = json.loads(out.read_text())["cases"]
    assert len(cases) == len(demo.ids)
    for case in cases:
        assert case["audit"] == [asdict(entry) for entry in demo.repo.audit_trail(case["id"])]


@pytest.mark.parametrize("doc", [
    {"who": "alice", "when": "2026-01-01T00:00:00.000Z", "action": "event-log", "target": "e1", "old": None,
     "new": {"kind": "note", "date": "2026-01-01"}, "reason": None, "revision": 2},
    {"action": "case-import", "details": {"from": "x"}, "imported": {"by": "bob", "at": "2026-01-02T00:00:00Z"}},
    {},  # a damaged entry: every field at its default
])
def test_an_audit_entry_is_written_as_the_audit_entry_gives_it(doc):
    # Same keys, same order, same defaults as the dataclass it replaced on this path.
    written = _audit_json(doc)
    expected = asdict(entry_from_doc(doc))
    assert written == expected and list(written) == list(expected)
