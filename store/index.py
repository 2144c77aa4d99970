"""The case list's cache: `index.json` (summaries, independent of the day) and `rows.json` (one day's
rows), each entry valid only while its case file keeps the stat signature it was made from.
"""

# Both are caches, never authoritative: a missing, damaged or stale cache (another catalogue, engine
# or policy) is simply rebuilt from the case files. Writes are best effort and never fsynced.

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from checklists.models import CaseRow, CaseSummary
from store import codec
from store.errors import StoreError
from store.locking import lock_path_for, try_exclusive
from store.storage import Signature, atomic_write_bytes, read_file

INDEX_FILE = "index.json"
ROWS_FILE = "rows.json"
FORMAT = 2

# (case id, path) -> (summary, signature of the bytes it was made from), or None to skip the case.
SummaryOf = Callable[[str, str], "tuple[CaseSummary, Signature] | None"]
MakeRow = Callable[[CaseSummary], CaseRow]


@dataclass(slots=True)
class _Cache:
    """One cache file in memory: case id -> [signature, entry], with its string table."""

    entries: dict[str, list] = field(default_factory=dict)
    strings: codec.StringTable = field(default_factory=codec.StringTable)
    changed: bool = False


class ListCache:
    """`fingerprint`: what the summaries depend on besides the case files (catalogue, engine code, the
    policy keys summaries read); `rows_fingerprint`: what the rows depend on besides the day (that and
    the whole policy). A change of a key only the rows read (soon_days) keeps every summary."""

    def __init__(self, db_dir: Path, fingerprint: str, *, writable: bool = True, rows_fingerprint: str | None = None):
        self.index_path = db_dir / INDEX_FILE
        self.rows_path = db_dir / ROWS_FILE
        self.fingerprint = fingerprint
        self.rows_fingerprint = fingerprint if rows_fingerprint is None else rows_fingerprint
        self.writable = writable  # False in a folder that is not safe to write to (store/safety.py)

    def rows(self, files: dict[str, tuple[str, Signature]], today: date, summary_of: SummaryOf,
             make_row: MakeRow) -> list[CaseRow]:
        """A row for each case file (by id) that can be read; reuses whatever is still valid."""
        day = today.isoformat()
        cached = self._load(self.rows_path, self.rows_fingerprint, day)
        fresh = _Cache(strings=cached.strings)
        decoder = codec.CacheDecoder(cached.strings.strings)
        rows: list[CaseRow] = []
        missing: list[tuple[str, str, Signature]] = []
        for case_id, (path, sig) in sorted(files.items()):
            entry = cached.entries.get(case_id)
            row = _decoded(decoder.row, entry, sig)
            if row is None or entry is None:
                missing.append((case_id, path, sig))
            else:
                rows.append(row)
                fresh.entries[case_id] = entry
        if missing:
            rows.extend(self._rows_for(missing, files.keys(), summary_of, make_row, fresh))
            rows.sort(key=lambda r: r.id)
        if missing or len(fresh.entries) != len(cached.entries):
            self._save(self.rows_path, fresh, self.rows_fingerprint, day)
        return rows

    def _rows_for(
        self, missing, existing, summary_of: SummaryOf, make_row: MakeRow, fresh: _Cache
    ) -> list[CaseRow]:
        """Rows for cases without a valid cached row, from cached summaries or from the case files."""
        summaries = self._load(self.index_path, self.fingerprint)
        decoder = codec.CacheDecoder(summaries.strings.strings)
        for gone in summaries.entries.keys() - existing:
            del summaries.entries[gone]
            summaries.changed = True
        rows = []
        for case_id, path, sig in missing:
            entry = summaries.entries.get(case_id)
            summary = _decoded(decoder.summary, entry, sig)
            if summary is None:
                found = summary_of(case_id, path)
                if found is None:
                    summaries.changed |= summaries.entries.pop(case_id, None) is not None
                    continue
                summary, sig = found
                summaries.entries[case_id] = [list(sig), codec.summary_doc(summary, summaries.strings)]
                summaries.changed = True
            row = make_row(summary)
            rows.append(row)
            fresh.entries[case_id] = [list(sig), codec.row_doc(row, fresh.strings)]
        if summaries.changed:
            self._save(self.index_path, summaries, self.fingerprint)
        return rows

    def _load(self, path: Path, fingerprint: str, day: str | None = None) -> _Cache:
        try:
            found = read_file(path)
        except StoreError:  # a cache we may not read: rebuilt in memory, the list is only slower
            return _Cache()
        if found is None:
            return _Cache()
        try:
            data = orjson.loads(found[0])
        except orjson.JSONDecodeError:
            return _Cache()
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return _Cache()
        if data.get("fingerprint") != fingerprint or data.get("day") != day:
            return _Cache()
        cases, strings = data.get("cases"), data.get("strings")
        if not isinstance(cases, dict) or not isinstance(strings, list):
            return _Cache()
        return _Cache(entries=cases, strings=codec.StringTable(strings))

    def _save(self, path: Path, cache: _Cache, fingerprint: str, day: str | None = None) -> None:
        """Best effort: skipped if another process is writing it, or if we may not write here."""
        if not self.writable:
            return
        data = orjson.dumps({
            "format": FORMAT, "fingerprint": fingerprint, "day": day,
            "strings": cache.strings.strings, "cases": cache.entries,
        })
        with suppress(OSError), try_exclusive(lock_path_for(path)) as got:
            if got:
                # No fsync: a cache lost in a power cut is rebuilt, and list time is what matters here.
                atomic_write_bytes(path, data, durable=False)


def _decoded(decode: Callable[[Any], Any], entry: Any, sig: Signature) -> Any:
    """The cached object if the entry was made from exactly this file version, else None."""
    if not isinstance(entry, list) or len(entry) != 2 or entry[0] != list(sig):
        return None
    try:
        return decode(entry[1])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None  # a damaged entry: made again from the case file
