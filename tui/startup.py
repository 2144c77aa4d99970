"""The cycle collector during start-up: paused while the interpreter imports and builds what the process
keeps for its whole life, then those objects are frozen out of every later collection.

Start-up creates some 70,000 long-lived objects (Textual's classes, the catalogue, the board's rows).
Left on, the collector walked them again and again while they were made: 30-40 ms of a 0.4 s start
of the app at 10,000 cases, and a few milliseconds of every command. `gc.freeze()` is the standard
library's way to keep them out of later collections; what start-up left as cyclic garbage (about a
megabyte) stays with them.
"""

from __future__ import annotations

import gc

_paused = False


def pause_collector() -> None:
    """At the entry point only (`rounds`, `python -m tui`): tests and other callers keep their own."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def start_up_finished() -> None:
    """The command's own work begins, or the board is on screen: freeze what exists, collect again."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
