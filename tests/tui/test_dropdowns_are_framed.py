"""A dropdown list (a Select opened with enter) is framed: its options never run into the form's
labels or the board behind, in any colour mode (the frame is line characters, not colour)."""

from __future__ import annotations

import pytest

from tests.tui.demo_db import form_ready, open_case_ready, screen_text, sync, wait_for
from tui.app import make_app


@pytest.mark.parametrize("no_color", [False, True])
@sync
async def test_the_event_kind_list_opens_in_a_frame(demo_repo, monkeypatch, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = make_app(demo_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case_ready(pilot, "a1d0000001")
        await pilot.press("l")
        form = await form_ready(pilot, "LogEventForm")
        kind = form.fields["kind"].control
        kind.focus()
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: kind.expanded)
        await pilot.pause()
        lines = screen_text(app).splitlines()
    options = [n for n, line in enumerate(lines) if "abi: autologous blood injection" in line]
    assert options, "\n".join(lines)
    row = lines[options[0]]
    column = row.index("abi: autologous")
    assert row[column - 2:column] == "│ ", row  # the frame's left side, then the option
    top = next(n for n in range(options[0], -1, -1) if lines[n][column - 2] == "╭")
    bottom = next(n for n in range(options[0], len(lines)) if lines[n][column - 2] == "╰")
    assert top < options[0] < bottom
