"""The clinic's reviews of its protocol and the items it switched off, kept in the settings file.

They sit beside the clinic policy in `settings.json` (tables `reviews` and `disabled`), so every user
of the database shares them, a backup of the settings carries them, and each decision is one locked,
atomic write together with its entry in the settings' audit table. The rules themselves (hashes,
states, what may be switched off) are pure: checklists/signoff.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from checklists.errors import ValidationError
from checklists.models import Change
from checklists.signoff import (
    DECISIONS, RULE_KINDS, UNREVIEWED, Disabled, Review, ReviewState, RuleRef, Signoff, build_signoff,
    check_can_disable, decide, find_rule, hash_of, review_state, without_disabled,
)
from checklists.validation import check_text
from seeds.loader import Catalogue
from store.errors import CorruptCaseFile
from store.files import SettingsFile
from store.storage import read_file

REVIEWS_TABLE = "reviews"
DISABLED_TABLE = "disabled"


@dataclass(slots=True, frozen=True)
class ProtocolRecords:
    """What the clinic has recorded about its protocol: every review (oldest first), every item off."""

    reviews: tuple[Review, ...] = ()
    disabled: tuple[Disabled, ...] = ()

    def reviews_of(self, ref: RuleRef) -> list[Review]:
        return [r for r in self.reviews if r.rule == ref]

    def disabled_entry(self, pathway: str, item: str) -> Disabled | None:
        return next((d for d in self.disabled if (d.pathway, d.item) == (pathway, item)), None)


# --- reading -------------------------------------------------------------------------------------------


def _day(value: Any, path: Path) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CorruptCaseFile(path, SettingsFile.kind) from None


def _text(doc: dict, key: str, path: Path) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value:
        raise CorruptCaseFile(path, SettingsFile.kind)
    return value


def _review(doc: dict, path: Path) -> Review:
    kind, decision = doc.get("kind"), doc.get("decision")
    if kind not in RULE_KINDS or decision not in DECISIONS:
        raise CorruptCaseFile(path, SettingsFile.kind)
    return Review(
        rule=RuleRef(_text(doc, "pathway", path), kind, _text(doc, "rule", path)), decision=decision,
        by=_text(doc, "by", path), on=_day(doc.get("on"), path), note=_text(doc, "note", path),
        rule_hash=_text(doc, "rule_hash", path), when=doc.get("when") or "",
    )


def _disabled(doc: dict, path: Path) -> Disabled:
    return Disabled(pathway=_text(doc, "pathway", path), item=_text(doc, "item", path),
                    reason=_text(doc, "reason", path), by=_text(doc, "by", path), on=_day(doc.get("on"), path))


def records_in(settings: SettingsFile) -> ProtocolRecords:
    """The records in a loaded settings file; a damaged one is CorruptCaseFile, never skipped (a lost
    rejection would put an item the clinic refused back in front of patients)."""
    reviews = tuple(_review(dict(doc), settings.path) for doc in settings.table(REVIEWS_TABLE).all())
    return ProtocolRecords(reviews, disabled_in(settings))


def disabled_in(settings: SettingsFile) -> tuple[Disabled, ...]:
    return tuple(_disabled(dict(doc), settings.path) for doc in settings.table(DISABLED_TABLE).all())


def _loaded(settings_path: Path) -> SettingsFile | None:
    if not Path(settings_path).is_file():
        return None
    settings = SettingsFile(Path(settings_path))
    return settings if settings.load() else None


def read_records(settings_path: Path) -> ProtocolRecords:
    """The records as stored now (no lock: the settings file is only ever replaced whole)."""
    settings = _loaded(settings_path)
    return records_in(settings) if settings is not None else ProtocolRecords()


def read_disabled(settings_path: Path) -> tuple[Disabled, ...]:
    """The switched-off items alone: read at the start of every command, so the common case (none)
    costs one read of the file's bytes, not a parse of its audit trail and every review."""
    found = read_file(Path(settings_path)) if Path(settings_path).is_file() else None
    if found is None or f'"{DISABLED_TABLE}"'.encode() not in found[0]:
        return ()
    settings = _loaded(settings_path)
    return disabled_in(settings) if settings is not None else ()


def load_signoff(repository: Any, catalogue: Catalogue) -> Signoff:
    """The review state of every rule in `catalogue`, from the database's recorded reviews."""
    return build_signoff(catalogue, read_records(repository.settings_path).reviews)


# --- writing -------------------------------------------------------------------------------------------


def _review_doc(review: Review) -> dict:
    return {
        "pathway": review.rule.pathway, "kind": review.rule.kind, "rule": review.rule.id,
        "decision": review.decision, "by": review.by, "on": review.on.isoformat(), "note": review.note,
        "rule_hash": review.rule_hash, "when": review.when,
    }


def record_review(repository: Any, catalogue: Catalogue, pathway: str, rule: str, decision: str, note: object,
                  on: date) -> tuple[Review, ReviewState]:
    """Record a named clinician's decision (the login name) on one rule; returns it with the rule's
    state before it. Bad input (unknown rule, no note, ...) is ValidationError and writes nothing."""
    ref, definition = find_rule(catalogue, pathway, rule)
    current = hash_of(ref, definition)
    decide(ref, decision, note, by="-", on=on, current_hash=current, before=UNREVIEWED)  # checks before writing
    done: list[tuple[Review, ReviewState]] = []

    def stage(settings: SettingsFile, who: str, when: str) -> list[Change]:
        before = review_state(records_in(settings).reviews_of(ref), current)
        review, change = decide(ref, decision, note, by=who, on=on, current_hash=current, before=before)
        review = replace(review, when=when)
        settings.table(REVIEWS_TABLE).insert(_review_doc(review))
        done.append((review, before))
        return [change]

    repository.change_settings(stage)
    return done[0]


def _check_catalogue_without(catalogue: Catalogue, disabled: list[Disabled], ref: RuleRef) -> None:
    """Switching the item off must leave a protocol the engine can run: its pathway keeps an item and
    the pathway's alert rules still find what they need (PathwayRules.requires)."""
    from checklists.rules import REGISTRY

    remaining = without_disabled(catalogue, disabled).pathways[ref.pathway]
    if not remaining.items:
        raise ValidationError(f"{ref.id} is the last item of {ref.pathway} still on; a pathway needs one", "item")
    rules = REGISTRY.get(ref.pathway)
    for need in rules.requires(remaining) if rules is not None else ():
        raise ValidationError(f"item {ref.id} cannot be switched off: the alert rules of {ref.pathway} need "
                              f"{need}", "item")


def _check_disable(catalogue: Catalogue, records: ProtocolRecords, ref: RuleRef, current: str) -> None:
    if records.disabled_entry(ref.pathway, ref.id) is not None:
        raise ValidationError(f"item {ref.id} is already switched off for this clinic", "item")
    check_can_disable(ref, review_state(records.reviews_of(ref), current))
    entry = Disabled(ref.pathway, ref.id, "-", "-", date.min)
    _check_catalogue_without(catalogue, [*records.disabled, entry], ref)


def disable_item(repository: Any, catalogue: Catalogue, pathway: str, item: str, reason: object,
                 on: date) -> Disabled:
    """Switch a rejected item off for the clinic: it leaves every checklist; case records stay.
    `catalogue`: the whole protocol (store.protocol.clinic_catalogue), switched-off items included."""
    ref, definition = find_rule(catalogue, pathway, item)
    text = check_text(reason, "reason")
    current = hash_of(ref, definition)
    _check_disable(catalogue, read_records(repository.settings_path), ref, current)
    done: list[Disabled] = []

    def stage(settings: SettingsFile, who: str, when: str) -> list[Change]:
        _check_disable(catalogue, records_in(settings), ref, current)  # again, under the lock
        entry = Disabled(ref.pathway, ref.id, text, who, on)
        settings.table(DISABLED_TABLE).insert({"pathway": ref.pathway, "item": ref.id, "reason": text,
                                               "by": who, "on": on.isoformat(), "when": when})
        done.append(entry)
        return [Change(action="protocol-disable", target=ref.key, old=None, new={"on": on.isoformat()},
                       reason=text)]

    repository.change_settings(stage)
    return done[0]


def enable_item(repository: Any, pathway: str, item: str, on: date) -> Disabled:
    """Switch an item back on; returns the entry that was removed (the audit trail keeps it)."""
    def check(records: ProtocolRecords) -> Disabled:
        entry = records.disabled_entry(pathway, item)
        if entry is None:
            raise ValidationError(f"item {item} of {pathway} is not switched off "
                                  f"(rounds pathways show {pathway} lists what is)", "item")
        return entry

    check(read_records(repository.settings_path))
    done: list[Disabled] = []

    def stage(settings: SettingsFile, who: str, when: str) -> list[Change]:
        entry = check(records_in(settings))
        table = settings.table(DISABLED_TABLE)
        doc_ids = [doc.doc_id for doc in table.all() if (doc.get("pathway"), doc.get("item")) == (pathway, item)]
        table.remove(doc_ids=doc_ids)
        done.append(entry)
        return [Change(action="protocol-enable", target=f"{pathway}/item/{item}",
                       old={"on": entry.on.isoformat(), "by": entry.by, "reason": entry.reason},
                       new={"on": on.isoformat()})]

    repository.change_settings(stage)
    return done[0]
