"""`--json` for every command of `rounds`: the one flag and the one way JSON is printed (cli.md).

A module of its own so that every command module (cli_commands, cli_admin, cli_pathways, cli_alert,
cli_export) uses the same two, and none has to import another for them.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def json_flag(parser: argparse.ArgumentParser) -> None:
    """`--json` on a command: SUPPRESS keeps a global `--json` given before the command from being reset."""
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON instead of text")


def print_json(data: Any) -> None:
    """`data` as indented JSON on standard output.

    orjson: 10,000 rows print in a few tens of milliseconds rather than the stdlib's few hundred.
    json_safe: recorded text may hold C1 controls or direction overrides; written as \\u escapes, a
    terminal shows them inert (the JSON means the same).
    """
    import orjson

    from checklists.text import json_safe

    sys.stdout.write(json_safe(orjson.dumps(data, option=orjson.OPT_INDENT_2)).decode() + "\n")
