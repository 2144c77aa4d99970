"""Keys typed ahead act in order, on the screen they were meant for, once it is ready.

Textual hands each key to the focused widget as it arrives and runs the key's binding only once the
key has bubbled back up to the app; the next key is handed out meanwhile. So `l` then enter, typed
together, sent the enter to the list the `l` was leaving, and keys typed while a form read its case (in
a thread) went to a form whose boxes were still disabled: "Not saved: fix Event kind first", or a burst
of keys that recorded nothing.

Here the app takes every key and paste from the terminal into a queue and hands them out one at a time:
the next goes only when the one before has been dealt with (a widget stopped it, or it reached the app
and its binding ran) and the screen on top is ready (a screen says so with `accepts_keys`; a form once
it has loaded and focused its first box, a live screen once it shows its data). A screen that is never
ready stops holding keys after HOLD_LIMIT seconds, so that escape always gets through.

Textual private API (App.on_event's key path, Message._sender): pinned textual version, covered by
tests/tui/test_keys_typed_ahead.py.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any, Callable

from textual import events

HOLD_LIMIT = 5.0  # seconds a not-ready screen may hold typed keys
IN_FLIGHT_LIMIT = 2.0  # seconds after which a key that vanished on its way is given up for handled
POLL = 0.05  # while keys wait for a screen to be ready, how often to look again


class TrackedKey(events.Key):
    """A key from the queue: says when a widget has stopped it."""

    def __init__(self, key: str, character: str | None, done: Callable[[Any], None]) -> None:
        super().__init__(key, character)
        self._done = done

    def stop(self, stop: bool = True):
        result = super().stop(stop)
        if stop:
            self._done(self)
        return result


class TrackedPaste(events.Paste):
    def __init__(self, text: str, done: Callable[[Any], None]) -> None:
        super().__init__(text)
        self._done = done

    def stop(self, stop: bool = True):
        result = super().stop(stop)
        if stop:
            self._done(self)
        return result


# Handlers are looked up by name: these are keys and pastes to every widget.
TrackedKey.handler_name = events.Key.handler_name
TrackedPaste.handler_name = events.Paste.handler_name


def screen_accepts_keys(screen: Any) -> bool:
    ready = getattr(screen, "accepts_keys", None)
    return bool(screen.is_mounted if ready is None else ready)


class TypeAhead:
    """The queue, owned by the app (RoundsApp mixes it in and routes key and paste events here)."""

    def __init__(self, app: Any, dispatch: Callable[[Any], Any]) -> None:
        self.app = app
        self.dispatch = dispatch  # the app's own (Textual's) handling of a fresh key or paste
        self.typed: deque[Any] = deque()
        self.in_flight: Any = None
        self.flight_started = 0.0
        self.held_since: float | None = None
        self.scheduled = False

    def take(self, event: Any) -> None:
        """A key or paste from the terminal: queued behind any still waiting."""
        self.typed.append(event)
        self.schedule()

    def done(self, event: Any) -> None:
        if event is self.in_flight:
            self.in_flight = None
            self.schedule()

    def schedule(self, delay: float = 0.0) -> None:
        if self.scheduled:
            return
        self.scheduled = True
        if delay:
            self.app.set_timer(delay, self.run)
        else:
            self.app.call_later(self.run)

    async def run(self) -> None:
        self.scheduled = False
        while self.typed:
            if self.in_flight is not None:
                if time.monotonic() - self.flight_started < IN_FLIGHT_LIMIT:
                    self.schedule(IN_FLIGHT_LIMIT / 4)  # in case it vanished on its way
                    return
                self.in_flight = None
            if not screen_accepts_keys(self.app.screen):
                self.held_since = self.held_since or time.monotonic()
                if time.monotonic() - self.held_since < HOLD_LIMIT:
                    self.schedule(POLL)
                    return
            self.held_since = None
            event = self.typed.popleft()
            tracked = (TrackedKey(event.key, event.character, self.done) if isinstance(event, events.Key)
                       else TrackedPaste(event.text, self.done))
            # Textual stops an event at the screen when the app sent it (its sender is the screen's
            # parent); this one is the terminal's, and must reach the app for its binding to run.
            tracked._sender = None
            self.in_flight, self.flight_started = tracked, time.monotonic()
            await self.dispatch(tracked)
            if not tracked.is_forwarded:  # a priority binding took it at the app, or nothing did
                self.done(tracked)
