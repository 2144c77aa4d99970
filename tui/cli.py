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
from typing import Any, Callable

from checklists.errors import ValidationError
from tui.cli_errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError
from tui.cli_parsing import HelpFormatter, OnlyCommand, command_word


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr (exit 2), not a usage block.

    Every command's parser (subcommands come through here too) also takes the global options, so that
    `rounds case list --db DIR` means `rounds --db DIR case list` (cli.md): given after the command they
    replace the value given before it; not given, they leave it alone (SUPPRESS).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
        if self.prog != "rounds":
            add_global_options(self, default=argparse.SUPPRESS)

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


def add_global_options(parser: argparse.ArgumentParser, default: object) -> None:
    """--db and --today, on the top parser (default None) and on every command's (SUPPRESS)."""
    parser.add_argument("--db", metavar="DIR", default=default,
                        help="database directory (default: $ROUNDS_DB or the user data dir)")
    parser.add_argument("--today", metavar="YYYY-MM-DD", default=default,
                        help="the date to act as today (default: $ROUNDS_TODAY or the system date)")


class _Version(argparse.Action):
    """`rounds --version`: the installed package's version, looked up only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("rounds")
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = "0+unknown"
        print(f"rounds {number}")
        parser.exit()


def build_parser(command: str | None = None) -> _Parser:
    """The `rounds` parser; given `command`, only that command is built in full (tui/cli_parsing.py)."""
    from tui import cli_admin, cli_alert, cli_commands, cli_completion, cli_export, cli_pathways

    parser = _Parser(prog="rounds", description="Follow-up checklists for complications of corticosteroid "
                     "injections. With no command, opens the terminal interface (it needs a terminal).")
    parser.add_argument("--version", action=_Version, help="print `rounds X.Y.Z` and exit")
    add_global_options(parser, default=None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    sub: Any = parser.add_subparsers(dest="command", metavar="COMMAND")
    if command is not None:
        sub = OnlyCommand(sub, command)
    cli_commands.add_commands(sub)
    cli_alert.add_commands(sub)
    cli_export.add_commands(sub)
    cli_admin.add_commands(sub)
    cli_pathways.add_commands(sub)
    cli_completion.add_commands(sub, build_parser)
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The parsed command line, building only the command's own parser where that is safe."""
    argv = sys.argv[1:] if argv is None else argv
    command = command_word(argv)
    if command is not None and not {"-h", "--help"} & set(argv):
        try:
            args = build_parser(command).parse_args(argv)
        except UsageError:
            pass  # a mistake, or a guess misled (`--tod DATE`): the full parser says which, exactly
        else:
            if args.command == command:
                return args
    return build_parser().parse_args(argv)


def _context(args) -> Context:
    from store.protocol import load_protocol
    from store.repository import Repository

    db = Path(args.db or os.environ.get("ROUNDS_DB") or default_db_dir()).expanduser()
    today = _today(args.today or os.environ.get("ROUNDS_TODAY"))
    catalogue = load_protocol(db)
    repo = Repository(db, catalogue, **_lock_timeout(os.environ.get("ROUNDS_LOCK_TIMEOUT")))
    return Context(repo=repo, catalogue=catalogue, today=today, json=bool(args.json))


def _lock_timeout(text: str | None) -> dict:
    """$ROUNDS_LOCK_TIMEOUT: how many seconds a command waits for a case someone else is saving."""
    if not text:
        return {}
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0.1 <= seconds <= 3600:
        raise UsageError("ROUNDS_LOCK_TIMEOUT must be a number of seconds from 0.1 to 3600")
    return {"lock_timeout": seconds}


def _on_a_terminal() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or missing standard streams
        return False


def _run_tui(ctx: Context) -> int:
    from tui.app import make_app

    app = make_app(ctx.repo, today=ctx.today, catalogue=ctx.catalogue)
    app.run()
    return app.return_code or EXIT_OK


def _warn_if_open_to_others(repo) -> None:
    try:
        warnings = repo.permission_warnings()
    except OSError:
        return  # a folder we may not stat: the command's own error (if any) says more
    from tui.cli_text import warn

    for warning in warnings:
        warn(warning)


def _fail(code: int, message: object) -> int:
    # One line only: a message with a newline would break scripts that read stderr line by line.
    # Escaped too: argparse echoes what was typed, and a path may hold anything.
    from checklists.text import printable_line

    print(f"rounds: {printable_line(str(message))}", file=sys.stderr)
    return code


def _not_utf8(argv: list[str]) -> str | None:
    """Which argument (or variable) holds bytes that are not UTF-8 (Python keeps them as surrogates)."""
    for n, arg in enumerate(argv, start=1):
        if isinstance(arg, str) and not arg.isascii():
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError:
                return f"argument {n}"
    for name in ("ROUNDS_DB", "ROUNDS_TODAY"):
        try:
            os.environ.get(name, "").encode("utf-8")
        except UnicodeEncodeError:
            return f"${name}"
    return None


def main(argv: list[str] | None = None) -> int:
    from checklists.errors import UnknownPathway
    from seeds.loader import PathwayFileError
    from store.errors import StoreError

    argv = sys.argv[1:] if argv is None else list(argv)
    bad = _not_utf8(argv)
    if bad is not None:
        # Refused before anything else: such bytes cannot be stored, and nothing is created on the way.
        return _fail(EXIT_USAGE, f"{bad} is not valid UTF-8 text; check the terminal's encoding (locale)")
    try:
        args = parse_args(argv)
        if args.command is None and not _on_a_terminal():
            # The app would write escape codes into a pipe and wait for keys that never come.
            raise UsageError("the terminal interface needs a terminal on standard input and output; "
                             "in a script, use a command (rounds --help lists them)")
        ctx = _context(args)
        if args.command is None:
            return _run_tui(ctx)  # the board shows permission warnings itself, from a worker
        from tui.startup import start_up_finished

        start_up_finished()
        code = args.handler(args, ctx) or EXIT_OK
        # After the command, so that a refused one says one line only (its error), and one that
        # scanned every case (list, export) also counts the case files it found open, from its stats.
        _warn_if_open_to_others(ctx.repo)
        upgraded = getattr(ctx.repo, "last_upgrade", None)
        if upgraded is not None:
            print(f"rounds: {upgraded.line()}", file=sys.stderr)
        return code
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
    from tui.startup import cache_generated_code, pause_collector

    pause_collector()  # until the command's work begins, or the board is first shown (tui/startup.py)
    cache_generated_code()
    sys.exit(main())
