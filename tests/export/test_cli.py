"""`rounds export` and `rounds import` as scripts use them: exit codes, one-line errors, stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import main

ROOT = Path(__file__).resolve().parents[2]


def rounds(demo, *args: str) -> int:
    return main(["--db", str(demo.db_dir), "--today", "2026-11-21", *args])


def test_export_to_a_file_and_to_standard_output(demo, tmp_path, capsys):
    out = tmp_path / "one.md"
    assert rounds(demo, "export", demo.ids[0][:5], "--format", "md", "-o", str(out)) == 0
    assert out.read_text().startswith(f"# DEMO-001 · case {demo.ids[0]}")
    captured = capsys.readouterr()
    assert captured.out == "" and f"exported 1 case as md to {out}" in captured.err
    assert rounds(demo, "export", "--all", "--format", "json") == 0  # no -o: standard output
    data = json.loads(capsys.readouterr().out)
    assert data["case_count"] == len(demo.ids)


@pytest.mark.parametrize("args, message", [
    (["export", "--format", "md"], "name the cases to export, or --all"),
    (["export", "--all", "CASEX", "--format", "md"], "not both"),
    (["export", "--all", "--format", "pdf"], "invalid choice"),
    (["export", "--all", "--format", "md", "--events"], "--events applies only to --format csv"),
    (["export", "--all", "--format", "ics", "--deidentify", "--with-patient"], "cannot be combined"),
    (["export", "zzzzzz", "--format", "md"], "no case id starts with 'zzzzzz'"),
    (["export", "--all", "--format", "md", "-o", "/nonexistent-folder/x.md"], "does not exist"),
    (["import", "/nonexistent-folder/x.json"], "no such file"),
])
def test_bad_input_exits_2_with_one_line(demo, capsys, args, message):
    assert rounds(demo, *args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_import_round_trip_and_clash(demo, tmp_path, capsys):
    export = tmp_path / "all.json"
    assert rounds(demo, "export", "--all", "--format", "json", "-o", str(export)) == 0
    capsys.readouterr()
    empty = tmp_path / "empty"
    assert main(["--db", str(empty), "--today", "2026-11-21", "import", str(export)]) == 0
    out = capsys.readouterr().out
    assert sorted(out.split()[: len(demo.ids)]) == sorted(demo.ids)
    for case_id in demo.ids:
        assert main(["--db", str(demo.db_dir), "--today", "2026-11-21", "--json", "case", "show", case_id]) == 0
        original = capsys.readouterr().out
        assert main(["--db", str(empty), "--today", "2026-11-21", "--json", "case", "show", case_id]) == 0
        assert capsys.readouterr().out == original
    # Again into the same database: every id exists, one line, exit 2, nothing changed.
    assert main(["--db", str(empty), "import", str(export)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--as-new" in err and err.count("\n") == 1
    assert main(["--db", str(empty), "import", str(export), "--as-new"]) == 0
    captured = capsys.readouterr()
    renamed = [line.split(" -> ") for line in captured.out.splitlines()]
    assert sorted(old for old, _ in renamed) == sorted(demo.ids)
    assert "imported 6 cases with new ids" in captured.err


def test_importing_a_deidentified_export_says_why_not(demo, tmp_path, capsys):
    export = tmp_path / "deid.json"
    assert rounds(demo, "export", "--all", "--format", "json", "--deidentify", "-o", str(export)) == 0
    assert main(["--db", str(tmp_path / "x"), "import", str(export)]) == 2
    assert "a de-identified export cannot be imported" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_the_installed_command_line_runs_export(demo, tmp_path):
    """Through a real process: exit code, output file, nothing on stdout with -o."""
    out = tmp_path / "cases.ics"
    process = subprocess.run(
        [sys.executable, "-m", "tui", "--db", str(demo.db_dir), "--today", "2026-11-21", "export", "--all",
         "--format", "ics", "-o", str(out)],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=60,
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout == ""
    assert out.read_text().startswith("BEGIN:VCALENDAR")
