"""The footer of Rounds' screens: Textual's Footer, showing only the keys that fit in full.

Textual's footer lets keys run past the right edge, under the command palette's key: at 60 columns a
clipped "q" was left standing after "^p palette". Here keys (a group's keys with its label, as one) are
shown in order while they fit beside the palette key; the rest are hidden, never cut. Every key is still
in the help (?) and the palette (ctrl+p).
"""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Footer


class RoundsFooter(Footer):
    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self._fit_keys)

    def on_resize(self) -> None:
        self._show_all()
        self.call_after_refresh(self._fit_keys)

    def _show_all(self) -> None:
        for child in self.children:
            child.display = True

    def _units(self) -> list[list[Widget]]:
        """The footer's entries in order, a key group with the label after it as one unit."""
        units: list[list[Widget]] = []
        for child in self.children:
            if child.has_class("-command-palette"):
                continue
            if type(child).__name__ == "FooterLabel" and units:
                units[-1].append(child)  # a group's label goes with its keys
            else:
                units.append([child])
        return units

    def _fit_keys(self) -> None:
        palette = [c for c in self.children if c.has_class("-command-palette")]
        room = self.size.width - sum(c.outer_size.width + c.styles.margin.width for c in palette if c.display)
        used = 0
        for unit in self._units():
            width = sum(w.outer_size.width + w.styles.margin.width for w in unit)
            fits = used + width <= room
            for widget in unit:
                widget.display = fits
            if fits:
                used += width
            else:
                room = used  # once one does not fit, none after it shows: the order stays the footer's
