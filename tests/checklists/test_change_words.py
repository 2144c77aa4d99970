"""Audited changes in words (review defect 7): no raw dict, no internal action name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checklists.change_words import Names, catalogue_names, change_sentence, fold_companions, value_words
from seeds.loader import default_catalogue


@dataclass(frozen=True)
class Entry:
    action: str
    target: str
    old: Any = None
    new: Any = None
    details: dict | None = None
    reason: str | None = None
    write: int = 1


NAMES = catalogue_names(default_catalogue())


def test_an_event_is_named_by_its_kind_and_date():
    entry = Entry("event-log", "e9", new={"id": "e9", "kind": "saline", "date": "2026-11-20", "volume_ml": 10.0})
    assert change_sentence(entry, NAMES) == "Logged saline infiltration of 2026-11-20 (e9)"
    voided = Entry("event-void", "e9", old=False, new=True, reason="duplicate")
    names = Names(events={"e9": entry.new})
    assert change_sentence(voided, names) == "Voided saline infiltration of 2026-11-20 (e9) (duplicate)"


def test_an_item_decision_names_the_item_and_its_date():
    snooze = Entry("item-snooze", "smoking-cessation", new={"state": "snoozed", "until": "2027-01-15",
                                                            "reason": "next visit"})
    sentence = change_sentence(snooze, NAMES)
    assert sentence.startswith("Snoozed \u201c") and "until 2027-01-15 (next visit)" in sentence
    assert "smoking-cessation" not in sentence


def test_a_dated_field_is_one_sentence_with_its_date():
    entries = [Entry("field-set", "inflammation", old=None, new="active"),
               Entry("field-set", "inflammation_date", old=None, new="2025-11-05"),
               Entry("field-set", "inflammation_history", old=[], new=[{"state": "active", "date": "2025-11-05"}])]
    folded = fold_companions(entries, lambda e: e.write)
    assert len(folded) == 1
    main, companions = folded[0]
    assert change_sentence(main, NAMES, companions) == "Inflammation set to active from 2025-11-05"


def test_a_companion_saved_alone_still_reads_as_words():
    entry = Entry("field-set", "inflammation_history", old=[{"state": "quiet", "date": "2025-10-01"}],
                  new=[{"state": "quiet", "date": "2025-10-01"}, {"state": "active", "date": "2025-11-05"}])
    sentence = change_sentence(entry, NAMES)
    assert sentence == "Inflammation history set to active from 2025-11-05 (was quiet from 2025-10-01)"
    assert "{" not in sentence and "'" not in sentence


def test_policy_undo_and_records_in_words():
    assert change_sentence(Entry("policy-set", "soon_days", old=14, new=7)) \
        == "Clinic policy: Due-soon lead (days) set to 7 (was 14)"
    undo = Entry("undo", "saline_max_ml", old=25.0, new=20.0, details={"undoes": {"action": "policy-set"}})
    assert change_sentence(undo) == "Undid a change of the clinic policy: Saline alert above (mL) back to 20"
    export = Entry("export", "cases", details={"format": "csv", "count": 1})
    assert change_sentence(export) == "Exported 1 case (csv)"


def test_values_are_words_never_python_reprs():
    assert value_words({"state": "active", "date": "2025-11-05"}) == "active from 2025-11-05"
    assert value_words(["a", "b"]) == "a, b"
    assert value_words(None) == "nothing"
    assert value_words({"revision": 3, "from": "/backups/x"}) == "revision 3; from /backups/x"


def test_a_cleared_field_says_so():
    entry = Entry("field-set", "injection_date", old="2026-04-01", new=None)
    assert change_sentence(entry) == "Injection date cleared (was 2026-04-01)"


def test_a_protocol_review_names_the_rule_and_the_decision():
    entry = Entry("protocol-review", "steroid-atrophy/item/review-6m", old="unreviewed",
                  new={"decision": "accept", "on": "2026-11-21", "rule_hash": "ab"}, reason="as agreed")
    sentence = change_sentence(entry, NAMES)
    assert sentence.startswith("Accepted the rule \u201c") and sentence.endswith(": as agreed")
    assert "steroid-atrophy/item" not in sentence
