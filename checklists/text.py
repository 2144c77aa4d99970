"""Recorded text made safe to print on a terminal: control characters and text-direction overrides
are shown as visible escapes (`\\x1b`, `\\u202e`) instead of being obeyed by the terminal.

Input is refused (checklists.validation.check_text); this is for output, where a file written by an
older Rounds, an import or a hand edit may still hold them. Pure: no I/O.
"""

from __future__ import annotations

import re

# What a terminal would act on rather than show: C0 controls (but newline and tab, which callers lay
# out themselves), DEL and the C1 controls (U+009B is a one-character CSI: it can set the window
# title or write the clipboard, as ESC [ does), the bidi embeddings, overrides and isolates that
# make text read in another order than it is stored ("Trojan Source"), and lone surrogates, which
# cannot be encoded at all (an argument that was not valid UTF-8).
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
UNSAFE_OR_LINE_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control, bidi override and lone surrogate written as a visible escape.

    Newline and tab are kept (a note may have lines); everything else a terminal would obey is not.
    Costs one regex search when there is nothing to escape, the usual case.
    """
    if not UNSAFE.search(text):
        return text
    return UNSAFE.sub(_escape, text)


def printable_line(text: str) -> str:
    """One line: runs of whitespace (newlines and tabs too) become one space, then `printable`."""
    return printable(" ".join(text.split()))


_LINE_BREAKS = str.maketrans("\n\t", "  ")


def printable_cell(text: str) -> str:
    """For a fixed-width cell: newline and tab become one space each (widths stay), then `printable`."""
    return printable(text.translate(_LINE_BREAKS))


def unsafe_character(text: str, *, allow_line_breaks: bool = True) -> str | None:
    """A short name for the first character that `printable` would escape, or None if there is none."""
    pattern = UNSAFE if allow_line_breaks else UNSAFE_OR_LINE_BREAK
    found = pattern.search(text)
    if found is None:
        return None
    code = ord(found.group())
    if 0x202A <= code <= 0x2069:
        return f"a text-direction control (U+{code:04X})"
    if 0xD800 <= code <= 0xDFFF:
        return "bytes that are not valid UTF-8"
    return f"a control character (U+{code:04X})"


# In UTF-8 JSON (orjson already writes C0 controls as \u00XX): DEL, the C1 controls and the
# direction overrides and isolates, each a whole character (0xC2 and 0xE2 only ever lead one).
_JSON_UNSAFE = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")


def _json_escape(match: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(match.group().decode("utf-8"))


def json_safe(data: bytes) -> bytes:
    """UTF-8 JSON with those characters written as \\u escapes: the same data, inert on a terminal."""
    if not _has_json_unsafe(data):
        return data
    return _JSON_UNSAFE.sub(_json_escape, data)


def pasted(text: str, *, multiline: bool) -> tuple[str, int]:
    """Pasted text as a text box keeps it: line breaks made `\n` (or, on one line, spaces), and every
    character a terminal would obey left out. Returns (the text, how many characters were left out),
    so that the box can say so: a paste is never silently changed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = " ".join(line.strip() for line in text.split("\n") if line.strip()).replace("\t", " ")
    kept = UNSAFE.sub("", text)
    return kept, len(text) - len(kept)


def _has_json_unsafe(data: bytes) -> bool:
    """Whether `_JSON_UNSAFE` matches anywhere, looking only where a lead byte of one is (found at memory
    speed): a regex search of a 100 MB export took a quarter of a second, this a few milliseconds."""
    if b"\x7f" in data:
        return True
    for lead in (b"\xc2", b"\xe2"):
        at = data.find(lead)
        while at >= 0:
            if _JSON_UNSAFE.match(data, at):
                return True
            at = data.find(lead, at + 1)
    return False
