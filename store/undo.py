"""`rounds undo` and the TUI's `u`: revert the caller's most recent change, as a new audited change.

What an undo does, change by change (nothing is ever deleted; the trail only grows):
- a logged event is voided with the reason "undo" (events are never removed);
- a voided event is brought back (live again, its void reason cleared);
- an item decision (done, skip, snooze, reopen) puts back the item's record as it was before;
- a case field, or a clinic policy value, gets its old value back; a change of several policy keys
  (one save of the policy form) is undone whole.
Adding, importing or restoring a case cannot be undone (cases are never deleted); the message says
what to do instead. Exports and backups are records, not changes: they are passed over.

"Most recent" is the caller's latest change that is not an undo and has not been undone, so a second
undo reverts the change before. An undo is refused, naming who changed what, when someone else has
changed the same event, item, field or policy key since, or the case was restored or imported since.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from checklists.actions import plain_value, record_json
from checklists.change_words import Names, catalogue_names, change_sentence, fold_companions, undo_consequence
from checklists.models import Case, Change, Event, InflammationChange, ItemRecord, Policy
from store.audit import current_user
from store.codec import CASE_DATE_FIELDS, item_from_doc
from store.errors import StoreError
from store.history import (
    RECORD_ACTIONS, FilesNewestFirst, HistoryEntry, case_files_newest_first, entries_from_docs, settings_entries,
    trail_docs,
)

UNDO_REASON = "undo"
# Writes that replace a case wholesale: nothing from before them can be undone piecemeal.
_BARRIERS = frozenset({"case-import", "case-restore"})
_NOT_UNDOABLE = {
    "case-add": "adding it, which cannot be undone (cases are never deleted); to stop following it: "
                "rounds case set {case} status closed",
    "case-import": "importing it, which cannot be undone (cases are never deleted); to stop following it: "
                   "rounds case set {case} status closed",
    "case-restore": "restoring it from a backup, which cannot be undone; restore it again from the backup "
                    "you want: rounds restore --from DIR {case}",
}


class NothingToUndo(StoreError):
    bad_input = True

    def __init__(self, message: str, *, case: str | None = None) -> None:
        super().__init__(message)
        self.case = case  # the case asked about (None: the whole database), for the app's own words


class UndoRefused(StoreError):
    """Undoing would overwrite a colleague's later change (or cannot be done); nothing was written.

    `str()` is the command line's line; the app words it itself from `case`, `action` (a change that
    cannot be undone: case-add, case-import, case-restore) and `later` / `mine` (a colleague's change
    made after the caller's)."""

    bad_input = True

    def __init__(self, message: str, *, case: str | None = None, action: str | None = None,
                 later: HistoryEntry | None = None, mine: HistoryEntry | None = None) -> None:
        super().__init__(message)
        self.case = case
        self.action = action
        self.later = later
        self.mine = mine


@dataclass(slots=True, frozen=True)
class UndoPlan:
    """The change an undo would revert: one write (all its entries) of one case or of the settings."""

    case: str | None  # None: the clinic settings
    entries: tuple[HistoryEntry, ...]
    # For the app's confirmation (never the command line's output, which may be logged): the case's
    # patient label and its events (id -> {"kind", "date"}), so that the change is told in words.
    patient: str | None = None
    events: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def write(self) -> tuple:
        return self.entries[0].write

    @property
    def when(self) -> str:
        return self.entries[0].when

    @property
    def what(self) -> str:
        return ", ".join(dict.fromkeys(e.what for e in self.entries))

    def describe(self) -> str:
        where = f"case {self.case}" if self.case else "the clinic policy"
        return f"{self.what} in {where}, made {self.when}"

    def names(self, catalogue: Any = None) -> Names:
        base = catalogue_names(catalogue) if catalogue is not None else Names()
        return replace(base, events=self.events)

    def sentences(self, catalogue: Any = None) -> list[str]:
        """The change in words, one sentence per value it set (a dated field's date folded in)."""
        names = self.names(catalogue)
        return [change_sentence(entry, names, companions)
                for entry, companions in fold_companions(self.entries, lambda e: e.write)]

    def consequences(self, catalogue: Any = None) -> list[str]:
        """What undoing it will do, one line per value it puts back."""
        names = self.names(catalogue)
        return [undo_consequence(entry, names, companions)
                for entry, companions in fold_companions(self.entries, lambda e: e.write)]


@dataclass(slots=True, frozen=True)
class UndoResult:
    plan: UndoPlan
    changes: tuple[Change, ...]

    def line(self) -> str:
        return f"undid {self.plan.describe()}"


# --- finding the change to undo ----------------------------------------------------------------------


def _groups(entries: list[HistoryEntry]) -> list[list[HistoryEntry]]:
    """The trail cut into writes: consecutive entries with the same revision, author and time."""
    groups: list[list[HistoryEntry]] = []
    for entry in entries:
        if groups and groups[-1][0].write == entry.write:
            groups[-1].append(entry)
        else:
            groups.append([entry])
    return groups


def _undone(entries: list[HistoryEntry]) -> set[tuple]:
    keys = set()
    for entry in entries:
        undoes = (entry.details or {}).get("undoes") if entry.action == "undo" else None
        if isinstance(undoes, dict):
            keys.add((undoes.get("revision"), undoes.get("who"), undoes.get("when")))
    return keys


def latest_change(entries: list[HistoryEntry], who: str) -> tuple[list[HistoryEntry], list[HistoryEntry]] | None:
    """The caller's latest change in one trail that is neither an undo nor undone, and every entry after it."""
    undone = _undone(entries)
    for group in reversed(_groups(entries)):
        first = group[0]
        if first.who != who or first.action == "undo" or first.action in RECORD_ACTIONS or first.write in undone:
            continue
        after = entries[group[-1].position + 1:]
        return group, after
    return None


def plan_undo(repo, case_ref: str | None = None, *, who: str | None = None) -> UndoPlan:
    """The change `undo` would revert now (for a confirmation). NothingToUndo if there is none;
    UndoRefused if it cannot be undone or a colleague has changed the same thing since."""
    who = who or current_user()
    if case_ref is not None:
        case_id = repo.resolve(case_ref)
        found = latest_change(entries_from_docs(trail_docs(repo.case_path(case_id)) or [], case_id), who)
        if found is None:
            raise NothingToUndo(f"{who} has made no change to case {case_id} that can be undone", case=case_id)
        return _described(repo, _checked(case_id, *found, who))
    best: tuple | None = None
    found = latest_change(settings_entries(repo), who)
    if found is not None:
        best = (None, *found)
    pruning = FilesNewestFirst()
    for case_id, path, mtime_ns in case_files_newest_first(repo):
        if best is not None and pruning.nothing_newer(mtime_ns, best[1][0].when):
            break  # this file and every older one were written before the best candidate was made
        try:
            docs = trail_docs(path)
        except (StoreError, PermissionError):
            continue  # `rounds check` names damaged files; an undo looks only for the caller's changes
        entries = entries_from_docs(docs or [], case_id)
        pruning.saw(entries, mtime_ns)
        found = latest_change(entries, who)
        if found is not None and (best is None or found[0][0].when > best[1][0].when):
            best = (case_id, *found)
    if best is None:
        raise NothingToUndo(f"{who} has made no change in this database that can be undone")
    case_id, group, after = best
    return _described(repo, _checked(case_id, group, after, who))


def _described(repo, plan: UndoPlan) -> UndoPlan:
    """The plan with what the app needs to tell it in words: the patient label and the case's events."""
    if plan.case is None:
        return plan
    try:
        case = repo.get(plan.case)
    except StoreError:
        return plan  # the undo itself will say what is wrong with the file
    events = {e.id: {"kind": e.kind, "date": e.date.isoformat()} for e in case.events}
    return replace(plan, patient=case.patient, events=events)


def _checked(case_id: str | None, group: list[HistoryEntry], after: list[HistoryEntry], who: str) -> UndoPlan:
    action = group[0].action
    if action in _NOT_UNDOABLE:
        raise UndoRefused(f"your latest change to case {case_id} is " + _NOT_UNDOABLE[action].format(case=case_id),
                          case=case_id, action=action)
    _refuse_if_changed_since(group, after, who)
    return UndoPlan(case_id, tuple(group))


# --- undoing it -------------------------------------------------------------------------------------


def undo(repo, case_ref: str | None = None, *, who: str | None = None, plan: UndoPlan | None = None) -> UndoResult:
    """Revert the caller's most recent change (to one case, or anywhere), as one new audited write.

    With `plan` (what was shown to the user), the undo is refused if that is no longer the change it
    would revert. Everything is checked again under the file's lock.
    """
    who = who or current_user()
    if plan is None:
        plan = plan_undo(repo, case_ref, who=who)
    written: list[Change] = []
    if plan.case is None:
        _undo_policy(repo, plan, who, written)
    else:
        _undo_case(repo, plan, who, written)
    return UndoResult(plan, tuple(written))


def _under_lock(entries: list[HistoryEntry], plan: UndoPlan, who: str) -> tuple[list[HistoryEntry], list]:
    found = latest_change(entries, who)
    if found is None or found[0][0].write != plan.write:
        raise UndoRefused(
            f"the change to undo is no longer {plan.what} of {plan.when} (changes were made meanwhile); "
            "nothing was undone: look again and retry"
        )
    group, after = found
    _checked(plan.case, group, after, who)
    return group, after


def _refuse_if_changed_since(group: list[HistoryEntry], after: list[HistoryEntry], who: str) -> None:
    targets = {e.target for e in group}
    for later in after:
        if later.action in RECORD_ACTIONS or later.who == who and later.action not in _BARRIERS:
            continue  # an export changes nothing; the caller's own later writes are undos or undone
        if later.action in _BARRIERS or later.target in targets:
            raise UndoRefused(
                f"{later.who} changed {later.what} at {later.when}, after your {group[0].what} "
                f"({group[0].when}); nothing was undone", case=group[0].case, later=later, mine=group[0]
            )


def _details(group: list[HistoryEntry]) -> dict[str, Any]:
    first = group[0]
    return {"undoes": {"revision": first.revision, "who": first.who, "when": first.when, "action": first.action}}


def _undo_case(repo, plan: UndoPlan, who: str, written: list[Change]) -> None:
    path = repo.case_path(plan.case)

    def mutate(case: Case) -> tuple[Case, list[Change]]:
        # `update` holds the case's lock while this runs, so the trail read here is the one on disk.
        entries = entries_from_docs(trail_docs(path) or [], plan.case)
        group, _ = _under_lock(entries, plan, who)
        details = _details(group)
        changes: list[Change] = []
        for entry in group:
            case = _reverse(case, entry, details, changes)
        if (case.injection_date is not None and case.injection_date > case.onset
                and repo.catalogue.onset_after_injection(case.pathways) is not None):
            raise UndoRefused(
                f"undoing {plan.what} would put case {plan.case}'s injection date after its onset; "
                "nothing was undone"
            )
        written[:] = changes
        return case, changes

    repo.update(plan.case, mutate)


def _reverse(case: Case, entry: HistoryEntry, details: dict, changes: list[Change]) -> Case:
    action, target = entry.action, entry.target
    if action == "event-log":
        event = _event(case, target, entry)
        if event.voided:
            raise _changed_meanwhile(entry)
        changes.append(Change("undo", target, False, True, reason=UNDO_REASON, details=details))
        return _with_event(case, replace(event, voided=True, void_reason=UNDO_REASON))
    if action == "event-void":
        event = _event(case, target, entry)
        if not event.voided:
            raise _changed_meanwhile(entry)
        changes.append(Change("undo", target, True, False, details=details))
        return _with_event(case, replace(event, voided=False, void_reason=None))
    if action.startswith("item-"):
        current = case.items.get(target)
        if not _same_record(record_json(current), entry.new):
            raise _changed_meanwhile(entry)
        items = dict(case.items)
        if entry.old is None:
            items.pop(target, None)
        else:
            items[target] = _record(target, entry.old, current)
        changes.append(Change("undo", target, record_json(current), entry.old, details=details))
        return replace(case, items=items)
    if action == "field-set":
        if not hasattr(case, target) or target in ("id", "events", "items", "revision"):
            raise UndoRefused(f"{entry.what} cannot be undone (not a case field); nothing was undone")
        if plain_value(getattr(case, target)) != entry.new:
            raise _changed_meanwhile(entry)
        changes.append(Change("undo", target, entry.new, entry.old, details=details))
        restored: dict[str, Any] = {target: _field_value(target, entry.old)}
        return replace(case, **restored)
    raise UndoRefused(f"{entry.what} cannot be undone; nothing was undone")


def _changed_meanwhile(entry: HistoryEntry) -> UndoRefused:
    return UndoRefused(f"{entry.what} is no longer as your change left it; nothing was undone")


def _event(case: Case, event_id: str, entry: HistoryEntry) -> Event:
    event = case.event(event_id)
    if event is None:
        raise _changed_meanwhile(entry)
    return event


def _with_event(case: Case, event: Event) -> Case:
    return replace(case, events=tuple(event if e.id == event.id else e for e in case.events))


def _same_record(current: dict | None, recorded: Any) -> bool:
    if current is None or recorded is None:
        return current is None and recorded is None
    # Entries written before `reopened_after_seq` and `early` were recorded lack them: compare what they have.
    return isinstance(recorded, dict) and all(current.get(key) == value for key, value in recorded.items())


def _record(item_id: str, doc: dict, current: ItemRecord | None) -> ItemRecord:
    record = item_from_doc(item_id, {k: v for k, v in doc.items() if v is not None})
    if "reopened_after_seq" not in doc and current is not None:
        record = replace(record, reopened_after_seq=current.reopened_after_seq)
    return record


def _field_value(name: str, value: object) -> object:
    if name in CASE_DATE_FIELDS and isinstance(value, str):
        return date.fromisoformat(value)
    if name == "inflammation_history" and isinstance(value, list):
        # The history as the trail keeps it: [{"state", "date"}, ...] (checklists/actions.plain_value).
        return tuple(InflammationChange(c["state"], date.fromisoformat(c["date"])) for c in value)
    if name == "inflammation_history":
        return ()
    return value


def _undo_policy(repo, plan: UndoPlan, who: str, written: list[Change]) -> None:
    from checklists.errors import ValidationError
    from checklists.policy import set_policies

    def mutate(policy: Policy) -> tuple[Policy, list[Change]]:
        # Run once before the lock (a quick check) and again under it, where the trail is the one on disk.
        group, _ = _under_lock(settings_entries(repo), plan, who)
        if any(e.action != "policy-set" for e in group):
            raise UndoRefused(f"{plan.what} cannot be undone; nothing was undone")
        for entry in group:
            if getattr(policy, entry.target, None) != entry.new:
                raise _changed_meanwhile(entry)
        try:
            undone, _ = set_policies(policy, {e.target: e.old for e in group})
        except ValidationError as error:
            raise UndoRefused(f"undoing {plan.what} would break a policy rule ({error}); nothing was undone") from None
        details = _details(group)
        changes = [Change("undo", e.target, e.new, e.old, details=details) for e in group]
        written[:] = changes
        return undone, changes

    repo.update_policy(mutate)
