"""The event log of a case, oldest first, with a cursor so that a wrong entry can be voided (`v`).

Voided events stay in the log, struck out and marked VOID in words (strike-through is not drawn
by every terminal, so the word carries it).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip

from checklists.models import Event
from checklists.text import printable_line
from checklists.wording import describe_event  # one wording of an event: log, forms, CLI, exports
from tui.widgets.cursor_list import CursorList

_DATE_WIDTH = 10
_KIND_WIDTH = 13
_INDENT = 2 + _DATE_WIDTH + 1 + _KIND_WIDTH + 1


def event_text(event: Event, flag: str | None = None) -> str:
    if event.voided:
        reason = f" ({printable_line(event.void_reason)})" if event.void_reason else ""
        return f"VOID{reason}: {describe_event(event)}".rstrip(": ")
    return describe_event(event) + (f" [{flag}]" if flag else "")


@dataclass(frozen=True, slots=True)
class _Line:
    event: str | None
    head: str  # date and kind, or blank on a continuation line
    text: str
    voided: bool = False

    @property
    def target(self) -> str | None:
        return self.event


def build_lines(case_events, width: int, flags: dict[str, str] | None = None) -> list[_Line]:
    wrap_width = max(width - _INDENT, 16)
    lines: list[_Line] = []
    for event in sorted(case_events, key=lambda e: (e.date, e.seq)):
        head = f"  {event.date.isoformat():<{_DATE_WIDTH}} {event.kind:<{_KIND_WIDTH}} "
        chunks = textwrap.wrap(event_text(event, (flags or {}).get(event.id)), wrap_width) or [""]
        for n, chunk in enumerate(chunks):
            lines.append(_Line(event.id, head if n == 0 else " " * _INDENT, chunk, event.voided))
    return lines


class EventLog(CursorList[_Line]):
    """Every event of the case; tab here from the checklist, `v` voids the selected one."""

    BINDINGS = [
        Binding("v", "void", "Void event", id="void-event"),
    ]
    COMPONENT_CLASSES = {"event-log--cursor", "event-log--voided", "event-log--empty"}
    DEFAULT_CSS = """
    EventLog {
        height: auto;
        & > .event-log--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
        &:blur > .event-log--cursor { background: $block-cursor-blurred-background; }
        & > .event-log--voided { text-style: strike; color: $text-muted; }
        & > .event-log--empty { color: $text-muted; }
    }
    """

    class VoidRequested(Message):
        def __init__(self, log: "EventLog", event_id: str) -> None:
            super().__init__()
            self.log = log
            self.event_id = event_id

        @property
        def control(self) -> "EventLog":
            return self.log

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._events: tuple[Event, ...] = ()
        self._flags: dict[str, str] = {}

    def show(self, case_events, flags: dict[str, str] | None = None) -> None:
        """Show the events; `flags`: what is odd about some of them ("no recorded start")."""
        self._events = tuple(case_events)
        self._flags = dict(flags or {})
        ids = self.target_ids()
        if self.selected not in ids:
            self.selected = ids[-1] if ids else None  # the latest entry is the likeliest mistake
        self.relayout()
        self.refresh_bindings()  # v shows in the footer only when there is an entry to void

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "void":
            return any(not e.voided for e in self._events)
        return True

    def target_ids(self) -> list[str]:
        return [e.id for e in sorted(self._events, key=lambda e: (e.date, e.seq))]

    def build_lines(self, width: int) -> list[_Line]:
        if self._events:
            return build_lines(self._events, width, self._flags)
        return [_Line(None, "  ", "No events logged yet. Press l to log one.")]

    def draw_line(self, line: _Line, width: int, base: Style) -> Strip:
        if line.event is None:
            style = base + self.get_component_rich_style("event-log--empty", partial=True)
            return Strip([Segment(line.head + line.text, style)]).adjust_cell_length(width, base)
        style = base
        if line.event == self.selected and self.has_focus:
            style = base + self.get_component_rich_style("event-log--cursor", partial=True)
        text_style = style
        if line.voided:
            text_style = style + self.get_component_rich_style("event-log--voided", partial=True)
        marker = "▸" if line.event == self.selected and self.has_focus and line.head.strip() else " "
        # Recorded text goes in as segment text: never parsed as markup.
        segments = [Segment(marker + line.head[1:], style), Segment(line.text, text_style)]
        return Strip(segments).adjust_cell_length(width, style)

    def on_focus(self) -> None:
        # The cursor is drawn only while the log has focus: show it, and bring it on screen.
        self.refresh()
        self.call_after_refresh(self.scroll_selected_into_view)

    def on_blur(self) -> None:
        self.refresh()

    def action_void(self) -> None:
        event = next((e for e in self._events if e.id == self.selected), None)
        if event is None:
            return
        if event.voided:
            self.notify("That event is already void.", timeout=3)
            return
        self.post_message(self.VoidRequested(self, event.id))
