"""The case list's caches: `summaries/<shard>.json` (each case's summary, independent of the day, one
file per shard folder of the cases) and `rows.json` (one day's rows, in columns), each entry valid
only while its case file keeps the stat signature it was made from.
"""

# Both are caches, never authoritative: a missing, damaged or stale cache (another catalogue, engine
# or policy) is simply rebuilt from the case files. Writes are best effort and never fsynced.
#
# Sizes at 10,000 cases decided the layout (issue 12). rows.json is read whole by every list and the
# board's every load: in columns (a list per field, repeated tuples stored once) it parses into 3 MB of
# objects where a list per case took 10 MB, the board's peak memory. Summaries are read only for rows
# that cannot be reused, which after a change on the command line is a handful of cases: one file per
# shard means reading and rewriting 40 summaries, not 10,000 (one file of them took 95 MB to rewrite).

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import Any

import orjson

from checklists.models import CaseRow, CaseSummary
from store import codec
from store.errors import StoreError
from store.locking import lock_path_for, try_exclusive
from store.storage import Signature, atomic_write_bytes, make_private_dirs, read_file

INDEX_FILE = "index.json"  # the single summaries file of earlier versions: removed once summaries/ is written
SUMMARIES_DIR = "summaries"
ROWS_FILE = "rows.json"
FORMAT = 4  # of both; earlier formats are rebuilt (4: short labels, the snoozed item, rows in columns)

# rows.json: one column per field of a row (and the case file's signature), rows in the order of their ids.
ROW_COLUMNS = ("id", "dev", "ino", "size", "mtime", "patient", "pathways", "status", "urgency", "due_item",
               "due_title", "due_opens", "due_closes", "due_status", "due_label", "alert_codes", "alert_severities",
               "onset", "snoozed_label", "snoozed_until")

# (case id, path) -> (summary, signature of the bytes it was made from), or None to skip the case.
SummaryOf = Callable[[str, str], "tuple[CaseSummary, Signature] | None"]
MakeRow = Callable[[CaseSummary], CaseRow]
Files = dict[str, tuple[str, Signature]]


@dataclass(slots=True)
class _Summaries:
    """One shard's summaries file in memory: case id -> [signature, entry], with its string table."""

    entries: dict[str, list] = field(default_factory=dict)
    strings: codec.StringTable = field(default_factory=codec.StringTable)
    changed: bool = False


class ListCache:
    """`fingerprint`: what the summaries depend on besides the case files (catalogue, engine code, the
    policy keys summaries read); `rows_fingerprint`: what the rows depend on besides the day (that and
    the whole policy). A change of a key only the rows read (soon_days) keeps every summary."""

    def __init__(self, db_dir: Path, fingerprint: str, *, writable: bool = True, rows_fingerprint: str | None = None):
        self.index_path = db_dir / INDEX_FILE
        self.summaries_dir = db_dir / SUMMARIES_DIR
        self.rows_path = db_dir / ROWS_FILE
        self.fingerprint = fingerprint
        self.rows_fingerprint = fingerprint if rows_fingerprint is None else rows_fingerprint
        self.writable = writable  # False in a folder that is not safe to write to (store/safety.py)

    # --- rows ---------------------------------------------------------------------------------------

    def rows(self, files: Files, today: date, summary_of: SummaryOf, make_row: MakeRow) -> list[CaseRow]:
        """A row for each case file (by id) that can be read; reuses whatever is still valid. The
        board's order of them (checklists.board.sort_rows) is in `board_order` afterwards."""
        day = today.isoformat()
        rows: list[CaseRow] = []
        reused: set[str] = set()
        gone: list[str] = []  # cases the rows cache has and the folders no longer do
        changed = False
        self.board_order: list[int] | None = None
        loaded = self._load_rows(day)
        if loaded is None:
            changed = True
        else:
            decoder, columns, board_order = loaded
            for values in zip(*columns):
                case_id = values[0]
                found = files.get(case_id)
                row = None
                if found is not None and found[1] == values[1:5] and case_id not in reused:
                    row = _decoded(decoder.row_values, values)
                if row is None:
                    changed = True
                    if found is None and isinstance(case_id, str):
                        gone.append(case_id)
                    continue
                rows.append(row)
                reused.add(case_id)
            del loaded, columns  # the parsed columns go before rows are made from summaries
        missing = sorted((case_id, path, sig) for case_id, (path, sig) in files.items() if case_id not in reused)
        if missing or gone:
            rows.extend(self._rows_for(missing, gone, files, summary_of, make_row))
            changed = True
        rows.sort(key=attrgetter("id"))
        if changed:
            self.board_order = _board_order(rows)
            self._save_rows(rows, files, day, self.board_order)
        elif _is_permutation(board_order, len(rows)):
            self.board_order = board_order  # the rows are the ones it was saved with, in the same order
        return rows

    def _load_rows(self, day: str) -> tuple[codec.CacheDecoder, list[list], Any] | None:
        data = _read_json(self.rows_path)
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("day") != day \
                or data.get("fingerprint") != self.rows_fingerprint:
            return None
        strings, tuples, columns = data.get("strings"), data.get("tuples"), data.get("columns")
        if not isinstance(strings, list) or not isinstance(tuples, list) or not isinstance(columns, dict):
            return None
        picked = [columns.get(name) for name in ROW_COLUMNS]
        lists = [column for column in picked if isinstance(column, list)]
        if len(lists) != len(ROW_COLUMNS) or len({len(column) for column in lists}) != 1:
            return None
        return codec.CacheDecoder(strings, tuples), lists, data.get("board_order")

    def _save_rows(self, rows: list[CaseRow], files: Files, day: str, board_order: list[int]) -> None:
        if not self.writable:
            return
        strings = codec.StringTable()
        tuples = codec.TupleTable(strings)
        columns: dict[str, list] = {name: [] for name in ROW_COLUMNS}
        appenders = [columns[name].append for name in ROW_COLUMNS]
        for row in rows:
            values = codec.row_values(row, files[row.id][1], strings, tuples)
            for append, value in zip(appenders, values):
                append(value)
        _write_cache(self.rows_path, {
            "format": FORMAT, "fingerprint": self.rows_fingerprint, "day": day,
            "strings": strings.strings, "tuples": tuples.refs, "columns": columns, "board_order": board_order,
        })

    # --- summaries, one file per shard ------------------------------------------------------------------

    def _rows_for(self, missing: list[tuple[str, str, Signature]], gone: list[str], files: Files,
                  summary_of: SummaryOf, make_row: MakeRow) -> list[CaseRow]:
        """Rows for cases without a valid cached row, from cached summaries or from the case files; the
        summaries of cases that are gone are dropped. Only the shards concerned are read, one at a time."""
        work: dict[str, list[tuple[str, str, Signature]]] = {
            shard: list(group) for shard, group in groupby(missing, key=lambda item: item[0][:2])
        }
        for case_id in gone:
            work.setdefault(case_id[:2], [])
        rows = []
        for shard in sorted(work):
            if not _is_shard_name(shard):
                continue  # a damaged rows cache may name anything: never a path from it
            summaries = self._load_summaries(shard)
            decoder = codec.CacheDecoder(summaries.strings.strings)
            for case_id, path, sig in work[shard]:
                summary = _decoded(decoder.summary, summaries.entries.get(case_id), sig)
                if summary is None:
                    found = summary_of(case_id, path)
                    if found is None:
                        summaries.changed |= summaries.entries.pop(case_id, None) is not None
                        continue
                    summary, sig = found
                    summaries.entries[case_id] = [list(sig), codec.summary_doc(summary, summaries.strings)]
                    summaries.changed = True
                rows.append(make_row(summary))
            for case_id in [c for c in summaries.entries if c not in files]:
                del summaries.entries[case_id]
                summaries.changed = True
            if summaries.changed:
                self._save_summaries(shard, summaries)
        return rows

    def _summaries_path(self, shard: str) -> Path:
        return self.summaries_dir / f"{shard}.json"

    def _load_summaries(self, shard: str) -> _Summaries:
        data = _read_json(self._summaries_path(shard))
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("fingerprint") != self.fingerprint:
            return _Summaries()
        cases, strings = data.get("cases"), data.get("strings")
        if not isinstance(cases, dict) or not isinstance(strings, list):
            return _Summaries()
        return _Summaries(entries=cases, strings=codec.StringTable(strings))

    def _save_summaries(self, shard: str, summaries: _Summaries) -> None:
        if not self.writable:
            return
        with suppress(OSError):
            make_private_dirs(self.summaries_dir)
            if self.index_path.exists():
                # The earlier single file: patient labels nobody reads any more.
                self.index_path.unlink()
        _write_cache(self._summaries_path(shard), {
            "format": FORMAT, "fingerprint": self.fingerprint,
            "strings": summaries.strings.strings, "cases": summaries.entries,
        })


def _board_order(rows: list[CaseRow]) -> list[int]:
    """The rows' places in the board's order (checklists.board.sort_key), kept with them in rows.json so
    that a list whose rows are all reused is not sorted again (board.py is part of the engine code the
    rows' fingerprint covers)."""
    from checklists.board import sort_key

    return sorted(range(len(rows)), key=lambda n: sort_key(rows[n]))


def _is_permutation(order: Any, count: int) -> bool:
    """Every row once: a damaged order is not used (the rows are sorted instead)."""
    return isinstance(order, list) and len(order) == count and \
        all(type(n) is int for n in order) and set(order) == set(range(count))


def _read_json(path: Path) -> Any:
    try:
        found = read_file(path)
    except StoreError:  # a cache we may not read: rebuilt in memory, the list is only slower
        return None
    if found is None:
        return None
    try:
        return orjson.loads(found[0])
    except orjson.JSONDecodeError:
        return None


def _write_cache(path: Path, data: dict) -> None:
    """Best effort: skipped if another process is writing it, or if we may not write here."""
    raw = orjson.dumps(data)
    with suppress(OSError), try_exclusive(lock_path_for(path)) as got:
        if got:
            # No fsync: a cache lost in a power cut is rebuilt, and list time is what matters here.
            atomic_write_bytes(path, raw, durable=False)


_SHARD_NAME = re.compile(r"[0-9a-z][0-9a-z-]")  # a case id's first two characters


def _is_shard_name(shard: str) -> bool:
    return _SHARD_NAME.fullmatch(shard) is not None


def _decoded(decode: Callable[[Any], Any], entry: Any, sig: Signature | None = None) -> Any:
    """The cached object if the entry is whole (and, given `sig`, was made from exactly this file
    version), else None."""
    if sig is not None:
        if not isinstance(entry, list) or len(entry) != 2 or entry[0] != list(sig):
            return None
        entry = entry[1]
    try:
        return decode(entry)
    except (TypeError, ValueError, IndexError, OverflowError, KeyError):
        return None  # a damaged entry: made again from the case file


def cache_paths(db_dir: Path) -> Iterable[Path]:
    """Every list cache file of the database in `db_dir` (for `rounds check` and its permissions)."""
    yield from (db_dir / INDEX_FILE, db_dir / ROWS_FILE)
    folder = db_dir / SUMMARIES_DIR
    with suppress(OSError):
        yield from sorted(p for p in folder.iterdir() if p.suffix in (".json", ".lock"))
