"""Audited changes in words a clinician reads: the history screen, `rounds audit` and the undo dialog.

The audit trail keeps each change as the engine made it (`field-set inflammation_history`, an item
record as a dict); `rounds audit --json` shows it so. Here it becomes a sentence: "Logged saline
infiltration (e9) on 2026-11-30", "Snoozed “Smoking cessation” until 2027-01-15", "Inflammation set
to active from 2025-11-05". Pure: whoever calls passes the names it knows (Names) and the entries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from checklists.policy_words import policy_label
from checklists.text import printable_line
from checklists.wording import EVENT_WORDS
from seeds.loader import Catalogue

FIELD_LABELS = {
    "patient": "Patient label", "status": "Status", "onset": "Onset", "injection_date": "Injection date",
    "site": "Site", "note": "Note", "etiology": "Etiology", "inflammation": "Inflammation",
    "severity": "Severity",
}
# Fields written beside a dated field in the same save: shown with it, as one change.
COMPANIONS = {
    "etiology_date": "etiology", "inflammation_date": "inflammation", "inflammation_history": "inflammation",
    "severity_date": "severity",
}
_ITEM_VERBS = {"item-done": "Marked {item} done", "item-skip": "Skipped {item}", "item-snooze": "Snoozed {item}",
               "item-reopen": "Reopened {item}"}
_ITEM_UNDO = {"item-done": "marking {item} done", "item-skip": "skipping {item}", "item-snooze": "snoozing {item}",
              "item-reopen": "reopening {item}"}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Names:
    """What the words name things by: item titles and pathway titles (from the catalogue), and the
    events of a trail (id -> the event as its `event-log` entry recorded it)."""

    items: Mapping[str, str] = field(default_factory=dict)
    pathways: Mapping[str, str] = field(default_factory=dict)
    events: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    alerts: Mapping[str, str] = field(default_factory=dict)

    def item(self, item_id: str) -> str:
        return f"\u201c{self.items.get(item_id, item_id)}\u201d"

    def event(self, event_id: str, recorded: Mapping[str, Any] | None = None) -> str:
        """`saline infiltration of 2026-11-30 (e9)`; `event e9` when the trail does not say which."""
        event = recorded if isinstance(recorded, Mapping) else self.events.get(event_id)
        if not isinstance(event, Mapping) or not event.get("kind"):
            return f"event {event_id}"
        word = event_word(str(event["kind"]))
        return f"{word} of {event['date']} ({event_id})" if event.get("date") else f"{word} ({event_id})"


class AuditEntry(Protocol):
    """What the words need of an audit entry (store/history.HistoryEntry has it)."""

    @property
    def action(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def old(self) -> Any: ...
    @property
    def new(self) -> Any: ...
    @property
    def details(self) -> dict[str, Any] | None: ...
    @property
    def reason(self) -> str | None: ...


E = TypeVar("E", bound=AuditEntry)


def event_word(kind: str) -> str:
    """`saline infiltration`, `MRI`: an event kind in words, within a sentence."""
    word = EVENT_WORDS.get(kind, kind)
    return word if word[:2].isupper() else word[:1].lower() + word[1:]


def value_words(value: Any) -> str:
    """A recorded value in words: `nothing`, a date as it is, a list as `a, b`, a record as words."""
    if value is None or value == "" or value == [] or value == {}:
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(value_words(v) for v in value)
    if isinstance(value, dict):
        if "state" in value:
            return record_words(value)
        return "; ".join(f"{k.replace('_', ' ')} {value_words(v)}" for k, v in value.items()
                         if v not in (None, [], {}, ""))
    return printable_line(str(value))


def record_words(record: Mapping[str, Any] | None) -> str:
    """An item record (or an inflammation change) in words: `done on 2026-11-21`, `snoozed until
    2027-01-15 (waiting list)`, `active from 2025-11-05`; no record: `open, untouched`."""
    if not isinstance(record, Mapping):
        return "open, untouched"
    state = str(record.get("state") or "?")
    text = state
    if record.get("until"):
        text += f" until {record['until']}"
    elif record.get("date"):
        text += f" on {record['date']}" if state in ("done", "skipped") else f" from {record['date']}"
    if record.get("early"):
        text += " (early)"
    if record.get("reason"):
        text += f" ({printable_line(str(record['reason']))})"
    return text


def _dated(value: Any, day: Any) -> str:
    words = value_words(value)
    return f"{words} from {day}" if isinstance(day, str) and _ISO_DAY.match(day) and value is not None else words


def _field_words(target: str, old: Any, new: Any, companions: Sequence[AuditEntry]) -> tuple[str, str]:
    """(the new value, the old one) of a case field, dated by its companions in the same save."""
    if target in COMPANIONS:
        if target.endswith("_history"):
            last_new = new[-1] if isinstance(new, list) and new else None
            last_old = old[-1] if isinstance(old, list) and old else None
            return record_words(last_new) if last_new else "nothing", (
                record_words(last_old) if last_old else "nothing")
        return value_words(new), value_words(old)
    new_day = old_day = None
    for companion in companions:
        if companion.target == f"{target}_date":
            new_day, old_day = companion.new, companion.old
        elif companion.target == f"{target}_history" and new_day is None:
            last_new = companion.new[-1] if isinstance(companion.new, list) and companion.new else {}
            last_old = companion.old[-1] if isinstance(companion.old, list) and companion.old else {}
            new_day, old_day = last_new.get("date"), last_old.get("date")
    return _dated(new, new_day), _dated(old, old_day)


def _field_label(target: str) -> str:
    if target in COMPANIONS:
        main = FIELD_LABELS.get(COMPANIONS[target], COMPANIONS[target])
        return f"{main} history" if target.endswith("_history") else f"{main} date"
    return FIELD_LABELS.get(target, target.replace("_", " ").capitalize())


def change_sentence(entry: AuditEntry, names: Names = Names(), companions: Sequence[AuditEntry] = ()) -> str:
    """One audited change as a sentence, with its new value (and the old one where it helps)."""
    action, target, old, new = entry.action, entry.target, entry.old, entry.new
    details = entry.details if isinstance(entry.details, dict) else {}
    if action == "case-add":
        created = new if isinstance(new, dict) else {}
        pathways = created.get("pathways") or []
        named = " and ".join(names.pathways.get(p, p) for p in pathways) if isinstance(pathways, list) else ""
        text = "Added the case" + (f" to {named}" if named else "")
        return text + (f", onset {created['onset']}" if created.get("onset") else "")
    if action == "event-log":
        return f"Logged {names.event(target, new if isinstance(new, dict) else None)}"
    if action == "event-void":
        reason = f" ({printable_line(entry.reason)})" if entry.reason else ""
        return f"Voided {names.event(target)}{reason}"
    if action in _ITEM_VERBS:
        text = _ITEM_VERBS[action].format(item=names.item(target))
        record = new if isinstance(new, Mapping) else {}
        if action == "item-snooze" and record.get("until"):
            text += f" until {record['until']}"
        elif action in ("item-done", "item-skip") and record.get("date"):
            text += f" on {record['date']}"
        if action == "item-done" and record.get("state") == "open" and record.get("checks"):
            text = f"Recorded a check of {names.item(target)} on {record['checks'][-1]}"
        if action in ("item-skip", "item-snooze") and record.get("reason"):
            text += f" ({printable_line(str(record['reason']))})"
        return text
    if action == "field-set":
        now, was = _field_words(target, old, new, companions)
        before = f" (was {was})" if old not in (None, "", []) else ""
        if new in (None, "", []):
            return f"{_field_label(target)} cleared{before}"
        return f"{_field_label(target)} set to {now}{before}"
    if action == "policy-set":
        before = f" (was {value_words(old)})" if old is not None else ""
        return f"Clinic policy: {policy_label(target)} set to {value_words(new)}{before}"
    if action == "alert-ack":
        note = f": {printable_line(str(new['note']))}" if isinstance(new, dict) and new.get("note") else ""
        return f"Acknowledged the alert \u201c{names.alerts.get(target, target)}\u201d{note}"
    if action == "alert-unack":
        return f"Withdrew the acknowledgement of the alert \u201c{names.alerts.get(target, target)}\u201d"
    if action == "protocol-review":
        decision = new.get("decision") if isinstance(new, dict) else None
        verb = {"accept": "Accepted", "reject": "Rejected", "comment": "Commented on"}.get(str(decision), "Reviewed")
        note = f": {printable_line(entry.reason)}" if entry.reason else ""
        return f"{verb} the rule {_protocol_ref(target, names)}{note}"
    if action == "protocol-disable":
        return f"Switched off {_protocol_ref(target, names)} for the clinic"
    if action == "protocol-enable":
        return f"Switched on {_protocol_ref(target, names)} again"
    if action == "undo":
        return undo_sentence(entry, names)
    return _record_sentence(action, target, details)


def _protocol_ref(ref: str, names: Names) -> str:
    """`steroid-atrophy/item/review-6m` as `“6-month review” (Subcutaneous atrophy …)`; an alert likewise."""
    parts = ref.split("/")
    if len(parts) == 3 and parts[1] == "item":
        return f"{names.item(parts[2])} ({names.pathways.get(parts[0], parts[0])})"
    if len(parts) == 3 and parts[1] == "alert":
        return f"alert \u201c{names.alerts.get(parts[2], parts[2])}\u201d ({names.pathways.get(parts[0], parts[0])})"
    return ref


def undo_sentence(entry: AuditEntry, names: Names = Names()) -> str:
    """`Undid logging saline infiltration (e9): voided`: what an undo entry reverted and to what."""
    undoes = (entry.details or {}).get("undoes") if isinstance(entry.details, dict) else None
    action = str(undoes.get("action", "?")) if isinstance(undoes, dict) else "?"
    target = entry.target
    if action == "event-log":
        return f"Undid logging {names.event(target)}: voided, kept in the record"
    if action == "event-void":
        return f"Undid voiding {names.event(target)}: live again"
    if action in _ITEM_UNDO:
        return f"Undid {_ITEM_UNDO[action].format(item=names.item(target))}: back to {record_words(entry.new)}"
    if action == "field-set":
        return f"Undid a change of {_field_label(target)}: back to {_field_words(target, entry.old, entry.new, ())[0]}"
    if action == "policy-set":
        return f"Undid a change of the clinic policy: {policy_label(target)} back to {value_words(entry.new)}"
    return f"Undid {action} {target}".rstrip()


def undo_consequence(entry: AuditEntry, names: Names = Names(), companions: Sequence[AuditEntry] = ()) -> str:
    """What undoing one change will do: `saline infiltration of 2026-11-20 (e8) will be voided …`."""
    action, target = entry.action, entry.target
    if action == "event-log":
        event = names.event(target, entry.new if isinstance(entry.new, dict) else None)
        return f"The {event} will be voided: kept in the record, struck out, with the reason \u201cundo\u201d"
    if action == "event-void":
        return f"The {names.event(target)} comes back (no longer void)"
    if action.startswith("item-"):
        return f"{names.item(target)} goes back to: {record_words(entry.old)}"
    if action == "field-set":
        was = _field_words(target, entry.old, entry.new, companions)[1]
        return f"{_field_label(target)} goes back to {'not set' if was == 'nothing' else was}"
    if action == "policy-set":
        return f"{policy_label(target)} goes back to {value_words(entry.old)}"
    return f"{change_sentence(entry, names, companions)} is reverted"


def export_count(details: Mapping[str, Any]) -> int:
    """How many cases an export held: its `count` (a large export's ids are in the export log,
    store/export_log.py), else the ids it lists."""
    count = details.get("count")
    if isinstance(count, int) and not isinstance(count, bool):
        return count
    return len(details.get("cases") or [])


def _record_sentence(action: str, target: str, details: Mapping[str, Any]) -> str:
    """Exports, backups and the other records of the database, and anything this version cannot name."""
    if action == "export":
        count = export_count(details)
        kind = " de-identified" if details.get("deidentified") else ""
        return f"Exported {count} case{'s' if count != 1 else ''} ({details.get('format', '?')}{kind})"
    if action == "backup":
        cases = details.get("cases", "?")
        return f"Backed up {cases} case{'' if cases == 1 else 's'} to {details.get('to', '?')}"
    if action == "init":
        group = details.get("group")
        return f"Created the database (shared with group {group})" if group else "Created the database (private)"
    if action == "upgrade":
        return (f"Upgraded the database from schema {details.get('from', '?')} to {details.get('to', '?')} "
                f"(a copy as it was: {details.get('backup', '?')})")
    if action == "case-restore":
        return f"Restored the case from {details.get('from', 'a backup')}"
    if action == "case-import":
        return "Imported the case"
    words = action.replace("-", " ")
    return f"{words[:1].upper()}{words[1:]}" + (f" {target}" if target and target != "case" else "")


def fold_companions(entries: Sequence[E], write_of: Callable[[E], object]) -> list[tuple[E, list[E]]]:
    """Each entry with the companions saved beside it (`inflammation_date` with `inflammation`), the
    companions themselves left out; a companion saved alone (a re-dated value) stays an entry."""
    mains: dict[tuple[object, str], E] = {}
    for entry in entries:
        if entry.action == "field-set" and entry.target in FIELD_LABELS:
            mains[(write_of(entry), entry.target)] = entry
    folded: dict[int, list[E]] = {id(e): [] for e in entries}
    shown: list[E] = []
    for entry in entries:
        main = mains.get((write_of(entry), COMPANIONS.get(entry.target, ""))) if entry.action == "field-set" else None
        if main is not None:
            folded[id(main)].append(entry)
        else:
            shown.append(entry)
    return [(entry, folded[id(entry)]) for entry in shown]


def catalogue_names(catalogue: Catalogue) -> Names:
    """Items by their short titles (what the board and checklists call them), pathways by title."""
    pathways = catalogue.pathways.values()
    return Names(items={item.id: item.short or item.title for p in pathways for item in p.items},
                 pathways={p.id: p.title for p in pathways},
                 alerts={alert.code: alert.title for p in pathways for alert in p.alerts})


def trail_events(entries: Sequence[AuditEntry]) -> dict[str, Mapping[str, Any]]:
    """Every event a trail logged, by id, as its `event-log` entry recorded it."""
    return {e.target: e.new for e in entries if e.action == "event-log" and isinstance(e.new, dict)}
