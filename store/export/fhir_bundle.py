"""HL7 FHIR R4 export: one `Bundle` (type `collection`) per export, as plain JSON data.

Each case becomes:
- `Patient`: the patient label as an identifier, nothing else (de-identified: an empty Patient, there
  only so that the other resources have a subject);
- a `Condition` and a `CarePlan` per pathway (onset, site, etiology and inflammation on the Condition;
  enrolment and the case status on the CarePlan, which `addresses` the Condition);
- a `Task` per checklist item, based on its pathway's CarePlan: status mapped (below),
  `executionPeriod` = the item's window, the sources in a note;
- a `Procedure` for each injection, saline session, autologous blood injection, fat graft, biopsy,
  MRI, physiotherapy start and work-up (and for the case's injection date when no injection is logged);
- `Observation`s for each assessment (lesion size and depth in UCUM `mm`, a panel holding them with
  improvement, pigment, photo, MRC strength and pain) and each alpha-1 antitrypsin result;
- a `MedicationStatement` per therapy (started, and stopped when a later stop names the same drug);
- a `DetectedIssue` per alert (not when de-identified: alerts depend on the day the file is made).

Every reference is to another entry's `fullUrl`, an `urn:uuid:` derived (uuid5) from the case id and
the thing's own id, so the same case exports to the same ids every time. Voided events are kept with
status `entered-in-error` (de-identified exports drop them, as every format does).

Task status: done -> completed, skipped -> cancelled (the reason in statusReason), snoozed -> on-hold,
missed before enrolment -> cancelled ("missed before enrolment"), anything still open -> requested.
The status on the day of the export (overdue, due, ...) is in `businessStatus`, except when
de-identified: a de-identified bundle holds nothing that depends on the day it is made (no timestamp,
no businessStatus, no alerts; a snooze counts as recorded, whether or not it has lapsed).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Sequence

import orjson

from seeds.drugs import default_drugs
from checklists.inflammation import changes as inflammation_changes, history_words
from checklists.models import CaseView, Event, ItemView
from store.export import readable
from store.export.context import ExportContext

# A fixed namespace for Rounds' uuid5 ids (itself uuid5 of the URL namespace and "rounds").
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:rounds")
UCUM = "http://unitsofmeasure.org"
# Code systems of Rounds' own codes: a receiving system maps them to its own terminology.
SYSTEM_LABEL = "urn:rounds:patient-label"
SYSTEM_CASE = "urn:rounds:case"
SYSTEM_PATHWAY = "urn:rounds:pathway"
SYSTEM_ITEM = "urn:rounds:checklist-item"
SYSTEM_EVENT = "urn:rounds:event-kind"
SYSTEM_OBSERVATION = "urn:rounds:observation"
SYSTEM_ALERT = "urn:rounds:alert"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"

CAREPLAN_STATUS = {"active": "active", "resolved": "active", "closed": "completed", "lost": "revoked"}
TASK_STATUS = {"done": "completed", "skipped": "cancelled", "snoozed": "on-hold", "open": "requested"}
ALERT_SEVERITY = {"critical": "high", "warning": "moderate", "info": "low"}
# Which pathway's plan an event belongs to (when the case follows it).
PROCEDURE_KINDS = {
    "injection": ("hip-injection", "steroid-atrophy"), "saline": ("steroid-atrophy",),
    "abi": ("steroid-atrophy",), "fat-graft": ("steroid-atrophy", "panniculitis-lipoatrophy"),
    "biopsy": ("panniculitis-lipoatrophy",), "mri": ("panniculitis-lipoatrophy",),
    "pt-start": ("hip-injection",), "workup": ("panniculitis-lipoatrophy",),
}
THERAPY_PATHWAYS = ("panniculitis-lipoatrophy",)


def ref(full_url: str) -> dict:
    return {"reference": full_url}


def coded(system: str, code: str, text: str) -> dict:
    return {"coding": [{"system": system, "code": code, "display": text}], "text": text}


def mm(value: float) -> dict:
    return {"value": value, "unit": "mm", "system": UCUM, "code": "mm"}


@dataclass
class _Case:
    """The entries of one case, and how to name each of them."""

    view: CaseView
    ctx: ExportContext
    entries: list[dict] = field(default_factory=list)

    @property
    def case_id(self) -> str:
        return self.view.case.id

    def url(self, *parts: str) -> str:
        return "urn:uuid:" + str(uuid.uuid5(NAMESPACE, "/".join((self.case_id, *parts))))

    def add(self, url: str, resource: dict) -> dict:
        resource = {"resourceType": resource.pop("resourceType"), "id": url.removeprefix("urn:uuid:"), **resource}
        self.entries.append({"fullUrl": url, "resource": resource})
        return resource

    @property
    def patient(self) -> dict:
        return ref(self.url("Patient"))

    def plans_for(self, pathways: Sequence[str]) -> list[dict]:
        return [ref(self.url("CarePlan", p)) for p in pathways if p in self.view.case.pathways]


# -- the bundle ------------------------------------------------------------------------------------------

def bundle(views: Sequence[CaseView], ctx: ExportContext) -> dict:
    """The Bundle as data (what `render` writes)."""
    return orjson.loads(render(views, ctx))


def _head(views: Sequence[CaseView], ctx: ExportContext) -> dict:
    ids = ",".join(sorted(v.case.id for v in views))
    data: dict = {"resourceType": "Bundle", "id": str(uuid.uuid5(NAMESPACE, f"bundle/{ids}")), "type": "collection"}
    if not ctx.deidentified:
        data["timestamp"] = ctx.now.isoformat(timespec="seconds")
    return data


def render(views: Sequence[CaseView], ctx: ExportContext) -> str:
    """Compact JSON, as FHIR servers exchange it. Each case's entries are serialised as soon as they
    are built, so 10,000 cases never sit in memory as Python objects all at once."""
    parts: list[str] = []
    for view in views:
        parts += [orjson.dumps(entry).decode("utf-8") for entry in case_entries(view, ctx)]
        ctx.tick()
    head = orjson.dumps(_head(views, ctx)).decode("utf-8")
    return "".join([head[:-1], ',"entry":[', ",".join(parts), "]}\n"])


def case_entries(view: CaseView, ctx: ExportContext) -> list[dict]:
    case = _Case(view, ctx)
    _patient(case)
    for pathway in view.case.pathways:
        _condition(case, pathway)
        _care_plan(case, pathway)
    for item in view.items:
        _task(case, item)
    _events(case)
    if not ctx.deidentified:
        for alert in view.alerts:
            _detected_issue(case, alert)
    return case.entries


def _patient(case: _Case) -> None:
    resource: dict = {"resourceType": "Patient"}
    label = " ".join(case.view.case.patient.split())
    if label and not case.ctx.deidentified:
        resource["identifier"] = [{"system": SYSTEM_LABEL, "value": label}]
    case.add(case.url("Patient"), resource)


def _pathway_title(case: _Case, pathway: str) -> str:
    definition = case.ctx.catalogue.pathways.get(pathway)
    return definition.title if definition else pathway


def _condition(case: _Case, pathway: str) -> None:
    c = case.view.case
    title = _pathway_title(case, pathway)
    status = "resolved" if c.status == "resolved" else "active"
    resource: dict = {
        "resourceType": "Condition",
        "clinicalStatus": coded(CONDITION_CLINICAL, status, status.capitalize()),
        "code": coded(SYSTEM_PATHWAY, pathway, title),
        "subject": case.patient,
        "onsetDateTime": c.onset.isoformat(),
    }
    if c.site:
        resource["bodySite"] = [{"text": " ".join(c.site.split())}]
    notes = []
    if pathway == "panniculitis-lipoatrophy" and c.etiology:
        notes.append(f"Etiology: {readable.ETIOLOGY_WORDS.get(c.etiology, c.etiology)}"
                     + (f", set {c.etiology_date.isoformat()}" if c.etiology_date else ""))
    if pathway == "panniculitis-lipoatrophy" and c.inflammation:
        notes.append(f"Inflammation: {c.inflammation}"
                     + (f" since {c.inflammation_date.isoformat()}" if c.inflammation_date else ""))
        history = inflammation_changes(c)
        if len(history) > 1:
            notes.append(f"Inflammation history: {history_words(history)}")
    definition = case.ctx.catalogue.pathways.get(pathway)
    if definition is not None and definition.severities and c.severity:
        notes.append(f"Severity: {c.severity}" + (f", graded {c.severity_date.isoformat()}" if c.severity_date else ""))
    if notes:
        resource["note"] = [{"text": n} for n in notes]
    case.add(case.url("Condition", pathway), resource)


def _care_plan(case: _Case, pathway: str) -> None:
    c = case.view.case
    definition = case.ctx.catalogue.pathways.get(pathway)
    resource: dict = {
        "resourceType": "CarePlan",
        "identifier": [{"system": SYSTEM_CASE, "value": c.id}],
        "instantiatesUri": [f"{SYSTEM_PATHWAY}:{pathway}"],
        "status": CAREPLAN_STATUS.get(c.status, "unknown"),
        "intent": "plan",
        "title": _pathway_title(case, pathway),
        "subject": case.patient,
        "period": {"start": c.enrolment.isoformat()},
        "addresses": [ref(case.url("Condition", pathway))],
        "activity": [{"reference": ref(case.url("Task", i.id))} for i in case.view.items if i.pathway == pathway],
    }
    if definition is not None:
        resource["description"] = definition.summary
    notes = [{"text": " ".join(c.note.split())}] if c.note and pathway == c.pathways[0] else []
    if pathway == c.pathways[0]:
        notes += [_annotation(e) for e in c.events if e.kind == "note" and e.note and not e.voided]
    if notes:
        resource["note"] = notes
    if not resource["activity"]:
        del resource["activity"]
    case.add(case.url("CarePlan", pathway), resource)


def _annotation(event: Event) -> dict:
    return {"time": event.date.isoformat(), "text": " ".join((event.note or "").split())}


# -- checklist items ---------------------------------------------------------------------------------------

def task_status(case: _Case, item: ItemView) -> str:
    if item.status == "missed":
        return "cancelled"
    state = item.state
    if case.ctx.deidentified:
        # As recorded: whether a snooze has lapsed depends on the day the file is made.
        record = case.view.case.items.get(item.id)
        if record is not None and record.state == "snoozed":
            state = "snoozed"
        elif state == "snoozed":
            state = "open"
    return TASK_STATUS.get(state, "requested")


def _task(case: _Case, item: ItemView) -> None:
    c = case.view.case
    resource: dict = {
        "resourceType": "Task",
        "basedOn": [ref(case.url("CarePlan", item.pathway))],
        "status": task_status(case, item),
        "intent": "plan",
        "code": coded(SYSTEM_ITEM, item.id, item.title),
        "description": item.title,
        "for": case.patient,
        "authoredOn": c.enrolment.isoformat(),
    }
    if item.status == "missed":
        resource["statusReason"] = {"text": "missed before enrolment"}
    elif item.reason:
        resource["statusReason"] = {"text": " ".join(item.reason.split())}
    if not case.ctx.deidentified:
        resource["businessStatus"] = {"text": item.status}
    if item.opens and item.closes:
        resource["executionPeriod"] = {"start": item.opens.isoformat(), "end": item.closes.isoformat()}
    if item.resolved_on and item.state in ("done", "skipped"):
        resource["lastModified"] = item.resolved_on.isoformat()
    notes = [f"Source: {readable.source_names(item.sources, case.ctx.catalogue)} ({item.provenance})."]
    until = _snoozed_until(case, item)
    if until:
        notes.append(f"Snoozed until {until.isoformat()}.")
    if item.detail:
        notes.append(item.detail)
    if item.checks:
        notes.append("Checks recorded: " + ", ".join(d.isoformat() for d in item.checks) + ".")
    resource["note"] = [{"text": n} for n in notes]
    case.add(case.url("Task", item.id), resource)


def _snoozed_until(case: _Case, item: ItemView) -> date | None:
    if case.ctx.deidentified:
        record = case.view.case.items.get(item.id)
        return record.until if record is not None and record.state == "snoozed" else None
    return item.until


# -- events ------------------------------------------------------------------------------------------------

def _events(case: _Case) -> None:
    c = case.view.case
    events = sorted(c.events, key=lambda e: (e.date, e.seq))
    for event in events:
        if event.kind in PROCEDURE_KINDS:
            _procedure(case, event)
        elif event.kind == "assessment":
            _assessment(case, event)
        elif event.kind == "aat-test":
            _aat(case, event)
    _therapies(case, events)
    if c.injection_date and not any(e.kind == "injection" and e.date == c.injection_date for e in events):
        case.add(case.url("Procedure", "injection-date"), {
            "resourceType": "Procedure",
            "status": "completed",
            "code": coded(SYSTEM_EVENT, "injection", "Corticosteroid injection"),
            "subject": case.patient,
            "performedDateTime": c.injection_date.isoformat(),
            "note": [{"text": "The injection recorded as the cause, when the case was added."}],
        })


def _status(event: Event, done: str) -> str:
    return "entered-in-error" if event.voided else done


def _notes(event: Event, *extra: str) -> list[dict]:
    texts = [t for t in extra if t]
    if event.note:
        texts.append(" ".join(event.note.split()))
    if event.voided:
        texts.append("Void" + (f": {' '.join(event.void_reason.split())}" if event.void_reason else ""))
    return [{"text": t} for t in texts]


def _procedure(case: _Case, event: Event) -> None:
    word = readable.event_word(event)
    resource: dict = {
        "resourceType": "Procedure",
        "identifier": [{"system": SYSTEM_CASE, "value": f"{case.case_id}/{event.id}"}],
        "basedOn": case.plans_for(PROCEDURE_KINDS[event.kind]),
        "status": _status(event, "in-progress" if event.kind == "pt-start" else "completed"),
        "code": coded(SYSTEM_EVENT, event.kind, word),
        "subject": case.patient,
    }
    if event.kind == "pt-start":
        resource["performedPeriod"] = {"start": event.date.isoformat()}
    else:
        resource["performedDateTime"] = event.date.isoformat()
    if event.site:
        resource["bodySite"] = [{"text": " ".join(event.site.split())}]
    outcome = event.result or event.what
    if outcome:
        resource["outcome"] = {"text": " ".join(outcome.split())}
    if event.drug or event.dose:
        resource["usedCode"] = [{"text": " ".join(x for x in (event.drug, event.dose) if x)}]
    extra = []
    if event.volume_ml is not None:
        extra.append(f"Volume {event.volume_ml:g} mL.")
    if event.guidance:
        extra.append("Image guidance." if event.guidance == "image" else "Landmark (blind) technique.")
    if event.depth:
        extra.append(f"Biopsy depth: {event.depth.replace('-', ' ')}.")
    notes = _notes(event, *extra)
    if notes:
        resource["note"] = notes
    if not resource["basedOn"]:
        del resource["basedOn"]
    case.add(case.url("Procedure", event.id), resource)


def _observation(case: _Case, event: Event, code: str, text: str) -> dict:
    return {
        "resourceType": "Observation",
        "identifier": [{"system": SYSTEM_CASE, "value": f"{case.case_id}/{event.id}/{code}"}],
        "status": _status(event, "final"),
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "exam", "display": "Exam"}]}],
        "code": coded(SYSTEM_OBSERVATION, code, text),
        "subject": case.patient,
        "effectiveDateTime": event.date.isoformat(),
    }


def _assessment(case: _Case, event: Event) -> None:
    members = []
    for code, text, value in (("lesion-size", "Lesion size", event.size_mm),
                              ("lesion-depth", "Lesion depth", event.depth_mm)):
        if value is None:
            continue
        url = case.url("Observation", event.id, code)
        case.add(url, {**_observation(case, event, code, text), "valueQuantity": mm(value)})
        members.append(ref(url))
    panel = _observation(case, event, "lesion-assessment", "Lesion assessment")
    components: list[dict[str, Any]] = []
    if event.improvement:
        components.append({"code": coded(SYSTEM_OBSERVATION, "improvement", "Improvement"),
                           "valueCodeableConcept": {"text": event.improvement}})
    if event.pigment:
        components.append({"code": coded(SYSTEM_OBSERVATION, "pigment", "Pigment change"),
                           "valueString": " ".join(event.pigment.split())})
    if event.photo is not None:
        components.append({"code": coded(SYSTEM_OBSERVATION, "photo", "Photo taken"), "valueBoolean": event.photo})
    if event.mrc is not None:
        components.append({"code": coded(SYSTEM_OBSERVATION, "mrc-strength", "MRC muscle strength (0-5)"),
                           "valueInteger": event.mrc})
    if event.pain is not None:
        components.append({"code": coded(SYSTEM_OBSERVATION, "pain", "Pain (0-10)"), "valueInteger": event.pain})
    if members:
        panel["hasMember"] = members
    if components:
        panel["component"] = components
    if not members and not components:
        panel["dataAbsentReason"] = coded(DATA_ABSENT, "not-performed", "Not Performed")
    notes = _notes(event)
    if notes:
        panel["note"] = notes
    case.add(case.url("Observation", event.id, "lesion-assessment"), panel)


def _aat(case: _Case, event: Event) -> None:
    resource = _observation(case, event, "alpha-1-antitrypsin", "Alpha-1 antitrypsin level and phenotype")
    resource["category"] = [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "laboratory",
                                         "display": "Laboratory"}]}]
    if event.result:
        resource["valueString"] = " ".join(event.result.split())
    elif case.ctx.deidentified:
        resource["dataAbsentReason"] = coded(DATA_ABSENT, "masked", "Masked")
    else:
        resource["dataAbsentReason"] = coded(DATA_ABSENT, "unknown", "Unknown")
    notes = _notes(event)
    if notes:
        resource["note"] = notes
    case.add(case.url("Observation", event.id, "alpha-1-antitrypsin"), resource)


# Drugs compared by generic name whatever the spelling (MTX = methotrexate): seeds/drugs.toml.
DRUGS = default_drugs()


def _therapies(case: _Case, events: list[Event]) -> None:
    """One MedicationStatement per therapy start, stopped by the next stop of the same drug."""
    stops = [e for e in events if e.kind == "therapy-stop" and not e.voided]
    used: set[str] = set()
    for start in (e for e in events if e.kind == "therapy-start"):
        stop = None
        if not start.voided:
            names = set(DRUGS.keys(start.drug))
            stop = next((s for s in stops if s.id not in used and names & set(DRUGS.keys(s.drug))
                         and s.date >= start.date), None)
        if stop is not None:
            used.add(stop.id)
        period = {"start": start.date.isoformat()}
        if stop is not None:
            period["end"] = stop.date.isoformat()
        status = "entered-in-error" if start.voided else "stopped" if stop else "active"
        _medication(case, start, status, period, stop)
    for stop in (e for e in events if e.kind == "therapy-stop"):
        if stop.id not in used:  # a stop with no start on record: the drug was stopped on that day
            _medication(case, stop, "entered-in-error" if stop.voided else "stopped",
                        {"end": stop.date.isoformat()}, None)


def _medication(case: _Case, event: Event, status: str, period: dict, stop: Event | None) -> None:
    drug = " ".join(event.drug.split()) if event.drug else None
    if drug is None:
        medication = {"text": "withheld (de-identified)" if case.ctx.deidentified else "not recorded"}
    else:
        medication = {"text": drug}
    resource: dict = {
        "resourceType": "MedicationStatement",
        "identifier": [{"system": SYSTEM_CASE, "value": f"{case.case_id}/{event.id}"}],
        "basedOn": case.plans_for(THERAPY_PATHWAYS),
        "status": status,
        "medicationCodeableConcept": medication,
        "subject": case.patient,
        "effectivePeriod": period,
    }
    if event.dose:
        resource["dosage"] = [{"text": " ".join(event.dose.split())}]
    notes = _notes(event) + (_notes(stop) if stop is not None else [])
    if notes:
        resource["note"] = notes
    if not resource["basedOn"]:
        del resource["basedOn"]
    case.add(case.url("MedicationStatement", event.id), resource)


def _detected_issue(case: _Case, alert) -> None:
    definition = case.ctx.catalogue.alert(alert.code)
    title = definition.title if definition else alert.code
    resource: dict = {
        "resourceType": "DetectedIssue",
        "status": "final",
        "code": coded(SYSTEM_ALERT, alert.code, title),
        "severity": ALERT_SEVERITY.get(alert.severity, "moderate"),
        "patient": case.patient,
        # A de-identified bundle leaves alerts out (fhir_bundle's docstring), so a view of a day is here.
        "identifiedDateTime": case.view.today.isoformat() if case.view.today else None,
        "detail": " ".join(readable.alert_text(alert.message, case.view.case,
                                               {i.id: i.title for i in case.view.items}).split()),
    }
    if alert.action:
        resource["mitigation"] = [{"action": {"text": alert.action}}]
    ack = readable.acknowledgement(alert)
    if ack:
        resource["detail"] += f" ({ack})"
    case.add(case.url("DetectedIssue", alert.code), resource)
