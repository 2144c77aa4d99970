"""An assessment with nothing found is not an assessment: it would tick a baseline or a review that
nobody measured (seeds/DECISIONS.md, "An assessment records something")."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_cli import run, snapshot


def _atrophy_case(capsys, db: Path) -> str:
    _, out, _ = run(capsys, db, "case", "add", "--patient", "DEMO-051", "--pathway", "steroid-atrophy",
                    "--onset", "2026-11-01", today="2026-11-30")
    return out.strip()


def test_an_empty_assessment_is_refused_in_one_line_and_nothing_is_written(capsys, tmp_path: Path):
    db = tmp_path / "db"
    case_id = _atrophy_case(capsys, db)
    before = snapshot(db)
    code, out, err = run(capsys, db, "log", case_id, "assessment", today="2026-11-30")
    assert code == 2 and out == ""
    assert err.strip() == ("rounds: an assessment needs at least one finding (a measurement, a score or what "
                           "was seen)")
    assert snapshot(db) == before
    _, shown, _ = run(capsys, db, "case", "show", case_id, today="2026-11-30")
    assert "✓ done         baseline-assessment" not in shown


def test_an_assessment_with_one_finding_does_the_baseline(capsys, tmp_path: Path):
    db = tmp_path / "db"
    case_id = _atrophy_case(capsys, db)
    code, _, err = run(capsys, db, "log", case_id, "assessment", "--size-mm", "12", today="2026-11-30")
    assert (code, err) == (0, "")
    _, shown, _ = run(capsys, db, "case", "show", case_id, today="2026-11-30")
    assert "✓ done         baseline-assessment" in shown
