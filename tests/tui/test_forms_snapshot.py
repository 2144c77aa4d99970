"""The log-event form pinned as a picture at 80x24: a fixed case, a fixed today (2026-11-21).

It shows a saline entry with an out-of-range volume, so the picture holds the kind's own fields, the
reason beside the field at fault, the refused Save and the status line. Update deliberately with
`pytest tests/tui/test_forms_snapshot.py --snapshot-update` and look at the SVG before committing it.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timezone
from pathlib import Path

from textual.app import App
from textual.widgets import Input

from checklists.actions import log_event, new_case
from seeds.loader import default_catalogue
from store.repository import Repository
from tui.forms import LogEventForm

TODAY = date(2026, 11, 21)
CASE_ID = "demo000001"


class Host(App[None]):
    def __init__(self, form) -> None:
        super().__init__()
        self.form = form

    def on_mount(self) -> None:
        self.push_screen(self.form)


def _fixed_case(db_dir: Path, catalogue) -> Repository:
    repo = Repository(db_dir, catalogue, now=lambda: datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc))
    case, changes = new_case(
        case_id=CASE_ID, patient="DEMO-001", pathways=["steroid-atrophy"], onset="2026-10-01",
        enrolment=date(2026, 11, 1), site="left forearm", catalogue=catalogue,
    )
    case, more = log_event(case, "saline", {"date": "2026-11-10", "volume_ml": "10"}, today=TODAY)
    repo.add_case(case, changes + more)
    return repo


def test_log_event_form_at_80x24(snap_compare, tmp_path: Path) -> None:
    catalogue = default_catalogue()
    repo = _fixed_case(tmp_path / "db", catalogue)
    form = LogEventForm(repo, CASE_ID, TODAY, catalogue)

    async def fill_in(pilot) -> None:
        deadline = time.monotonic() + 5
        while not form.ready:
            assert time.monotonic() < deadline, "the form did not load"
            await pilot.pause(0.01)
        for box in form.query(Input):
            box.cursor_blink = False  # a blinking cursor would make the picture flicker
        form.fields["kind"].control.value = "saline"
        await pilot.pause()
        form.fields["volume_ml"].control.focus()
        await pilot.press(*"150")
        form.fields["site"].control.insert_text_at_cursor("left forearm")
        await pilot.pause()

    assert snap_compare(Host(form), terminal_size=(80, 24), run_before=fill_in)
