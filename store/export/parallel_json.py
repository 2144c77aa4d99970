"""A JSON export of every case made by several processes at once, for `rounds export --all` of a large
database: byte for byte the document `json_data.render` makes.

Each case's record depends on that case alone, so the sorted case files are split into contiguous
shares; each worker process reads its share (one read a file), evaluates it and writes every record
as indented JSON, and the parent puts the records in their order inside the document's head. At
10,000 cases reading, evaluating and writing the records is ~2 s of CPU: on two cores the wall time
is about halved. Workers are forked, so they start with everything already imported and loaded;
only the command line uses this (the app's export runs in a thread, and a process with threads is
not forked).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import orjson

from checklists.engine import evaluate, record_view
from checklists.text import json_safe
from store.errors import CorruptCaseFile, SchemaTooNew, UnknownCase
from store.export import json_data
from store.export.context import ExportContext

PARALLEL_FROM = 2000  # cases: below this, starting the workers costs more than they save
_CASES_MARK = "@@rounds-export-cases@@"  # stands for the records in the head, then is replaced by them
_INDENT = b"    "  # a record sits two levels deep in the document: {"cases": [ {record} ]}

Item = tuple[str, str]  # (case id, path of its file)


@dataclass(frozen=True, slots=True)
class _Job:
    """What every worker needs, set in the parent just before the workers are forked (never pickled)."""

    repo: Any
    catalogue: Any
    policy: Any
    today: date
    now: datetime
    user: str
    user_name: str | None
    deidentify: bool
    deid_key: bytes | None
    signoff: Any
    # The runner's own helpers (store/export/runner.py), handed over rather than imported back.
    offset: Callable[[Any], int]  # a CaseRecord's checked de-identification offset
    audit_json: Callable[[dict], dict]  # an audit document as the JSON export writes it
    alert_titles: Callable[[str], str]
    alert_actions: Callable[[str], str]


_JOB: _Job | None = None


def workers_for(cases: int) -> int:
    """How many processes an export of `cases` cases is split over (1: not at all)."""
    if cases < PARALLEL_FROM or not hasattr(os, "fork"):
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, cases // (PARALLEL_FROM // 2)))


def render(items: list[Item], job: _Job, workers: int, warnings: list[str] | None) -> tuple[bytes, list[str]]:
    """The whole document (UTF-8, as json_data.render writes it) and the real ids in it, in its order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(items) // workers)
    shares = [items[n:n + size] for n in range(0, len(items), size)]
    # The records come back through anonymous in-memory files the workers inherit: 60 MB a worker
    # through multiprocessing's pipe cost a third of a second more (where there are none, the pipe).
    outputs = _memory_files(len(shares))
    global _JOB
    _JOB = job
    try:
        with ProcessPoolExecutor(max_workers=len(shares), mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(_work, shares, outputs))
        results = [_with_blob(share, fd) for share, fd in zip(results, outputs)]
    finally:
        _JOB = None
        for fd in outputs:
            if fd is not None:
                os.close(fd)
    keys: list[str] = []
    ids: list[str] = []
    records: list[bytes] = []
    for share in results:
        keys += share.keys
        ids += share.ids
        records += _split(share.blob, share.lengths)
        if warnings is not None:
            warnings.extend(share.skipped)
    if job.deidentify:
        # By pseudonym, as render_export orders them (never by the real ids, whose order would tell).
        order = sorted(range(len(keys)), key=keys.__getitem__)
        ids, records = [ids[n] for n in order], [records[n] for n in order]
    ctx = _context(job)
    head = orjson.dumps({**json_data.head(ctx, len(ids)), "cases": [_CASES_MARK]}, option=orjson.OPT_INDENT_2)
    before, after = json_safe(head).split(b'"%s"' % _CASES_MARK.encode())
    if records:
        records[0] = records[0][len(_INDENT):]  # the mark's own indent is already in `before`
    return b"".join([before, b",\n".join(records), after, b"\n"]), ids


def _memory_files(count: int) -> list[int | None]:
    made: list[int | None] = []
    for n in range(count):
        try:
            made.append(os.memfd_create(f"rounds-export-{n}", os.MFD_CLOEXEC))
        except (AttributeError, OSError):
            made.append(None)
    return made


def _with_blob(share: "_Share", fd: int | None) -> "_Share":
    if fd is None:
        return share
    size = os.fstat(fd).st_size
    os.lseek(fd, 0, os.SEEK_SET)
    chunks, got = [], 0
    while got < size:
        chunk = os.read(fd, size - got)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return replace(share, blob=b"".join(chunks))


def _split(blob: bytes, lengths: list[int]) -> list[bytes]:
    parts, at = [], 0
    for length in lengths:
        parts.append(blob[at:at + length])
        at += length
    return parts


@dataclass(frozen=True, slots=True)
class _Share:
    """What a worker sends back: its records as one block of bytes (a single object to pass between
    processes, rather than thousands), their lengths, order keys and real ids, and the skipped cases."""

    blob: bytes
    lengths: list[int]
    keys: list[str]  # the pseudonym in a de-identified export, else the id
    ids: list[str]
    skipped: list[str]


def _context(job: _Job) -> ExportContext:
    return ExportContext(catalogue=job.catalogue, policy=job.policy, today=job.today, now=job.now, user=job.user,
                         user_name=job.user_name, deidentified=job.deidentify, signoff=job.signoff)


def _work(share: list[Item], output: int | None = None) -> _Share:
    """In a worker: each readable case of `share` as an indented JSON record (with the key to order it
    by and its real id), and a line for each case skipped, as Repository.records gives them."""
    from store.export.deidentify import Deidentifier
    from store.repository import _skipped

    job = _JOB
    assert job is not None, "a worker starts from the parent's job"
    repo, catalogue, policy = job.repo, job.catalogue, job.policy
    skipped: list[str] = []
    records = []
    for case_id, path in share:
        try:
            records.append(repo._record_of(case_id, Path(path)))
        except (CorruptCaseFile, SchemaTooNew) as error:
            skipped.append(_skipped(case_id, error))
        except UnknownCase:
            continue  # removed since the scan
    by_id = {record.case.id: record for record in records}
    deid = None
    if job.deidentify:
        assert job.deid_key is not None
        deid = Deidentifier(job.deid_key, lambda case_id: job.offset(by_id[case_id]), job.alert_titles,
                            job.alert_actions)
    trails = {} if job.deidentify else {record.case.id: record.audit for record in records}
    ctx = replace(_context(job), audit=lambda case_id: [job.audit_json(doc) for doc in trails[case_id]])
    parts, keys, ids = [], [], []
    for record in records:
        case = record.case
        view = evaluate(case, catalogue, policy, job.today) if deid is None else \
            deid.view(record_view(case, catalogue, policy))
        data = orjson.dumps(json_data.case_record(view, ctx), option=orjson.OPT_INDENT_2)
        parts.append(_INDENT + json_safe(data).replace(b"\n", b"\n" + _INDENT))
        keys.append(view.case.id)
        ids.append(case.id)
    blob = b"".join(parts)
    if output is not None:
        left = memoryview(blob)
        while left:
            left = left[os.write(output, left):]
        blob = b""
    return _Share(blob, [len(part) for part in parts], keys, ids, skipped)
