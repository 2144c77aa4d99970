"""Case files and list caches written before acknowledgements, early marks and missed items still read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from checklists import actions
from checklists.models import AlertAck, ItemRecord
from store import codec
from store.index import _decoded
from store.protocol import shipped_protocol


def test_a_case_document_without_acknowledgements_or_early_marks_reads_with_none(tmp_path: Path):
    case, _ = actions.new_case(case_id="old0000001", patient="DEMO-001", pathways=["hip-injection"],
                               onset="2026-01-01", enrolment=date(2026, 1, 2), catalogue=shipped_protocol())
    doc = codec.case_doc(case)
    doc["items"] = {"pt-before-injection": {"state": "done", "date": "2026-01-03"}}  # as written before
    assert "acks" not in doc
    read = codec.case_from_docs(doc, [], tmp_path / "old.json")
    assert read.acks == {} and read.items["pt-before-injection"] == ItemRecord(
        item="pt-before-injection", state="done", date=date(2026, 1, 3))


def test_acknowledgements_and_early_marks_round_trip_through_the_case_file(tmp_path: Path):
    case, _ = actions.new_case(case_id="new0000001", patient="DEMO-002", pathways=["hip-injection"],
                               onset="2026-01-01", enrolment=date(2026, 1, 2), catalogue=shipped_protocol())
    ack = AlertAck(code="blind-injection", by="dr-demo", on=date(2026, 2, 1), note="noted", covers=("e1",))
    early = ItemRecord(item="atrophy-check-12m", state="done", date=date(2026, 2, 1), early=True)
    from dataclasses import replace

    case = replace(case, acks={"blind-injection": ack}, items={"atrophy-check-12m": early})
    read = codec.case_from_docs(codec.case_doc(case), [], tmp_path / "new.json")
    assert read.acks == case.acks and read.items == case.items


def test_a_list_cache_entry_from_before_is_made_again_not_misread():
    # An item written with six fields (no missed, no gated flag) is not guessed at: it is rebuilt.
    entry = [[1, 2, 3, 4], ["c1", "DEMO-1", [], 0, 738000, [[0, 0, 0, None, None, None]], []]]
    assert _decoded(codec.CacheDecoder(["x"]).summary, entry, (1, 2, 3, 4)) is None
