"""The `rounds` command line as a script or a clinician uses it: exit codes, one-line errors, JSON."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.cli import main

TODAY = "2026-11-21"
ROOT = Path(__file__).resolve().parents[2]


def run(capsys, db: Path, *args: str, today: str = TODAY) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--today", today, *args])
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(db: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under the database with its bytes and mode: what "changes nothing" must preserve."""
    if not db.exists():
        return {}
    return {
        str(p.relative_to(db)): (p.read_bytes() if p.is_file() else b"", p.stat().st_mode)
        for p in sorted(db.rglob("*"))
    }


@pytest.fixture()
def db(tmp_path) -> Path:
    return tmp_path / "db"


@pytest.fixture()
def case_id(capsys, db) -> str:
    code, out, _ = run(capsys, db, "case", "add", "--patient", "DEMO-001", "--pathway", "steroid-atrophy",
                       "--pathway", "hip-injection", "--onset", "2026-09-01", "--injection-date", "2026-08-15")
    assert code == 0
    return out.strip()


def show(capsys, db: Path, case: str, today: str = TODAY) -> dict:
    code, out, err = run(capsys, db, "case", "show", case, "--json", today=today)
    assert code == 0, err
    return json.loads(out)


def test_read_on_missing_database_creates_nothing(capsys, db):
    code, out, _ = run(capsys, db, "case", "list")
    assert code == 0 and "No cases" in out
    code, out, _ = run(capsys, db, "config", "show", "--json")
    assert code == 0 and json.loads(out)["soon_days"] == 14
    assert not db.exists()


def test_add_then_show_gives_the_spec_shape(capsys, db, case_id):
    data = show(capsys, db, case_id)
    for key in ("id", "patient", "pathways", "status", "onset", "injection_date", "etiology", "inflammation",
                "items", "events", "counts", "alerts", "next_due"):
        assert key in data
    assert data["patient"] == "DEMO-001" and data["pathways"] == ["steroid-atrophy", "hip-injection"]
    item = next(i for i in data["items"] if i["id"] == "baseline-assessment")
    assert (item["opens"], item["closes"], item["status"]) == ("2026-11-21", "2026-12-05", "due")
    assert item["provenance"] == "clinic-policy" and item["sources"]
    assert data["counts"] == {"saline": {"done": 0, "min": 3, "max": 6}, "abi": {"done": 0},
                              "fat_graft": {"done": 0}, "injection": {"done": 0, "last_365_days": 0}}
    assert data["next_due"]["status"] == "due"


def test_add_json_prints_the_case(capsys, db):
    code, out, _ = run(capsys, db, "case", "add", "--patient", "DEMO-002", "--pathway", "hip-injection",
                       "--onset", "2026-10-01", "--json")
    assert code == 0 and json.loads(out)["patient"] == "DEMO-002"


def test_log_json_prints_the_event_with_its_case(capsys, db, case_id):
    code, out, _ = run(capsys, db, "log", case_id[:4], "saline", "--volume-ml", "12.5", "--date", "2026-11-20",
                       "--json")
    event = json.loads(out)
    assert code == 0 and event["case"] == case_id
    assert (event["kind"], event["date"], event["volume_ml"]) == ("saline", "2026-11-20", 12.5)
    data = show(capsys, db, case_id)
    assert data["counts"]["saline"]["done"] == 1
    saline = next(i for i in data["items"] if i["id"] == "saline-session")
    assert (saline["opens"], saline["closes"]) == ("2026-11-27", "2026-12-04")


def test_item_snooze_done_reopen_round_trip(capsys, db, case_id):
    assert run(capsys, db, "item", case_id, "review-6m", "snooze", "--reason", "away", "--until",
               "2026-12-01")[0] == 0
    item = next(i for i in show(capsys, db, case_id)["items"] if i["id"] == "review-6m")
    assert (item["state"], item["status"], item["until"]) == ("snoozed", "snoozed", "2026-12-01")
    item = next(i for i in show(capsys, db, case_id, today="2026-12-01")["items"] if i["id"] == "review-6m")
    assert item["status"] != "snoozed"  # a snooze lapses on its until date
    # Months before its window (2027-03-01) a six-month review is done only when confirmed as early.
    assert run(capsys, db, "item", case_id, "review-6m", "done", "--date", "2026-11-20")[0] == 2
    assert run(capsys, db, "item", case_id, "review-6m", "done", "--date", "2026-11-20", "--early")[0] == 0
    item = next(i for i in show(capsys, db, case_id)["items"] if i["id"] == "review-6m")
    assert (item["state"], item["status"]) == ("done", "done")
    assert run(capsys, db, "item", case_id, "review-6m", "reopen")[0] == 0
    item = next(i for i in show(capsys, db, case_id)["items"] if i["id"] == "review-6m")
    assert item["state"] == "open" and item["status"] == "upcoming"


def test_skip_records_the_day_it_was_decided(capsys, db, case_id):
    assert run(capsys, db, "item", case_id, "review-6m", "skip", "--reason", "seen elsewhere", "--date",
               "2026-11-20")[0] == 0
    item = next(i for i in show(capsys, db, case_id)["items"] if i["id"] == "review-6m")
    assert (item["state"], item["resolved_on"], item["reason"]) == ("skipped", "2026-11-20", "seen elsewhere")


def test_etiology_and_inflammation_set_with_dates(capsys, db):
    _, out, _ = run(capsys, db, "case", "add", "--patient", "DEMO-003", "--pathway", "panniculitis-lipoatrophy",
                    "--onset", "2026-06-01")
    case = out.strip()
    assert run(capsys, db, "case", "set", case, "etiology", "idiopathic", "--date", "2026-11-01")[0] == 0
    data = show(capsys, db, case)
    assert data["etiology"] == "idiopathic"
    hcq = next(i for i in data["items"] if i["id"] == "hydroxychloroquine")
    assert (hcq["opens"], hcq["closes"], hcq["status"]) == ("2026-11-01", "2026-11-29", "due")
    assert "aat-untested" in [a["code"] for a in data["alerts"]]
    assert not any(i["id"] == "aat-augmentation" for i in data["items"])
    assert run(capsys, db, "case", "set", case, "inflammation", "resolved", "--date", "2026-11-10")[0] == 0
    check = next(i for i in show(capsys, db, case)["items"] if i["id"] == "recurrence-check")
    assert (check["opens"], check["closes"]) == ("2027-05-10", "2027-06-10")


def test_policy_change_applies_at_once(capsys, db, case_id):
    for day in ("2026-01-10", "2026-03-10", "2026-06-10"):
        assert run(capsys, db, "log", case_id, "injection", "--guidance", "image", "--date", day)[0] == 0
    assert "injection-frequency" not in [a["code"] for a in show(capsys, db, case_id)["alerts"]]
    assert run(capsys, db, "config", "set", "max_injections_per_year", "2")[0] == 0
    assert "injection-frequency" in [a["code"] for a in show(capsys, db, case_id)["alerts"]]
    code, out, _ = run(capsys, db, "config", "show", "--json")
    assert json.loads(out)["max_injections_per_year"] == 2


REJECTED = [
    ("log", "{case}", "saline", "--volume-ml", "0"),
    ("log", "{case}", "saline", "--volume-ml", "100.5"),
    ("log", "{case}", "saline"),
    ("log", "{case}", "saline", "--volume-ml", "5", "--date", "2026-02-30"),
    ("log", "{case}", "saline", "--volume-ml", "5", "--date", "21/11/2026"),
    ("log", "{case}", "saline", "--volume-ml", "5", "--date", "2026-11-22"),
    ("log", "{case}", "saline", "--volume-ml", "5", "--guidance", "image"),
    ("log", "{case}", "injection", "--guidance", "blind"),
    ("log", "{case}", "assessment", "--mrc", "6"),
    ("log", "{case}", "assessment", "--pain", "2.5"),
    ("log", "{case}", "assessment", "--size-mm", "-1"),
    ("log", "{case}", "assessment", "--improvement", "Complete"),
    ("log", "{case}", "biopsy"),
    ("log", "{case}", "note"),
    ("log", "{case}", "therapy-start"),
    ("log", "{case}", "bogus-kind"),
    ("log", "nope", "saline", "--volume-ml", "5"),
    ("log", "{short}", "saline", "--volume-ml", "5"),
    ("item", "{case}", "no-such-item", "done"),
    ("item", "{case}", "hydroxychloroquine", "done"),
    ("item", "{case}", "review-6m", "skip"),
    ("item", "{case}", "review-6m", "snooze", "--until", "2026-12-01"),
    ("item", "{case}", "review-6m", "snooze", "--reason", "away"),
    ("item", "{case}", "review-6m", "snooze", "--reason", "away", "--until", "2026-11-21"),
    ("item", "{case}", "review-6m", "done", "--date", "2027-01-01"),
    ("item", "{case}", "review-6m", "finish"),
    ("item", "{case}", "review-6m", "snooze", "--reason", "away", "--until", "2026-12-01", "--date", "2026-11-20"),
    ("item", "{case}", "review-6m", "skip", "--reason", "seen elsewhere", "--date", "2026-11-22"),
    ("item", "{case}", "review-6m", "reopen"),
    ("case", "set", "{case}", "status", "archived"),
    ("case", "set", "{case}", "etiology", "idiopathic"),
    ("case", "set", "{case}", "injection-date", "2026-10-01"),
    ("case", "set", "{case}", "onset", "2026-12-01"),
    ("case", "set", "{case}", "patient", " "),
    ("case", "set", "{case}", "colour", "red"),
    ("case", "add", "--patient", "DEMO-9", "--pathway", "knee", "--onset", "2026-01-01"),
    ("case", "add", "--patient", "DEMO-9", "--pathway", "hip-injection", "--onset", "2027-01-01"),
    ("case", "add", "--patient", "DEMO-9", "--pathway", "hip-injection"),
    ("case", "list", "--filter", "urgent"),
    ("case", "show", "zzzz"),
    ("event", "void", "{case}", "e99", "--reason", "typo"),
    ("event", "void", "{case}", "e1"),
    ("config", "set", "soon_days", "-1"),
    ("config", "set", "saline_min_ml", "25"),
    ("config", "set", "saline_min_sessions", "7"),
    ("config", "set", "colour", "1"),
    ("--today", "2026-13-01", "case", "list"),
    ("demo", "--cases", "0"),
    ("frobnicate",),
]


@pytest.mark.parametrize("argv", REJECTED, ids=lambda a: " ".join(a))
def test_rejected_commands_exit_2_with_one_line_and_change_nothing(capsys, db, case_id, argv):
    assert run(capsys, db, "log", case_id, "saline", "--volume-ml", "10", "--date", "2026-11-01")[0] == 0
    before = snapshot(db)
    args = [a.format(case=case_id, short=case_id[:3]) for a in argv]
    code, out, err = run(capsys, db, *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("rounds: ")
    assert "Traceback" not in err and "DEMO-001" not in err
    assert snapshot(db) == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["saline", "abi", "injection", "biopsy", "assessment", "note", "mri", "x"]),
       option=st.sampled_from(["--volume-ml", "--mrc", "--pain", "--size-mm", "--date", "--guidance", "--depth",
                               "--improvement", "--photo", "--note"]),
       value=st.text(min_size=0, max_size=12))
def test_no_input_gives_a_traceback(capsys, tmp_path_factory, kind, option, value):
    db = tmp_path_factory.mktemp("fuzz") / "db"
    case = main(["--db", str(db), "--today", TODAY, "case", "add", "--patient", "DEMO-5", "--pathway",
                 "steroid-atrophy", "--onset", "2026-01-01"])
    case_id = capsys.readouterr().out.strip()
    assert case == 0
    code = main(["--db", str(db), "--today", TODAY, "log", case_id, kind, option, value])
    _, err = capsys.readouterr()
    assert code in (0, 2)
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 1


def test_demo_shows_every_pathway_status_and_alert(capsys, db):
    assert run(capsys, db, "demo")[0] == 0
    code, out, _ = run(capsys, db, "case", "list", "--filter", "all", "--json")
    rows = json.loads(out)
    assert len(rows) == 12 and all(r["patient"].startswith("DEMO-") for r in rows)
    views = [show(capsys, db, r["id"]) for r in rows]
    assert {p for v in views for p in v["pathways"]} == {"steroid-atrophy", "panniculitis-lipoatrophy",
                                                         "hip-injection"}
    assert {v["status"] for v in views} == {"active", "resolved", "closed", "lost"}
    assert {i["status"] for v in views for i in v["items"]} == {
        "overdue", "due", "due-soon", "upcoming", "snoozed", "unscheduled", "done", "skipped", "missed"}
    codes = {(a["code"], a["severity"]) for v in views for a in v["alerts"]}
    expected = {"saline-volume-out-of-range", "saline-course-incomplete", "saline-course-exceeded",
                "saline-no-response", "waiting-too-long", "fat-graft-before-saline", "biopsy-not-deep",
                "aat-untested", "fat-graft-during-inflammation", "therapy-stopped-early",
                "injection-before-pt", "blind-injection", "injection-frequency", "tendon-damage",
                # issue 15
                "treatment-before-diagnosis", "muscle-weakness"}
    assert {c for c, _ in codes} == expected
    assert ("waiting-too-long", "warning") in codes and ("waiting-too-long", "critical") in codes


def test_list_is_most_urgent_first_and_filters(capsys, db):
    run(capsys, db, "demo")
    rows = json.loads(run(capsys, db, "case", "list", "--json")[1])
    order = ["overdue", "due", "due-soon", "upcoming", "snoozed", "unscheduled", "done", "skipped"]
    ranks = [order.index(r["urgency"]) for r in rows]
    assert ranks == sorted(ranks)
    assert all(r["status"] in ("active", "resolved") for r in rows)
    closed = json.loads(run(capsys, db, "case", "list", "--filter", "closed", "--json")[1])
    assert {r["status"] for r in closed} == {"closed", "lost"}
    overdue = json.loads(run(capsys, db, "case", "list", "--filter", "overdue", "--json")[1])
    assert overdue and all(r["urgency"] == "overdue" for r in overdue)
    soon = json.loads(run(capsys, db, "case", "list", "--filter", "soon", "--json")[1])
    assert {r["urgency"] for r in soon} <= {"overdue", "due", "due-soon"}
    found = json.loads(run(capsys, db, "case", "list", "--search", "demo-010", "--json")[1])
    assert [r["patient"] for r in found] == ["DEMO-010"]
    text = run(capsys, db, "case", "list")[1]
    assert "OVERDUE" in text and text.strip().endswith("(filter: active: active and resolved cases)")


def test_demo_is_never_mixed_into_a_real_database(capsys, db):
    # A clinic's own case (a synthetic label that is not a DEMO one).
    assert run(capsys, db, "case", "add", "--patient", "WARD-A-01", "--pathway", "hip-injection",
               "--onset", "2026-11-01")[0] == 0
    before = snapshot(db)
    code, _, err = run(capsys, db, "demo")
    assert code == 2 and "not demo cases" in err
    assert snapshot(db) == before
    code, out, _ = run(capsys, db, "demo", "--if-empty")
    assert code == 0 and snapshot(db) == before


def test_nothing_the_store_creates_is_readable_by_others(capsys, db):
    old = os.umask(0o022)
    try:
        run(capsys, db, "demo")
        run(capsys, db, "case", "list")
        run(capsys, db, "config", "set", "soon_days", "10")
    finally:
        os.umask(old)
    paths = [db, *db.rglob("*")]
    assert len(paths) > 12
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) & 0o007 == 0, path


def test_today_comes_from_the_environment(capsys, db, case_id, monkeypatch):
    monkeypatch.setenv("ROUNDS_TODAY", "2027-03-02")
    main(["--db", str(db), "case", "show", case_id, "--json"])
    data = json.loads(capsys.readouterr().out)
    assert next(i for i in data["items"] if i["id"] == "review-6m")["status"] == "due"


def test_damaged_case_file_is_one_line_exit_1_and_left_alone(capsys, db, case_id):
    path = next(db.joinpath("cases").rglob(f"{case_id}.json"))
    path.write_bytes(b'{"case": {"_default": ')
    code, _, err = run(capsys, db, "case", "show", case_id)
    assert code == 1 and str(path) in err and len(err.strip().splitlines()) == 1
    assert path.read_bytes() == b'{"case": {"_default": '
    code, _, err = run(capsys, db, "case", "list")
    assert code == 0 and "warning" in err


def test_console_script_runs_as_a_real_process(tmp_path):
    env = {**os.environ, "ROUNDS_DB": str(tmp_path / "db"), "ROUNDS_TODAY": TODAY}
    done = subprocess.run([sys.executable, "-m", "tui", "case", "add", "--patient", "DEMO-7", "--pathway",
                           "hip-injection", "--onset", "2026-11-01"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    bad = subprocess.run([sys.executable, "-m", "tui", "log", done.stdout.strip(), "injection"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "guidance" in bad.stderr


def test_refused_policy_change_on_a_new_database_creates_nothing(capsys, db):
    code, _, err = run(capsys, db, "config", "set", "soon_days", "999")
    assert code == 2 and "soon_days" in err
    assert not db.exists()


def test_world_readable_database_is_warned_about_with_the_fix(capsys, db, case_id):
    db.chmod(0o755)
    code, _, err = run(capsys, db, "case", "list")
    assert code == 0 and "chmod -R o-rwx" in err


def test_an_open_case_file_is_warned_about_by_the_list_that_reads_it(capsys, db, case_id):
    case_file = next((db / "cases").rglob(f"{case_id}.json"))
    case_file.chmod(0o644)
    code, _, err = run(capsys, db, "case", "list")
    assert code == 0 and "1 file(s) or folder(s)" in err and "chmod -R o-rwx" in err
    assert err.count("\n") == 1


def test_a_database_path_that_is_a_file_is_an_error_not_an_empty_ward(capsys, tmp_path):
    not_a_dir = tmp_path / "db"
    not_a_dir.write_text("not a database")
    for argv in (["case", "list"], ["case", "list", "--json"], ["case", "show", "abcd"]):
        code, out, err = run(capsys, not_a_dir, *argv)
        assert code == 2 and out == ""  # a mistyped --db is bad input and "is not a Rounds database directory" in err
        assert len(err.strip().splitlines()) == 1


def test_dates_far_outside_the_clinical_calendar_are_refused(capsys, db, case_id):
    before = snapshot(db)
    assert run(capsys, db, "case", "list", today="9999-12-30")[0] == 2
    assert run(capsys, db, "log", case_id, "note", "--note", "x", "--date", "1850-01-01")[0] == 2
    assert snapshot(db) == before


def test_inflammation_applies_only_to_panniculitis(capsys, db, case_id):
    code, _, err = run(capsys, db, "case", "set", case_id, "inflammation", "active")
    assert code == 2 and "panniculitis" in err


def test_text_show_names_each_items_source_and_the_elbow_caveat(capsys, db):
    _, out, _ = run(capsys, db, "case", "add", "--patient", "DEMO-802", "--pathway", "hip-injection",
                    "--onset", "2026-11-01")
    text = run(capsys, db, "case", "show", out.strip())[1]
    assert "source: seed-summary (seed-002, coombes2013)" in " ".join(text.split())  # lines wrap at 80
    assert "elbow" in text.split("Sources", 1)[1]
    assert "None" not in text and "etiology" not in text  # panniculitis facts only where they apply
