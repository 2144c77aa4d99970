"""Reading the terminal so that a bracketed paste is text, whatever it holds.

Textual 8.2.8's parser reads a paste one character at a time and, on an escape byte inside it, starts
reading an escape sequence that is never looked up while the paste lasts: what follows the escape is
replayed as key presses (an enter saved the form, a tab moved the focus) and the paste is cut at the
escape. Here the paste is taken out of the input before Textual's parser sees it: everything between
ESC[200~ and ESC[201~ becomes one Paste event, however many reads it spans, and only what lies outside
goes on to the parser. The Paste goes to the focused box, which keeps it as text (tui/widgets/note_area.py,
ordered_input.py).

Textual private API (the Linux driver's input thread, the parser's feed): pinned textual version,
covered by tests/tui/test_pasted_text.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"


def _held_prefix(data: str, marker: str) -> int:
    """How many characters at the end of `data` could begin `marker` (2 or more; a lone escape is the
    escape key and goes on at once)."""
    for size in range(min(len(marker) - 1, len(data)), 1, -1):
        if data.endswith(marker[:size]):
            return size
    return 0


class PasteSafeParser(XTermParser):
    """Textual's parser, with bracketed pastes cut out of the input and delivered whole."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._pasting = False
        self._paste: list[str] = []
        self._pending = ""  # the start of a marker, held until the next read says what it is

    def feed(self, data: str) -> Iterable[Message]:
        if not data:  # end of input
            if self._pending:
                yield from super().feed(self._pending)
                self._pending = ""
            yield from super().feed(data)
            return
        data, self._pending = self._pending + data, ""
        while data:
            if self._pasting:
                end = data.find(PASTE_END)
                if end < 0:
                    keep = _held_prefix(data, PASTE_END)
                    self._paste.append(data[: len(data) - keep])
                    self._pending = data[len(data) - keep:]
                    return
                self._paste.append(data[:end])
                data = data[end + len(PASTE_END):]
                self._pasting = False
                yield events.Paste("".join(self._paste).replace("\x00", ""))
                self._paste = []
                continue
            start = data.find(PASTE_START)
            if start < 0:
                keep = _held_prefix(data, PASTE_START)
                self._pending = data[len(data) - keep:]
                yield from super().feed(data[: len(data) - keep])
                return
            if start:
                yield from super().feed(data[:start])
            data = data[start + len(PASTE_START):]
            self._pasting = True


class RoundsDriver(LinuxDriver):
    """Textual's Linux driver, reading its input through PasteSafeParser."""

    def run_input_thread(self) -> None:
        # As LinuxDriver.run_input_thread in textual 8.2.8, with the parser swapped.
        import os
        import selectors
        from codecs import getincrementaldecoder

        from textual._loop import loop_last
        from textual._parser import ParseError

        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        event_read = selectors.EVENT_READ
        parser = PasteSafeParser(self._debug)
        feed, tick = parser.feed, parser.tick
        decode = getincrementaldecoder("utf-8")().decode
        read = os.read

        def process_selector_events(selector_events, final: bool = False) -> None:
            for last, (_key, mask) in loop_last(selector_events):
                if mask & event_read:
                    unicode_data = decode(read(fileno, 1024 * 4), final=final and last)
                    if not unicode_data:
                        break
                    for event in feed(unicode_data):
                        self.process_message(event)
            for event in tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process_selector_events(selector.select(0.1))
            selector.unregister(self.fileno)
            process_selector_events(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _event in feed(""):
                    pass
            except (EOFError, ParseError):
                pass
