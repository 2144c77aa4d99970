"""Typing quickly: a burst of characters into a text box shows at once, not half a second a key.

Keys go through the type-ahead queue (tui/typeahead.py), one at a time. A key a text box took once sat
in the queue until a half-second fallback timer came round, so ten quick characters took five seconds
to appear. The bound here is generous (a loaded machine), far under what that fault cost."""

from __future__ import annotations

import time

from tests.tui.demo_db import form_ready, open_case_ready, sync, wait_for
from tests.tui.test_keys_typed_ahead import burst
from tui.app import make_app

BOUND = 2.0  # seconds for the whole burst; the fault took 0.5 s a key (5 s for ten)


async def typed_within(pilot, box, text: str) -> float:
    """Send `text` as one burst of keys; seconds until the box (a line or a note) holds all of it."""
    started = time.monotonic()
    burst(pilot.app, *text)
    await wait_for(pilot, lambda: getattr(box, "value", None) == text or getattr(box, "text", None) == text,
                   timeout=10, step=0.01)
    return time.monotonic() - started


@sync
async def test_ten_characters_into_the_log_form_appear_at_once(demo_repo):
    app = make_app(demo_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case_ready(pilot, "a1d0000001")
        burst(app, "l")
        form = await form_ready(pilot, "LogEventForm")
        for name in ("site", "note"):  # a one-line box, then the several-line note
            box = form.fields[name].control
            box.focus()
            await pilot.pause()
            took = await typed_within(pilot, box, "1234567890")
            assert took < BOUND, f"ten characters into {name} took {took:.2f} s to appear"


@sync
async def test_a_burst_into_the_board_search_box_appears_at_once(demo_repo):
    app = make_app(demo_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "has_loaded", False))
        burst(app, "slash")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "board-search")
        took = await typed_within(pilot, app.focused, "DEMO-00")
    assert took < BOUND, f"seven characters took {took:.2f} s to appear"
