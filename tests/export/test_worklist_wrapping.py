"""`rounds worklist` on a terminal keeps each item a block (review defect 12): a wrapped line continues
under the item's title; a file or a pipe gets whole lines, as before."""

from __future__ import annotations

import io
import re

from store.export.worklist import render
from tests.export.test_worklist import rounds, worklist

_KIND = re.compile(r"^  (OVERDUE|DUE|OPENS|SNOOZE ENDS) +")


def _items_stay_blocks(text: str, width: int) -> None:
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines), [line for line in lines if len(line) > width]
    for n, line in enumerate(lines[:-1]):
        kind = _KIND.match(line)
        after = lines[n + 1]
        if kind and after.strip() and not _KIND.match(after) and not after.lstrip().startswith("Alerts:"):
            # The continuation starts exactly under the item's title.
            assert after[: kind.end()].strip() == "" and after[kind.end()] != " ", (line, after)


def test_at_a_terminals_width_a_wrapped_item_continues_under_its_title(demo):
    text = render(worklist(demo), "text", 60)
    _items_stay_blocks(text, 60)
    assert any(_KIND.match(line) and len(line) > 50 for line in text.splitlines())  # something did wrap


def test_a_file_or_a_pipe_gets_whole_lines(demo, capsys):
    listing = worklist(demo)
    assert render(listing, "text") == render(listing, "text", None)
    assert rounds(demo, "worklist") == 0
    out = capsys.readouterr().out
    assert any(len(line) > 80 for line in out.splitlines())  # captured output is not a terminal


def test_on_a_terminal_rounds_worklist_wraps_to_its_width(demo, capsys, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    monkeypatch.setenv("COLUMNS", "72")
    assert rounds(demo, "worklist") == 0
    assert "OVERDUE" in terminal.getvalue()
    _items_stay_blocks(terminal.getvalue(), 72)
