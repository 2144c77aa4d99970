"""The event log of a case, oldest first, with a cursor so that a wrong entry can be voided (`v`).

Voided events stay in the log, struck out and marked VOID in words (strike-through is not drawn
by every terminal, so the word carries it).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from checklists.models import Event
from checklists.wording import describe_event  # one wording of an event: log, forms, CLI, exports

_DATE_WIDTH = 10
_KIND_WIDTH = 13
_INDENT = 2 + _DATE_WIDTH + 1 + _KIND_WIDTH + 1


def event_text(event: Event, flag: str | None = None) -> str:
    if event.voided:
        reason = f" ({event.void_reason})" if event.void_reason else ""
        return f"VOID{reason}: {describe_event(event)}".rstrip(": ")
    return describe_event(event) + (f" [{flag}]" if flag else "")


@dataclass(frozen=True, slots=True)
class _Line:
    event: str | None
    head: str  # date and kind, or blank on a continuation line
    text: str
    voided: bool = False


def build_lines(case_events, width: int, flags: dict[str, str] | None = None) -> list[_Line]:
    wrap_width = max(width - _INDENT, 16)
    lines: list[_Line] = []
    for event in sorted(case_events, key=lambda e: (e.date, e.seq)):
        head = f"  {event.date.isoformat():<{_DATE_WIDTH}} {event.kind:<{_KIND_WIDTH}} "
        chunks = textwrap.wrap(event_text(event, (flags or {}).get(event.id)), wrap_width) or [""]
        for n, chunk in enumerate(chunks):
            lines.append(_Line(event.id, head if n == 0 else " " * _INDENT, chunk, event.voided))
    return lines


class EventLog(Widget, can_focus=True):
    """Every event of the case; tab here from the checklist, `v` voids the selected one."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
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

    selected: reactive[str | None] = reactive(None)

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
        self._lines: list[_Line] = []
        self._lines_width = -1

    def show(self, case_events, flags: dict[str, str] | None = None) -> None:
        """Show the events; `flags`: what is odd about some of them ("no recorded start")."""
        self._events = tuple(case_events)
        self._flags = dict(flags or {})
        self._lines_width = -1
        ids = [e.id for e in self._ordered()]
        if self.selected not in ids:
            self.selected = ids[-1] if ids else None  # the latest entry is the likeliest mistake
        self.refresh(layout=True)

    def _ordered(self) -> list[Event]:
        return sorted(self._events, key=lambda e: (e.date, e.seq))

    def _layout(self, width: int) -> list[_Line]:
        if width != self._lines_width:
            if self._events:
                self._lines = build_lines(self._events, width, self._flags)
            else:
                self._lines = [_Line(None, "  ", "No events logged yet. Press l to log one.")]
            self._lines_width = width
        return self._lines

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self._layout(width))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        lines = self._layout(width)
        base = self.rich_style
        if y >= len(lines):
            return Strip.blank(width, base)
        line = lines[y]
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
        self.refresh()
        self._scroll_selected_into_view()

    def on_blur(self) -> None:
        self.refresh()

    def watch_selected(self) -> None:
        self.refresh()

    def _move(self, step: int) -> None:
        ids = [e.id for e in self._ordered()]
        if not ids:
            return
        index = ids.index(self.selected) if self.selected in ids else len(ids) - 1
        self.selected = ids[max(0, min(index + step, len(ids) - 1))]
        self._scroll_selected_into_view()

    def _scroll_selected_into_view(self) -> None:
        rows = [n for n, line in enumerate(self._layout(self.size.width)) if line.event == self.selected]
        if rows and self.parent is not None:
            region = Region(0, self.virtual_region.y + rows[0], 1, rows[-1] - rows[0] + 1)
            self.call_after_refresh(self.parent.scroll_to_region, region, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_void(self) -> None:
        event = next((e for e in self._events if e.id == self.selected), None)
        if event is None:
            return
        if event.voided:
            self.notify("That event is already void.", timeout=3)
            return
        self.post_message(self.VoidRequested(self, event.id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        lines = self._layout(self.size.width)
        if offset is not None and 0 <= offset.y < len(lines) and lines[offset.y].event:
            self.focus()
            self.selected = lines[offset.y].event
