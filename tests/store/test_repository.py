"""The repository's contract: reads create nothing, ids and prefixes, round trips, secrets for exports."""

from __future__ import annotations

import re
from dataclasses import fields, replace
from datetime import date
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checklists import actions
from checklists.models import (
    AlertSpan, Case, CaseRow, CaseSummary, Change, Event, InflammationChange, ItemRecord, NextDue, PlannedItem, Policy,
)
from seeds.loader import default_catalogue
from store import codec
from store.errors import AmbiguousCase, CaseExists, UnknownCase
from store.index import INDEX_FILE, ROWS_FILE, SUMMARIES_DIR
from store.repository import Repository
from tests.store.helpers import PATIENT, add_saline, make_case, make_repo

TODAY = date(2025, 3, 1)


def test_reading_a_missing_database_creates_nothing(tmp_path):
    db_dir = tmp_path / "nowhere" / "db"
    repo = make_repo(db_dir)
    assert repo.list_rows(TODAY).rows == []
    assert repo.signatures() == {}
    assert list(repo.all_cases()) == []
    assert repo.policy() == Policy()
    assert repo.settings_audit() == []
    assert repo.permission_warnings() == []
    with pytest.raises(UnknownCase):
        repo.get("abcd")
    assert repo.case_signature("abcd1234") is None
    assert not (tmp_path / "nowhere").exists()


def test_the_database_appears_with_the_first_write(tmp_path):
    repo = make_repo(tmp_path / "db")
    case_id = repo.new_case_id()
    repo.add_case(make_case(case_id), [Change("case-add", "case")])
    assert repo.case_path(case_id) == tmp_path / "db" / "cases" / case_id[:2] / f"{case_id}.json"
    assert repo.case_path(case_id).is_file() and repo.settings_path.is_file()


def test_a_read_of_an_existing_database_writes_no_data_files(repo, case_id):
    def data_files():
        return {p: p.read_bytes() for p in repo.db_dir.rglob("*.json")
                if p.name not in (INDEX_FILE, ROWS_FILE) and p.parent.name != SUMMARIES_DIR}

    before = data_files()
    repo.get(case_id)
    repo.list_rows(TODAY)
    list(repo.all_cases())
    repo.audit_trail(case_id)
    repo.deid_offset_days(case_id)
    assert data_files() == before


def test_new_ids_are_random_hex_and_never_taken(repo, case_id, monkeypatch):
    ids = {repo.new_case_id() for _ in range(50)}
    assert all(re.fullmatch(r"[0-9a-f]{10}", i) for i in ids) and len(ids) == 50
    tokens = iter([case_id, "0123456789"])
    monkeypatch.setattr("secrets.token_hex", lambda n: next(tokens))  # imported where it is used
    assert repo.new_case_id() == "0123456789"  # the taken one was skipped


def test_adding_a_case_twice_is_refused(repo, case_id):
    before = repo.case_path(case_id).read_bytes()
    with pytest.raises(CaseExists, match="already in use"):
        repo.add_case(make_case(case_id, events=9), [Change("case-add", "case")])
    assert repo.case_path(case_id).read_bytes() == before


@pytest.mark.parametrize("bad_id", ["abc", "ABCDEF", "../../etc/passwd", "ab cd", ""])
def test_unusable_case_ids_are_refused(repo, bad_id):
    with pytest.raises(ValueError):
        repo.add_case(make_case(bad_id), [])


@pytest.fixture
def prefixed(repo):
    ids = ["abcd123456", "abcd999999", "abce000000", "ff00112233"]
    for case_id in ids:
        repo.add_case(make_case(case_id), [Change("case-add", "case")])
    return ids


def test_a_unique_prefix_of_four_or_more_resolves(repo, prefixed):
    assert repo.resolve("abcd1") == "abcd123456"
    assert repo.resolve("abce") == "abce000000"
    assert repo.resolve("ff00112233") == "ff00112233"
    assert repo.resolve("  FF001 ") == "ff00112233"
    assert repo.get("abcd9").id == "abcd999999"


def test_an_ambiguous_prefix_names_the_candidates(repo, prefixed):
    with pytest.raises(AmbiguousCase) as caught:
        repo.resolve("abcd")
    assert caught.value.matches == ["abcd123456", "abcd999999"]
    assert "abcd123456" in str(caught.value) and "type more" in str(caught.value)


def test_too_short_or_unknown_references_are_unknown(repo, prefixed):
    with pytest.raises(UnknownCase, match="at least 4 characters"):
        repo.resolve("abc")
    with pytest.raises(UnknownCase, match="no case id starts with 'abcf'"):
        repo.resolve("abcf")
    with pytest.raises(UnknownCase):
        repo.resolve("zzzzzz")


@pytest.mark.parametrize("ref", ["../cases", "abcd/../../x", PATIENT, "Jane Doe"])
def test_a_reference_that_is_not_an_id_is_never_echoed(repo, prefixed, ref):
    with pytest.raises(UnknownCase) as caught:
        repo.resolve(ref)
    assert ref not in str(caught.value)
    assert UnknownCase.bad_input


def test_deidentification_secrets_are_stable_and_secret(db_dir, case_id):
    first, second = make_repo(db_dir), make_repo(db_dir)
    key = first.deid_key()
    assert len(key) == 32 and key == second.deid_key()
    offset = first.deid_offset_days(case_id)
    assert offset == second.deid_offset_days(case_id[:5])
    assert -40 * 365 <= offset <= -20 * 365
    assert key.hex() not in str(first.get(case_id))


def test_offsets_are_secret_per_case_and_longer_than_any_case_spans():
    offsets = [codec.new_meta(1)["deid_offset_days"] for _ in range(400)]
    assert all(-40 * 365 <= o <= -20 * 365 for o in offsets)
    assert len(set(offsets)) > 300  # random per case, not one shift for the whole database


def test_signatures_change_with_every_write(repo, case_id):
    before = repo.signatures()
    assert before == {case_id: repo.case_signature(case_id)}
    repo.update(case_id, add_saline())
    assert repo.signatures()[case_id] != before[case_id]


def test_the_settings_signature_changes_with_a_policy_change(repo):
    from checklists.policy import set_policies

    assert repo.settings_signature() is None  # no policy set yet: no settings file
    repo.update_policy(lambda policy: set_policies(policy, {"soon_days": 21}))
    first = repo.settings_signature()
    assert first is not None and repo.settings_signature() == first
    repo.update_policy(lambda policy: set_policies(policy, {"soon_days": 30}))
    assert repo.settings_signature() not in (None, first)


def test_all_cases_yields_every_case(repo, prefixed):
    assert [c.id for c in repo.all_cases()] == sorted(prefixed)


# --- the codec ----------------------------------------------------------------------------------------


def test_the_codec_knows_every_date_field():
    """A date field added to a model must be converted at the boundary, or it would not round-trip."""
    for model, known in ((Case, codec.CASE_DATE_FIELDS), (Event, codec.EVENT_DATE_FIELDS),
                         (ItemRecord, codec.ITEM_DATE_FIELDS)):
        dated = {f.name for f in fields(model) if re.search(r"\bdate\b", str(f.type))} - {"checks"}
        assert dated == set(known), model.__name__


PATHWAYS = ["steroid-atrophy", "hip-injection"]
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))
text = st.none() | st.text(max_size=30)
numbers = st.none() | st.floats(min_value=0, max_value=1000, allow_nan=False)
small = st.none() | st.integers(min_value=0, max_value=10)
mrc = st.none() | st.integers(min_value=0, max_value=5)


@st.composite
def an_event(draw, seq: int) -> Event:
    # What the store accepts is what the engine could have recorded (store/codec.py checks it):
    # a saline or ABI session has its volume, a note its text, MRC strength is 0-5.
    kind = draw(st.sampled_from(["saline", "abi", "note"]))
    return Event(
        id=f"e{seq}", seq=seq, kind=kind, date=draw(days),
        volume_ml=draw(numbers.filter(lambda v: v is not None) if kind != "note" else numbers),
        site=draw(text), note=draw(st.text(max_size=30) if kind == "note" else text),
        photo=draw(st.none() | st.booleans()),
        mrc=draw(mrc), pain=draw(small), voided=draw(st.booleans()), void_reason=draw(text),
        recorded_at=draw(st.none() | st.just("2025-03-01T09:30:00.000Z")), recorded_by=draw(text),
    )


@st.composite
def inflammation_histories(draw) -> tuple[InflammationChange, ...]:
    """Changes of inflammation state as the engine records them: alternating, on ever later dates."""
    dates = sorted(set(draw(st.lists(days, max_size=4))))
    first = draw(st.sampled_from(["active", "resolved"]))
    other = {"active": "resolved", "resolved": "active"}
    states = [first]
    for _ in dates[1:]:
        states.append(other[states[-1]])
    return tuple(InflammationChange(s, d) for s, d in zip(states, dates))


@st.composite
def cases(draw):
    events = tuple(draw(an_event(seq)) for seq in range(1, draw(st.integers(0, 5)) + 1))
    # The current inflammation state is the last change of its history (issue 15).
    history = draw(inflammation_histories())
    item_ids = draw(st.lists(st.sampled_from(["review-6m", "aat-test", "saline-session"]), unique=True))
    items = {
        i: ItemRecord(
            item=i, state=draw(st.sampled_from(["open", "done", "skipped", "snoozed"])),
            date=draw(st.none() | days), reason=draw(text), until=draw(st.none() | days),
            reopened_after_seq=draw(small), checks=tuple(draw(st.lists(days, max_size=3))),
        )
        for i in item_ids
    }
    return Case(
        id="abcdef0123", patient=draw(st.text(min_size=1, max_size=20)),
        pathways=tuple(draw(st.lists(st.sampled_from(PATHWAYS), min_size=1, unique=True))),
        onset=draw(days), enrolment=draw(days), status=draw(st.sampled_from(["active", "closed"])),
        injection_date=draw(st.none() | days), site=draw(text), note=draw(text),
        etiology=draw(st.none() | st.just("idiopathic")), etiology_date=draw(st.none() | days),
        inflammation=history[-1].state if history else None,
        inflammation_date=history[-1].date if history else None, inflammation_history=history,
        severity=draw(st.none() | st.just("severe")), severity_date=draw(st.none() | days),
        events=events, items=items, revision=draw(st.integers(0, 1000)),
    )


@settings(max_examples=60, deadline=None)
@given(cases())
def test_a_case_survives_the_trip_through_json(case):
    doc = orjson.loads(orjson.dumps(codec.case_doc(case)))
    events = [orjson.loads(orjson.dumps(codec.event_doc(e))) for e in case.events]
    assert codec.case_from_docs(doc, reversed(events), Path("x.json")) == case


def test_the_real_engine_lists_cases_end_to_end(tmp_path):
    """With the shipped catalogue and engine (no fakes): add, toggle an item, list."""
    catalogue = default_catalogue()
    repo = Repository(tmp_path / "db", catalogue)
    case_id = repo.new_case_id()
    case, changes = actions.new_case(
        case_id=case_id, patient="DEMO-00001", pathways=["steroid-atrophy"], onset="2025-01-10",
        enrolment=TODAY, catalogue=catalogue,
    )
    repo.add_case(case, changes)
    rows = repo.list_rows(TODAY).rows
    assert [r.id for r in rows] == [case_id] and rows[0].patient == "DEMO-00001"

    repo.update(
        case_id, lambda c: actions.resolve_item(c, "baseline-assessment", "done", today=TODAY, catalogue=catalogue)
    )
    assert repo.get(case_id).items["baseline-assessment"].state == "done"
    assert repo.audit_trail(case_id)[-1].action == "item-done"
    (row,) = repo.list_rows(TODAY).rows
    assert row.id == case_id and (row.next_due is None or row.next_due.item != "baseline-assessment")


def test_an_imported_case_keeps_its_revision_stamps_and_trail(db_dir, tmp_path):
    source = make_repo(tmp_path / "source")
    case_id = source.new_case_id()
    source.add_case(make_case(case_id, events=2), [Change("case-add", "case")])
    original = source.update(case_id, add_saline())
    trail = [dict(who=a.who, when=a.when, action=a.action, target=a.target, old=a.old, new=a.new,
                  reason=a.reason, revision=a.revision, junk="dropped") for a in source.audit_trail(case_id)]

    repo = make_repo(db_dir)
    stored = repo.import_case(original, trail, [Change("case-import", "case", None, {"source": "x.json"})])
    assert stored == original == repo.get(case_id)
    imported = repo.audit_trail(case_id)
    assert [replace(a, imported=None) for a in imported[:-1]] == source.audit_trail(case_id)
    assert all(a.imported == {"by": imported[-1].who, "at": imported[-1].when} for a in imported[:-1])
    assert (imported[-1].action, imported[-1].revision) == ("case-import", original.revision)
    with pytest.raises(CaseExists):
        repo.import_case(original, trail, [])


def test_the_cache_codec_knows_every_field_of_what_it_stores():
    """A field added to a cached model must be added to its cache entry, or it would silently vanish."""
    sizes = {CaseSummary: 7, PlannedItem: 9, AlertSpan: 4, CaseRow: 10, NextDue: 6}
    assert {model: len(fields(model)) for model in sizes} == sizes
