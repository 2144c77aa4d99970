"""The change history of a database (`rounds audit`, the TUI's history screens): every audited change
of every case and of the clinic settings (policy changes, exports, backups), newest first.

Each case file keeps its own trail and the settings file keeps the database's; this module reads them
and merges them. It never writes.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from store.errors import CorruptCaseFile, SchemaTooNew
from store.migrations import read_current

# An entry is stamped just before its file is written, so no entry in a file is newer than the file's
# mtime. Reading the most recently written files first, a listing of the newest N entries can stop at
# the first file older than the Nth entry it has. The margin covers clocks that disagree a little.
_CLOCK_MARGIN = timedelta(minutes=5)
# Actions that record something done with the data rather than a change of it.
RECORD_ACTIONS = frozenset({"export", "backup", "upgrade", "init"})


@dataclass(slots=True, frozen=True)
class HistoryEntry:
    """One audited change, as `rounds audit` shows it."""

    when: str
    who: str
    case: str | None  # None for the clinic settings (policy changes, exports, backups)
    action: str
    target: str
    old: Any = None
    new: Any = None
    reason: str | None = None
    revision: int | None = None
    details: dict[str, Any] | None = None
    position: int = 0  # its place in its file's trail, which orders entries made at the same instant

    @property
    def what(self) -> str:
        return describe(self.action, self.target, self.details)

    @property
    def write(self) -> tuple[Any, str, str]:
        """What tells one write from the next in a trail (imported trails may repeat revisions)."""
        return (self.revision, self.who, self.when)

    def sort_key(self) -> tuple:
        return (self.when, self.case or "", self.position)


def describe(action: str, target: str, details: dict[str, Any] | None = None) -> str:
    """`item-done review-6m`, `policy-set soon_days`, `export csv of 3 cases`, `undo event-log e3`."""
    details = details if isinstance(details, dict) else {}
    if action == "export":
        from checklists.change_words import export_count  # here, as below: `rounds log` loads no words

        count = export_count(details)
        kind = " de-identified" if details.get("deidentified") else ""
        return f"export {details.get('format', '?')}{kind} of {count} case{'s' if count != 1 else ''}"
    if action == "backup":
        cases = details.get("cases", "?")
        return f"backup of {cases} case{'' if cases == 1 else 's'} to {details.get('to', '?')}"
    if action == "init":
        group = details.get("group")
        return f"init (shared with group {group})" if group else "init (private)"
    if action == "upgrade":
        return (f"upgrade from schema {details.get('from', '?')} to {details.get('to', '?')} "
                f"(a copy as it was: {details.get('backup', '?')})")
    if action == "undo":
        undoes = details.get("undoes")
        undone = undoes if isinstance(undoes, dict) else {}
        return f"undo {describe(str(undone.get('action', '?')), target)}"
    if action == "case-restore":
        return f"case-restore from {details.get('from', '?')}"
    if target and target != "case":
        return f"{action} {target}"
    return action


@dataclass(slots=True, frozen=True)
class WordedEntry:
    """An entry as the history screen and `rounds audit` say it (checklists/change_words.py); the
    fields saved beside it (an inflammation's date and history) are folded into its sentence."""

    entry: HistoryEntry
    sentence: str
    companions: tuple[HistoryEntry, ...] = ()


def worded(entries: Sequence[HistoryEntry], catalogue: Any) -> list[WordedEntry]:
    """`entries` (newest first, as history() gives them) in words, companions folded in. Events are
    named from the event-log entries among them: a listing cut short may name an old one by id only."""
    from dataclasses import replace

    from checklists.change_words import catalogue_names, change_sentence, fold_companions

    base = catalogue_names(catalogue)
    events: dict[str | None, dict[str, Any]] = {}
    for entry in entries:
        if entry.action == "event-log" and isinstance(entry.new, dict):
            events.setdefault(entry.case, {})[entry.target] = entry.new
    names = {case: replace(base, events=found) for case, found in events.items()}
    return [WordedEntry(entry, change_sentence(entry, names.get(entry.case, base), companions), tuple(companions))
            for entry, companions in fold_companions(entries, lambda e: (e.case, e.write))]


def entry_json(entry: HistoryEntry) -> dict[str, Any]:
    """The `rounds audit --json` shape: when, who, case, what, old, new (cli.md), then the rest."""
    return {
        "when": entry.when, "who": entry.who, "case": entry.case, "what": entry.what,
        "old": entry.old, "new": entry.new, "action": entry.action, "target": entry.target,
        "reason": entry.reason, "revision": entry.revision, "details": entry.details,
    }


# --- reading trails -----------------------------------------------------------------------------------


def trail_docs(path: Path, kind: str = "case file") -> list[dict] | None:
    """The raw audit documents of one file, oldest first; None if the file is gone.

    Raises CorruptCaseFile or SchemaTooNew like every other read.
    """
    found = read_current(path, kind)
    if found is None:
        return None
    audit = found[0].get("audit") or {}
    return [audit[key] for key in sorted(audit, key=int)]


def entries_from_docs(docs: Iterable[dict], case: str | None) -> list[HistoryEntry]:
    return [_entry(doc, case, n) for n, doc in enumerate(docs)]


def _entry(doc: dict, case: str | None, position: int) -> HistoryEntry:
    def text(name: str, default: str) -> str:
        value = doc.get(name)
        return value if isinstance(value, str) else default

    revision = doc.get("revision")
    details = doc.get("details")
    return HistoryEntry(
        when=text("when", ""), who=text("who", "?"), case=case, action=text("action", "?"),
        target=text("target", ""), old=doc.get("old"), new=doc.get("new"),
        reason=doc.get("reason") if isinstance(doc.get("reason"), str) else None,
        revision=revision if isinstance(revision, int) and not isinstance(revision, bool) else None,
        details=details if isinstance(details, dict) else None, position=position,
    )


def case_entries(repo, case_id: str) -> list[HistoryEntry]:
    docs = trail_docs(repo.case_path(case_id))
    return entries_from_docs(docs or [], case_id)


def settings_entries(repo) -> list[HistoryEntry]:
    try:
        docs = trail_docs(repo.settings_path, "settings file")
    except FileNotFoundError:
        return []
    return entries_from_docs(docs or [], None)


def case_files_newest_first(repo) -> list[tuple[str, Path, int]]:
    """(case id, path, mtime in ns) of every case file, most recently written first."""
    files = []
    for case_id, (path, signature) in repo._scan().items():
        files.append((case_id, Path(path), signature[3]))
    files.sort(key=lambda item: item[2], reverse=True)
    return files


def stamp_of(mtime_ns: int) -> str:
    """A file time in the form entries are stamped with, moved later by the clock margin."""
    moment = datetime.fromtimestamp(mtime_ns / 1e9, timezone.utc) + _CLOCK_MARGIN
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- the listing ------------------------------------------------------------------------------------


def history(repo, case_ref: str | None = None, *, limit: int | None = None,
            warnings: list[str] | None = None) -> list[HistoryEntry]:
    """Audited changes, newest first: one case's (with the exports that included it), or the whole
    database's (settings first read, then case files from the most recently written). A damaged case
    file is skipped with a line in `warnings`."""
    if limit is not None and limit <= 0:
        return []
    repo._check_is_database()
    if case_ref is not None:
        case_id = repo.resolve(case_ref)
        entries = case_entries(repo, case_id)
        settings = settings_entries(repo)
        logged = _logged_exports(repo, settings)
        entries += [e for e in settings if _mentions(e, case_id, logged)]
        return _newest(entries, limit)
    return _newest(_database_entries(repo, limit, warnings), limit)


def _logged_exports(repo, entries: list[HistoryEntry]) -> dict[str, frozenset[str]]:
    """The export log's ids by digest, read only if an entry points there (store/export_log.py)."""
    if not any((e.details or {}).get("digest") for e in entries):
        return {}
    from store.export_log import logged_ids

    return logged_ids(repo.db_dir)


def _mentions(entry: HistoryEntry, case_id: str, logged: dict[str, frozenset[str]] | None = None) -> bool:
    details = entry.details or {}
    cases = details.get("cases")
    if isinstance(cases, list):
        return case_id in cases
    digest = details.get("digest")
    return isinstance(digest, str) and case_id in (logged or {}).get(digest, ())


def _newest(entries: Iterable[HistoryEntry], limit: int | None) -> list[HistoryEntry]:
    if limit is None:
        return sorted(entries, key=HistoryEntry.sort_key, reverse=True)
    return heapq.nlargest(limit, entries, key=HistoryEntry.sort_key)


def _database_entries(repo, limit: int | None, warnings: list[str] | None) -> Iterator[HistoryEntry]:
    kept: list[tuple] = []  # a min-heap of the newest `limit` sort keys seen so far

    def keep(entries: list[HistoryEntry]) -> Iterator[HistoryEntry]:
        for entry in entries:
            if limit is not None:
                key = entry.sort_key()
                if len(kept) < limit:
                    heapq.heappush(kept, key)
                elif key > kept[0]:
                    heapq.heapreplace(kept, key)
            yield entry

    try:
        yield from keep(settings_entries(repo))
    except (CorruptCaseFile, SchemaTooNew) as error:
        if warnings is not None:
            warnings.append(f"skipped the settings' history: {error}")
    pruning = FilesNewestFirst()
    for case_id, path, mtime_ns in case_files_newest_first(repo):
        if limit is not None and len(kept) == limit and pruning.nothing_newer(mtime_ns, kept[0][0]):
            return  # this file and every older one hold nothing newer than what is kept
        try:
            docs = trail_docs(path)
        except (CorruptCaseFile, SchemaTooNew) as error:
            if warnings is not None:
                warnings.append(f"skipped case {case_id}: {error}")
            continue
        except PermissionError:
            if warnings is not None:
                warnings.append(f"skipped case {case_id}: {path} cannot be read (permission denied)")
            continue
        entries = entries_from_docs(docs or [], case_id)
        pruning.saw(entries, mtime_ns)
        yield from keep(entries)


class FilesNewestFirst:
    """Whether files older than a given one can be passed over: only while every entry read so far
    was stamped before its file was written (a clock set in the future, say in a test, turns it off)."""

    def __init__(self) -> None:
        self.trusted = True

    def saw(self, entries: list[HistoryEntry], mtime_ns: int) -> None:
        if self.trusted and entries and max(e.when for e in entries) > stamp_of(mtime_ns):
            self.trusted = False

    def nothing_newer(self, mtime_ns: int, than: str) -> bool:
        return self.trusted and stamp_of(mtime_ns) < than


def value_text(value: Any) -> str:
    """A change's old or new value in a few words, for one line of `rounds audit`."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "void" if value else "live"
    if isinstance(value, dict):
        if "state" in value:
            parts = [str(value.get("state"))]
            if value.get("date"):
                parts.append(str(value["date"]))
            if value.get("until"):
                parts.append(f"until {value['until']}")
            return " ".join(parts)
        if "kind" in value and "date" in value:
            return f"{value['kind']} {value['date']}"
        return ", ".join(f"{k} {_short(v)}" for k, v in value.items() if v not in (None, [], {}))
    return _short(value)


def _short(value: Any, width: int = 40) -> str:
    if isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, list):
        text = "+".join(str(v) for v in value)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
