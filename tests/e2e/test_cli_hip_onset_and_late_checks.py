"""The command line as the reviewer drove it: a hip case whose injection follows the pain, and one late
visit that must not tick off the missed 2-4-month checks."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli import run, snapshot


def test_a_hip_case_with_the_injection_after_the_pain_began_is_added(capsys, tmp_path: Path):
    db = tmp_path / "db"
    code, out, err = run(capsys, db, "case", "add", "--patient", "DEMO-041", "--pathway", "hip-injection",
                         "--onset", "2026-09-01", "--injection-date", "2026-10-01", today="2026-10-05")
    assert (code, err) == (0, "")
    code, out, _ = run(capsys, db, "--json", "case", "show", out.strip(), today="2026-10-05")
    shown = json.loads(out)
    assert (shown["onset"], shown["injection_date"]) == ("2026-09-01", "2026-10-01")


def test_an_atrophy_case_noticed_before_its_injection_is_refused_in_one_line_and_nothing_written(
        capsys, tmp_path: Path):
    db = tmp_path / "db"
    before = snapshot(db)
    code, out, err = run(capsys, db, "case", "add", "--patient", "DEMO-042", "--pathway", "steroid-atrophy",
                         "--pathway", "hip-injection", "--onset", "2026-09-01", "--injection-date", "2026-10-01",
                         today="2026-10-05")
    assert code == 2 and out == ""
    assert err.strip() == ("rounds: injection date 2026-10-01 is after onset 2026-09-01: on steroid-atrophy the "
                           "onset (the day the atrophy was first noticed) follows the injection that caused it")
    assert snapshot(db) == before


def test_one_visit_fifteen_months_after_the_injection_leaves_its_missed_checks_overdue(capsys, tmp_path: Path):
    db = tmp_path / "db"
    _, out, _ = run(capsys, db, "case", "add", "--patient", "DEMO-041", "--pathway", "hip-injection",
                    "--onset", "2024-12-01", today="2025-01-12")
    case_id = out.strip()
    run(capsys, db, "log", case_id, "pt-start", "--date", "2025-01-15", today="2025-01-15")
    for day in ("2025-02-01", "2025-05-01", "2025-08-19", "2025-09-19"):
        assert run(capsys, db, "log", case_id, "injection", "--date", day, "--guidance", "image", today=day)[0] == 0
    for day in ("2025-04-05", "2025-07-05"):
        run(capsys, db, "log", case_id, "assessment", "--date", day, "--mrc", "5", "--tendon", "none",
            "--joint", "stable", today=day)
    code, _, _ = run(capsys, db, "log", case_id, "assessment", "--date", "2026-11-30", "--mrc", "4", "--pain", "3",
                     "--tendon", "none", "--joint", "stable", today="2026-11-30")
    assert code == 0
    _, out, _ = run(capsys, db, "--json", "case", "show", case_id, today="2026-11-30")
    items = {i["id"]: i for i in json.loads(out)["items"]}
    for check in ("atrophy-check-early", "tendon-joint-check-early"):
        assert items[check]["status"] == "overdue", items[check]
        assert (items[check]["opens"], items[check]["closes"]) == ("2025-10-19", "2025-12-19")
    # The clinician who judges the late visit good enough says so, dated: then it is done.
    assert run(capsys, db, "item", case_id, "atrophy-check-early", "done", today="2026-11-30")[0] == 0
    _, out, _ = run(capsys, db, "--json", "case", "show", case_id, today="2026-11-30")
    items = {i["id"]: i for i in json.loads(out)["items"]}
    assert items["tendon-joint-check-early"]["status"] == "overdue"
    assert items["atrophy-check-early"]["status"] == "done"
