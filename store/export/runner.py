"""Run one export: choose the cases, evaluate them, render a format, write it whole, audit it.

Shared by `rounds export` and the TUI's export screen. The document is rendered in memory first, so
a failure at any point leaves no file behind (or the previous file untouched); a file is written
by the store's atomic, private `atomic_write_bytes`; every export is noted in the audit trail.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterable, TextIO

from checklists.engine import evaluate, record_view
from checklists.models import CaseView
from checklists.wording import count_of
from store.audit import current_user
from store.errors import StoreError
from store.export.context import ExportContext
from store.export.deidentify import Deidentifier
from store.export.readable import ORDERS, display_name, order_views

FORMATS = ("md", "html", "json", "csv", "ics", "fhir", "redcap", "redcap-dictionary")
EXTENSIONS = {"md": "md", "html": "html", "json": "json", "csv": "csv", "ics": "ics", "fhir": "fhir.json",
              "redcap": "redcap.csv", "redcap-dictionary": "redcap-dictionary.csv"}
STDOUT = "-"
LETTER_FORMATS = ("md", "html")  # printed for people: several cases come in MDT order
FIELD_FORMATS = ("redcap-dictionary",)  # describe the fields, hold no case
MAX_REMIND_DAYS = 90

Progress = Callable[[int, int], None]


class ExportError(StoreError):
    """An export that cannot be made as asked; one line, bad input (the CLI exits 2)."""

    bad_input = True


@dataclass(slots=True, frozen=True)
class ExportOptions:
    fmt: str
    deidentify: bool = False
    events: bool = False  # csv only
    with_patient: bool = False  # ics only
    order: str | None = None  # md, html: "urgency" (the default) or "label"
    past: bool = False  # ics only
    tasks: bool = False  # ics only
    remind_days: int | None = None  # ics only

    def check(self) -> None:
        if self.fmt not in FORMATS:
            raise ExportError(f"format must be one of {', '.join(FORMATS)}")
        if self.events and self.fmt != "csv":
            raise ExportError("--events applies only to --format csv")
        if self.with_patient and self.fmt != "ics":
            raise ExportError("--with-patient applies only to --format ics")
        if self.with_patient and self.deidentify:
            raise ExportError("--with-patient cannot be combined with --deidentify")
        if self.order is not None and self.order not in ORDERS:
            raise ExportError(f"--order must be one of {', '.join(ORDERS)}")
        if self.order is not None and self.fmt not in LETTER_FORMATS:
            raise ExportError("--order applies only to --format md and html")
        for name, given in (("--past", self.past), ("--tasks", self.tasks),
                            ("--remind", self.remind_days is not None)):
            if given and self.fmt != "ics":
                raise ExportError(f"{name} applies only to --format ics")
        if self.deidentify and self.fmt in FIELD_FORMATS:
            raise ExportError(f"--deidentify does not apply to {self.fmt}: it holds no patient data")
        if self.remind_days is not None and not 0 <= self.remind_days <= MAX_REMIND_DAYS:
            raise ExportError(f"--remind must be a number of days from 0 to {MAX_REMIND_DAYS}")


@dataclass(slots=True, frozen=True)
class ExportResult:
    fmt: str
    case_ids: tuple[str, ...]  # the real ids, as recorded in the audit trail
    destination: str  # a path, or "-" for standard output
    deidentified: bool
    size: int  # bytes written

    def line(self) -> str:
        where = "standard output" if self.destination == STDOUT else self.destination
        kind = "de-identified " if self.deidentified else ""
        return f"exported {count_of(len(self.case_ids), 'case')} as {kind}{self.fmt} to {where}"


def _renderer(fmt: str):
    # Each format's module is imported only when it is used (icalendar is not cheap to import).
    from store.export import csv_table, fhir_bundle, html_page, ics_calendar, json_data, md, redcap

    writers: dict[str, Any] = {"md": md, "html": html_page, "json": json_data, "csv": csv_table, "ics": ics_calendar,
                               "fhir": fhir_bundle, "redcap": redcap, "redcap-dictionary": redcap.Dictionary}
    return writers[fmt].render


def select_cases(repo, refs: Iterable[str]) -> list[str]:
    """Full ids for the given references (ids or unique prefixes), in order, once each."""
    chosen: list[str] = []
    for ref in refs:
        case_id = repo.resolve(ref)
        if case_id not in chosen:
            chosen.append(case_id)
    return chosen


def default_filename(case_ids: list[str] | None, options: ExportOptions, today: date) -> str:
    """`rounds-<case id>-<today>.md` for one case, `rounds-cases-<today>.csv` for several; a
    de-identified export's name carries no date (nothing about it may depend on the day)."""
    if options.deidentify:
        return f"rounds-deidentified{'-events' if options.events else ''}.{EXTENSIONS[options.fmt]}"
    if case_ids and len(case_ids) == 1:
        stem = f"rounds-{case_ids[0]}"
    else:
        stem = "rounds-cases"
    if options.events:
        stem += "-events"
    return f"{stem}-{today.isoformat()}.{EXTENSIONS[options.fmt]}"


def render_export(repo, case_ids: list[str] | None, options: ExportOptions, *, catalogue, today: date,
                  now: datetime, progress: Progress | None = None, warnings: list[str] | None = None,
                  parallel: bool = False) -> tuple[str | bytes, list[str]]:
    """The whole document (text, or for a JSON export made in parallel its UTF-8 bytes) and the ids of
    the cases in it (None = every case). Writes nothing.

    `parallel`: a JSON export of every case of a large database may be made by several processes
    (store/export/parallel_json.py); only for a caller without threads of its own (the command line).
    """
    options.check()
    from store.repository import collector_paused

    # Hundreds of thousands of new objects, none of them cyclic: the cycle collector, left on, ran
    # over and over through everything already built (half the CPU time of exporting 10,000 cases).
    with collector_paused():
        return _render(repo, case_ids, options, catalogue=catalogue, today=today, now=now, progress=progress,
                       warnings=warnings, parallel=parallel)


def _render(repo, case_ids: list[str] | None, options: ExportOptions, *, catalogue, today: date,
            now: datetime, progress: Progress | None, warnings: list[str] | None,
            parallel: bool = False) -> tuple[str | bytes, list[str]]:
    policy = repo.policy()
    if options.fmt in FIELD_FORMATS:
        ctx = ExportContext(catalogue=catalogue, policy=policy, today=today, now=now, user=current_user())
        return _renderer(options.fmt)([], ctx), []
    if parallel and options.fmt == "json" and case_ids is None and progress is None:
        made = _render_json_in_parallel(repo, options, catalogue=catalogue, policy=policy, today=today, now=now,
                                        warnings=warnings)
        if made is not None:
            return made
    total = 0
    if progress is not None:  # counting every case file costs a directory scan: only when shown
        total = 2 * (len(case_ids) if case_ids is not None else len(repo.signatures()))
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, total), total)

    # One read of each file gives the case, its audit trail and its de-identification offset.
    records = list(repo.records(case_ids, warnings))
    if not records:
        raise ExportError("there are no cases to export")
    cases = [record.case for record in records]
    deid = None
    if options.deidentify:
        # Only now: the key is made with the settings file, and a refused export creates nothing.
        offsets = {record.case.id: record for record in records}
        deid = Deidentifier(repo.deid_key(), lambda case_id: _offset(offsets[case_id]), _alert_titles(catalogue),
                            _alert_actions(catalogue))
    trails = {record.case.id: record.audit for record in records} if _uses_audit(options) else {}
    del records
    ids: list[str] = []
    views: list[CaseView] = []
    for case in cases:
        if deid is None:
            view = evaluate(case, catalogue, policy, today)
        else:
            view = deid.view(record_view(case, catalogue, policy))  # no day in it: see deidentify.py
        ids.append(case.id)
        views.append(view)
        step()
    if deid is not None:
        # In the order of the pseudonyms: neither the real ids' order nor anything else about the cases.
        order = sorted(range(len(views)), key=lambda n: views[n].case.id)
        ids, views = [ids[n] for n in order], [views[n] for n in order]
    total = 2 * len(views)
    if options.fmt in LETTER_FORMATS:
        views = order_views(views, options.order or "urgency")
    user = current_user()
    ctx = ExportContext(
        catalogue=catalogue, policy=policy, today=today, now=now, user=user,
        user_name=None if options.deidentify else display_name(user),
        deidentified=options.deidentify, events=options.events, with_patient=options.with_patient,
        past=options.past, tasks=options.tasks, remind_days=options.remind_days,
        audit=lambda case_id: [_audit_json(doc) for doc in trails[case_id]],
        tick=step,
        signoff=_signoff(repo, catalogue),
    )
    return _renderer(options.fmt)(views, ctx), ids


def _render_json_in_parallel(repo, options: ExportOptions, *, catalogue, policy, today: date, now: datetime,
                             warnings: list[str] | None) -> tuple[bytes, list[str]] | None:
    """Every case as JSON, made by several processes; None when there are too few cases to gain by it."""
    from store.export import parallel_json

    items = sorted((case_id, path) for case_id, (path, _) in repo._scan().items())
    workers = parallel_json.workers_for(len(items))
    if workers < 2:
        return None
    user = current_user()
    job = parallel_json._Job(
        repo=repo, catalogue=catalogue, policy=policy, today=today, now=now, user=user,
        user_name=None if options.deidentify else display_name(user), deidentify=options.deidentify,
        # Made here, before the workers start: the key is made with the settings file if need be.
        deid_key=repo.deid_key() if options.deidentify else None, signoff=_signoff(repo, catalogue),
        offset=_offset, audit_json=_audit_json, alert_titles=_alert_titles(catalogue),
        alert_actions=_alert_actions(catalogue),
    )
    data, ids = parallel_json.render(items, job, workers, warnings)
    if not ids:
        raise ExportError("there are no cases to export")
    return data, ids


def export_cases(repo, case_ids: list[str] | None, options: ExportOptions, output: str | Path | None, *,
                 catalogue, today: date, now: datetime, progress: Progress | None = None,
                 stdout: TextIO | None = None, warnings: list[str] | None = None,
                 parallel: bool = False) -> ExportResult:
    """Render, then write to `output` (a path; None or "-" is standard output), then audit.

    `case_ids` None exports every readable case (damaged files are skipped with a line in `warnings`).
    `parallel`: see render_export.
    """
    options.check()
    destination = destination_of(output, repo.db_dir)
    repo.check_writable()  # an export that cannot be audited is not made
    text, ids = render_export(repo, case_ids, options, catalogue=catalogue, today=today, now=now,
                              progress=progress, warnings=warnings, parallel=parallel)
    return deliver(repo, text, ids, options.fmt, options.deidentify, destination, stdout)


def destination_of(output: str | Path | None, db_dir: Path) -> str:
    """The checked path to write (or "-" for standard output), before any work is done."""
    destination = STDOUT if output in (None, STDOUT) else str(Path(output).expanduser())
    if destination != STDOUT:
        check_destination(Path(destination), db_dir)
    return destination


def deliver(repo, text: str | bytes, ids: list[str], fmt: str, deidentified: bool, destination: str,
            stdout: TextIO | None = None) -> ExportResult:
    """Write a rendered document whole (or to standard output) and note it in the audit trail."""
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    if destination == STDOUT:
        # Recorded first: once written to a pipe, an export cannot be taken back.
        repo.record_export(ids, fmt, deidentified, "stdout")
        out = stdout or sys.stdout
        raw = getattr(out, "buffer", None) if isinstance(text, bytes) else None
        if raw is not None:
            out.flush()
            raw.write(text)
            raw.flush()
        else:
            out.write(text if isinstance(text, str) else text.decode("utf-8"))
        out.flush()
    else:
        from store.storage import atomic_write_bytes

        path = Path(destination)
        atomic_write_bytes(path, data)
        try:
            repo.record_export(ids, fmt, deidentified, "file")
        except BaseException:
            # An export the audit trail does not know of must not stay behind.
            path.unlink(missing_ok=True)
            raise
    return ExportResult(fmt, tuple(ids), destination, deidentified, len(data))


def check_destination(path: Path, db_dir: Path) -> None:
    """Refuse anything but a new file or a regular file outside the database (ExportError, exit 2).

    An export replaces its file whole: over a link, a device or a pipe that is never what was meant,
    and inside the database it would destroy the settings (the de-identification key) or a case.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise ExportError(f"{path} cannot be used ({error.strerror})") from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise ExportError(f"{path} is a symbolic link; give the path of a regular file or a new file")
        if stat.S_ISDIR(info.st_mode):
            raise ExportError(f"{path} is a folder; give a file name")
        if not stat.S_ISREG(info.st_mode):
            raise ExportError(f"{path} is not a regular file (a device, pipe or socket); give a file name")
    if not path.parent.is_dir():
        raise ExportError(f"folder {path.parent} does not exist")
    # Through every link and `..` on the way: a roundabout path into the database is still inside it.
    where = path.parent.resolve() / path.name
    database = Path(db_dir).expanduser().resolve()
    if where == database or where.is_relative_to(database):
        raise ExportError(f"{path} is inside the database folder {db_dir}; export to a file outside it")


def _signoff(repo, catalogue):
    """The clinic's reviews, for the letters' line on the protocol behind them (store/export/review_note.py)."""
    from store.signoff import load_signoff

    return load_signoff(repo, catalogue) if hasattr(repo, "settings_path") else None


def _uses_audit(options: ExportOptions) -> bool:
    """Only the JSON export carries each case's audit trail (a de-identified one does not)."""
    return options.fmt == "json" and not options.deidentify


def _offset(record) -> int:
    from store.repository import deid_offset_of

    return deid_offset_of(record.deid_offset, record.path)


# An audit entry as the JSON export writes it: every AuditEntry field, in its order, with its default.
_AUDIT_DEFAULTS = {"who": "?", "when": "", "action": "?", "target": "", "old": None, "new": None, "reason": None,
                   "revision": None, "details": None, "imported": None}


def _audit_json(doc: dict) -> dict:
    """What `dataclasses.asdict(entry_from_doc(doc))` gave, without a dataclass and a deep copy per
    entry: that was a sixth of the time of a 10,000-case export."""
    return {key: doc.get(key, default) for key, default in _AUDIT_DEFAULTS.items()}


def _alert_titles(catalogue) -> Callable[[str], str]:
    def title(code: str) -> str:
        definition = catalogue.alert(code)
        return definition.title if definition else code

    return title


def export_worklist(repo, fmt: str, start: date, end: date, output: str | Path | None, *, catalogue,
                    now: datetime, deidentify: bool = False, stdout: TextIO | None = None,
                    warnings: list[str] | None = None, width: int | None = None):
    """`rounds worklist`: the session's worklist written like an export (whole, private, audited).

    Every readable case is evaluated on `start`, the first day of the period. `width`: the terminal's,
    to wrap the text format shown on it. Returns (ExportResult, Worklist).
    """
    from store.export import worklist as work

    if fmt not in work.WORKLIST_FORMATS:
        raise ExportError(f"format must be one of {', '.join(work.WORKLIST_FORMATS)}")
    if end < start:
        raise ExportError(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    destination = destination_of(output, repo.db_dir)
    repo.check_writable()  # a worklist that cannot be audited is not made
    listing = build_worklist_of(repo, start, end, catalogue=catalogue, deidentify=deidentify, warnings=warnings)
    worklist, ids = listing
    text = work.render(worklist, fmt, width)
    result = deliver(repo, text, ids, f"worklist-{fmt}", deidentify, destination, stdout)
    return result, worklist


def build_worklist_of(repo, start: date, end: date, *, catalogue, deidentify: bool = False,
                      warnings: list[str] | None = None):
    """(Worklist, the real ids of the cases in it) for every readable case of the database."""
    from store.export import worklist as work

    policy = repo.policy()
    views = [evaluate(case, catalogue, policy, start) for case in repo.all_cases(warnings)]
    deid = (Deidentifier(repo.deid_key(), repo.deid_offset_days, _alert_titles(catalogue), _alert_actions(catalogue))
            if deidentify else None)
    worklist = work.build_worklist(views, start, end, catalogue, deid)
    return worklist, work.included_ids(views, worklist, deid)


def _alert_actions(catalogue) -> Callable[[str], str]:
    """The pathway file's general advice for an alert code (never the advice fitted to one case)."""
    def action(code: str) -> str:
        definition = catalogue.alert(code)
        return definition.action if definition else ""

    return action
