"""The timelines of issue 15 run from the command line, each on its own day with `--today`, as a
clinician would enter them: what `case show` (text and --json) says afterwards. The engine-level
versions are in tests/checklists/test_what_the_clinical_audit_found.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_cli import run


@pytest.fixture()
def db(tmp_path) -> Path:
    return tmp_path / "db"


def ok(capsys, db: Path, *args: str, today: str) -> str:
    code, out, err = run(capsys, db, *args, today=today)
    assert code == 0, err
    return out


def add(capsys, db: Path, pathway: str, onset: str, today: str) -> str:
    return ok(capsys, db, "case", "add", "--patient", "DEMO-015", "--pathway", pathway, "--onset", onset,
              today=today).strip()


def shown(capsys, db: Path, case: str, today: str) -> dict:
    return json.loads(ok(capsys, db, "case", "show", case, "--json", today=today))


def item(data: dict, item_id: str) -> dict:
    return next(i for i in data["items"] if i["id"] == item_id)


def codes(data: dict) -> dict[str, str]:
    return {a["code"]: a["severity"] for a in data["alerts"]}


def test_relapse_after_a_graft_in_remission_shows_no_critical_and_restarts_recurrence_checks(capsys, db):
    case = add(capsys, db, "panniculitis-lipoatrophy", "2025-12-01", "2026-01-10")
    ok(capsys, db, "case", "set", case, "inflammation", "active", today="2026-01-10")
    ok(capsys, db, "case", "set", case, "inflammation", "resolved", today="2026-06-01")
    ok(capsys, db, "log", case, "fat-graft", today="2026-08-01")
    ok(capsys, db, "case", "set", case, "inflammation", "active", today="2026-10-01")
    assert "fat-graft-during-inflammation" not in codes(shown(capsys, db, case, "2026-10-01"))
    ok(capsys, db, "case", "set", case, "inflammation", "resolved", today="2027-01-01")
    data = shown(capsys, db, case, "2027-01-02")
    assert "fat-graft-during-inflammation" not in codes(data)
    assert [c["state"] for c in data["inflammation_history"]] == ["active", "resolved", "active", "resolved"]
    check = item(data, "recurrence-check")
    assert (check["opens"], check["closes"]) == ("2027-07-01", "2027-08-01")
    text = " ".join(ok(capsys, db, "case", "show", case, today="2027-01-02").split())  # lines wrap at 80
    assert "active 2026-10-01 (relapse)" in text and "relapse 2026-10-01, settled 2027-01-01" in text
    # A change dated before the last one is bad input: one line, exit 2, nothing written.
    code, _, err = run(capsys, db, "case", "set", case, "inflammation", "active", "--date", "2026-12-01",
                       today="2027-01-05")
    assert code == 2 and "must be dated after it" in err and len(err.strip().splitlines()) == 1


def test_recurrence_checks_go_on_past_eight_years_until_monitoring_is_ended_with_a_reason(capsys, db):
    case = add(capsys, db, "panniculitis-lipoatrophy", "2018-01-01", "2018-01-01")
    ok(capsys, db, "case", "set", case, "inflammation", "resolved", today="2025-01-01")
    for day in ("2025-07-10", "2026-01-10"):
        out = ok(capsys, db, "item", case, "recurrence-check", "done", today=day)
        assert "check recorded; next check" in out
    check = item(shown(capsys, db, case, "2026-01-11"), "recurrence-check")
    assert (check["status"], check["opens"]) == ("upcoming", "2026-07-10")
    code, _, err = run(capsys, db, "item", case, "recurrence-check", "skip", today="2030-01-01")
    assert code == 2 and "reason" in err
    out = ok(capsys, db, "item", case, "recurrence-check", "skip", "--reason", "quiet five years", today="2030-01-01")
    assert "recurrence monitoring ended" in out
    assert item(shown(capsys, db, case, "2030-06-01"), "recurrence-check")["status"] == "skipped"


def test_cyclophosphamide_waits_for_severe_vasculitis_set_on_the_command_line(capsys, db):
    case = add(capsys, db, "panniculitis-lipoatrophy", "2026-01-05", "2026-01-12")
    ok(capsys, db, "case", "set", case, "etiology", "vasculitis", today="2026-01-20")
    cyc = item(shown(capsys, db, case, "2026-01-20"), "cyclophosphamide-glucocorticoids")
    assert (cyc["status"], cyc["waits"]) == ("unscheduled", "waits for the vasculitis to be recorded as severe")
    code, _, err = run(capsys, db, "case", "set", case, "severity", "very", today="2026-01-21")
    assert code == 2 and "severity must be one of unknown, non-severe, severe" in err
    ok(capsys, db, "case", "set", case, "severity", "severe", "--date", "2026-02-01", today="2026-02-03")
    data = shown(capsys, db, case, "2026-02-03")
    cyc = item(data, "cyclophosphamide-glucocorticoids")
    assert (cyc["status"], cyc["opens"], cyc["closes"]) == ("due", "2026-02-01", "2026-02-15")
    assert (data["severity"], data["severity_date"]) == ("severe", "2026-02-01")
    assert "severity   severe (set 2026-02-01)" in ok(capsys, db, "case", "show", case, today="2026-02-03")


def test_three_monthly_hip_injections_get_a_check_after_each_and_a_12_month_check_and_weakness_alerts(capsys, db):
    case = add(capsys, db, "hip-injection", "2025-11-01", "2026-01-05")
    ok(capsys, db, "log", case, "pt-start", today="2026-01-05")
    for day in ("2026-01-10", "2026-04-10", "2026-07-10", "2026-10-10", "2027-01-10"):
        ok(capsys, db, "log", case, "injection", "--guidance", "image", "--drug", "triamcinolone", today=day)
        if day == "2026-04-10":
            ok(capsys, db, "log", case, "assessment", "--date", "2026-03-20", "--mrc", "5", "--site", "hip abductors",
               today=day)
        if day == "2026-07-10":
            ok(capsys, db, "log", case, "assessment", "--date", "2026-06-15", "--mrc", "3", "--site", "hip abductors",
               today=day)
    data = shown(capsys, db, case, "2027-01-12")
    early = item(data, "atrophy-check-early")
    assert (early["status"], early["opens"]) == ("overdue", "2026-09-10")  # the July injection's check
    assert early["detail"].startswith("check 3 of 5, after the injection of 2026-07-10")
    year = item(data, "atrophy-check-12m")
    assert (year["status"], year["opens"], year["closes"]) == ("due", "2027-01-10", "2027-02-10")
    assert codes(data)["muscle-weakness"] == "warning"
    weak = next(a for a in data["alerts"] if a["code"] == "muscle-weakness")
    assert "MRC 3/5, down from 5/5, hip abductors" in weak["message"]
    ok(capsys, db, "config", "set", "injection_run_gap_months", "2", today="2027-01-12")
    year = item(shown(capsys, db, case, "2027-01-12"), "atrophy-check-12m")
    assert year["detail"].startswith("check 1 of 5")  # every injection now starts its own run


def test_switching_maintenance_drugs_is_not_stopping_but_stopping_them_all_early_warns(capsys, db):
    case = add(capsys, db, "panniculitis-lipoatrophy", "2026-01-05", "2026-01-12")
    ok(capsys, db, "log", case, "biopsy", "--depth", "deep-excisional", today="2026-01-13")
    ok(capsys, db, "log", case, "workup", today="2026-01-14")
    ok(capsys, db, "log", case, "aat-test", today="2026-01-14")
    ok(capsys, db, "case", "set", case, "etiology", "idiopathic", today="2026-01-20")
    ok(capsys, db, "log", case, "therapy-start", "--drug", "HCQ", "--dose", "400 mg", today="2026-02-01")
    ok(capsys, db, "log", case, "therapy-stop", "--drug", "hydroxychloroquine", today="2026-08-01")
    ok(capsys, db, "log", case, "therapy-start", "--drug", "MTX", "--dose", "10 mg weekly", today="2026-08-01")
    assert "therapy-stopped-early" not in codes(shown(capsys, db, case, "2026-08-02"))
    ok(capsys, db, "log", case, "therapy-stop", "--drug", "methotrexate", today="2026-11-01")
    data = shown(capsys, db, case, "2026-11-01")
    alert = next(a for a in data["alerts"] if a["code"] == "therapy-stopped-early")
    assert "9 months after it began on 2026-02-01" in alert["message"] and alert["past_fact"]


def test_treatment_before_the_biopsy_and_work_up_raises_a_guard_that_can_be_acknowledged(capsys, db):
    case = add(capsys, db, "panniculitis-lipoatrophy", "2026-01-05", "2026-01-12")
    ok(capsys, db, "log", case, "therapy-start", "--drug", "prednisone 40 mg", today="2026-01-15")
    data = shown(capsys, db, case, "2026-01-15")
    assert codes(data)["treatment-before-diagnosis"] == "warning"
    ok(capsys, db, "log", case, "biopsy", "--depth", "deep-excisional", today="2026-01-20")
    ok(capsys, db, "log", case, "workup", today="2026-01-21")
    ok(capsys, db, "alert", case, "treatment-before-diagnosis", "ack", "--note", "flare could not wait",
       today="2026-01-22")
    rows = json.loads(ok(capsys, db, "case", "list", "--json", today="2026-01-22"))
    assert "treatment-before-diagnosis" not in next(r for r in rows if r["id"] == case)["alert_codes"]


def test_a_case_file_written_before_the_history_reads_as_one_change(capsys, db):
    case = add(capsys, db, "panniculitis-lipoatrophy", "2025-12-01", "2026-01-10")
    ok(capsys, db, "case", "set", case, "inflammation", "resolved", "--date", "2026-03-01", today="2026-03-02")
    path = next(db.joinpath("cases").rglob(f"{case}.json"))
    doc = json.loads(path.read_text())
    doc["case"]["1"].pop("inflammation_history")  # as a file from before issue 15
    path.write_text(json.dumps(doc))
    data = shown(capsys, db, case, "2026-03-02")
    assert data["inflammation_history"] == [{"state": "resolved", "date": "2026-03-01"}]
    ok(capsys, db, "case", "set", case, "inflammation", "active", today="2026-05-01")
    data = shown(capsys, db, case, "2026-05-01")
    assert [c["date"] for c in data["inflammation_history"]] == ["2026-03-01", "2026-05-01"]


def test_undo_takes_back_a_change_of_inflammation_whole(capsys, db):
    case = add(capsys, db, "panniculitis-lipoatrophy", "2025-12-01", "2026-01-10")
    ok(capsys, db, "case", "set", case, "inflammation", "resolved", today="2026-03-01")
    ok(capsys, db, "case", "set", case, "inflammation", "active", today="2026-05-01")
    ok(capsys, db, "undo", case, today="2026-05-02")
    data = shown(capsys, db, case, "2026-05-02")
    assert (data["inflammation"], data["inflammation_date"]) == ("resolved", "2026-03-01")
    assert data["inflammation_history"] == [{"state": "resolved", "date": "2026-03-01"}]
