"""Run one export: choose the cases, evaluate them, render a format, write it whole, audit it.

Shared by `rounds export` and the TUI's export screen. The document is rendered in memory first, so
a failure at any point leaves no file behind (or the previous file untouched); a file is written
by the store's atomic, private `atomic_write_bytes`; every export is noted in the audit trail.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable, TextIO

from checklists.engine import evaluate
from checklists.models import CaseView
from store.audit import current_user
from store.errors import StoreError
from store.export.context import ExportContext
from store.export.deidentify import Deidentifier

FORMATS = ("md", "html", "json", "csv", "ics")
EXTENSIONS = {"md": "md", "html": "html", "json": "json", "csv": "csv", "ics": "ics"}
STDOUT = "-"

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

    def check(self) -> None:
        if self.fmt not in FORMATS:
            raise ExportError(f"format must be one of {', '.join(FORMATS)}")
        if self.events and self.fmt != "csv":
            raise ExportError("--events applies only to --format csv")
        if self.with_patient and self.fmt != "ics":
            raise ExportError("--with-patient applies only to --format ics")
        if self.with_patient and self.deidentify:
            raise ExportError("--with-patient cannot be combined with --deidentify")


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
        return f"exported {len(self.case_ids)} case(s) as {kind}{self.fmt} to {where}"


def _renderer(fmt: str):
    # Each format's module is imported only when it is used (icalendar is not cheap to import).
    from store.export import csv_table, html_page, ics_calendar, json_data, md

    return {"md": md, "html": html_page, "json": json_data, "csv": csv_table, "ics": ics_calendar}[fmt].render


def select_cases(repo, refs: Iterable[str]) -> list[str]:
    """Full ids for the given references (ids or unique prefixes), in order, once each."""
    chosen: list[str] = []
    for ref in refs:
        case_id = repo.resolve(ref)
        if case_id not in chosen:
            chosen.append(case_id)
    return chosen


def default_filename(case_ids: list[str] | None, options: ExportOptions, today: date) -> str:
    """`rounds-<case id>-<today>.md` for one case, `rounds-cases-<today>.csv` for several."""
    if options.deidentify:
        stem = "rounds-deidentified"
    elif case_ids and len(case_ids) == 1:
        stem = f"rounds-{case_ids[0]}"
    else:
        stem = "rounds-cases"
    if options.events:
        stem += "-events"
    return f"{stem}-{today.isoformat()}.{EXTENSIONS[options.fmt]}"


def render_export(repo, case_ids: list[str] | None, options: ExportOptions, *, catalogue, today: date,
                  now: datetime, progress: Progress | None = None,
                  warnings: list[str] | None = None) -> tuple[str, list[str]]:
    """The whole document as text, and the ids of the cases in it (None = every case). Writes nothing."""
    options.check()
    policy = repo.policy()
    total = 0
    if progress is not None:  # counting every case file costs a directory scan: only when shown
        total = 2 * (len(case_ids) if case_ids is not None else len(repo.signatures()))
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, total), total)

    deid = None
    if options.deidentify:
        deid = Deidentifier(repo.deid_key(), repo.deid_offset_days, _alert_titles(catalogue),
                            _alert_actions(catalogue))
    cases = (repo.get(c) for c in case_ids) if case_ids is not None else repo.all_cases(warnings)
    ids: list[str] = []
    views: list[CaseView] = []
    for case in cases:
        view = evaluate(case, catalogue, policy, today)
        if deid is not None:
            view = deid.view(view)
        ids.append(case.id)
        views.append(view)
        step()
    if not views:
        raise ExportError("there are no cases to export")
    total = 2 * len(views)
    ctx = ExportContext(
        catalogue=catalogue, policy=policy, today=today, now=now, user=current_user(),
        deidentified=options.deidentify, events=options.events, with_patient=options.with_patient,
        audit=lambda case_id: _audit_docs(repo, case_id),
        tick=step,
    )
    return _renderer(options.fmt)(views, ctx), ids


def export_cases(repo, case_ids: list[str] | None, options: ExportOptions, output: str | Path | None, *,
                 catalogue, today: date, now: datetime, progress: Progress | None = None,
                 stdout: TextIO | None = None, warnings: list[str] | None = None) -> ExportResult:
    """Render, then write to `output` (a path; None or "-" is standard output), then audit.

    `case_ids` None exports every readable case (damaged files are skipped with a line in `warnings`).
    """
    options.check()
    destination = STDOUT if output in (None, STDOUT) else str(Path(output).expanduser())
    if destination != STDOUT:
        _check_destination(Path(destination))
    text, ids = render_export(repo, case_ids, options, catalogue=catalogue, today=today, now=now,
                              progress=progress, warnings=warnings)
    data = text.encode("utf-8")
    if destination == STDOUT:
        # Recorded first: once written to a pipe, an export cannot be taken back.
        repo.record_export(ids, options.fmt, options.deidentify, "stdout")
        out = stdout or sys.stdout
        out.write(text)
        out.flush()
    else:
        from store.storage import atomic_write_bytes

        path = Path(destination)
        atomic_write_bytes(path, data)
        try:
            repo.record_export(ids, options.fmt, options.deidentify, "file")
        except BaseException:
            # An export the audit trail does not know of must not stay behind.
            path.unlink(missing_ok=True)
            raise
    return ExportResult(options.fmt, tuple(ids), destination, options.deidentify, len(data))


def _check_destination(path: Path) -> None:
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise ExportError(f"folder {path.parent} does not exist")


def _audit_docs(repo, case_id: str) -> list[dict]:
    from dataclasses import asdict

    return [asdict(entry) for entry in repo.audit_trail(case_id)]


def _alert_titles(catalogue) -> Callable[[str], str]:
    def title(code: str) -> str:
        definition = catalogue.alert(code)
        return definition.title if definition else code

    return title


def _alert_actions(catalogue) -> Callable[[str], str]:
    """The pathway file's general advice for an alert code (never the advice fitted to one case)."""
    def action(code: str) -> str:
        definition = catalogue.alert(code)
        return definition.action if definition else ""

    return action
