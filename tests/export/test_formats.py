"""Every format parses back with a standard reader and says what a clinician needs."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from icalendar import Calendar

from checklists.engine import evaluate
from store.export.csv_table import CASE_COLUMNS, EVENT_COLUMNS
from store.export.json_data import SCHEMA_VERSION
from store.export.sheet import DISCLAIMER
from tests.export.conftest import HOSTILE_LABEL, TODAY, render


def views(demo):
    policy = demo.repo.policy()
    return {c.id: evaluate(c, demo.catalogue, policy, TODAY) for c in demo.cases()}


# --- Markdown -----------------------------------------------------------------------------------


def test_markdown_is_a_clinical_summary_per_case(demo):
    text = render(demo, "md")
    pages = text.split("\n\n---\n\n")
    assert len(pages) == len(demo.ids)
    first = render(demo, "md", [demo.ids[0]])
    assert first.startswith(f"# DEMO-001 · case {demo.ids[0]}")
    assert first in text + "\n"
    for heading in ("## Course so far", "## Checklist", "## Alerts", "## Sources"):
        assert heading in first
    # Counts against the protocol, sessions with dates and volumes, a voided one struck out.
    assert "saline 2 of 3-6" in first
    assert "| 2026-09-27 | Saline infiltration | 10 mL |" in first
    assert "~~2026-10-05~~" in first and "VOID (VOID-REASON-ONE wrong patient)" in first
    # Checklist with windows, a status word (not a colour), the source named as a reader cites it.
    assert ("| **OVERDUE** | Saline infiltration session | 2026-10-11 to 2026-10-18 | saline 2 of 3-6 "
            "| Shumaker et al. 2005 |") in first
    assert "Saline course stopped short" in first and "What to do: Fewer sessions than the minimum" in first
    # Sources in full, with how strong they are; the disclaimer and who/when.
    assert "- Shumaker PR et al. Treatment of local" in first and "Verified citation." in first
    assert "- Clinic protocol summary, not yet checked against the literature: AI-generated summary" in first
    assert "pending human review" in first
    assert "2026-11-21 09:30 UTC" in first
    assert all(DISCLAIMER.split(":")[0] in page for page in pages)


def test_markdown_escapes_patient_text(demo):
    page = render(demo, "md", [demo.ids[4]])
    assert "<script>" not in page
    assert "\\<script\\>" in page and "\\*bold\\*" in page
    note_page = render(demo, "md", [demo.ids[3]])
    # Line breaks and table pipes inside free text cannot break the table.
    assert "NOTE-FOUR line one line two \\| pipe" in note_page
    assert not re.search(r"(?<!\\)<(tag|img)", note_page) and "\\<img src=x" in note_page


# --- HTML -----------------------------------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data
        else:
            self.text.append(data)


def test_html_is_self_contained_printable_and_escaped(demo):
    page = _Collector()
    page.feed(render(demo, "html"))
    tags = {t for t, _ in page.tags}
    assert tags.isdisjoint({"script", "link", "img", "iframe", "object", "embed", "b"})
    for _, attrs in page.tags:
        for name, value in attrs.items():
            assert not (name in ("src", "href") and value), "nothing is fetched"
    assert "@page" in page.style and "break-before: page" in page.style and "@media print" in page.style
    assert len([t for t, a in page.tags if t == "section"]) == len(demo.ids)
    text = "".join(page.text)
    # The hostile label reads back as the literal text it is, with its markup inert.
    assert HOSTILE_LABEL in text
    assert "DEMO-004 <b>bold</b>" in text
    assert "saline 2 of 3-6" in text and "OVERDUE" in text and DISCLAIMER in text


def test_html_has_a_content_security_policy_forbidding_fetches(demo):
    head = render(demo, "html", demo.ids[:1]).split("</head>")[0]
    assert "Content-Security-Policy" in head and "default-src 'none'" in head


# --- JSON -----------------------------------------------------------------------------------------


def test_json_has_the_case_show_shape_and_a_schema_version(demo):
    from checklists.serialize import case_json
    from checklists.signoff import with_reviews
    from store.signoff import load_signoff

    data = json.loads(render(demo, "json"))
    assert data["format"] == "rounds-export" and data["schema_version"] == SCHEMA_VERSION
    assert data["deidentified"] is False and data["case_count"] == len(demo.ids)
    assert data["generated_at"] == "2026-11-21T09:30:00.000Z"
    computed = views(demo)
    signoff = load_signoff(demo.repo, demo.catalogue)  # `case show --json` carries each rule's review
    for case in data["cases"]:
        shown = with_reviews(case_json(computed[case["id"]]), signoff)
        for key, value in shown.items():
            if key != "events":
                assert case[key] == value, key
        # Events: every case-show key, plus what restoring needs.
        assert [{k: e[k] for k in s} for e, s in zip(case["events"], shown["events"])] == shown["events"]
        assert all("seq" in e and "recorded_at" in e for e in case["events"])
        assert isinstance(case["item_records"], dict) and case["audit"]


def test_json_keeps_voided_events_reopen_markers_and_checks(demo):
    data = {c["id"]: c for c in json.loads(render(demo, "json"))["cases"]}
    one, two = data[demo.ids[0]], data[demo.ids[1]]
    voided = [e for e in one["events"] if e["voided"]]
    assert voided == [{**voided[0], "void_reason": "VOID-REASON-ONE wrong patient", "seq": 4}]
    assert one["item_records"]["review-12m"]["reason"] == "SNOOZE-REASON-ONE"
    assert two["item_records"]["recurrence-check"]["checks"] == [(TODAY - timedelta(days=130)).isoformat()]
    assert two["item_records"]["thyroid-autoimmune-screen"]["state"] == "open"
    assert "reopened_after_seq" in two["item_records"]["thyroid-autoimmune-screen"]
    assert two["etiology_date"] and two["inflammation_date"]
    assert [a["action"] for a in two["audit"]][0] == "case-add"


# --- CSV ------------------------------------------------------------------------------------------


def test_csv_one_row_per_case(demo):
    rows = list(csv.DictReader(io.StringIO(render(demo, "csv"), newline="")))
    assert tuple(rows[0].keys()) == CASE_COLUMNS
    assert [r["id"] for r in rows] == demo.ids
    first = rows[0]
    assert first["patient"] == "DEMO-001" and first["pathways"] == "steroid-atrophy"
    assert first["onset"] == (TODAY - timedelta(days=200)).isoformat()
    assert (first["next_due_item"], first["next_due_opens"], first["next_due_closes"]) == (
        "saline-session", "2026-10-11", "2026-10-18")
    assert first["saline_done"] == "2" and first["saline_min"] == "3" and first["saline_max"] == "6"
    assert first["alert_codes"] == "saline-volume-out-of-range;saline-course-incomplete"
    assert rows[2]["injections_done"] == "4"
    assert rows[3]["pathways"] == "hip-injection;steroid-atrophy"


def test_csv_events_one_row_per_event(demo):
    rows = list(csv.DictReader(io.StringIO(render(demo, "csv", events=True), newline="")))
    assert tuple(rows[0].keys()) == EVENT_COLUMNS
    assert len(rows) == sum(len(c.events) for c in demo.cases())
    voided = [r for r in rows if r["voided"] == "yes"]
    assert len(voided) == 1 and voided[0]["void_reason"] == "VOID-REASON-ONE wrong patient"
    note = next(r for r in rows if r["note"].startswith("NOTE-FOUR"))
    assert note["note"] == "NOTE-FOUR line one\nline two | pipe & <tag> `code` **md**"  # kept whole, quoted


def test_events_option_is_only_for_csv(demo):
    from store.export.runner import ExportError

    with pytest.raises(ExportError, match="--events applies only to --format csv"):
        render(demo, "md", events=True)


# --- iCalendar ------------------------------------------------------------------------------------


def _calendar(text: str):
    calendar = Calendar.from_ical(text)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_ics_has_no_patient_label_unless_asked(demo):
    plain = render(demo, "ics")
    assert "DEMO-00" not in plain
    labelled = _calendar(render(demo, "ics", with_patient=True))
    summaries = [str(e["summary"]) for e in labelled.values()]
    assert any(s.startswith("DEMO-001 · ") for s in summaries)


def test_ics_uids_are_stable_across_exports(demo):
    first = set(_calendar(render(demo, "ics")))
    second = set(_calendar(render(demo, "ics")))
    assert first == second and all(uid.endswith("@rounds") for uid in first)
