"""A list of lines with a cursor on some of them, inside the scrolling page of a screen: the case's
checklist (its items) and event log (its events).

The base moves the cursor (up/down, k/j, a click) and keeps the cursor's lines on screen by
scrolling the page that holds the widget; the lines are laid out once per width. A subclass builds
its lines (saying which id each belongs to) and draws one (`draw_line`).
"""

from __future__ import annotations

from typing import ClassVar, Generic, Protocol, TypeVar

from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget


class CursorLine(Protocol):
    @property
    def target(self) -> str | None:
        """The id the cursor selects on this line (None on headings, blanks and notices)."""
        ...


LineT = TypeVar("LineT", bound=CursorLine)


class CursorList(Widget, Generic[LineT], can_focus=True):
    """Lines laid out for the widget's width; the cursor (`selected`) is an id, so it keeps its place
    when the lines are rebuilt (a reload, a detail unfolded)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("home", "cursor_first", "First", show=False),
        Binding("end", "cursor_last", "Last", show=False),
    ]

    selected: reactive[str | None] = reactive(None)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[LineT] = []
        self._lines_width = -1

    # -- what subclasses provide -------------------------------------------------------------------

    def build_lines(self, width: int) -> list[LineT]:
        raise NotImplementedError

    def draw_line(self, line: LineT, width: int, base: Style) -> Strip:
        """One line on screen, `width` cells wide, over the widget's own style `base`."""
        raise NotImplementedError

    def target_ids(self) -> list[str]:
        """The ids the cursor visits, in order."""
        raise NotImplementedError

    def belongs_above(self, line: LineT) -> bool:
        """True for a line just above a target that is shown with it (a heading), so that moving the
        cursor brings the target's context on screen too."""
        return False

    def activate(self) -> None:
        """A click on the line already selected."""

    # -- layout ------------------------------------------------------------------------------------

    def lines(self, width: int) -> list[LineT]:
        if width != self._lines_width:
            self._lines = self.build_lines(width)
            self._lines_width = width
        return self._lines

    def relayout(self) -> None:
        """The lines must be built again (new data, a detail unfolded)."""
        self._lines_width = -1
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        lines = self.lines(width)
        if y >= len(lines):
            return Strip.blank(width, self.rich_style)
        return self.draw_line(lines[y], width, self.rich_style)

    # -- cursor ------------------------------------------------------------------------------------

    def watch_selected(self, old: str | None, new: str | None) -> None:
        self.refresh()

    def selected_span(self) -> tuple[int, int] | None:
        """The first and last line of the selected target, with the lines that belong above it."""
        lines = self.lines(self.size.width)
        rows = [n for n, line in enumerate(lines) if line.target is not None and line.target == self.selected]
        if not rows:
            return None
        first = rows[0]
        while first > 0 and self.belongs_above(lines[first - 1]):
            first -= 1
        return first, rows[-1]

    def scroll_selected_into_view(self) -> None:
        span = self.selected_span()
        page = self.parent
        if span is None or not isinstance(page, Widget):
            return
        first, last = span
        region = Region(0, self.virtual_region.y + first, 1, last - first + 1)
        page.scroll_to_region(region, animate=False, immediate=True)

    def selected_on_screen(self) -> bool:
        span = self.selected_span()
        page = self.parent
        if span is None or not isinstance(page, Widget):
            return True
        row = self.virtual_region.y + span[1]
        top = page.scroll_offset.y
        return top <= row < top + page.scrollable_content_region.height

    def move(self, step: int) -> None:
        ids = self.target_ids()
        if not ids:
            return
        if self.selected in ids and not self.selected_on_screen():
            # The page was scrolled away from the cursor (a case opens at its facts, with the cursor on
            # the next due item further down): the first key shows where the cursor is rather than
            # moving it, unseen, to another line.
            self.scroll_selected_into_view()
            return
        index = ids.index(self.selected) if self.selected in ids else 0
        self.selected = ids[max(0, min(index + step, len(ids) - 1))]
        # Only a move scrolls the page: a reload keeps whatever the reader had scrolled to.
        self.call_after_refresh(self.scroll_selected_into_view)

    def action_cursor_up(self) -> None:
        self.move(-1)

    def action_cursor_down(self) -> None:
        self.move(1)

    def action_cursor_first(self) -> None:
        self.jump(0)

    def action_cursor_last(self) -> None:
        self.jump(-1)

    def jump(self, index: int) -> None:
        ids = self.target_ids()
        if ids:
            self.selected = ids[index]
            self.call_after_refresh(self.scroll_selected_into_view)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        lines = self.lines(self.size.width)
        target = lines[offset.y].target if 0 <= offset.y < len(lines) else None
        if target is None:
            return
        self.focus()
        if target == self.selected:
            self.activate()
        else:
            self.selected = target
