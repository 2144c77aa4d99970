"""`export --format fhir`: one HL7 FHIR R4 Bundle per export that validates against the published
models (fhir.resources, R4B package), whose references all resolve inside the bundle."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from fhir.resources.R4B import get_fhir_model_class

from checklists import actions
from checklists.engine import evaluate
from store.export import fhir_bundle
from store.export.context import ExportContext
from store.export.runner import ExportOptions, render_export
from tests.export.conftest import NOW, TODAY, render
from tests.export.test_deidentify import assert_no_identifiers

# The required bindings of the R4 value sets (fhir.resources checks structure and types, not codes).
ALLOWED = {
    ("Bundle", "type"): {"collection"},
    ("CarePlan", "status"): {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"},
    ("CarePlan", "intent"): {"proposal", "plan", "order", "option"},
    ("Task", "status"): {"draft", "requested", "received", "accepted", "rejected", "ready", "cancelled",
                         "in-progress", "on-hold", "failed", "completed", "entered-in-error"},
    ("Task", "intent"): {"unknown", "proposal", "plan", "order", "original-order", "reflex-order", "filler-order",
                         "instance-order", "option"},
    ("Procedure", "status"): {"preparation", "in-progress", "not-done", "on-hold", "stopped", "completed",
                              "entered-in-error", "unknown"},
    ("Observation", "status"): {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
                                "entered-in-error", "unknown"},
    ("MedicationStatement", "status"): {"active", "completed", "entered-in-error", "intended", "stopped", "on-hold",
                                        "unknown", "not-taken"},
    ("DetectedIssue", "status"): {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
                                  "entered-in-error", "unknown"},
    ("DetectedIssue", "severity"): {"high", "moderate", "low"},
}


def bundle_of(demo, ids=None, **options) -> dict:
    return json.loads(render(demo, "fhir", ids, **options))


def references(node) -> list[str]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                found.append(value)
            else:
                found += references(value)
    elif isinstance(node, list):
        for value in node:
            found += references(value)
    return found


def assert_valid(bundle: dict) -> None:
    """Valid against the models, every code in its value set, every reference inside the bundle."""
    get_fhir_model_class("Bundle").model_validate(bundle)
    assert bundle["type"] == "collection"
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(urls) == len(set(urls)), "each entry once"
    for entry in bundle["entry"]:
        resource = entry["resource"]
        kind = resource["resourceType"]
        get_fhir_model_class(kind).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
        for (model, element), allowed in ALLOWED.items():
            if model == kind and element in resource:
                assert resource[element] in allowed, (kind, element, resource[element])
    unresolved = [r for r in references(bundle) if r not in set(urls)]
    assert not unresolved, unresolved[:5]


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_every_bundle_validates_and_its_references_resolve(demo):
    for deidentify in (False, True):
        assert_valid(bundle_of(demo, deidentify=deidentify))
    for case_id in demo.ids:
        assert_valid(bundle_of(demo, [case_id]))


def test_a_fuller_demo_database_validates_too(tmp_path, catalogue):
    from store.demo import fill_demo
    from store.repository import Repository
    from tests.export.conftest import fixed_now

    repo = Repository(tmp_path / "db", catalogue, now=fixed_now)
    fill_demo(repo, catalogue, TODAY, 40)
    for deidentify in (False, True):
        text, ids = render_export(repo, None, ExportOptions("fhir", deidentify=deidentify), catalogue=catalogue,
                                  today=TODAY, now=NOW)
        bundle = json.loads(text)
        assert_valid(bundle)
        assert len(resources(bundle, "Patient")) == len(ids) == 40


def test_what_each_case_becomes(demo):
    bundle = bundle_of(demo, [demo.ids[0]])
    view = evaluate(demo.repo.get(demo.ids[0]), demo.catalogue, demo.repo.policy(), TODAY)
    (patient,) = resources(bundle, "Patient")
    assert patient["identifier"] == [{"system": fhir_bundle.SYSTEM_LABEL, "value": "DEMO-001"}]
    (plan,) = resources(bundle, "CarePlan")
    assert plan["title"] == "Subcutaneous atrophy after corticosteroid injection" and plan["status"] == "active"
    assert plan["period"] == {"start": view.case.enrolment.isoformat()}
    (condition,) = resources(bundle, "Condition")
    assert condition["onsetDateTime"] == view.case.onset.isoformat()
    plan_url = next(e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan")
    tasks = {t["code"]["coding"][0]["code"]: t for t in resources(bundle, "Task")}
    assert set(tasks) == {i.id for i in view.items}
    for item in view.items:
        task = tasks[item.id]
        assert task["basedOn"] == [{"reference": plan_url}]
        if item.opens:
            assert task["executionPeriod"] == {"start": item.opens.isoformat(), "end": item.closes.isoformat()}
    assert tasks["baseline-assessment"]["status"] == "completed"
    assert tasks["saline-session"]["status"] == "requested"
    assert tasks["saline-session"]["businessStatus"] == {"text": "overdue"}
    assert tasks["review-12m"]["status"] == "on-hold"
    # Saline sessions are procedures (the voided one entered in error), assessments observations in mm.
    procedures = resources(bundle, "Procedure")
    assert Counter(p["status"] for p in procedures if p["code"]["coding"][0]["code"] == "saline") == {
        "completed": 2, "entered-in-error": 1}
    sizes = [o for o in resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == "lesion-size"]
    assert sizes[0]["valueQuantity"] == {"value": 22.0, "unit": "mm", "system": "http://unitsofmeasure.org",
                                         "code": "mm"}
    depth = next(o for o in resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == "lesion-depth")
    assert depth["valueQuantity"]["value"] == 4.0 and depth["valueQuantity"]["code"] == "mm"
    issues = {i["code"]["coding"][0]["code"] for i in resources(bundle, "DetectedIssue")}
    assert issues == {a.code for a in view.alerts}


def test_injections_therapies_and_aat_levels(demo):
    hip = bundle_of(demo, [demo.ids[2]])
    injections = [p for p in resources(hip, "Procedure") if p["code"]["coding"][0]["code"] == "injection"]
    assert len(injections) == 4
    assert any(p.get("usedCode") == [{"text": "triamcinolone 40 mg"}] for p in injections)
    assert any(n["text"] == "Landmark (blind) technique." for p in injections for n in p.get("note", []))
    pann = bundle_of(demo, [demo.ids[1]])
    statements = {m["medicationCodeableConcept"]["text"]: m for m in resources(pann, "MedicationStatement")}
    assert statements["hydroxychloroquine"]["status"] == "active"
    assert "end" not in statements["hydroxychloroquine"]["effectivePeriod"]
    (aat,) = [o for o in resources(pann, "Observation") if o["code"]["coding"][0]["code"] == "alpha-1-antitrypsin"]
    assert aat["valueString"] == "RESULT-AAT-TWO normal MM"


def test_a_stopped_therapy_has_an_end(demo):
    case_id = demo.ids[1]
    for kind, day in (("therapy-start", 200), ("therapy-stop", 100)):
        demo.repo.update(case_id, lambda c, kind=kind, day=day: actions.log_event(
            c, kind, {"date": TODAY - timedelta(days=day), "drug": "azathioprine", "dose": "50 mg"}, today=TODAY))
    bundle = bundle_of(demo, [case_id])
    (aza,) = [m for m in resources(bundle, "MedicationStatement")
              if m["medicationCodeableConcept"]["text"] == "azathioprine"]
    assert aza["status"] == "stopped"
    assert aza["effectivePeriod"] == {"start": (TODAY - timedelta(days=200)).isoformat(),
                                      "end": (TODAY - timedelta(days=100)).isoformat()}
    assert_valid(bundle)


def test_a_missed_item_is_a_cancelled_task(demo):
    view = evaluate(demo.repo.get(demo.ids[0]), demo.catalogue, demo.repo.policy(), TODAY)
    items = tuple(replace(i, status="missed") if i.id == "review-6m" else i for i in view.items)
    ctx = ExportContext(catalogue=demo.catalogue, policy=demo.repo.policy(), today=TODAY, now=NOW, user="x")
    bundle = fhir_bundle.bundle([replace(view, items=items)], ctx)
    assert_valid(bundle)
    task = next(t for t in resources(bundle, "Task") if t["code"]["coding"][0]["code"] == "review-6m")
    assert task["status"] == "cancelled" and task["statusReason"] == {"text": "missed before enrolment"}


def test_ids_are_stable_from_one_export_to_the_next(demo):
    first, second = bundle_of(demo), bundle_of(demo)
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]
    assert first["id"] == second["id"]


def test_a_deidentified_bundle_has_no_label_nothing_day_dependent_and_no_leak(demo):
    bundle = bundle_of(demo, deidentify=True)
    for patient in resources(bundle, "Patient"):
        assert set(patient) == {"resourceType", "id"}
    assert "timestamp" not in bundle and not resources(bundle, "DetectedIssue")
    assert not any("businessStatus" in t for t in resources(bundle, "Task"))
    assert_no_identifiers(demo, {"fhir": json.dumps(bundle)})
    # No shared uuid with the identified bundle: nothing links one to the other.
    plain = {e["fullUrl"] for e in bundle_of(demo)["entry"]}
    assert plain.isdisjoint(e["fullUrl"] for e in bundle["entry"])


def test_a_deidentified_bundle_is_the_same_whatever_day_it_is_made(demo):
    def made_on(day):
        text, _ = render_export(demo.repo, demo.ids, ExportOptions("fhir", deidentify=True),
                                catalogue=demo.catalogue, today=day, now=NOW)
        return text

    assert made_on(TODAY) == made_on(TODAY + timedelta(days=50))


@pytest.mark.parametrize("deidentify", [False, True])
def test_the_command_line_writes_a_bundle(demo, tmp_path, deidentify):
    from tui.cli import main

    out = tmp_path / "bundle.fhir.json"
    args = ["--db", str(demo.db_dir), "--today", TODAY.isoformat(), "export", "--all", "--format", "fhir",
            "-o", str(out)] + (["--deidentify"] if deidentify else [])
    assert main(args) == 0
    assert_valid(json.loads(out.read_text()))
