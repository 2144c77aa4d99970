"""A small deterministic database for the TUI tests and snapshots: fixed ids, synthetic labels, fixed today.

Also the helpers the TUI tests share: reading the screen as text and waiting for a worker's result.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timezone
from pathlib import Path

from rich.cells import cell_len

from checklists import actions
from seeds.loader import default_catalogue
from store.repository import Repository

TODAY = date(2026, 11, 21)


def fixed_now() -> datetime:
    return datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)


def make_repository(path: Path) -> Repository:
    return Repository(path, default_catalogue(), now=fixed_now)


def add_case(repo: Repository, case_id: str, patient: str, pathways, onset: str, enrolment: date,
             injection_date: str | None = None, site: str | None = None) -> None:
    case, changes = actions.new_case(
        case_id=case_id, patient=patient, pathways=pathways, onset=onset, enrolment=enrolment,
        injection_date=injection_date, site=site, catalogue=repo.catalogue,
    )
    repo.add_case(case, changes)


def log(repo: Repository, case_id: str, kind: str, today: date = TODAY, **fields) -> None:
    repo.update(case_id, lambda case: actions.log_event(case, kind, fields, today=today))


def resolve(repo: Repository, case_id: str, item: str, action: str, **options) -> None:
    repo.update(case_id, lambda case: actions.resolve_item(
        case, item, action, today=TODAY, catalogue=repo.catalogue, **options))


def set_field(repo: Repository, case_id: str, field: str, value, **options) -> None:
    repo.update(case_id, lambda case: actions.set_field(
        case, field, value, today=TODAY, catalogue=repo.catalogue, **options))


def build_demo_database(path: Path) -> Repository:
    """Six cases spanning the statuses a clinician sorts by, as of 2026-11-21."""
    repo = make_repository(path)
    # Overdue: two saline sessions in March, nothing since; the six-month review has passed.
    add_case(repo, "a1d0000001", "DEMO-001", ["steroid-atrophy"], "2026-03-01", date(2026, 3, 10),
             site="left forearm")
    log(repo, "a1d0000001", "saline", date="2026-03-12", volume_ml="10")
    log(repo, "a1d0000001", "saline", date="2026-03-19", volume_ml="25")
    log(repo, "a1d0000001", "assessment", date="2026-03-12", size_mm="22", depth_mm="4", improvement="none")
    # Due: a hip injection given by landmark before any physiotherapy, enrolled last week.
    add_case(repo, "b2d0000002", "DEMO-002", ["hip-injection", "steroid-atrophy"], "2026-10-01",
             date(2026, 11, 14), injection_date="2026-09-15")
    log(repo, "b2d0000002", "injection", date="2026-09-15", guidance="landmark", drug="triamcinolone",
        dose="40 mg")
    # Due soon: watchful waiting, measured three times, six-month review opens on 2026-11-25.
    add_case(repo, "c3d0000003", "DEMO-003", ["steroid-atrophy"], "2026-05-25", date(2026, 6, 1))
    log(repo, "c3d0000003", "assessment", date="2026-06-05", size_mm="20", depth_mm="3", photo="yes")
    log(repo, "c3d0000003", "assessment", date="2026-08-01", size_mm="16", depth_mm="2.5",
        improvement="partial")
    log(repo, "c3d0000003", "assessment", date="2026-10-20", size_mm="11", depth_mm="1.5",
        improvement="partial")
    log(repo, "c3d0000003", "note", date="2026-06-05", note="entered twice by mistake")
    repo.update("c3d0000003", lambda case: actions.void_event(case, "e4", "duplicate entry"))
    resolve(repo, "c3d0000003", "saline-session", "skip", reason="watchful waiting")
    # Upcoming: the same, onset in September.
    add_case(repo, "d4d0000004", "DEMO-004", ["steroid-atrophy"], "2026-09-01", date(2026, 9, 5))
    log(repo, "d4d0000004", "assessment", date="2026-09-06", size_mm="8", depth_mm="1")
    resolve(repo, "d4d0000004", "saline-session", "skip", reason="watchful waiting")
    # Panniculitis, diagnosis under way.
    add_case(repo, "e5d0000005", "DEMO-005", ["panniculitis-lipoatrophy"], "2026-10-20", date(2026, 11, 2))
    log(repo, "e5d0000005", "biopsy", date="2026-11-05", depth="punch")
    # Closed: follow-up ended.
    add_case(repo, "f6d0000006", "DEMO-006", ["steroid-atrophy"], "2025-01-10", date(2025, 1, 20))
    set_field(repo, "f6d0000006", "status", "closed")
    return repo


_SVG_TEXT = re.compile(
    r'<text class="[^"]*" x="(?P<x>[0-9.]+)" y="[0-9.]+" textLength="(?P<length>[0-9.]+)" '
    r'clip-path="url\(#[^)]*-line-(?P<line>\d+)\)">(?P<text>[^<]*)</text>'
)


def screen_text(app) -> str:
    """What the terminal shows now, as plain text lines (what a clinician would read).

    Read from `App.export_screenshot()`, Textual's public picture of the whole screen (the SVG that
    snapshot tests compare): Rich writes each run of text as a <text> element with its column (x)
    and its line (in the clip-path); blank runs are left out, so the columns are rebuilt from x.
    """
    width, height = app.size
    cells = [[" "] * width for _ in range(height)]
    for found in _SVG_TEXT.finditer(app.export_screenshot()):
        text = html.unescape(found["text"]).replace("\xa0", " ")  # Rich writes spaces as &#160;
        char_width = float(found["length"]) / len(text)  # textLength is the width of len(text) cells
        column, row = round(float(found["x"]) / char_width), int(found["line"])
        for char in text:
            if 0 <= row < height and 0 <= column < width:
                cells[row][column] = char
            column += max(cell_len(char), 1)
    return "\n".join("".join(line).rstrip() for line in cells)


def cursor_lines(app) -> list[str]:
    """The screen lines a cursor marker (▸) is on."""
    return [line for line in screen_text(app).splitlines() if line.startswith("▸")]


async def open_case(pilot, case_id: str) -> None:
    """Open a case screen and wait until it shows the case (read in a worker)."""
    pilot.app.open_case(case_id)
    await pilot.pause()
    await wait_for(pilot, lambda: f"Case {case_id} · DEMO-" in screen_text(pilot.app))
    await pilot.pause()


def sync(test):
    """Run an async Pilot test with asyncio (no async plugin in the test dependencies)."""
    import asyncio
    import functools

    @functools.wraps(test)
    def run(*args, **kwargs):
        asyncio.run(test(*args, **kwargs))

    return run


async def open_case_ready(pilot, case_id: str, item: str | None = None):
    """Open a case once the board has loaded, wait for its view, and highlight `item` if given."""
    from tui.screens.case import CaseScreen
    from tui.widgets.checklist import Checklist

    app = pilot.app
    await wait_for(pilot, lambda: getattr(app.screen, "has_loaded", False))
    app.open_case(case_id)
    await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.view is not None)
    screen = app.screen
    if item is not None:
        screen.query_one(Checklist).selected = item
        await pilot.pause()
    return screen


async def form_ready(pilot, name: str):
    """The form screen `name` once it has read its case and takes keys."""
    app = pilot.app
    await wait_for(pilot, lambda: type(app.screen).__name__ == name and getattr(app.screen, "ready", False))
    await pilot.pause()
    return app.screen


async def wait_for(pilot, condition, timeout: float = 5.0, step: float = 0.05) -> None:
    """Let the app run until `condition()` holds (workers finish in threads), or fail after `timeout`."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting; screen was:\n{screen_text(pilot.app)}")
        await pilot.pause(step)
