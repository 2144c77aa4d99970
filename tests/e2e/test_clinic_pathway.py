"""A clinic adds its own pathway by dropping a TOML file into the database's `pathways/` folder: the
command line, the app and the exports all use it with no code edit, and a mistake in it is named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from store.protocol import load_protocol
from store.repository import Repository
from tests.tui.demo_db import TODAY, fixed_now, screen_text, wait_for
from tests.tui.test_board import SIZE, board_lines, loaded_board, sync
from tui.app import make_app
from tui.cli import main
from tui.screens.case import CaseScreen

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "post-injection-skin-check.toml"
PATHWAY = "post-injection-skin-check"


def rounds(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--today", TODAY.isoformat(), *args])
    out, err = capsys.readouterr()
    return code, out, err


def clinic_db(tmp_path: Path) -> Path:
    db = tmp_path / "db"
    (db / "pathways").mkdir(parents=True, mode=0o770)
    db.chmod(0o770)
    shutil.copy(EXAMPLE, db / "pathways" / EXAMPLE.name)
    return db


def test_the_dropped_in_pathway_works_on_the_command_line_and_in_exports(tmp_path, capsys):
    db = clinic_db(tmp_path)
    code, out, err = rounds(capsys, db, "case", "add", "--patient", "DEMO-201", "--pathway", PATHWAY,
                            "--pathway", "steroid-atrophy", "--onset", "2026-10-01")
    assert code == 0, err
    case_id = out.strip()

    code, out, _ = rounds(capsys, db, "case", "list")
    assert code == 0
    row = next(line for line in out.splitlines() if "DEMO-201" in line)
    assert "SKN+ATR" in row  # its short label, from its file
    assert "SKN post-injection-skin-check" in out  # and the legend explains it

    code, out, _ = rounds(capsys, db, "log", case_id, "assessment", "--size-mm", "12", "--date", "2026-11-20")
    assert code == 0
    code, out, _ = rounds(capsys, db, "case", "show", case_id, "--json")
    shown = json.loads(out)
    items = {i["id"]: i for i in shown["items"] if i["pathway"] == PATHWAY}
    assert items["site-photograph"]["status"] == "done"  # satisfied by the logged assessment
    assert (items["three-month-look"]["opens"], items["three-month-look"]["closes"]) == ("2027-01-01", "2027-02-01")
    assert items["three-month-look"]["status"] == "upcoming"

    code, out, _ = rounds(capsys, db, "export", case_id, "--format", "md")
    assert code == 0
    assert "Skin check after a corticosteroid injection (clinic example)" in out
    assert "Look at the site again three months after onset" in out


@sync
async def test_the_dropped_in_pathway_shows_on_the_board_and_the_case_screen(tmp_path, capsys):
    db = clinic_db(tmp_path)
    assert rounds(capsys, db, "case", "add", "--patient", "DEMO-202", "--pathway", PATHWAY,
                  "--onset", "2026-10-01")[0] == 0
    catalogue = load_protocol(db)
    app = make_app(Repository(db, catalogue, now=fixed_now), today=TODAY, catalogue=catalogue)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        assert any("SKN" in line for line in board_lines(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.view is not None)
        await pilot.pause()
        text = screen_text(app)
        assert "Skin check after a corticosteroid injection (clinic example)" in text
        assert "Photograph and measure the injection site" in text


def test_a_mistake_in_the_clinic_file_names_the_file_the_line_and_the_field(tmp_path, capsys):
    db = clinic_db(tmp_path)
    path = db / "pathways" / EXAMPLE.name
    path.write_text(path.read_text().replace('opens = "3m"', 'opens = "three months"'))
    code, _, err = rounds(capsys, db, "case", "list")
    assert code == 1
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if 'opens = "three months"' in text)
    assert err.strip() == (f"rounds: pathway definitions are malformed: {EXAMPLE.name}: line {line}: field "
                           "'item[1].window.opens': 'three months' is not an offset like 14d, 4w or 6m")


def test_a_clinic_file_cannot_declare_alerts_without_rules(tmp_path, capsys):
    db = clinic_db(tmp_path)
    path = db / "pathways" / EXAMPLE.name
    path.write_text(path.read_text() + '''
[[alert]]
code = "photo-missing"
severity = "warning"
title = "No photograph"
action = "Take one."
sources = ["clinic-policy"]
provenance = "clinic-policy"
''')
    code, _, err = rounds(capsys, db, "case", "list")
    assert code == 1
    assert EXAMPLE.name in err and "photo-missing" in err and "no rules module" in err


def test_a_clinic_file_may_not_take_a_shipped_pathway_id(tmp_path, capsys):
    db = clinic_db(tmp_path)
    path = db / "pathways" / EXAMPLE.name
    path.write_text(path.read_text().replace(f'id = "{PATHWAY}"', 'id = "hip-injection"'))
    code, _, err = rounds(capsys, db, "case", "list")
    assert code == 1
    assert "'hip-injection' is already defined by hip-injection.toml" in err


def test_a_case_whose_pathway_file_was_removed_is_named_and_the_rest_still_list(tmp_path, capsys):
    db = clinic_db(tmp_path)
    assert rounds(capsys, db, "case", "add", "--patient", "DEMO-203", "--pathway", PATHWAY,
                  "--onset", "2026-10-01")[0] == 0
    code, out, _ = rounds(capsys, db, "case", "add", "--patient", "DEMO-204", "--pathway", "steroid-atrophy",
                          "--onset", "2026-10-01")
    lost = rounds(capsys, db, "case", "list", "--json")[1]
    lost_id = next(r["id"] for r in json.loads(lost) if r["patient"] == "DEMO-203")
    (db / "pathways" / EXAMPLE.name).unlink()
    code, out, err = rounds(capsys, db, "case", "list")
    assert code == 0
    assert "DEMO-204" in out and "DEMO-203" not in out
    assert lost_id in err and "warning" in err and "was a clinic pathway file removed" in err
    code, _, err = rounds(capsys, db, "case", "show", lost_id)
    assert code == 1
    assert "names a pathway this database does not define" in err and lost_id in err
