"""Every export of the patient first seen 13 months late (issue 8): the six-month review stands apart
as missed before enrolment, never overdue; nothing says OVERDUE. And an acknowledged alert is listed
with who and when, apart from the alerts that still count; a JSON export brings it back on import."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from icalendar import Calendar

from checklists import actions
from store.export.importer import import_cases, parse_export
from store.export.runner import ExportOptions, render_export
from store.protocol import shipped_protocol
from store.repository import Repository

ENROLLED = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def late(tmp_path: Path) -> tuple[Repository, str, str]:
    """The 13-months-late atrophy case, and a hip case whose landmark injection was acknowledged."""
    repo = Repository(tmp_path / "db", shipped_protocol(), now=lambda: NOW)
    case, changes = actions.new_case(case_id="a13m000001", patient="DEMO-1", pathways=["steroid-atrophy"],
                                     onset="2025-10-26", enrolment=ENROLLED, catalogue=repo.catalogue)
    repo.add_case(case, changes)
    hip, changes = actions.new_case(case_id="b0ack00002", patient="DEMO-2", pathways=["hip-injection"],
                                    onset="2026-09-01", enrolment=date(2026, 9, 2), catalogue=repo.catalogue)
    hip, more = actions.log_event(hip, "injection", {"date": "2026-10-01", "guidance": "landmark"}, today=ENROLLED)
    hip, ack = actions.acknowledge_alert(hip, "blind-injection", "image guidance from now on", today=ENROLLED,
                                         by="dr-demo", catalogue=repo.catalogue)
    repo.add_case(hip, changes + more + ack)
    return repo, case.id, hip.id


def export(repo: Repository, ids: list[str], fmt: str, **options) -> str:
    text, _ = render_export(repo, ids, ExportOptions(fmt, **options), catalogue=repo.catalogue, today=ENROLLED,
                            now=NOW)
    return text


def test_markdown_shows_the_missed_review_apart_and_nothing_overdue(late):
    repo, case_id, _ = late
    text = export(repo, [case_id], "md")
    checklist, before = text.split("### Before enrolment")
    assert "OVERDUE" not in text
    assert "Six-month review" not in checklist.split("## Checklist")[1]
    assert "whole window closed before the case was enrolled" in before
    assert "Six-month review" in before.split("## Alerts")[0]
    assert "waits for the saline course" in checklist


def test_html_shows_the_missed_review_apart_and_nothing_overdue(late):
    repo, case_id, _ = late
    text = export(repo, [case_id], "html")
    assert "OVERDUE" not in text
    head, before = text.split("<h3>Before enrolment</h3>")
    assert "whole window closed before the case was enrolled" in before
    assert "Six-month review" in before.split("<h2>Alerts</h2>")[0]
    assert "Six-month review" not in head


def test_csv_row_is_due_next_the_twelve_month_review_and_names_the_missed_item(late):
    repo, case_id, _ = late
    row = next(csv.DictReader(io.StringIO(export(repo, [case_id], "csv"))))
    assert (row["urgency"], row["next_due_item"], row["next_due_status"]) == ("due", "review-12m", "due")
    assert row["missed_items"] == "review-6m" and row["alert_codes"] == "waiting-too-long"


def test_json_carries_missed_with_the_case_show_shape(late):
    repo, case_id, _ = late
    data = json.loads(export(repo, [case_id], "json"))["cases"][0]
    statuses = {i["id"]: i["status"] for i in data["items"]}
    assert statuses["review-6m"] == "missed" and "overdue" not in statuses.values()
    assert data["urgency"] == "due" and data["next_due"]["item"] == "review-12m"


def test_ics_has_no_entry_for_the_missed_review(late):
    repo, case_id, _ = late
    events = Calendar.from_ical(export(repo, [case_id], "ics")).walk("VEVENT")
    uids = {str(e["uid"]) for e in events}
    assert f"{case_id}-review-12m@rounds" in uids and f"{case_id}-review-6m@rounds" not in uids
    assert all("overdue" not in str(e["description"]) for e in events)


def test_an_acknowledged_alert_is_listed_with_who_and_when_apart_from_the_counting_ones(late):
    repo, _, hip_id = late
    md = export(repo, [hip_id], "md")
    counting, _, apart = md.partition("### Acknowledged alerts")
    assert "Landmark (blind) injection" in apart and "Acknowledged by dr-demo on 2026-11-25" in apart
    assert "Landmark (blind) injection" not in counting.split("## Alerts")[1]
    html = export(repo, [hip_id], "html")
    counting, _, apart = html.partition("<h3>Acknowledged alerts</h3>")
    assert "Landmark (blind) injection" in apart and "Acknowledged by dr-demo on 2026-11-25" in apart
    row = next(csv.DictReader(io.StringIO(export(repo, [hip_id], "csv"))))
    assert row["alert_codes"] == "injection-before-pt" and row["acknowledged_alert_codes"] == "blind-injection"
    alert = next(a for a in json.loads(export(repo, [hip_id], "json"))["cases"][0]["alerts"]
                 if a["code"] == "blind-injection")
    assert {k: alert["acknowledged"][k] for k in ("by", "on", "note")} == {
        "by": "dr-demo", "on": "2026-11-25", "note": "image guidance from now on"}


def test_a_de_identified_export_keeps_the_fact_of_an_acknowledgement_not_who_or_why(late):
    repo, _, hip_id = late
    for fmt in ("md", "html", "json"):
        text = export(repo, [hip_id], fmt, deidentify=True)
        assert "dr-demo" not in text and "image guidance from now on" not in text, fmt
    alert = next(a for a in json.loads(export(repo, [hip_id], "json", deidentify=True))["cases"][0]["alerts"]
                 if a["code"] == "blind-injection")
    assert alert["acknowledged"]["by"] == "" and alert["acknowledged"]["on"] != "2026-11-25"


def test_the_json_export_brings_acknowledgements_and_early_marks_back_on_import(late, tmp_path):
    repo, case_id, hip_id = late
    repo.update(case_id, lambda c: actions.resolve_item(c, "review-12m", "done", today=ENROLLED,
                                                        catalogue=repo.catalogue))
    plan = parse_export(export(repo, [case_id, hip_id], "json"), repo.catalogue)
    other = Repository(tmp_path / "other", repo.catalogue, now=lambda: NOW)
    import_cases(other, plan)
    assert other.get(hip_id).acks == repo.get(hip_id).acks
    assert other.get(case_id).items == repo.get(case_id).items


def test_an_import_with_a_malformed_acknowledgement_is_refused_whole(late):
    from store.export.importer import ImportFileError

    repo, _, hip_id = late
    data = json.loads(export(repo, [hip_id], "json"))
    data["cases"][0]["alert_acks"]["blind-injection"]["covers"] = "e1"
    with pytest.raises(ImportFileError, match="acknowledgement of blind-injection"):
        parse_export(json.dumps(data), repo.catalogue)
    data["cases"][0]["alert_acks"] = {"no-such-alert": {"by": "x", "on": "2026-11-25", "note": "n"}}
    with pytest.raises(ImportFileError, match="not an alert of this case's pathways"):
        parse_export(json.dumps(data), repo.catalogue)
