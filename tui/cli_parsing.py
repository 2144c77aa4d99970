"""Parsing `rounds ...` without building what the command does not need: every command starts a process.

The command about to run is built in full; every other one only by name and help (so `rounds --help`
and an unknown command read the same as with the full parser). tui/cli.py falls back on the full
parser whenever the guess could be wrong, so this only ever saves time, never changes a result.
"""

from __future__ import annotations

import argparse
import os
import sys

# The global options that take a value (tui/cli.py): their value is never the command.
OPTIONS_WITH_VALUE = ("--db", "--today")


def command_word(argv: list[str]) -> str | None:
    """The first word that is not a global option or its value: the command, as argparse will read it
    (None if there is none, or after `--`). An abbreviated option (`--tod`) may mislead it; the caller
    checks the parse against this guess."""
    words = iter(argv)
    for word in words:
        if word in OPTIONS_WITH_VALUE:
            next(words, None)
        elif word == "--":
            return None
        elif not word.startswith("-"):
            return word
    return None


class OnlyCommand:
    """Stands in for the subparsers action while the command modules add their commands: `command` is
    built in full, every other command gets its name and help and nothing more."""

    def __init__(self, subparsers: argparse._SubParsersAction, command: str):
        self._subparsers = subparsers
        self._command = command

    def add_parser(self, name: str, **kwargs):
        parser = self._subparsers.add_parser(name, **kwargs)
        if name == self._command or self._command in kwargs.get("aliases", ()):
            return parser
        return _Unbuilt()


def built(parser: object) -> bool:
    """False for a command left unbuilt: its builder returns at once, before importing what only the
    command's own options need (choices from the engine's vocabulary, say)."""
    return not isinstance(parser, _Unbuilt)


class _Unbuilt:
    """Takes every call a command builder makes on a parser it will not need (arguments, defaults,
    nested subcommands) and does nothing."""

    def __getattr__(self, _name: str):
        return self._ignore

    def _ignore(self, *_args, **_kwargs) -> "_Unbuilt":
        return self


def _columns() -> int:
    """What shutil.get_terminal_size() answers, without importing shutil (and with it zlib, bz2 and
    lzma), which argparse does for every argument it adds, help printed or not."""
    try:
        columns = int(os.environ.get("COLUMNS", 0))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        stdout = sys.__stdout__
        return os.get_terminal_size(stdout.fileno()).columns or 80 if stdout is not None else 80
    except (AttributeError, ValueError, OSError):
        return 80


class HelpFormatter(argparse.HelpFormatter):
    """argparse's own formatter, told the terminal width so that it need not look it up itself."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None):
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)
