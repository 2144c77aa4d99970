"""Building only the command's own parser (tui/cli_parsing.py) never changes what a command line means."""

from __future__ import annotations

import pytest

from tui.cli import UsageError, build_parser, parse_args
from tui.cli_parsing import command_word

COMMAND_LINES = [
    ["case", "list", "--json"],
    ["--db", "/tmp/x", "--today", "2026-01-02", "case", "list", "--filter", "due"],
    ["--json", "log", "abcd", "saline", "--volume-ml", "10", "--date", "2026-01-01"],
    ["item", "abcd", "review-6m", "snooze", "--until", "2026-02-01", "--reason", "away"],
    ["event", "void", "abcd", "e1", "--reason", "typo"],
    ["config", "set", "soon_days", "10"],
    ["export", "--all", "--format", "json", "--deidentify", "-o", "out.json"],
    ["import", "file.json", "--as-new"],
    ["demo", "--cases", "3"],
    ["--db=case", "case", "show", "abcd"],
    ["--tod", "2026-01-02", "case", "list"],  # an abbreviated option: the guess is wrong, the result is not
    ["--db", "log", "case", "list"],
    [],
]


def full(argv):
    return vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", COMMAND_LINES, ids=" ".join)
def test_the_quick_parse_reads_every_command_line_as_the_full_parser_does(argv):
    assert vars(parse_args(argv)) == full(argv)


@pytest.mark.parametrize("argv", [
    ["log", "abcd", "nosuchkind"], ["case", "list", "--filter", "nope"], ["nosuchcommand"], ["item", "abcd"],
    ["config", "set", "nosuchkey", "1"],
])
def test_mistakes_give_the_full_parser_s_message(argv):
    with pytest.raises(UsageError) as quick:
        parse_args(argv)
    with pytest.raises(UsageError) as whole:
        build_parser().parse_args(argv)
    assert str(quick.value) == str(whole.value)


@pytest.mark.parametrize("argv", [["--help"], ["case", "--help"], ["log", "-h"], ["--db", "x", "export", "--help"]])
def test_help_is_the_full_help(argv, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit):
        parse_args(argv)
    quick = capsys.readouterr().out
    with pytest.raises(SystemExit):
        build_parser().parse_args(argv)
    assert quick == capsys.readouterr().out and "usage: rounds" in quick


def test_the_command_word_skips_global_options_and_their_values():
    assert command_word(["--db", "case", "--json", "log", "x"]) == "log"
    assert command_word(["--today", "2026-01-01"]) is None
    assert command_word(["--", "case"]) is None


def test_an_ordinary_command_line_builds_only_its_command(monkeypatch):
    import tui.cli as cli

    built = []
    real = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda command=None: built.append(command) or real(command))
    cli.parse_args(["--db", "x", "log", "abcd", "note", "--note", "hello"])
    assert built == ["log"]


def test_help_is_as_wide_as_the_terminal_says(monkeypatch, capsys):
    import shutil

    monkeypatch.setenv("COLUMNS", "60")
    with pytest.raises(SystemExit):
        parse_args(["log", "--help"])
    # (argparse never breaks a list of choices, however long)
    lines = [line for line in capsys.readouterr().out.splitlines() if "{" not in line]
    assert max(map(len, lines)) <= shutil.get_terminal_size().columns == 60
    assert max(map(len, lines)) > 50
