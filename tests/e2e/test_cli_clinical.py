"""The command line of issue 8 (cli.md "Next additions"): `rounds alert CASE CODE ack --note` /
`unack`, a saline course that is not ticked off by hand, `--early` for reviews, and the 13-months-late
case as `case add`, `case show --json` and `case list --json` print it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_cli import case_id, db, run, show  # noqa: F401 - the same fixtures


def case_file(db: Path, case_id: str) -> bytes:
    return (db / "cases" / case_id[:2] / f"{case_id}.json").read_bytes()


def audit(db: Path, case_id: str) -> list:
    from store.protocol import shipped_protocol
    from store.repository import Repository

    return Repository(db, shipped_protocol()).audit_trail(case_id)


@pytest.fixture()
def hip_case(capsys, db) -> str:
    code, out, err = run(capsys, db, "case", "add", "--patient", "DEMO-010", "--pathway", "hip-injection",
                         "--onset", "2026-09-01")
    assert code == 0, err
    case_id = out.strip()
    assert run(capsys, db, "log", case_id, "injection", "--date", "2026-10-01", "--guidance", "landmark",
               "--drug", "triamcinolone")[0] == 0
    return case_id


def list_row(capsys, db: Path, case_id: str) -> dict:
    code, out, err = run(capsys, db, "case", "list", "--json")
    assert code == 0, err
    return next(r for r in json.loads(out) if r["id"] == case_id)


def test_ack_keeps_the_alert_listed_with_who_and_when_and_takes_it_off_the_list_counts(capsys, db, hip_case):
    assert list_row(capsys, db, hip_case)["alert_codes"] == ["injection-before-pt", "blind-injection"]
    code, out, err = run(capsys, db, "alert", hip_case, "blind-injection", "ack", "--note",
                         "image guidance booked from now on")
    assert code == 0, err and "acknowledged" in out
    assert list_row(capsys, db, hip_case)["alert_codes"] == ["injection-before-pt"]
    alert = next(a for a in show(capsys, db, hip_case)["alerts"] if a["code"] == "blind-injection")
    assert alert["acknowledged"]["on"] == "2026-11-21" and alert["acknowledged"]["by"]
    assert alert["acknowledged"]["note"] == "image guidance booked from now on"
    other = next(a for a in show(capsys, db, hip_case)["alerts"] if a["code"] == "injection-before-pt")
    assert other["acknowledged"] is None
    entry = audit(db, hip_case)[-1]
    assert (entry.action, entry.target, entry.reason) == ("alert-ack", "blind-injection",
                                                          "image guidance booked from now on")
    text = run(capsys, db, "case", "show", hip_case)[1]
    assert "(acknowledged) blind-injection" in text and "acknowledged by" in text


def test_unack_reverses_it_and_is_audited_too(capsys, db, hip_case):
    run(capsys, db, "alert", hip_case, "blind-injection", "ack", "--note", "noted")
    code, out, err = run(capsys, db, "alert", hip_case, "blind-injection", "unack")
    assert code == 0, err and "counts again" in out
    assert "blind-injection" in list_row(capsys, db, hip_case)["alert_codes"]
    assert [e.action for e in audit(db, hip_case)[-2:]] == ["alert-ack", "alert-unack"]


def test_a_new_occurrence_raises_an_acknowledged_alert_again(capsys, db, hip_case):
    run(capsys, db, "alert", hip_case, "blind-injection", "ack", "--note", "noted")
    run(capsys, db, "log", hip_case, "injection", "--date", "2026-11-20", "--guidance", "landmark")
    assert "blind-injection" in list_row(capsys, db, hip_case)["alert_codes"]
    alert = next(a for a in show(capsys, db, hip_case)["alerts"] if a["code"] == "blind-injection")
    assert alert["acknowledged"] is None


@pytest.mark.parametrize(("args", "says"), [
    (("waiting-too-long", "ack", "--note", "x"), "not raised"),
    (("blind-injection", "ack"), "note is required"),
    (("blind-injection", "unack"), "is not acknowledged"),
    (("blind-injection", "unack", "--note", "x"), "--note applies only to ack"),
    (("blind-injection", "ack", "--note", "   "), "note must not be empty"),
])
def test_bad_alert_commands_are_one_line_exit_2_and_change_nothing(capsys, db, hip_case, args, says):
    before = case_file(db, hip_case)
    code, out, err = run(capsys, db, "alert", hip_case, *args)
    assert code == 2 and says in err and err.count("\n") == 1 and out == ""
    assert case_file(db, hip_case) == before


def test_an_alert_about_the_case_as_it_stands_cannot_be_acknowledged(capsys, db):
    code, out, _ = run(capsys, db, "case", "add", "--patient", "DEMO-011", "--pathway", "steroid-atrophy",
                       "--onset", "2026-01-10", today="2026-02-02")
    case_id = out.strip()
    code, _, err = run(capsys, db, "alert", case_id, "waiting-too-long", "ack", "--note", "x")
    assert code == 2 and "not a past fact" in err


def test_saline_session_done_is_refused_with_how_to_log_a_session_and_end_the_course(capsys, db, case_id):
    before = case_file(db, case_id)
    code, out, err = run(capsys, db, "item", case_id, "saline-session", "done")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"rounds log {case_id} saline --volume-ml N" in err
    assert f"rounds item {case_id} saline-session skip --reason TEXT" in err
    assert case_file(db, case_id) == before
    # Skipping with a reason is how a course ends early.
    assert run(capsys, db, "item", case_id, "saline-session", "skip", "--reason", "declined")[0] == 0


def test_a_review_done_before_its_window_needs_early_and_the_date_is_kept(capsys, db, case_id):
    before = case_file(db, case_id)
    code, _, err = run(capsys, db, "item", case_id, "review-12m", "done")
    assert code == 2 and "confirm it as done early" in err and "--early" in err
    assert case_file(db, case_id) == before
    assert run(capsys, db, "item", case_id, "review-12m", "done", "--early")[0] == 0
    item = next(i for i in show(capsys, db, case_id)["items"] if i["id"] == "review-12m")
    assert (item["status"], item["resolved_on"], item["early"]) == ("done", "2026-11-21", True)
    assert "done 2026-11-21 (early, confirmed)" in run(capsys, db, "case", "show", case_id)[1]
    code, _, err = run(capsys, db, "item", case_id, "review-6m", "skip", "--reason", "x", "--early")
    assert code == 2 and "early applies only to done" in err


def test_an_assessment_in_the_window_does_a_review_from_the_command_line(capsys, db):
    code, out, _ = run(capsys, db, "case", "add", "--patient", "DEMO-012", "--pathway", "steroid-atrophy",
                       "--onset", "2026-05-20", today="2026-06-01")
    case_id = out.strip()
    assert run(capsys, db, "log", case_id, "assessment", "--improvement", "none", "--size-mm", "20")[0] == 0
    item = next(i for i in show(capsys, db, case_id)["items"] if i["id"] == "review-6m")
    assert (item["status"], item["resolved_on"]) == ("done", "2026-11-21")


def test_the_13_months_late_case_from_the_issue(capsys, db):
    code, out, err = run(capsys, db, "case", "add", "--patient", "DEMO-1", "--pathway", "steroid-atrophy",
                         "--onset", "2025-10-26", today="2026-11-25")
    assert code == 0, err
    case_id = out.strip()
    data = show(capsys, db, case_id, today="2026-11-25")
    statuses = {i["id"]: i["status"] for i in data["items"]}
    assert statuses["review-6m"] == "missed" and "overdue" not in statuses.values()
    assert statuses["fat-graft-referral"] == "unscheduled"
    row = json.loads(run(capsys, db, "case", "list", "--json", today="2026-11-25")[1])[0]
    assert (row["urgency"], row["next_due"]["item"], row["alert_codes"]) == ("due", "review-12m",
                                                                            ["waiting-too-long"])
    assert run(capsys, db, "case", "list", "--filter", "overdue", "--json", today="2026-11-25")[1].strip() == "[]"
    text = run(capsys, db, "case", "show", case_id, today="2026-11-25")[1]
    assert "before enrolment" in text and "⊘ missed" in text and "OVERDUE" not in text


def test_tendon_and_joint_are_recorded_with_an_assessment(capsys, db, hip_case):
    assert run(capsys, db, "log", hip_case, "assessment", "--mrc", "4", "--tendon", "rupture", "--joint",
               "worse")[0] == 0
    data = show(capsys, db, hip_case)
    assert any(a["code"] == "tendon-damage" and a["severity"] == "critical" for a in data["alerts"])
    code, _, err = run(capsys, db, "log", hip_case, "assessment", "--tendon", "torn")
    assert code == 2 and "tendon must be one of none, pain, worse, rupture" in err


def test_a_dose_change_is_its_own_event(capsys, db):
    code, out, _ = run(capsys, db, "case", "add", "--patient", "DEMO-013", "--pathway", "panniculitis-lipoatrophy",
                       "--onset", "2026-05-01")
    case_id = out.strip()
    code, _, err = run(capsys, db, "log", case_id, "therapy-dose", "--drug", "MTX")
    assert code == 2 and "a therapy-dose event needs dose" in err
    assert run(capsys, db, "log", case_id, "therapy-dose", "--drug", "MTX", "--dose", "15 mg weekly")[0] == 0
    events = show(capsys, db, case_id)["events"]
    assert [(e["kind"], e["drug"], e["dose"]) for e in events] == [("therapy-dose", "MTX", "15 mg weekly")]
    assert "therapy-dose  MTX 15 mg weekly" in run(capsys, db, "case", "show", case_id)[1]
