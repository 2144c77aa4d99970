"""The case board: one line per case, drawn with the Line API so that only the rows on screen are rendered.

At 10,000 cases a widget per row would take seconds to mount; a ScrollView that turns the visible
slice of a list into Strips costs the same whatever the size of the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from collections.abc import Callable, Iterable, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from checklists.models import CaseRow
from checklists.text import printable_cell
from checklists.wording import (
    CASE_STATUS_LABELS, RESOLVED_LABEL, STATUS_LABELS, day_text, severity_counts, shown_status, window_text,
)

# The board is narrow at 80 columns, so "unscheduled" is abbreviated there (the help screen explains).
_NARROW_WORDS = {"unscheduled": "unsched", "missed": "missed"}
_MARKER = "▸"
# The fewest cells of an item's title worth showing beside its date; below this, the title alone.
_MIN_LABEL = 8


@dataclass(frozen=True, slots=True)
class BoardColumns:
    """Column widths for a given width; patient and next-due share whatever is left. Below 72 columns
    the pathways column gives way (0), so that the next due item still shows at 60."""

    status: int
    case_id: int
    patient: int
    pathways: int
    next_due: int
    alerts: int

    @classmethod
    def for_width(cls, width: int) -> "BoardColumns":
        status = 13 if width >= 100 else 10
        narrow = width < 72
        # Narrow: ids cut to 8 (any unique prefix of 4 or more works at the CLI), no pathways column.
        case_id, pathways, alerts = (8, 0, 5) if narrow else (10, 7, 6)
        # marker + the columns shown, with a one-space gap between each
        fixed = 1 + status + case_id + pathways + alerts + (4 if narrow else 5)
        free = max(width - fixed, 20)
        patient = min(max(free * 3 // 10, 8 if narrow else 10), 28)
        return cls(status, case_id, patient, pathways, free - patient, alerts)


def short_id(case_id: str, length: int = 10) -> str:
    """A case id as typed at the CLI (10 characters); a longer one is cut, and any unique prefix works."""
    return case_id if len(case_id) <= length else case_id[: length - 1] + "…"


def fit(text: str, width: int) -> str:
    """Pad or cut `text` to exactly `width` cells, marking a cut with an ellipsis."""
    text = printable_cell(text)  # recorded text is shown, never obeyed by the terminal
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def row_status(row: CaseRow) -> str:
    """What the status column says (checklists/wording.shown_status)."""
    return shown_status(row.status, row.urgency)


def status_cell(status: str, width: int) -> str:
    symbol, word = (STATUS_LABELS.get(status) or CASE_STATUS_LABELS.get(status)
                    or (RESOLVED_LABEL if status == "resolved" else ("?", status)))
    if len(symbol) + 1 + len(word) > width:
        word = _NARROW_WORDS.get(status, word)
    return fit(f"{symbol} {word}", width)


def next_due_cell(row: CaseRow, width: int, today: date | None = None) -> str:
    """The next due item by its short title and its window, as much of it as fits: the whole window
    when there is room, else the date that matters (`by` the close, `from` the opening), else the title
    alone. A snoozed case says what is snoozed and until when. A date outside `today`'s year keeps its
    year (checklists/wording.day_text): `by 11-02` for a window closed a year ago would look recent."""
    due = row.next_due
    if due is None:
        if row.snoozed is not None:
            label, until = row.snoozed
            for text in (f"{label} snoozed to {until.isoformat()}", f"{label} to {until.isoformat()}"):
                if cell_len(text) <= width:
                    return fit(text, width)
            return fit(f"to {until.isoformat()}: {label}", width)  # the date whole, the title as it fits
        return fit("nothing scheduled", width)
    label = due.label or due.title
    starts = due.status in ("upcoming", "due-soon")
    day = due.opens if starts else due.closes
    when = f"from {day_text(day, today)}" if starts else f"by {day_text(day, today)}"
    for text in (f"{label} {window_text(due.opens, due.closes)}", f"{label} {when}"):
        if cell_len(text) <= width:
            return fit(text, width)
    room = width - cell_len(when) - 1
    if today is not None and day.year != today.year and room >= _MIN_LABEL:
        # Another year's date is kept whole (the year most of all), the title cut to what is left.
        return fit(f"{fit(label, room)} {when}", width)
    return fit(label, width)


class CaseBoard(ScrollView, can_focus=True):
    """Every case of the current filter, most urgent first, with a cursor; enter or a click opens one."""

    BINDINGS = [
        Binding("enter", "open", "Open", id="open-case"),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
    ]
    COMPONENT_CLASSES = {
        "case-board--header",
        "case-board--cursor",
        "case-board--overdue",
        "case-board--due",
        "case-board--due-soon",
        "case-board--quiet",
        "case-board--critical",
        "case-board--warning",
    }
    DEFAULT_CSS = """
    CaseBoard {
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        & > .case-board--header { text-style: bold underline; }
        & > .case-board--cursor {
            background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
        }
        &:blur > .case-board--cursor { background: $block-cursor-blurred-background; text-style: none; }
        & > .case-board--overdue { color: $error; text-style: bold; }
        & > .case-board--due { color: $warning; text-style: bold; }
        & > .case-board--due-soon { color: $warning; }
        & > .case-board--quiet { color: $text-muted; }
        & > .case-board--critical { color: $error; text-style: bold; }
        & > .case-board--warning { color: $warning; }
    }
    """

    # No repaint of its own: a move repaints only the two rows it changes (watch_cursor), which over SSH
    # is a few hundred bytes instead of the whole screen.
    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    class Opened(Message):
        """The user asked to open a case (enter, or a click on its row)."""

        def __init__(self, board: "CaseBoard", case_id: str) -> None:
            super().__init__()
            self.board = board
            self.case_id = case_id

        @property
        def control(self) -> "CaseBoard":
            return self.board

    class Highlighted(Message):
        """The cursor moved to another case (None when the board is empty)."""

        def __init__(self, board: "CaseBoard", case_id: str | None) -> None:
            super().__init__()
            self.board = board
            self.case_id = case_id

        @property
        def control(self) -> "CaseBoard":
            return self.board

    def __init__(self, pathway_labels: Callable[[Iterable[str]], str] = "+".join, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self._rows: Sequence[CaseRow] = ()
        # The day the rows were computed for: a next-due date outside its year is shown with its year.
        self.today: date | None = None
        # `ATR+HIP`: the catalogue's short labels (a clinic's own pathways have theirs).
        self.pathway_labels = pathway_labels

    # -- data -------------------------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[CaseRow]:
        return self._rows

    @property
    def selected_id(self) -> str | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor].id
        return None

    @property
    def selected_row(self) -> CaseRow | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

    def set_rows(self, rows: Sequence[CaseRow], keep: str | None = None, today: date | None = None,
                 from_top: bool = False) -> None:
        """Show `rows` (computed on `today`); the cursor stays on case `keep` if it is still shown, else
        near where it was (`from_top`: on the first row, the list scrolled to its top)."""
        self._rows = rows
        self.today = today
        self.virtual_size = Size(0, len(rows) + 1)
        index = next((n for n, row in enumerate(rows) if row.id == keep), None) if keep else None
        if index is None and from_top:
            index = 0
            self.scroll_home(animate=False)
        if index is None:
            index = min(self.cursor, max(len(rows) - 1, 0))
        self.cursor = index
        self.refresh()

    # -- rendering --------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        # The vertical scrollbar (shown past a screenful of cases) takes its column from the content.
        width = self.scrollable_content_region.width
        base = self.rich_style
        columns = BoardColumns.for_width(width)
        if y == 0:
            return self._strip(self._header_segments(columns), width, base)
        index = self.scroll_offset.y + y - 1
        if index >= len(self._rows):
            return Strip.blank(width, base)
        return self._strip(self._row_segments(self._rows[index], index, columns), width, base)

    def _strip(self, segments: list[Segment], width: int, base: Style) -> Strip:
        # Neighbouring cells of one style as one segment: each segment costs a colour code on the wire.
        return Strip(segments).adjust_cell_length(width, base).simplify()

    def _style(self, name: str) -> Style:
        # partial: only what the component class sets, so the cursor row keeps its background.
        style = self.get_component_rich_style(f"case-board--{name}", partial=True)
        if self.app.no_color and name not in ("header", "cursor"):
            # Greyscale turns red into dark grey on black: keep the weight, drop the colour.
            return Style(bold=style.bold)
        return style

    def _header_segments(self, columns: BoardColumns) -> list[Segment]:
        text = " ".join(
            [
                " " + fit("status", columns.status),
                fit("case", columns.case_id),
                fit("patient", columns.patient),
                *([fit("path", columns.pathways)] if columns.pathways else []),
                fit("next due", columns.next_due),
                fit("alerts" if columns.alerts >= 6 else "alert", columns.alerts),
            ]
        )
        return [Segment(text, self.rich_style + self._style("header"))]

    def _row_segments(self, row: CaseRow, index: int, columns: BoardColumns) -> list[Segment]:
        base = self.rich_style
        selected = index == self.cursor
        if selected:
            base = base + self._style("cursor")
        status = row_status(row)
        status_style = alert_style = base
        # On the cursor row the highlight wins: a coloured word on it can vanish (16 colours, greyscale).
        if not selected:
            if status in ("overdue", "due", "due-soon"):
                status_style = base + self._style(status)
            elif status in CASE_STATUS_LABELS or status == "resolved":
                status_style = base + self._style("quiet")
            if "critical" in row.alert_severities:
                alert_style = base + self._style("critical")
            elif "warning" in row.alert_severities:
                alert_style = base + self._style("warning")
        # Patient labels are data: they go in as plain segment text, never through markup.
        return [
            Segment(_MARKER if selected else " ", base),
            Segment(status_cell(status, columns.status), status_style),
            Segment(" " + fit(short_id(row.id, columns.case_id), columns.case_id), base),
            Segment(" " + fit(row.patient, columns.patient), base),
            *([Segment(" " + fit(self.pathway_labels(row.pathways), columns.pathways), base)]
              if columns.pathways else []),
            Segment(" " + next_due_cell(row, columns.next_due, self.today), base),
            Segment(" " + fit(severity_counts(row.alert_severities), columns.alerts), alert_style),
        ]

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(0, len(self._rows) + 1)
        self._scroll_cursor_into_view()

    # -- cursor -----------------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        top = self.scroll_offset.y
        self._scroll_cursor_into_view()
        if self.scroll_offset.y == top:
            # Only the row the cursor left and the row it reached change; a scroll repaints everything.
            self._refresh_row(old)
            self._refresh_row(new)
        self.post_message(self.Highlighted(self, self.selected_id))

    def _refresh_row(self, index: int) -> None:
        line = index - int(self.scroll_offset.y) + 1  # line 0 is the column header
        if 1 <= line < self.scrollable_content_region.height:
            self.refresh(Region(0, line, self.scrollable_content_region.width, 1))

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._rows) - 1)) if self._rows else 0

    @property
    def _page(self) -> int:
        return max(self.scrollable_content_region.height - 2, 1)

    def _scroll_cursor_into_view(self) -> None:
        # Line 0 of the window is the column header, so rows scroll_y .. scroll_y + height - 2 show.
        height = self.scrollable_content_region.height
        if height < 2:
            return
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor > top + height - 2:
            self.scroll_to(y=self.cursor - height + 2, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor -= self._page

    def action_page_down(self) -> None:
        self.cursor += self._page

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self._rows) - 1

    def action_open(self) -> None:
        if self.selected_id is not None:
            self.post_message(self.Opened(self, self.selected_id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        index = int(self.scroll_offset.y) + offset.y - 1
        if 0 <= index < len(self._rows):
            self.focus()
            self.cursor = index
            self.post_message(self.Opened(self, self._rows[index].id))
