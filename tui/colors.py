"""NO_COLOR done as its readers mean it: the terminal's own colours, with highlights in reverse video.

Textual's answer to NO_COLOR is a greyscale filter; on a 16-colour terminal (TERM=screen, xterm, linux)
its greys come out as black, and every cell was drawn black on black (SGR 30;40). Here, with NO_COLOR,
the app uses the ANSI theme and this filter: every foreground and background becomes the terminal's
default (SGR 39/49), and whatever a colour picked out from its surroundings (a cursor line, a focused
box, a button, a selected option, a scrollbar) is drawn in reverse video instead, so it still shows.
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter

_DEFAULT = Style.from_color(RichColor.default(), RichColor.default())


@lru_cache(1024)
def default_colours(style: Style) -> Style:
    """`style` in the terminal's default colours; reversed where it had a background of its own."""
    highlighted = style.bgcolor is not None and not style.bgcolor.is_default
    plain = style + _DEFAULT
    if highlighted and not style.reverse:
        return plain + Style(reverse=True)
    return plain


class DefaultColours(LineFilter):
    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(text, None if style is None else default_colours(style), control)
                for text, style, control in segments]
