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
from textual.binding import Binding
from textual.strip import Strip

from checklists.models import CaseView, ItemView
from checklists.text import printable
from checklists.signoff import ReviewState, Signoff
from checklists.wording import BEFORE_ENROLMENT, PROVENANCE_LABELS, split_missed, window_text
from seeds.loader import Catalogue
from tui.widgets.case_board import fit, status_cell
from tui.widgets.cursor_list import CursorList
from tui.widgets.review_marks import review_legend, review_mark, review_words

ITEM_KEYS = Binding.Group("Item")
_STATUS_WIDTH = 13
_WINDOW_WIDTH = 17  # "2026-12-20..01-10"; a window across a new year takes 22 ("2026-12-20..2027-01-10")
_WIDEST_WINDOW = 22


@dataclass(frozen=True, slots=True)
class _Line:
    """One screen line of the checklist: `kind` decides its style, `item` its cursor target."""

    kind: str  # pathway | phase | item | detail | blank
    text: str
    item: str | None = None
    status: str | None = None

    @property
    def target(self) -> str | None:
        return self.item


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


def window_width(items) -> int:
    """The date column's width for these items: the widest window or date shown, so that a window's
    closing date is never cut (17, or 22 once a window runs into a new year)."""
    return min(max([_WINDOW_WIDTH, *(len(when_text(i)) for i in items)]), _WIDEST_WINDOW)


def item_line(item: ItemView, width: int, mark: str = "", dates: int = _WINDOW_WIDTH) -> str:
    window = when_text(item)
    # A skip's or snooze's reason comes before the count: it is what the next reader needs to know;
    # an item whose gate is shut says what it waits for.
    title = item.title + item_suffix(item) + (f" — {item.waits}" if item.waits else "") + (
        f" — {item.detail}" if item.detail else "")
    if mark:
        title = f"{mark} {title}"  # the rule behind it is not accepted by the clinic (legend above)
    head = "  " + status_cell(item.status or item.state, _STATUS_WIDTH) + " " + fit(window, dates) + " "
    return head + fit(title, max(width - cell_len(head), 1))


def detail_lines(item: ItemView, references: dict, width: int, review: ReviewState | None = None,
                 note: str | None = None) -> list[str]:
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
    if item.detail:
        # The line above is cut at the screen's edge; here it is whole ("check 3 of 5, after ...").
        lines += wrapped(item.detail, "Now: ", "     ")
    if item.reason:
        lines += wrapped(printable(item.reason), f"{(item.status or item.state).capitalize()}: ", "  ")
    lines += wrapped(item.rationale, "Why: ", "     ")
    if note:
        lines += wrapped(note, "How: ", "     ")  # the pathway file's note: how the item is done or ended
    lines += wrapped(PROVENANCE_LABELS.get(item.provenance, item.provenance), "Provenance: ", "  ")
    if item.window_provenance not in (None, item.provenance):
        lines += wrapped(PROVENANCE_LABELS.get(item.window_provenance, item.window_provenance), "Timing: ", "  ")
    if review is not None:
        lines += wrapped(review_words(review), "Clinic review: ", "  ")
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


def build_lines(view: CaseView, catalogue: Catalogue, expanded: set[str], width: int,
                signoff: Signoff | None = None) -> list[_Line]:
    reviews = {item.id: signoff.item(item.pathway, item.id) for item in view.items} if signoff else {}
    dates = window_width(view.items)
    lines: list[_Line] = [_Line("detail", fit(text, width)) for text in review_legend(reviews.values())]
    for pathway in dict.fromkeys(i.pathway for i in view.items):
        if lines:
            lines.append(_Line("blank", ""))
        definition = catalogue.pathways.get(pathway)
        title = definition.title if definition else pathway
        lines.append(_Line("pathway", fit(f" {title} ({pathway})", width)))
        if definition and definition.etiologies and view.case.etiology in (None, definition.etiologies[0]):
            # The treatment items depend on the etiology: say how to get them rather than hide why.
            hint = "  Etiology unknown: set it (E) and its treatment items appear."
            lines.append(_Line("detail", fit(hint, width)))
        current, missed = split_missed(i for i in view.items if i.pathway == pathway)
        phase = None
        for item in current:
            if item.phase != phase:
                phase = item.phase
                lines.append(_Line("phase", fit(f"  {phase}", width)))
            lines += _item_lines(item, catalogue, expanded, width, reviews.get(item.id), dates)
        if missed:
            # Apart, and not as failures: the clinic could not have done them.
            lines.append(_Line("phase", fit(f"  {BEFORE_ENROLMENT} (enrolled {view.case.enrolment.isoformat()}; "
                                            "not overdue)", width)))
            for item in missed:
                lines += _item_lines(item, catalogue, expanded, width, reviews.get(item.id), dates)
    return lines


def _item_lines(item: ItemView, catalogue: Catalogue, expanded: set[str], width: int,
                review: ReviewState | None, dates: int = _WINDOW_WIDTH) -> list[_Line]:
    lines = [_Line("item", item_line(item, width, review_mark(review), dates), item.id, item.status)]
    if item.id in expanded:
        lines += [_Line("detail", fit(text, width), item.id)
                  for text in detail_lines(item, catalogue.references, width, review, _note(item, catalogue))]
    return lines


def _note(item: ItemView, catalogue: Catalogue) -> str | None:
    definition = catalogue.item(item.id)
    return definition.note if definition is not None else None


class Checklist(CursorList[_Line]):
    """The items of one case; the cursor moves between items and keeps its item across reloads."""

    # The item keys belong to the list, not the screen: with the event log focused, `d` must not mark
    # the checklist's highlighted item done. They run the case screen's actions on this list's item.
    BINDINGS = [
        Binding("i,enter", "toggle_detail", "Why", id="item-info",
                tooltip="why the item is there, its sources and provenance"),
        # One footer entry, "d s z o Item": done, skip, snooze or reopen the highlighted item.
        Binding("d", "screen.item('done')", "Done", id="item-done", group=ITEM_KEYS,
                tooltip="done; on a saline session logs one, on a review the assessment that does it"),
        Binding("s", "screen.item('skip')", "Skip", id="item-skip", group=ITEM_KEYS, tooltip="skip, with a reason"),
        Binding("z", "screen.item('snooze')", "Snooze", id="item-snooze", group=ITEM_KEYS,
                tooltip="put off: a week, a month or a date"),
        Binding("o", "screen.item('reopen')", "Reopen", id="item-reopen", group=ITEM_KEYS,
                tooltip="reopen a done, skipped or snoozed item"),
        Binding("D", "screen.mark_done", "Mark done by hand", show=False, id="item-mark-done",
                tooltip="a review confirmed without logging an assessment"),
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
        & > .checklist--cursor {
            background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
        }
        &:blur > .checklist--cursor { background: $block-cursor-blurred-background; text-style: underline; }
        & > .checklist--detail { color: $text-muted; }
        & > .checklist--overdue { color: $error; text-style: bold; }
        & > .checklist--due { color: $warning; text-style: bold; }
        & > .checklist--due-soon { color: $warning; }
        & > .checklist--quiet { color: $text-muted; }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._view: CaseView | None = None
        self._catalogue: Catalogue | None = None
        self._signoff: Signoff | None = None
        self._expanded: set[str] = set()

    def show(self, view: CaseView, catalogue: Catalogue, signoff: Signoff | None = None) -> None:
        """Show a (re)computed view; the selected item stays selected if it is still in the case.

        `signoff`: the clinic's protocol reviews, to mark items whose rule it has not accepted.
        """
        self._view = view
        self._catalogue = catalogue
        self._signoff = signoff
        ids = [item.id for item in view.items]
        self._expanded &= set(ids)
        if self.selected not in ids:
            # Start on what needs doing first: the case's next due item, else the first item.
            first = view.next_due.item if view.next_due and view.next_due.item in ids else None
            self.selected = first or (ids[0] if ids else None)
        self.relayout()

    # -- layout and rendering ---------------------------------------------------------------------

    def target_ids(self) -> list[str]:
        """The items in the order they are shown (missed ones at the end of their pathway)."""
        if self._view is None:
            return []
        ordered: list[str] = []
        for pathway in dict.fromkeys(i.pathway for i in self._view.items):
            current, missed = split_missed(i for i in self._view.items if i.pathway == pathway)
            ordered += [i.id for i in current + missed]
        return ordered

    def build_lines(self, width: int) -> list[_Line]:
        if self._view is None or self._catalogue is None:
            return [_Line("detail", "Loading the checklist…")]
        if not self._view.items:
            return [_Line("detail", "This case has no checklist items.")]
        return build_lines(self._view, self._catalogue, self._expanded, width, self._signoff)

    def belongs_above(self, line: _Line) -> bool:
        # The pathway and phase headings just above an item: its context comes on screen with it.
        return line.kind in ("pathway", "phase")

    def draw_line(self, line: _Line, width: int, base: Style) -> Strip:
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

    # -- details ----------------------------------------------------------------------------------

    def action_toggle_detail(self) -> None:
        if self.selected is None:
            return
        self._expanded ^= {self.selected}
        self.relayout()
        self.call_after_refresh(self.scroll_selected_into_view)

    def activate(self) -> None:
        """A click on the selected item unfolds (or folds) why it is there."""
        self.action_toggle_detail()
