"""Dates recoverable from de-identified exports: a de-identified export holds nothing that depends on
the day it is made (no status, urgency, next due item, alerts of the day or as-of date), so the same
export made on two different days is identical, and its rows come in an order that says nothing.

The attack (issue 10): statuses were computed on real dates while the windows were shifted, so a
recipient who knew roughly when the file was made could narrow each case's secret shift (in a 300-case
export, 133 cases were bounded, 17 within 14 days).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timezone

import pytest

from store.export.runner import ExportOptions, default_filename, render_export
from tests.export.conftest import build_demo
from tests.security.conftest import run

FORMATS = ["md", "html", "json", "csv", "csv-events", "ics"]
# Far apart on purpose: every window of the demo cases changes status between them.
DAYS = [date(2026, 11, 21), date(2027, 6, 2), date(2031, 3, 3)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("deid") / "db")


def deid(demo, fmt: str, today: date) -> str:
    base, events = ("csv", True) if fmt == "csv-events" else (fmt, False)
    now = datetime.combine(today, datetime.min.time(), timezone.utc)
    text, _ = render_export(demo.repo, None, ExportOptions(base, deidentify=True, events=events),
                            catalogue=demo.catalogue, today=today, now=now)
    return text


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_export_on_different_days_is_identical(demo, fmt):
    first, *others = (deid(demo, fmt, day) for day in DAYS)
    for other in others:
        assert sorted(other.splitlines()) == sorted(first.splitlines())  # identical, order aside ...
        assert other == first  # ... and in the same order too: the order is not the day's urgency


def test_no_day_dependent_field_in_the_json(demo):
    data = json.loads(deid(demo, "json", DAYS[0]))
    assert "today" not in data and "generated_at" not in data
    for case in data["cases"]:
        for key in ("today", "urgency", "next_due"):
            assert key not in case, key
        assert all("status" not in item for item in case["items"])
        assert all("last_365_days" not in counts for counts in case["counts"].values())
        assert {item["state"] for item in case["items"]} <= {"open", "done", "skipped", "snoozed"}


def test_no_day_dependent_column_in_the_csv(demo):
    header = next(csv.reader(io.StringIO(deid(demo, "csv", DAYS[0]))))
    for column in ("urgency", "next_due_item", "next_due_status", "injections_last_365_days", "as_of"):
        assert column not in header


def test_no_status_word_in_the_summaries(demo):
    for fmt in ("md", "html"):
        text = deid(demo, fmt, DAYS[0])
        for word in ("OVERDUE", "DUE", "due soon", "upcoming", "As of", "in the last 365 days"):
            assert word not in text, (fmt, word)


def test_rows_come_in_the_order_of_their_pseudonyms(demo):
    cases = json.loads(deid(demo, "json", DAYS[0]))["cases"]
    assert [c["id"] for c in cases] == sorted(c["id"] for c in cases)
    rows = list(csv.DictReader(io.StringIO(deid(demo, "csv", DAYS[0]))))
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)


def test_the_proposed_file_name_has_no_date_either():
    name = default_filename(None, ExportOptions("csv", deidentify=True), DAYS[0])
    assert DAYS[0].isoformat() not in name and "2026" not in name


def test_the_command_line_gives_the_same_bytes_on_two_days(capsys, demo):
    outputs = []
    for day in ("2026-11-21", "2029-01-01"):
        code, out, err = run(capsys, demo.db_dir, "export", "--all", "--format", "json", "--deidentify",
                             today=day)
        assert code == 0, err
        outputs.append(out)
    assert outputs[0] == outputs[1]
