"""A case's checklist, grouped by pathway and phase, with a cursor on items and details on demand.

Each item line carries its status as a symbol and a word, its window and its title; `i` or enter
unfolds why the item is there, its sources (with the verified citation) and how strong they are.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from checklists.models import CaseView, ItemView
from seeds.loader import Catalogue
from tui.widgets.case_board import fit, status_cell
from checklists.wording import BEFORE_ENROLMENT, PROVENANCE_LABELS, split_missed, window_text

_STATUS_WIDTH = 13
_WINDOW_WIDTH = 17


@dataclass(frozen=True, slots=True)
class _Line:
    """One screen line of the checklist: `kind` decides its style, `item` its cursor target."""

    kind: str  # pathway | phase | item | detail | blank
    text: str
    item: str | None = None
    status: str | None = None


def when_text(item: ItemView) -> str:
    """The date column: when a resolved item was resolved, when a snooze ends, else the window."""
    if item.status in ("done", "skipped") and item.resolved_on:
        return f"on {item.resolved_on.isoformat()}"
    if item.status == "snoozed" and item.until:
        return f"to {item.until.isoformat()}"
    if item.opens and item.closes:
        return window_text(item.opens, item.closes)
    return ""


def item_suffix(item: ItemView) -> str:
    """Why an item was skipped or snoozed, after its title (recorded text, shown as it is)."""
    if item.status in ("skipped", "snoozed") and item.reason:
        return f" · {item.reason}"
    return ""


def item_line(item: ItemView, width: int) -> str:
    window = when_text(item)
    # A skip's or snooze's reason comes before the count: it is what the next reader needs to know;
    # an item whose gate is shut says what it waits for.
    title = item.title + item_suffix(item) + (f" — {item.waits}" if item.waits else "") + (
        f" — {item.detail}" if item.detail else "")
    head = "  " + status_cell(item.status, _STATUS_WIDTH) + " " + fit(window, _WINDOW_WIDTH) + " "
    return head + fit(title, max(width - cell_len(head), 1))


def detail_lines(item: ItemView, references: dict, width: int) -> list[str]:
    """The unfolded part of an item: rationale, provenance, sources with citations, what was recorded."""
    indent = "      "
    wrap_width = max(width - len(indent), 20)

    def wrapped(text: str, first: str = "", rest: str = "") -> list[str]:
        return [
            indent + line
            for line in textwrap.wrap(text, wrap_width, initial_indent=first, subsequent_indent=rest)
        ] or [indent + first]

    lines = wrapped(item.title, "Item: ", "  ")
    lines += wrapped(window_text(item.opens, item.closes), "Window: ", "  ")
    if item.waits:
        lines += wrapped(item.waits, "Waits: ", "  ")
    if item.reason:
        lines += wrapped(item.reason, f"{item.status.capitalize()}: ", "  ")
    lines += wrapped(item.rationale, "Why: ", "     ")
    lines += wrapped(PROVENANCE_LABELS.get(item.provenance, item.provenance), "Provenance: ", "  ")
    for key in item.sources:
        reference = references.get(key)
        citation = reference.citation if reference else "(not in the reference list)"
        lines += wrapped(citation, f"[{key}] ", "  ")
        if reference is not None and reference.note:
            lines += wrapped(reference.note, "  ", "  ")
    if item.checks:
        lines += wrapped(", ".join(d.isoformat() for d in item.checks), "Checks recorded: ", "  ")
    if item.occurrence:
        lines += wrapped(f"window shown is for occurrence {item.occurrence}", "", "")
    if item.status == "missed":
        lines += wrapped("its window closed before the case was enrolled: missed, not overdue; an assessment "
                         "dated inside the window (from another clinic, say) still counts", "", "")
    if item.early:
        lines += wrapped("done before its window opened (confirmed as early)", "", "")
    lines += wrapped(f"item id: {item.id}  ·  d done  s skip  z snooze  o reopen", "", "")
    return lines


def build_lines(view: CaseView, catalogue: Catalogue, expanded: set[str], width: int) -> list[_Line]:
    lines: list[_Line] = []
    for pathway in dict.fromkeys(i.pathway for i in view.items):
        if lines:
            lines.append(_Line("blank", ""))
        definition = catalogue.pathways.get(pathway)
        title = definition.title if definition else pathway
        lines.append(_Line("pathway", fit(f" {title} ({pathway})", width)))
        if definition and definition.etiologies and view.case.etiology in (None, definition.etiologies[0]):
            # The treatment items depend on the etiology: say how to get them rather than hide why.
            lines.append(_Line("detail", fit("  Etiology unknown: set it (E) and its treatment items appear.", width)))
        current, missed = split_missed(i for i in view.items if i.pathway == pathway)
        phase = None
        for item in current:
            if item.phase != phase:
                phase = item.phase
                lines.append(_Line("phase", fit(f"  {phase}", width)))
            lines += _item_lines(item, catalogue, expanded, width)
        if missed:
            # Apart, and not as failures: the clinic could not have done them.
            lines.append(_Line("phase", fit(f"  {BEFORE_ENROLMENT} (enrolled {view.case.enrolment.isoformat()}; "
                                            "not overdue)", width)))
            for item in missed:
                lines += _item_lines(item, catalogue, expanded, width)
    return lines


def _item_lines(item: ItemView, catalogue: Catalogue, expanded: set[str], width: int) -> list[_Line]:
    lines = [_Line("item", item_line(item, width), item.id, item.status)]
    if item.id in expanded:
        lines += [_Line("detail", fit(text, width), item.id)
                  for text in detail_lines(item, catalogue.references, width)]
    return lines


class Checklist(Widget, can_focus=True):
    """The items of one case; the cursor moves between items and keeps its item across reloads."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("i,enter", "toggle_detail", "Why", id="item-info"),
    ]
    COMPONENT_CLASSES = {
        "checklist--pathway",
        "checklist--phase",
        "checklist--cursor",
        "checklist--detail",
        "checklist--overdue",
        "checklist--due",
        "checklist--due-soon",
        "checklist--quiet",
    }
    DEFAULT_CSS = """
    Checklist {
        height: auto;
        & > .checklist--pathway { text-style: bold; }
        & > .checklist--phase { text-style: italic; color: $text-muted; }
        & > .checklist--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
        &:blur > .checklist--cursor { background: $block-cursor-blurred-background; text-style: underline; }
        & > .checklist--detail { color: $text-muted; }
        & > .checklist--overdue { color: $error; text-style: bold; }
        & > .checklist--due { color: $warning; text-style: bold; }
        & > .checklist--due-soon { color: $warning; }
        & > .checklist--quiet { color: $text-muted; }
    }
    """

    selected: reactive[str | None] = reactive(None)

    class Highlighted(Message):
        def __init__(self, checklist: "Checklist", item_id: str | None) -> None:
            super().__init__()
            self.checklist = checklist
            self.item_id = item_id

        @property
        def control(self) -> "Checklist":
            return self.checklist

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._view: CaseView | None = None
        self._catalogue: Catalogue | None = None
        self._expanded: set[str] = set()
        self._lines: list[_Line] = []
        self._lines_width = -1

    def show(self, view: CaseView, catalogue: Catalogue) -> None:
        """Show a (re)computed view; the selected item stays selected if it is still in the case."""
        self._view = view
        self._catalogue = catalogue
        self._lines_width = -1
        ids = [item.id for item in view.items]
        self._expanded &= set(ids)
        if self.selected not in ids:
            # Start on what needs doing first: the case's next due item, else the first item.
            first = view.next_due.item if view.next_due and view.next_due.item in ids else None
            self.selected = first or (ids[0] if ids else None)
        self.refresh(layout=True)

    @property
    def item_ids(self) -> list[str]:
        """The items in the order they are shown (missed ones at the end of their pathway)."""
        if self._view is None:
            return []
        ordered: list[str] = []
        for pathway in dict.fromkeys(i.pathway for i in self._view.items):
            current, missed = split_missed(i for i in self._view.items if i.pathway == pathway)
            ordered += [i.id for i in current + missed]
        return ordered

    # -- layout and rendering ---------------------------------------------------------------------

    def _layout_lines(self, width: int) -> list[_Line]:
        if width != self._lines_width:
            if self._view is None or self._catalogue is None:
                self._lines = [_Line("detail", "Loading the checklist…")]
            elif not self._view.items:
                self._lines = [_Line("detail", "This case has no checklist items.")]
            else:
                self._lines = build_lines(self._view, self._catalogue, self._expanded, width)
            self._lines_width = width
        return self._lines

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self._layout_lines(width))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        lines = self._layout_lines(width)
        base = self.rich_style
        if y >= len(lines):
            return Strip.blank(width, base)
        line = lines[y]
        style = base
        if line.kind in ("pathway", "phase", "detail"):
            style = base + self.get_component_rich_style(f"checklist--{line.kind}", partial=True)
        if line.kind == "item":
            if line.item == self.selected:
                style = base + self.get_component_rich_style("checklist--cursor", partial=True)
                return self._item_strip(line, style, width, cursor=True)
            return self._item_strip(line, style, width, cursor=False)
        return Strip([Segment(line.text, style)]).adjust_cell_length(width, base)

    def _status_style(self, status: str | None) -> Style:
        name = status if status in ("overdue", "due", "due-soon") else \
            "quiet" if status in ("done", "skipped", "missed") else None
        if name is None:
            return Style()
        style = self.get_component_rich_style(f"checklist--{name}", partial=True)
        # Greyscale (NO_COLOR) turns red into dark grey on black: keep the weight, drop the colour.
        return Style(bold=style.bold) if self.app.no_color else style

    def _item_strip(self, line: _Line, style: Style, width: int, cursor: bool) -> Strip:
        # On the cursor line the highlight wins: a coloured word on it can vanish in 16 colours.
        status_style = style if cursor else style + self._status_style(line.status)
        marker = "▸ " if cursor else "  "
        segments = [
            Segment(marker, style),
            Segment(line.text[2 : 2 + _STATUS_WIDTH], status_style),
            Segment(line.text[2 + _STATUS_WIDTH :], style),
        ]
        return Strip(segments).adjust_cell_length(width, style)

    def _relayout(self) -> None:
        self._lines_width = -1
        self.refresh(layout=True)

    # -- cursor -----------------------------------------------------------------------------------

    def watch_selected(self, old: str | None, new: str | None) -> None:
        self.refresh()
        self.post_message(self.Highlighted(self, new))

    def _selected_span(self) -> tuple[int, int] | None:
        lines = self._layout_lines(self.size.width)
        rows = [n for n, line in enumerate(lines) if line.item == self.selected]
        if not rows:
            return None
        # Include the pathway and phase headings just above, so the item's context is on screen.
        first = rows[0]
        while first > 0 and lines[first - 1].kind in ("pathway", "phase"):
            first -= 1
        return first, rows[-1]

    def _scroll_selected_into_view(self) -> None:
        span = self._selected_span()
        if span is None or self.parent is None:
            return
        first, last = span
        region = Region(0, self.virtual_region.y + first, 1, last - first + 1)
        self.parent.scroll_to_region(region, animate=False, immediate=True)

    def _selected_on_screen(self) -> bool:
        span = self._selected_span()
        parent = self.parent
        if span is None or parent is None:
            return True
        row = self.virtual_region.y + span[1]
        top = parent.scroll_offset.y
        return top <= row < top + parent.scrollable_content_region.height

    def _move(self, step: int) -> None:
        ids = self.item_ids
        if not ids:
            return
        if self.selected in ids and not self._selected_on_screen():
            # A case opens at its facts, with the cursor on the next due item further down: the first
            # key shows where the cursor is rather than moving it, unseen, to another item.
            self._scroll_selected_into_view()
            return
        index = ids.index(self.selected) if self.selected in ids else 0
        self.selected = ids[max(0, min(index + step, len(ids) - 1))]
        # Only a move scrolls the page: a reload keeps whatever the reader had scrolled to.
        self.call_after_refresh(self._scroll_selected_into_view)

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_toggle_detail(self) -> None:
        if self.selected is None:
            return
        self._expanded ^= {self.selected}
        self._relayout()
        self.call_after_refresh(self._scroll_selected_into_view)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        lines = self._layout_lines(self.size.width)
        if 0 <= offset.y < len(lines) and lines[offset.y].item:
            self.focus()
            if lines[offset.y].item == self.selected:
                self.action_toggle_detail()
            else:
                self.selected = lines[offset.y].item
