"""REDCap export: a data dictionary (`--format redcap-dictionary`) and a longitudinal import file
(`--format redcap`) for one REDCap project. docs/REDCAP.md tells a data manager how to load both.

The project: longitudinal, one arm, two events. `enrolment_arm_1` holds the instrument `rounds_case`
(one row per case); `follow_up_arm_1` holds two repeating instruments, `clinical_event` (one
instance per logged event: saline session, assessment, injection, ...) and `checklist_item` (one
instance per checklist item). The import file has one row per case and one row per event and item,
keyed by `record_id`, `redcap_event_name`, `redcap_repeat_instrument` and `redcap_repeat_instance`.

Nothing in either file depends on the day it is made: an item's recorded state and window, never
its status today (a snooze counts as recorded, whether or not it has lapsed). De-identified, the
record id is the keyed hash, dates are shifted, the label and free text are empty and voided events
are left out (store/export/deidentify.py). Free-text fields are flagged `Identifier? = y`, so that
REDCap's own de-identified exports leave them out too. As in the csv export, a cell that starts
with `=`, `+`, `-` or `@` gets a leading `'`, so that a spreadsheet never runs it as a formula.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Sequence

from checklists.models import (
    CASE_STATUSES, INFLAMMATION_STATES, CaseView, Event, ItemView,
)
from seeds.vocabulary import BIOPSY_DEPTHS, EVENT_KINDS, GUIDANCE, IMPROVEMENT
from checklists.validation import EVENT_OPTIONS, EVENT_REQUIRED
from seeds.loader import PROVENANCE_LEVELS, Catalogue
from store.export import readable
from store.export.context import ExportContext
from store.export.csv_table import safe_cell

# The exact header of a REDCap data dictionary (checked against REDCap's template; docs/REDCAP.md).
DICTIONARY_COLUMNS = (
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
    "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation",
)
CASE_FORM, EVENT_FORM, ITEM_FORM = "rounds_case", "clinical_event", "checklist_item"
ENROLMENT_EVENT, FOLLOW_UP_EVENT = "enrolment_arm_1", "follow_up_arm_1"
KEY_COLUMNS = ("record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance")
ITEM_STATES = ("open", "done", "skipped", "snoozed", "missed")
COMPLETE = "2"  # REDCap's form status "Complete": the data came whole from Rounds


def code(value: str) -> str:
    """A REDCap raw value: letters, digits and underscores only (`fat-graft` -> `fat_graft`)."""
    return value.replace("-", "_")


def choices(values: Sequence[str], label=lambda v: v.replace("-", " ")) -> str:
    return " | ".join(f"{code(v)}, {label(v)}" for v in values)


@dataclass(slots=True, frozen=True)
class Field:
    name: str
    form: str
    kind: str  # REDCap field type: text, notes, dropdown, checkbox, yesno
    label: str
    choices: str = ""
    validation: str = ""  # date_ymd, number, integer
    minimum: str = ""
    maximum: str = ""
    identifier: bool = False
    branching: str = ""
    required: bool = False
    note: str = ""
    annotation: str = ""
    section: str = ""

    def row(self) -> list[str]:
        return [self.name, self.form, self.section, self.kind, self.label, self.choices, self.note,
                self.validation, self.minimum, self.maximum, "y" if self.identifier else "", self.branching,
                "y" if self.required else "", "", "", "", "", self.annotation]

    def columns(self, catalogue_choices: dict[str, list[str]]) -> list[str]:
        """The import-file columns of this field (a checkbox has one per choice)."""
        if self.kind == "checkbox":
            return [f"{self.name}___{c}" for c in catalogue_choices[self.name]]
        return [self.name]


def _kinds_with(detail: str) -> list[str]:
    return [kind for kind in EVENT_KINDS if detail in EVENT_OPTIONS[kind]]


def _shown_for(detail: str) -> str:
    kinds = _kinds_with(detail)
    if len(kinds) == len(EVENT_KINDS):
        return ""
    return " or ".join(f"[event_kind] = '{code(k)}'" for k in kinds)


def _required_note(detail: str) -> str:
    needed = [k for k in EVENT_KINDS if detail in EVENT_REQUIRED.get(k, ())]
    return f"Required for: {', '.join(needed)}" if needed else ""


def _any_pathway(pathway_ids: list[str]) -> str:
    """REDCap branching logic: shown when the case follows any of these pathways."""
    return " or ".join(f"[pathways({code(p)})] = '1'" for p in pathway_ids)


def fields(catalogue: Catalogue) -> list[Field]:
    """Every field of the three instruments, in form order (REDCap needs each form's fields together)."""
    pathways = list(catalogue.pathways)
    items = [i for p in catalogue.pathways.values() for i in p.items]
    # The etiology and inflammation fields show only for cases of the pathways that record them.
    etiology_shown = _any_pathway([p.id for p in catalogue.pathways.values() if p.etiologies])
    inflammation_shown = _any_pathway([p.id for p in catalogue.pathways.values() if p.inflammation])
    severity_shown = _any_pathway([p.id for p in catalogue.pathways.values() if p.severities])

    def detail(name, kind, label, **kw) -> Field:
        return Field(name, EVENT_FORM, kind, label, branching=_shown_for(kw.pop("detail", name)),
                     note=kw.pop("note", ""), annotation=f"Rounds: event {kw.pop('source', name)}", **kw)

    return [
        Field("record_id", CASE_FORM, "text", "Case id", section="Case",
              annotation="Rounds: case id (de-identified: a keyed hash)"),
        Field("patient_label", CASE_FORM, "text", "Patient label", identifier=True,
              annotation="Rounds: case patient label (empty when de-identified)"),
        Field("pathways", CASE_FORM, "checkbox", "Pathways followed",
              choices=choices(pathways, lambda p: catalogue.pathways[p].title), annotation="Rounds: case pathways"),
        Field("case_status", CASE_FORM, "dropdown", "Case status", choices=choices(CASE_STATUSES), required=True,
              annotation="Rounds: case status"),
        Field("onset_date", CASE_FORM, "text", "Onset (first noticed)", validation="date_ymd", required=True,
              annotation="Rounds: case onset"),
        Field("injection_date", CASE_FORM, "text", "Injection date (as recorded when the case was added)",
              validation="date_ymd", annotation="Rounds: case injection_date"),
        Field("enrolment_date", CASE_FORM, "text", "Enrolled", validation="date_ymd", required=True,
              annotation="Rounds: case enrolment"),
        Field("etiology", CASE_FORM, "dropdown", "Etiology",
              choices=choices(catalogue.etiologies_for(pathways)), branching=etiology_shown,
              annotation="Rounds: case etiology"),
        Field("etiology_date", CASE_FORM, "text", "Etiology set on", validation="date_ymd", branching=etiology_shown,
              annotation="Rounds: case etiology_date"),
        Field("inflammation", CASE_FORM, "dropdown", "Inflammation", choices=choices(INFLAMMATION_STATES),
              branching=inflammation_shown, annotation="Rounds: case inflammation"),
        Field("inflammation_date", CASE_FORM, "text", "Inflammation state since", validation="date_ymd",
              branching=inflammation_shown, annotation="Rounds: case inflammation_date (the current state; the "
              "JSON export carries every change)"),
        Field("severity", CASE_FORM, "dropdown", "Severity", choices=choices(catalogue.severities_for(pathways)),
              branching=severity_shown, annotation="Rounds: case severity"),
        Field("severity_date", CASE_FORM, "text", "Severity graded on", validation="date_ymd",
              branching=severity_shown, annotation="Rounds: case severity_date"),
        Field("case_site", CASE_FORM, "text", "Site (free text)", identifier=True, annotation="Rounds: case site"),
        Field("case_note", CASE_FORM, "notes", "Note (free text)", identifier=True, annotation="Rounds: case note"),

        Field("event_id", EVENT_FORM, "text", "Rounds event id", section="Clinical event",
              annotation="Rounds: event id (e1, e2, ...; de-identified: e<sequence>)"),
        Field("event_kind", EVENT_FORM, "dropdown", "Kind of event", choices=choices(EVENT_KINDS), required=True,
              annotation="Rounds: event kind"),
        Field("event_date", EVENT_FORM, "text", "Date", validation="date_ymd", required=True,
              annotation="Rounds: event date"),
        detail("volume_ml", "text", "Volume (mL)", validation="number", minimum="0", maximum="100",
               note=_required_note("volume_ml")),
        detail("guidance", "dropdown", "Guidance", choices=choices(GUIDANCE), note=_required_note("guidance")),
        detail("drug", "text", "Drug (free text)", identifier=True, note=_required_note("drug")),
        detail("dose", "text", "Dose (free text)", identifier=True),
        detail("biopsy_depth", "dropdown", "Biopsy depth", choices=choices(BIOPSY_DEPTHS), detail="depth",
               source="depth", note=_required_note("depth")),
        detail("result", "notes", "Result (free text)", identifier=True),
        detail("workup_what", "text", "Work-up: what (free text)", identifier=True, detail="what", source="what"),
        detail("size_mm", "text", "Lesion size (mm)", validation="number", minimum="0"),
        detail("depth_mm", "text", "Lesion depth (mm)", validation="number", minimum="0"),
        detail("pigment", "text", "Pigment change (free text)", identifier=True),
        detail("photo", "yesno", "Photo taken"),
        detail("improvement", "dropdown", "Improvement", choices=choices(IMPROVEMENT)),
        detail("mrc", "text", "MRC muscle strength (0-5)", validation="integer", minimum="0", maximum="5"),
        detail("pain", "text", "Pain (0-10)", validation="integer", minimum="0", maximum="10"),
        detail("event_site", "text", "Site (free text)", identifier=True, detail="site", source="site"),
        detail("event_note", "notes", "Note (free text)", identifier=True, detail="note", source="note",
               note=_required_note("note")),
        Field("voided", EVENT_FORM, "yesno", "Voided (entered in error; counts for nothing)",
              annotation="Rounds: event voided (never in a de-identified file)"),
        Field("void_reason", EVENT_FORM, "notes", "Why it was voided (free text)", identifier=True,
              branching="[voided] = '1'", annotation="Rounds: event void_reason"),

        Field("item_id", ITEM_FORM, "dropdown", "Checklist item", section="Checklist item",
              choices=choices([i.id for i in items], lambda i: next(x.title for x in items if x.id == i)),
              required=True, annotation="Rounds: item id"),
        Field("item_pathway", ITEM_FORM, "dropdown", "Pathway",
              choices=choices(pathways, lambda p: catalogue.pathways[p].title), annotation="Rounds: item pathway"),
        Field("item_state", ITEM_FORM, "dropdown", "State as recorded", choices=choices(ITEM_STATES), required=True,
              note="missed: a time-point item whose whole window closed before enrolment",
              annotation="Rounds: item state (recorded, not today's status)"),
        Field("window_opens", ITEM_FORM, "text", "Window opens", validation="date_ymd",
              annotation="Rounds: item opens"),
        Field("window_closes", ITEM_FORM, "text", "Window closes", validation="date_ymd",
              annotation="Rounds: item closes"),
        Field("resolved_date", ITEM_FORM, "text", "Done or skipped on", validation="date_ymd",
              branching="[item_state] = 'done' or [item_state] = 'skipped'", annotation="Rounds: item resolved_on"),
        Field("snoozed_until", ITEM_FORM, "text", "Snoozed until", validation="date_ymd",
              branching="[item_state] = 'snoozed'", annotation="Rounds: item until"),
        Field("item_reason", ITEM_FORM, "notes", "Reason for a skip or snooze (free text)", identifier=True,
              annotation="Rounds: item reason"),
        Field("item_provenance", ITEM_FORM, "dropdown", "How strong its source is",
              choices=choices(PROVENANCE_LEVELS), annotation="Rounds: item provenance"),
        Field("item_sources", ITEM_FORM, "text", "Sources", annotation="Rounds: item sources, as a reader cites them"),
    ]


FORMS = (CASE_FORM, EVENT_FORM, ITEM_FORM)


def _checkbox_codes(catalogue: Catalogue) -> dict[str, list[str]]:
    return {"pathways": [code(p) for p in catalogue.pathways]}


def import_columns(catalogue: Catalogue) -> list[str]:
    """The import file's header: the keys, then each form's fields and its `<form>_complete`."""
    all_fields = fields(catalogue)
    boxes = _checkbox_codes(catalogue)
    columns = list(KEY_COLUMNS)
    for form in FORMS:
        for f in all_fields:
            if f.form == form and f.name != "record_id":
                columns += f.columns(boxes)
        columns.append(f"{form}_complete")
    return columns


class Dictionary:
    """`--format redcap-dictionary`: the fields of the three instruments (no case data)."""

    @staticmethod
    def render(views: Sequence[CaseView], ctx: ExportContext) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(DICTIONARY_COLUMNS)
        for f in fields(ctx.catalogue):
            writer.writerow(f.row())
        return buffer.getvalue()


def render(views: Sequence[CaseView], ctx: ExportContext) -> str:
    columns = import_columns(ctx.catalogue)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n", restval="")
    writer.writeheader()
    for view in views:
        for row in case_rows(view, ctx):
            writer.writerow({k: safe_cell(v) for k, v in row.items()})
        ctx.tick()
    return buffer.getvalue()


def _text(value: str | None) -> str | None:
    return " ".join(value.split()) if value else None


def case_rows(view: CaseView, ctx: ExportContext) -> list[dict]:
    """The rows of one case: its enrolment row, then one per event and one per checklist item."""
    case = view.case
    record = case.id
    row: dict = {
        "record_id": record, "redcap_event_name": ENROLMENT_EVENT,
        "patient_label": None if ctx.deidentified else _text(case.patient),
        "case_status": code(case.status), "onset_date": case.onset, "injection_date": case.injection_date,
        "enrolment_date": case.enrolment, "etiology": code(case.etiology) if case.etiology else None,
        "etiology_date": case.etiology_date,
        "inflammation": case.inflammation, "inflammation_date": case.inflammation_date,
        "severity": code(case.severity) if case.severity else None, "severity_date": case.severity_date,
        "case_site": _text(case.site), "case_note": _text(case.note), f"{CASE_FORM}_complete": COMPLETE,
    }
    for pathway in ctx.catalogue.pathways:
        row[f"pathways___{code(pathway)}"] = "1" if pathway in case.pathways else "0"
    rows = [row]
    events = sorted(case.events, key=lambda e: (e.date, e.seq))
    for instance, event in enumerate(events, start=1):
        rows.append(_event_row(record, instance, event))
    for instance, item in enumerate(view.items, start=1):
        rows.append(_item_row(record, instance, item, view, ctx))
    return rows


def _event_row(record: str, instance: int, event: Event) -> dict:
    return {
        "record_id": record, "redcap_event_name": FOLLOW_UP_EVENT, "redcap_repeat_instrument": EVENT_FORM,
        "redcap_repeat_instance": instance, "event_id": event.id, "event_kind": code(event.kind),
        "event_date": event.date, "volume_ml": event.volume_ml, "guidance": event.guidance,
        "drug": _text(event.drug), "dose": _text(event.dose),
        "biopsy_depth": code(event.depth) if event.depth else None, "result": _text(event.result),
        "workup_what": _text(event.what), "size_mm": event.size_mm, "depth_mm": event.depth_mm,
        "pigment": _text(event.pigment), "photo": None if event.photo is None else ("1" if event.photo else "0"),
        "improvement": event.improvement, "mrc": event.mrc, "pain": event.pain,
        "event_site": _text(event.site), "event_note": _text(event.note),
        "voided": "1" if event.voided else "0", "void_reason": _text(event.void_reason),
        f"{EVENT_FORM}_complete": COMPLETE,
    }


def recorded_state(item: ItemView, view: CaseView) -> str:
    """The state as recorded, the same on any day (a lapsed snooze still reads `snoozed`)."""
    if item.status == "missed":
        return "missed"
    record = view.case.items.get(item.id)
    if record is not None and record.state == "snoozed":
        return "snoozed"
    return "open" if item.state == "snoozed" else item.state


def _item_row(record: str, instance: int, item: ItemView, view: CaseView, ctx: ExportContext) -> dict:
    state = recorded_state(item, view)
    stored = view.case.items.get(item.id)
    until = stored.until if stored is not None and state == "snoozed" else None
    return {
        "record_id": record, "redcap_event_name": FOLLOW_UP_EVENT, "redcap_repeat_instrument": ITEM_FORM,
        "redcap_repeat_instance": instance, "item_id": code(item.id), "item_pathway": code(item.pathway),
        "item_state": state, "window_opens": item.opens, "window_closes": item.closes,
        "resolved_date": item.resolved_on if state in ("done", "skipped") else None,
        "snoozed_until": until, "item_reason": _text(item.reason) if not ctx.deidentified else None,
        "item_provenance": code(item.provenance),
        "item_sources": readable.source_names(item.sources, ctx.catalogue),
        f"{ITEM_FORM}_complete": COMPLETE,
    }
