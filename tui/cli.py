"""The `rounds` command line (cli.md): the scriptable face of Rounds, and the entry point of the TUI.

Every handler is small: parse, call a pure action or a repository method, print. Bad input exits 2
with one line on stderr; any other failure exits 1 with one line; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

from checklists.errors import ValidationError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input on the command line: exit 2 with this one line."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr (exit 2), not a usage block."""

    def error(self, message: str):  # noqa: D401 - argparse's hook
        command = self.prog.removeprefix("rounds").strip()
        raise UsageError(f"{command}: {message}" if command else message)


@dataclass
class Context:
    """What every command handler is given: the repository, the catalogue, the effective today."""

    repo: object
    catalogue: object
    today: date
    json: bool = False
    now: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))

    def policy(self):
        return self.repo.policy()


def default_db_dir() -> Path:
    """--db, else $ROUNDS_DB, else `rounds` in the user data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("rounds", appauthor=False))


def _today(text: str | None) -> date:
    from checklists.dates import parse_date

    if not text:
        return date.today()
    try:
        return parse_date(text, "--today")
    except ValidationError as exc:
        raise UsageError(str(exc)) from None


def build_parser() -> _Parser:
    from tui import cli_alert, cli_commands, cli_export

    parser = _Parser(prog="rounds", description="Follow-up checklists for complications of corticosteroid "
                     "injections. With no command, opens the terminal interface.")
    parser.add_argument("--db", metavar="DIR", help="database directory (default: $ROUNDS_DB or the user data dir)")
    parser.add_argument("--today", metavar="YYYY-MM-DD", help="the date to act as today (default: $ROUNDS_TODAY "
                        "or the system date)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    cli_commands.add_commands(sub)
    cli_alert.add_commands(sub)
    cli_export.add_commands(sub)
    return parser


def _context(args) -> Context:
    from store.protocol import load_protocol
    from store.repository import Repository

    db = Path(args.db or os.environ.get("ROUNDS_DB") or default_db_dir()).expanduser()
    today = _today(args.today or os.environ.get("ROUNDS_TODAY"))
    catalogue = load_protocol(db)
    return Context(repo=Repository(db, catalogue), catalogue=catalogue, today=today, json=bool(args.json))


def _run_tui(ctx: Context) -> int:
    from tui.app import make_app

    app = make_app(ctx.repo, today=ctx.today, catalogue=ctx.catalogue)
    app.run()
    return app.return_code or EXIT_OK


def _fail(code: int, message: str) -> int:
    # One line only: a message with a newline would break scripts that read stderr line by line.
    print(f"rounds: {' '.join(str(message).split())}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    from checklists.errors import UnknownPathway
    from seeds.loader import PathwayFileError
    from store.errors import StoreError

    try:
        args = build_parser().parse_args(argv)
        ctx = _context(args)
        if args.command is None:
            return _run_tui(ctx)  # the board shows permission warnings itself, from a worker
        for warning in ctx.repo.permission_warnings():
            print(f"rounds: warning: {warning}", file=sys.stderr)
        return args.handler(args, ctx) or EXIT_OK
    except SystemExit as exc:  # argparse's --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except (UsageError, ValidationError) as exc:
        return _fail(EXIT_USAGE, exc)
    except StoreError as exc:
        # The store marks the errors a user fixes by typing something else (an unknown case id).
        return _fail(EXIT_USAGE if exc.bad_input else EXIT_FAILURE, exc)
    except PathwayFileError as exc:
        return _fail(EXIT_FAILURE, f"pathway definitions are malformed: {exc}")
    except UnknownPathway as exc:
        return _fail(EXIT_FAILURE, exc)
    except KeyboardInterrupt:
        return _fail(130, "interrupted")
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        # The OS message names a path, never patient text.
        return _fail(EXIT_FAILURE, f"{exc.strerror or exc.__class__.__name__}: {exc.filename or ''}")
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        if os.environ.get("ROUNDS_DEBUG"):
            raise
        return _fail(EXIT_FAILURE, f"internal error ({exc.__class__.__name__}); run with ROUNDS_DEBUG=1 for details")


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
