"""Which cases a large export held: `exports.log` in the database, one line per export, appended to.

Every export is audited in the settings file (who, when, format, where to). The settings are read by
every command, so an export of 10,000 cases listing every id there made each later command parse
another 130 KB, without end. An export of up to INLINE_IDS cases (a letter, a clinic's few) still
lists its ids in its audit entry, as before; a larger one records how many cases and a digest of their
ids there, and its ids here, under the same digest: `rounds audit CASE` finds it either way. Nothing
but audit reads this file.
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from store.storage import new_file_mode

EXPORT_LOG = "exports.log"
INLINE_IDS = 100  # ids kept in the audit entry itself; more go to the log


def digest_of(case_ids: list[str]) -> str:
    """`sha256:<hex>` of the sorted ids, one per line: the same set of cases always gives the same digest."""
    import hashlib  # here: only a large export needs it, and every command imports this module

    text = "\n".join(sorted(case_ids)).encode("utf-8")
    return "sha256:" + hashlib.sha256(text).hexdigest()


def append(db_dir: Path, digest: str, case_ids: list[str], who: str, when: str) -> None:
    """Add one export's ids, durably, before its audit entry names the digest. The caller holds the
    settings lock, so lines never interleave; a line whose audit entry then failed is never looked up."""
    line = orjson.dumps({"when": when, "who": who, "digest": digest, "cases": sorted(case_ids)}) + b"\n"
    path = db_dir / EXPORT_LOG
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, new_file_mode(db_dir))
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = b"\n" + line  # after a line torn by a crash: ours starts on a line of its own
        view = memoryview(line)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def logged_ids(db_dir: Path) -> dict[str, frozenset[str]]:
    """Digest -> the case ids of every export in the log (empty if there is none). A damaged line, say
    a torn last one, is passed over."""
    try:
        with open(db_dir / EXPORT_LOG, "rb") as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        return {}
    found: dict[str, frozenset[str]] = {}
    for line in lines:
        try:
            entry = orjson.loads(line)
            digest, cases = entry["digest"], entry["cases"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            continue
        if isinstance(digest, str) and isinstance(cases, list):
            found[digest] = frozenset(c for c in cases if isinstance(c, str))
    return found
