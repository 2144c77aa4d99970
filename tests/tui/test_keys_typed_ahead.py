"""Keys typed ahead (issue 9): keys pressed before a screen is ready act on it, in order, once it is.

A form reads its case in a thread; on a loaded server that takes a while. The repository here is made
slow on purpose (each read of a case waits 0.8 s), and the keys are sent in one burst, the way a quick
typist's keys arrive in one read from the terminal."""

from __future__ import annotations

import time
from datetime import date

from textual import events

from tests.tui.demo_db import wait_for
from tests.tui.test_keys_act_on_what_is_highlighted import TODAY, add, open_case, status, sync
from tui.app import make_app

CHARACTERS = {"enter": "\r", "space": " ", "tab": "\t", "escape": "\x1b"}


class SlowReads:
    """The repository, but every read of a case takes `delay` seconds (a loaded machine, a slow disk)."""

    def __init__(self, repository, delay: float = 0.8) -> None:
        self._repository, self._delay = repository, delay

    def get(self, ref):
        time.sleep(self._delay)
        return self._repository.get(ref)

    def __getattr__(self, name):
        return getattr(self._repository, name)


def burst(app, *keys: str) -> None:
    """Keys as one read from the terminal brings them: all queued at once, none waited for."""
    for key in keys:
        character = CHARACTERS.get(key, key if len(key) == 1 else None)
        app.post_message(events.Key(key, character))


@sync
async def test_l_then_enter_opens_the_kind_list_once_the_form_is_ready(repo):
    case_id = add(repo, ["hip-injection"], "2026-10-01", date(2026, 11, 1))
    app = make_app(SlowReads(repo, 0.0), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, case_id, "image-guidance")  # an item no event does
        app.repository._delay = 0.8
        burst(app, "l", "enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LogEventForm" and app.screen.ready)
        form = app.screen
        await wait_for(pilot, lambda: form.fields["kind"].control.expanded)  # the list opened
        assert "Not saved" not in status(form)
        assert screen is not form


@sync
async def test_a_burst_from_the_board_records_what_was_typed(repo):
    case_id = add(repo, ["steroid-atrophy"], "2026-10-01", date(2026, 11, 1))
    app = make_app(SlowReads(repo, 0.0), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "has_loaded", False))
        await pilot.pause()
        app.repository._delay = 0.8
        # s: skip the case's next due item (the baseline assessment); the reason; save.
        burst(app, "s", *"patient moved away", "ctrl+s")
        await wait_for(pilot, lambda: "baseline-assessment" in repo.get(case_id).items, timeout=15)
    record = repo.get(case_id).items["baseline-assessment"]
    assert (record.state, record.reason) == ("skipped", "patient moved away")


@sync
async def test_keys_typed_before_the_case_is_read_act_on_it(repo):
    case_id = add(repo, ["steroid-atrophy"], "2026-10-01", date(2026, 11, 1))
    app = make_app(SlowReads(repo, 0.0), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "has_loaded", False))
        await pilot.pause()
        app.repository._delay = 0.8
        burst(app, "enter", "s")  # open the case; skip its highlighted item, before either is read
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ItemActionForm" and app.screen.ready,
                       timeout=15)
        assert app.screen.case_id == case_id
