"""Keys typed ahead act in order, on the screen they were meant for, once it is ready.

Textual hands each key to the focused widget as it arrives and runs the key's binding only once the
key has bubbled back up to the app; the next key is handed out meanwhile. So `l` then enter, typed
together, sent the enter to the list the `l` was leaving, and keys typed while a form read its case (in
a thread) went to a form whose boxes were still disabled: "Not saved: fix Event kind first", or a burst
of keys that recorded nothing.

Here the app takes every key and paste from the terminal into a queue and hands them out one at a time:
the next goes only when the one before has been dealt with (a widget stopped it, or it reached the app
and its binding ran, and the messages that set off have been handled: see `settle`) and the screen on
top is ready (a screen says so with `accepts_keys`; a form once it has loaded and focused its first box,
a live screen once it shows its data). A screen that is never ready stops holding keys after HOLD_LIMIT
seconds, so that escape always gets through.

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
SETTLE_ROUNDS = 4  # rounds of messages a handled key may set off before the next key goes
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
        self.settling: Any = None  # the key in flight once dealt with, while what it set off is handled
        self.flight_started = 0.0
        self.held_since: float | None = None
        self.scheduled = False  # a run is posted to the app's queue
        self.timer: Any = None  # a run is due later: a key still in flight, or a screen not yet ready

    def take(self, event: Any) -> None:
        """A key or paste from the terminal: queued behind any still waiting."""
        self.typed.append(event)
        self.schedule()

    def done(self, event: Any) -> None:
        """The key in flight has been dealt with; the next goes once what it set off has been handled."""
        if event is self.in_flight and self.settling is not event:
            self.settling = event
            self.settle(event, SETTLE_ROUNDS)

    def settle(self, event: Any, rounds: int) -> None:
        """Let the messages a key set off be handled before the next key is handed out.

        A key's binding often acts by message: enter on the board posts "open this case", which its
        screen handles by pushing the case screen. The key typed next belongs to that case screen, so
        it waits until every screen's widgets have handled what was queued when the key was done, a
        round at a time (a message handled may post the next one up the chain), for up to
        SETTLE_ROUNDS rounds. No call waits here: each round's last handled message starts the next."""
        if event is not self.in_flight:  # given up meanwhile (IN_FLIGHT_LIMIT)
            return
        left = 0

        def handled() -> None:
            nonlocal left
            left -= 1
            if left == 0:
                self.settle(event, rounds - 1)

        if rounds > 0:
            for pump in self.pumps():
                if pump.message_queue_size and pump.call_later(handled):
                    left += 1
        if left == 0:
            self.in_flight = self.settling = None
            self.schedule()

    def pumps(self) -> list[Any]:
        """The app and every widget of every screen on the stack: whatever a key's messages may reach."""
        found: list[Any] = [self.app]
        for screen in self.app.screen_stack:
            found.extend(screen.walk_children(with_self=True))
        return found

    def schedule(self, delay: float = 0.0) -> None:
        """Run now (next on the app's queue), or look again after `delay` seconds.

        A run asked for now replaces one waiting on a timer: the key in flight has been dealt with, so
        the next goes at once. (A pending timer once swallowed that request, and every key of a burst
        waited the in-flight fallback, half a second each.)"""
        if delay:
            if not self.scheduled and self.timer is None:
                self.timer = self.app.set_timer(delay, self._timer_fired)
            return
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        if not self.scheduled:
            self.scheduled = True
            self.app.call_later(self.run)

    def _timer_fired(self) -> None:
        # Timers call back on their own task: hand the run to the app's queue, so runs never overlap.
        self.timer = None
        self.schedule()

    async def run(self) -> None:
        self.scheduled = False
        while self.typed:
            if self.in_flight is not None:
                if time.monotonic() - self.flight_started < IN_FLIGHT_LIMIT:
                    self.schedule(IN_FLIGHT_LIMIT / 4)  # in case it vanished on its way
                    return
                self.in_flight = self.settling = None
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
