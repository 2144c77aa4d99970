"""A text box whose editing keys act in the order they were typed, however fast they arrive, and
whose pastes are kept as text on one line.

Textual inserts a printable key at once but runs a bound key (backspace, arrows, home, ...) only
after it has bubbled up to the app; when one read from the terminal holds several keys (a quick
typist over SSH), `backspace 9` became `9 backspace` and the digit just typed was deleted
(Textual issue #6605, open in the pinned 8.2.8). Running the box's own bindings in place keeps the order.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class OrderedInput(Input):
    """An Input that runs its own (non-priority) key bindings as the key arrives."""

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable:
            for binding in self._bindings.key_to_bindings.get(event.key, ()):
                if not binding.priority and await self.app.run_action(binding.action, self):
                    event.stop()
                    event.prevent_default()
                    return
        await super()._on_key(event)

    def _on_paste(self, event: events.Paste) -> None:
        """A paste is text on one line: its lines joined with spaces (Textual keeps only the first),
        characters a terminal would obey left out, with a notice."""
        from checklists.text import pasted
        from tui.widgets.note_area import paste_notice

        event.stop()
        event.prevent_default()
        text, dropped = pasted(event.text, multiline=False)
        if dropped:
            self.notify(paste_notice(dropped), severity="warning", timeout=6)
        if text:
            if self.selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *self.selection)
