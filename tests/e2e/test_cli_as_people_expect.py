"""The command line as people expect it (issue 9): `--version`, global options after the command, help
that names allowed values, no TUI without a terminal, text that fits the terminal, shell completion."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import build_parser, main

TODAY = "2026-11-21"
ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def db(tmp_path) -> Path:
    return tmp_path / "db"


@pytest.fixture()
def long_case(capsys, db) -> str:
    """A case whose checklist, alerts and events make long lines."""
    code, out, err = run(capsys, "--db", str(db), "--today", TODAY, "case", "add", "--patient", "DEMO-001",
                         "--pathway", "steroid-atrophy", "--pathway", "hip-injection", "--onset", "2025-09-01",
                         "--injection-date", "2025-08-15", "--site", "left buttock, upper outer quadrant")
    assert code == 0, err
    case = out.strip()
    for args in (["injection", "--date", "2025-08-15", "--guidance", "landmark", "--drug", "triamcinolone",
                  "--dose", "40 mg", "--site", "left buttock"],
                 ["saline", "--date", "2026-10-01", "--volume-ml", "10",
                  "--note", "tolerated well; patient asked about the number of sessions still to come"]):
        code, _, err = run(capsys, "--db", str(db), "--today", TODAY, "log", case, *args)
        assert code == 0, err
    return case


# -- --version ----------------------------------------------------------------------------------------

def test_version_prints_the_name_and_the_version_of_the_installed_package(capsys):
    from importlib.metadata import version

    code, out, err = run(capsys, "--version")
    assert code == 0 and err == ""
    assert out == f"rounds {version('rounds')}\n"
    assert re.fullmatch(r"rounds \d+\.\d+\.\d+\n", out)


# -- global options after the command -----------------------------------------------------------------

@pytest.mark.parametrize("before, after", [
    (["--db", "D", "--today", TODAY, "case", "list"], ["case", "list", "--db", "D", "--today", TODAY]),
    (["--db", "D", "case", "show", "abcd"], ["case", "show", "abcd", "--db", "D"]),
    (["--json", "--db", "D", "log", "abcd", "note", "--note", "x"],
     ["log", "abcd", "note", "--note", "x", "--db", "D", "--json"]),
    (["--today", TODAY, "worklist"], ["worklist", "--today", TODAY]),
    (["--db", "D", "pathways", "list"], ["pathways", "list", "--db", "D"]),
    (["--db", "D", "alert", "abcd", "CODE", "unack"], ["alert", "abcd", "CODE", "unack", "--db", "D"]),
])
def test_global_options_mean_the_same_after_the_command(before, after):
    from tui.cli import parse_args

    assert vars(parse_args(after)) == vars(parse_args(before)) == vars(build_parser().parse_args(after))


def test_a_command_with_db_after_it_reads_that_database(capsys, db, long_case):
    code, out, err = run(capsys, "case", "show", long_case, "--json", "--db", str(db), "--today", TODAY)
    assert code == 0, err
    assert long_case in out


# -- help names the allowed values --------------------------------------------------------------------

def _parsers(parser: argparse.ArgumentParser, path: str = "rounds"):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, f"{path} {name}")


def test_every_option_has_help_that_says_what_values_it_takes():
    missing = []
    for path, parser in _parsers(build_parser()):
        for action in parser._actions:
            if not action.option_strings or isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
                continue
            option = action.option_strings[-1]
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{path} {option}: no help")
                continue
            takes_value = action.nargs != 0
            if takes_value and not action.choices and not action.metavar:
                missing.append(f"{path} {option}: takes a value but names neither choices nor a form")
    assert missing == []


def test_date_options_say_the_form_of_a_date():
    for path, parser in _parsers(build_parser()):
        for action in parser._actions:
            if action.option_strings and action.metavar == "DATE":
                assert "YYYY-MM-DD" in (action.help or ""), f"{path} {action.option_strings[-1]}"


# -- no terminal, no TUI ------------------------------------------------------------------------------

def test_rounds_without_a_terminal_says_so_and_exits_2(tmp_path):
    db = tmp_path / "db"
    result = subprocess.run([sys.executable, "-m", "tui", "--db", str(db)], cwd=ROOT, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "terminal" in lines[0] and lines[0].startswith("rounds: ")
    assert not db.exists()


# -- text that fits the terminal ----------------------------------------------------------------------

def _words(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize("columns", ["60", "80", "100"])
def test_case_show_and_list_fit_the_terminal_without_breaking_a_word(capsys, monkeypatch, db, long_case, columns):
    monkeypatch.setenv("COLUMNS", "400")
    wide = {cmd: run(capsys, "--db", str(db), "--today", TODAY, "case", cmd, *([long_case] if cmd == "show" else []))[1]
            for cmd in ("show", "list")}
    monkeypatch.setenv("COLUMNS", columns)
    for cmd in ("show", "list"):
        code, out, err = run(capsys, "--db", str(db), "--today", TODAY, "case", cmd,
                             *([long_case] if cmd == "show" else []))
        assert code == 0, err
        too_long = [line for line in out.splitlines() if len(line) > int(columns)]
        assert too_long == [], f"case {cmd} at {columns} columns"
        # Every word survives whole: wrapping only moved words (a narrow list puts the next due item
        # on a line of its own, so its words are compared in any order).
        assert sorted(_words(out)) == sorted(_words(wide[cmd])), f"case {cmd} at {columns} columns"
        if cmd == "show":
            assert _words(out) == _words(wide[cmd])


def test_text_output_is_80_columns_when_the_width_is_unknown(capsys, monkeypatch, db, long_case):
    monkeypatch.delenv("COLUMNS", raising=False)  # and standard output is captured: not a terminal
    code, out, _ = run(capsys, "--db", str(db), "--today", TODAY, "case", "show", long_case)
    assert code == 0
    lines = out.splitlines()
    assert max(map(len, lines)) <= 80 and max(map(len, lines)) > 70


def test_case_list_names_the_next_item_by_its_short_title(capsys, monkeypatch, db, long_case):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, "--db", str(db), "--today", TODAY, "case", "list")
    assert code == 0
    assert "Saline response review" in out and "saline-response-review" not in out
    # A saline course: the next session with its place in the course.
    base = ["--db", str(db), "--today", TODAY]
    code, out, _ = run(capsys, *base, "case", "add", "--patient", "DEMO-002", "--pathway", "steroid-atrophy",
                       "--onset", "2026-11-01")
    case = out.strip()
    # The baseline on the day of the first session (a baseline is taken before treatment starts).
    for args in (["assessment", "--date", "2026-11-20", "--size-mm", "20"],
                 ["saline", "--date", "2026-11-20", "--volume-ml", "10"]):
        assert run(capsys, *base, "log", case, *args)[0] == 0
    code, out, _ = run(capsys, *base, "case", "list", "--search", "DEMO-002")
    assert "Saline session 2 of 3-6 2026-11-27..12-04" in out, out


def test_case_show_names_each_source_once(capsys, db, long_case):
    code, out, _ = run(capsys, "--db", str(db), "--today", TODAY, "case", "show", long_case)
    assert code == 0
    assert "source: clinic-policy (clinic-policy)" not in out
    assert not re.search(r"source: ([\w-]+) \(\1\)", out)
    assert "source: clinic-policy" in out


# -- shell completion ---------------------------------------------------------------------------------

@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_script_is_generated_from_the_parser(capsys, shell):
    code, out, err = run(capsys, "completion", shell)
    assert code == 0, err
    for command in ("case", "log", "item", "export", "worklist", "pathways", "completion"):
        assert command in out
    for option in ("--filter", "--volume-ml", "--deidentify"):
        assert option in out
    if shell == "bash":
        checked = subprocess.run(["bash", "-n"], input=out, text=True, capture_output=True)
        assert checked.returncode == 0, checked.stderr
    else:
        assert out.startswith("#compdef rounds")


def test_completion_refuses_an_unknown_shell(capsys):
    code, out, err = run(capsys, "completion", "fish-and-chips")
    assert code == 2 and out == "" and len(err.splitlines()) == 1
