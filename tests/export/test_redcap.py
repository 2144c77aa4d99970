"""`export --format redcap-dictionary` and `--format redcap`: a data dictionary with the exact header
REDCap's import expects, and a longitudinal import file that only uses its fields."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import date, timedelta

import pytest

from checklists.engine import evaluate
from store.export.deidentify import Deidentifier
from store.export.runner import ExportOptions, render_export
from tests.export.conftest import NOW, TODAY, render
from tests.export.test_deidentify import assert_no_identifiers
from tui.cli import main

# REDCap's data dictionary header, column for column, as its template and import require.
REDCAP_HEADER = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
    "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation",
]
FIELD_TYPES = {"text", "notes", "dropdown", "radio", "checkbox", "yesno", "truefalse", "calc", "file", "slider",
               "descriptive", "sql"}
VALIDATIONS = {"", "date_ymd", "number", "integer"}
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def rounds(demo, *args: str) -> int:
    return main(["--db", str(demo.db_dir), "--today", TODAY.isoformat(), *args])


def dictionary(demo) -> list[dict]:
    text, ids = render_export(demo.repo, None, ExportOptions("redcap-dictionary"), catalogue=demo.catalogue,
                              today=TODAY, now=NOW)
    assert ids == []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    assert header == REDCAP_HEADER
    return [dict(zip(header, row)) for row in reader]


def parsed_choices(text: str) -> dict[str, str]:
    found = {}
    for part in text.split(" | "):
        raw, _, label = part.partition(", ")
        found[raw] = label
    return found


def test_the_dictionary_has_redcaps_exact_header_and_valid_fields(demo):
    fields = dictionary(demo)
    assert fields[0]["Variable / Field Name"] == "record_id" and fields[0]["Field Type"] == "text"
    names = [f["Variable / Field Name"] for f in fields]
    assert len(names) == len(set(names))
    # Each form's fields together, in one run (REDCap refuses interleaved forms).
    forms = [f["Form Name"] for f in fields]
    runs = [form for n, form in enumerate(forms) if n == 0 or forms[n - 1] != form]
    assert runs == ["rounds_case", "clinical_event", "checklist_item"]
    for f in fields:
        assert NAME.match(f["Variable / Field Name"]) and len(f["Variable / Field Name"]) <= 26, f
        assert NAME.match(f["Form Name"])
        assert f["Field Type"] in FIELD_TYPES and f["Text Validation Type OR Show Slider Number"] in VALIDATIONS
        assert f["Identifier?"] in ("", "y") and f["Required Field?"] in ("", "y") and f["Field Label"]
        if f["Field Type"] in ("dropdown", "checkbox", "radio"):
            codes = parsed_choices(f["Choices, Calculations, OR Slider Labels"])
            assert codes and all(re.match(r"^[a-z0-9_]+$", c) for c in codes), f
        else:
            assert not f["Choices, Calculations, OR Slider Labels"]
        for ref in re.findall(r"\[([a-z0-9_]+)(?:\([a-z0-9_]+\))?\]", f["Branching Logic (Show field only if...)"]):
            assert ref in names, (f["Variable / Field Name"], ref)
    by_name = {f["Variable / Field Name"]: f for f in fields}
    # Free text a clinician typed is flagged, so REDCap's own de-identified exports leave it out.
    for name in ("patient_label", "case_site", "case_note", "event_note", "result", "pigment", "item_reason"):
        assert by_name[name]["Identifier?"] == "y", name
    assert by_name["volume_ml"]["Branching Logic (Show field only if...)"] == (
        "[event_kind] = 'saline' or [event_kind] = 'abi'")
    assert by_name["onset_date"]["Text Validation Type OR Show Slider Number"] == "date_ymd"


def import_rows(text: str) -> tuple[list[str], list[dict]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames), list(reader)


def allowed_columns(fields: list[dict]) -> dict[str, str]:
    """Import column -> the form it belongs to (checkbox columns per choice, `<form>_complete`)."""
    columns = {}
    for f in fields:
        name, form = f["Variable / Field Name"], f["Form Name"]
        if f["Field Type"] == "checkbox":
            for raw in parsed_choices(f["Choices, Calculations, OR Slider Labels"]):
                columns[f"{name}___{raw}"] = form
        else:
            columns[name] = form
        columns[f"{form}_complete"] = form
    return columns


@pytest.mark.parametrize("deidentify", [False, True])
def test_the_import_file_uses_only_dictionary_fields_one_row_per_event(demo, deidentify):
    fields = dictionary(demo)
    by_name = {f["Variable / Field Name"]: f for f in fields}
    header, rows = import_rows(render(demo, "redcap", deidentify=deidentify))
    assert header[:4] == ["record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"]
    columns = allowed_columns(fields)
    assert set(header[4:]) <= set(columns)
    policy = demo.repo.policy()
    views = {c.id: evaluate(c, demo.catalogue, policy, TODAY) for c in demo.cases()}
    per_record: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        per_record[row["record_id"]].append(row)
    assert len(per_record) == len(demo.ids)
    for record_rows in per_record.values():
        enrolment = [r for r in record_rows if r["redcap_event_name"] == "enrolment_arm_1"]
        assert len(enrolment) == 1 and enrolment[0]["redcap_repeat_instrument"] == ""
        for instrument in ("clinical_event", "checklist_item"):
            instances = [int(r["redcap_repeat_instance"]) for r in record_rows
                         if r["redcap_repeat_instrument"] == instrument]
            assert instances == list(range(1, len(instances) + 1))
            assert all(r["redcap_event_name"] == "follow_up_arm_1" for r in record_rows
                       if r["redcap_repeat_instrument"] == instrument)
    deid = Deidentifier(demo.repo.deid_key(), demo.repo.deid_offset_days, str)
    for case_id, view in views.items():
        record_rows = per_record[deid.case_id(case_id) if deidentify else case_id]
        live = [e for e in view.case.events if not (deidentify and e.voided)]
        kinds = [r["redcap_repeat_instrument"] for r in record_rows]
        assert kinds.count("clinical_event") == len(live)  # one row per event
        assert kinds.count("checklist_item") == len(view.items)
    for row in rows:
        form = row["redcap_repeat_instrument"] or "rounds_case"
        for column, value in row.items():
            if column in ("record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"):
                continue
            if value:
                assert columns[column] == form, (column, form)  # a row holds only its own form's data
                field = by_name.get(column)
                if field and field["Field Type"] == "dropdown":
                    assert value in parsed_choices(field["Choices, Calculations, OR Slider Labels"]), (column, value)
                if field and field["Text Validation Type OR Show Slider Number"] == "date_ymd":
                    date.fromisoformat(value)
                if field and field["Text Validation Type OR Show Slider Number"] in ("number", "integer"):
                    float(value)


def test_the_import_file_carries_the_record(demo):
    _, rows = import_rows(render(demo, "redcap", [demo.ids[0]]))
    case = demo.repo.get(demo.ids[0])
    (head,) = [r for r in rows if r["redcap_event_name"] == "enrolment_arm_1"]
    assert head["record_id"] == case.id and head["patient_label"] == "DEMO-001"
    assert head["pathways___steroid_atrophy"] == "1" and head["pathways___hip_injection"] == "0"
    assert head["onset_date"] == case.onset.isoformat() and head["rounds_case_complete"] == "2"
    events = [r for r in rows if r["redcap_repeat_instrument"] == "clinical_event"]
    assert [e["event_kind"] for e in events] == ["assessment", "saline", "saline", "saline"]
    assert events[0]["size_mm"] == "22" and events[0]["photo"] == "1" and events[0]["improvement"] == "none"
    assert events[3]["voided"] == "1" and events[3]["void_reason"] == "VOID-REASON-ONE wrong patient"
    items = {r["item_id"]: r for r in rows if r["redcap_repeat_instrument"] == "checklist_item"}
    assert items["review_12m"]["item_state"] == "snoozed"
    assert items["review_12m"]["snoozed_until"] == (TODAY + timedelta(days=30)).isoformat()
    assert items["baseline_assessment"]["item_state"] == "done"
    assert items["saline_session"]["item_sources"] == "Shumaker et al. 2005"


def test_a_deidentified_import_file_leaks_nothing(demo):
    text = render(demo, "redcap", deidentify=True)
    assert_no_identifiers(demo, {"redcap": text})
    _, rows = import_rows(text)
    assert all(r["record_id"].startswith("deid-") for r in rows)
    assert not any(r["patient_label"] for r in rows)


@pytest.mark.parametrize("deidentify", [False, True])
def test_the_import_file_is_the_same_whatever_day_it_is_made(demo, deidentify):
    def made_on(day):
        text, _ = render_export(demo.repo, demo.ids, ExportOptions("redcap", deidentify=deidentify),
                                catalogue=demo.catalogue, today=day, now=NOW)
        return text

    assert made_on(TODAY) == made_on(TODAY + timedelta(days=50))


def test_the_dictionary_needs_no_case(demo, tmp_path, capsys):
    out = tmp_path / "dictionary.csv"
    assert rounds(demo, "export", "--format", "redcap-dictionary", "-o", str(out)) == 0
    assert out.read_text().startswith('Variable / Field Name,Form Name,Section Header')
    assert demo.repo.settings_audit()[-1].details == {"cases": [], "format": "redcap-dictionary",
                                                      "deidentified": False, "destination": "file"}


@pytest.mark.parametrize("args, message", [
    (["export", "CASEX", "--format", "redcap-dictionary"], "describes the fields, not cases"),
    (["export", "--all", "--format", "redcap-dictionary", "--deidentify"], "holds no patient data"),
    (["export", "--format", "redcap"], "name the cases to export, or --all"),
])
def test_redcap_bad_input(demo, capsys, args, message):
    assert rounds(demo, *args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
