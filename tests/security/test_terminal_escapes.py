"""Terminal escapes: text from a case file is shown, never obeyed; and it cannot be typed in.

A label like `DEMO\\x1b]2;…\\x07` sets the terminal's window title, `\\x1b]52;c;…` writes the clipboard,
U+009B is a one-character CSI, and U+202E reverses what follows. Each is refused on input and
escaped on output: by `case show`, `case list` (text and JSON), a Markdown export to the terminal,
and the TUI's board, case screen and forms.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from checklists.errors import ValidationError
from checklists.validation import check_text
from tests.security.conftest import add_case, case_file, read_tables, run, snapshot, write_tables

TITLE = "\x1b]2;PWNED\x07"  # OSC 2: set the window title
CLIPBOARD = "\x1b]52;c;cHduZWQ=\x07"  # OSC 52: write the clipboard
CSI_C1 = "\x9b31m"  # U+009B: CSI in one character
RLO = "\u202e"  # right-to-left override
HOSTILE = [TITLE, CLIPBOARD, CSI_C1, RLO, "\u2066", "\r", "\x7f", "\x00"]
# Raw characters a terminal would act on; none may reach standard output.
RAW = ["\x1b", "\x9b", "\x07", "\u202e", "\u2066", "\r", "\x7f", "\x00"]


def assert_inert(text: str) -> None:
    for char in RAW:
        assert char not in text, f"raw {char!r} reached the terminal"


# --- the pure function -----------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE)
def test_printable_escapes_what_a_terminal_would_obey(hostile):
    from checklists.text import printable

    shown = printable(f"DEMO{hostile}017")
    assert_inert(shown)
    assert shown.startswith("DEMO\\") and shown.endswith("017")


def test_printable_keeps_ordinary_text_and_line_breaks():
    from checklists.text import printable

    text = "DEMO-017 naïve café 東京 Ω\nsecond line\tafter a tab"
    assert printable(text) is text


# --- refused on input ------------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE)
def test_check_text_refuses_controls_and_direction_overrides(hostile):
    with pytest.raises(ValidationError) as caught:
        check_text(f"left{hostile}deltoid", "site")
    assert "site" in str(caught.value)


@pytest.mark.parametrize("hostile", [CSI_C1, RLO, TITLE, "\u2069"])
def test_cli_refuses_them_in_a_label_and_writes_nothing(capsys, db, hostile):
    code, out, err = run(capsys, db, "case", "add", "--patient", f"DEMO{hostile}017", "--pathway",
                         "steroid-atrophy", "--onset", "2026-09-01")
    assert code == 2 and out == ""
    assert "patient" in err and len(err.strip().splitlines()) == 1
    assert_inert(err)
    assert not db.exists()


def test_cli_refuses_them_in_a_note_and_a_reason(capsys, db):
    case_id = add_case(capsys, db)
    before = snapshot(db)
    assert run(capsys, db, "log", case_id, "note", "--note", f"call back{RLO}")[0] == 2
    assert run(capsys, db, "item", case_id, "review-6m", "skip", "--reason", f"away{CSI_C1}")[0] == 2
    assert run(capsys, db, "case", "set", case_id, "site", f"hip{TITLE}")[0] == 2
    assert snapshot(db) == before


# --- escaped on output ---------------------------------------------------------------------------


@pytest.fixture()
def hostile_case(capsys, db) -> str:
    """A case whose file holds escapes everywhere text is recorded (written by hand, past the checks)."""
    case_id = add_case(capsys, db, "DEMO-017", "--note", "first note", "--site", "left hip")
    assert run(capsys, db, "log", case_id, "note", "--note", "call back", "--date", "2026-11-01")[0] == 0
    assert run(capsys, db, "item", case_id, "review-6m", "skip", "--reason", "seen elsewhere")[0] == 0
    path = case_file(db, case_id)
    tables = read_tables(path)
    doc = tables["case"]["1"]
    doc.update(patient=f"DEMO{TITLE}017", note=f"note{CLIPBOARD}", site=f"hip{RLO}left")
    doc["items"]["review-6m"]["reason"] = f"away{CSI_C1}"
    for event in tables["events"].values():
        if event.get("note"):
            event["note"] = f"call{TITLE}back"
    write_tables(path, tables)
    return case_id


def test_case_show_and_list_print_escapes_not_controls(capsys, db, hostile_case):
    code, out, err = run(capsys, db, "case", "show", hostile_case)
    assert code == 0, err
    assert_inert(out)
    assert "DEMO\\x1b]2;PWNED\\x07017" in out
    code, out, _ = run(capsys, db, "case", "list")
    assert code == 0
    assert_inert(out)
    assert "DEMO\\x1b" in out


def test_json_output_escapes_them_and_still_round_trips(capsys, db, hostile_case):
    code, out, _ = run(capsys, db, "case", "show", hostile_case, "--json")
    assert code == 0
    assert_inert(out)
    assert json.loads(out)["patient"] == f"DEMO{TITLE}017"  # the data is unchanged, only written safely
    code, out, _ = run(capsys, db, "case", "list", "--json")
    assert_inert(out)
    assert json.loads(out)[0]["patient"] == f"DEMO{TITLE}017"


def test_every_commands_json_is_inert_the_audit_trail_too(capsys, db, hostile_case):
    """Every --json goes through one printer (tui/cli_json.py): the audit trail's recorded values too."""
    path = case_file(db, hostile_case)
    tables = read_tables(path)
    for entry in tables["audit"].values():
        entry["reason"] = f"away{CSI_C1}{RLO}"
    write_tables(path, tables)
    for command in (["audit", hostile_case], ["pathways", "list"], ["check"]):
        code, out, err = run(capsys, db, *command, "--json")
        assert code in (0, 1), err
        assert_inert(out)
        json.loads(out)
    code, out, _ = run(capsys, db, "audit", hostile_case, "--json")
    assert {entry["reason"] for entry in json.loads(out)} == {f"away{CSI_C1}{RLO}"}  # unchanged, written safely


def test_a_markdown_export_to_the_terminal_is_inert(capsys, db, hostile_case):
    code, out, err = run(capsys, db, "export", hostile_case, "--format", "md")
    assert code == 0, err
    assert_inert(out)


def test_the_tui_shows_escapes_not_controls(capsys, db, hostile_case):
    from store.repository import Repository
    from seeds.loader import default_catalogue
    from tests.tui.demo_db import TODAY, screen_text, wait_for
    from tui.app import make_app
    from tui.screens.case import CaseScreen

    async def scenario():
        app = make_app(Repository(db, default_catalogue()), today=TODAY)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: "DEMO" in screen_text(app))
            board = screen_text(app)
            assert_inert(board)
            assert "DEMO\\x1b" in board
            app.open_case(hostile_case)
            await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and "Patient" in screen_text(app))
            await pilot.pause()
            shown = screen_text(app)
            assert_inert(shown)
            assert "DEMO\\x1b" in shown

    asyncio.run(scenario())


def test_an_alert_message_quoting_recorded_text_is_shown_inert():
    """Engine messages list the offending events with their details (a drug as typed, say)."""
    from checklists.models import Alert
    from tui.widgets.alerts import alert_body

    alert = Alert(code="steroid-stopped-abruptly", severity="warning", message=f"e3 pred{TITLE}nisone stopped",
                  action="", sources=(), provenance="literature", pathway="panniculitis-lipoatrophy")
    shown = alert_body(alert, None).plain
    assert_inert(shown)
    assert "pred\\x1b]2;PWNED\\x07nisone" in shown
