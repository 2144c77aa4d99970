"""Pasted text is text (issue 9): a note is a multi-line box that keeps every line of a paste; a
bracketed paste is never keys and never a submit, even with an escape byte in it; control characters in
a paste are left out with a notice. Pilot for the widgets, the terminal parser for the bytes, and a real
tmux `paste-buffer -p` for the whole way from the terminal."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from textual import events

from tests.tui.demo_db import wait_for
from tests.tui.test_keys_act_on_what_is_highlighted import (  # noqa: F401
    TODAY, add, form_ready, open_case, sync,
)
from tui.app import make_app

REFERRAL = "Referred by Dr DEMO for review.\nLesion noticed in March.\nNo treatment so far."


async def note_form(pilot, case_id: str):
    await open_case(pilot, case_id)
    await pilot.press("l")
    form = await form_ready(pilot, "LogEventForm")
    form.fields["kind"].control.value = "note"
    await pilot.pause()
    form.fields["note"].control.focus()
    await pilot.pause()
    return form


@sync
async def test_a_pasted_referral_keeps_every_line(repo):
    case_id = add(repo, ["steroid-atrophy"], "2026-10-01", date(2026, 11, 1))
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await note_form(pilot, case_id)
        app.post_message(events.Paste(REFERRAL))
        await pilot.pause()
        assert form.collect()["note"] == REFERRAL
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, type(form)))
    assert repo.get(case_id).events[-1].note == REFERRAL


@sync
async def test_a_paste_with_controls_and_an_escape_is_text_not_keys(repo):
    case_id = add(repo, ["steroid-atrophy"], "2026-10-01", date(2026, 11, 1))
    app = make_app(repo, today=TODAY, )
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        form = await note_form(pilot, case_id)
        app.post_message(events.Paste("first line\r\nsecond\x1b[201~ line\x07\r\tindented"))
        await pilot.pause()
        assert app.screen is form and not form.saving  # no submit, no escape, no focus change
        assert app.focused is form.fields["note"].control
        assert form.collect()["note"] == "first line\nsecond[201~ line\n\tindented"
        assert any("left out" in n.message for n in app._notifications)  # the clinician is told
    assert not repo.get(case_id).live_events("note")


@sync
async def test_a_paste_into_a_one_line_box_keeps_its_words_on_one_line(repo):
    case_id = add(repo, ["steroid-atrophy"], "2026-10-01", date(2026, 11, 1))
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, case_id, "review-6m")
        await pilot.press("s")
        form = await form_ready(pilot, "ItemActionForm")
        app.post_message(events.Paste("patient away\nuntil the new year"))
        await pilot.pause()
        assert form.fields["reason"].control.value == "patient away until the new year"


def test_the_terminal_parser_reads_a_bracketed_paste_with_an_escape_in_it_as_one_paste():
    from tui.terminal import PasteSafeParser

    parser = PasteSafeParser()
    tokens = list(parser.feed("a\x1b[200~one\rtwo\x1b\rthree\x1b[201~b"))
    tokens += list(parser.tick())
    kinds = [(type(t).__name__, getattr(t, "text", getattr(t, "key", None))) for t in tokens]
    assert kinds == [("Key", "a"), ("Paste", "one\rtwo\x1b\rthree"), ("Key", "b")], kinds


def test_a_paste_split_across_reads_is_still_one_paste():
    from tui.terminal import PasteSafeParser

    parser = PasteSafeParser()
    tokens = []
    for chunk in ("\x1b[200~first line\n", "second\x1b[2", "01~", "x"):
        tokens += list(parser.feed(chunk))
    kinds = [(type(t).__name__, getattr(t, "text", getattr(t, "key", None))) for t in tokens]
    assert kinds == [("Paste", "first line\nsecond"), ("Key", "x")], kinds


# -- a real terminal --------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def tmux(*args: str, server: str) -> str:
    return subprocess.run(["tmux", "-L", server, *args], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_tmux_paste_buffer_into_a_note_keeps_the_lines_and_sends_no_keys(tmp_path):
    from tests.tui.demo_db import build_demo_database

    build_demo_database(tmp_path / "db")
    server = f"rounds-paste-{tmp_path.name}"
    command = (f"TERM=xterm-256color {sys.executable} -m tui --db {tmp_path / 'db'} --today 2026-11-21")
    tmux("new-session", "-d", "-x", "80", "-y", "24", "-s", "app", command, server=server)
    try:
        def screen() -> str:
            return tmux("capture-pane", "-p", "-t", "app", server=server)

        def until(text: str, timeout: float = 20) -> str:
            deadline = time.monotonic() + timeout
            while text not in (shown := screen()):
                if time.monotonic() > deadline:
                    raise AssertionError(f"{text!r} never shown; screen:\n{shown}")
                time.sleep(0.1)
            return shown

        until("DEMO-001")
        tmux("send-keys", "-t", "app", "n", server=server)  # the new-case form: its note is its last box
        until("New case")
        time.sleep(0.5)
        for _ in range(5):  # patient, pathways, onset, injection date, site, note
            tmux("send-keys", "-t", "app", "Tab", server=server)
            time.sleep(0.1)
        paste = "line one of the referral\nline two\x1b\nline three"
        tmux("set-buffer", "-b", "p", paste, server=server)
        tmux("paste-buffer", "-p", "-b", "p", "-t", "app", server=server)
        shown = until("line three")
        assert "line one of the referral" in shown and "line two" in shown
        assert "New case" in shown  # still the form: nothing submitted, nothing cancelled
        assert "left out" in shown  # the escape byte was dropped, and said so
    finally:
        subprocess.run(["tmux", "-L", server, "kill-server"], capture_output=True)
