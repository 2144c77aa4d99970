"""One entry of the command palette (ctrl+p). Apart from tui/commands.py, which opens screens, so
that a screen can list its own entries without importing what imports it."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


class PaletteCommand(NamedTuple):
    name: str
    help: str
    run: Callable[[], object]
