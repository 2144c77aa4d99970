"""The note box of the forms: several lines, typed or pasted, each kept.

A TextArea with a `value` (like an Input's) so forms read it as they read a one-line box. A paste is
inserted as text: line breaks kept, characters a terminal would obey (an escape, a bell) left out with a
notice saying how many. Enter is a new line here; ctrl+s saves the form.
"""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from checklists.text import pasted


def paste_notice(dropped: int) -> str:
    return (f"{dropped} control character{'s' if dropped != 1 else ''} in the pasted text "
            f"{'were' if dropped != 1 else 'was'} left out (Rounds stores text only).")


class NoteArea(TextArea):
    DEFAULT_CSS = """
    NoteArea {
        height: auto;
        min-height: 3;
        max-height: 6;
        width: 1fr;
        border: none;
        padding: 0;
        background: $boost;
    }
    """

    def __init__(self, value: str = "", *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(value, id=id, soft_wrap=True, tab_behavior="focus", show_line_numbers=False,
                         placeholder=placeholder, compact=True)

    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        self.text = text

    def insert_text_at_cursor(self, text: str) -> None:
        """As an Input's: `text` typed at the cursor."""
        self.insert(text)

    async def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # TextArea's own paste handler would insert the text unfiltered
        if self.read_only:
            return
        text, dropped = pasted(event.text, multiline=True)
        if dropped:
            self.notify(paste_notice(dropped), severity="warning", timeout=6)
        if text:
            self.replace(text, *self.selection)
