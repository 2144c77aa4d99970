"""The exit codes of `rounds` and the error a command handler raises for a usage mistake.

A module of its own so that `tui/cli.py` (which loads every command module) and the command modules
(which raise UsageError) both import it, and not each other.
"""

from __future__ import annotations

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input on the command line: exit 2 with this one line."""
