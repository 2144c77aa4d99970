"""De-identified exports, in every format, contain none of what they removed, and keep what they kept."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest
from icalendar import Calendar

from store.export.deidentify import DEID_PREFIX, Deidentifier, safe_dose, safe_drug
from store.export.runner import ExportError, ExportOptions, render_export
from tests.export.conftest import NOW, TODAY, case_dates, identifiers, render

FORMATS = ("md", "html", "json", "csv", "ics", "fhir", "redcap")


def date_forms(day: date) -> set[str]:
    """How a date can appear in any of the formats (ISO, iCalendar basic form)."""
    return {day.isoformat(), day.strftime("%Y%m%d")}


def deid_outputs(demo) -> dict[str, str]:
    """Every format of the de-identified export of every demo case."""
    outputs = {fmt: render(demo, fmt, deidentify=True) for fmt in FORMATS}
    outputs["csv-events"] = render(demo, "csv", deidentify=True, events=True)
    return outputs


def catalogue_text(catalogue) -> str:
    """What Rounds prints whatever the patient: a demo note like "normal" is found in it, not leaked."""
    parts = []
    for pathway in catalogue.pathways.values():
        parts += [pathway.title, pathway.summary]
        parts += [f"{i.title} {i.rationale} {i.note or ''}" for i in pathway.items]
        parts += [f"{a.title} {a.action}" for a in pathway.alerts]
    parts += [f"{r.citation} {r.note or ''}" for r in catalogue.references.values()]
    return " ".join(parts)


def assert_no_identifiers(demo, outputs: dict[str, str]) -> None:
    """No label, free text, case or event id, or original date (or the export day) in any output."""
    cases = demo.cases()
    generic = catalogue_text(demo.catalogue)
    removed_text = {t for c in cases for t in identifiers(c) if t not in generic}
    # Event ids (e1, e2, ...) are per-case counters, not identifiers: they come back as e<seq>.
    removed_text = {t for t in removed_text if not (t[0] == "e" and t[1:].isdigit())}
    originals = {d for c in cases for d in case_dates(c)} | {TODAY}
    for fmt, text in outputs.items():
        folded = " ".join(text.split())
        unfolded = text.replace("\r\n ", "").replace("\n ", "")  # iCalendar folds long lines
        for secret in removed_text:
            for form in {secret, " ".join(secret.split())}:
                assert form not in text and form not in folded and form not in unfolded, (fmt, secret)
        for day in originals:
            for form in date_forms(day):
                assert form not in unfolded, (fmt, day)


def test_no_label_free_text_id_or_date_survives_in_any_format(demo):
    # The store's own secret offsets: no shifted date may equal an original one, in any case.
    assert_no_identifiers(demo, deid_outputs(demo))


def test_a_fuller_demo_database_leaks_nothing(tmp_path, catalogue):
    from store.demo import fill_demo
    from store.repository import Repository
    from tests.export.conftest import DemoDb, fixed_now

    repo = Repository(tmp_path / "db", catalogue, now=fixed_now)
    fill_demo(repo, catalogue, TODAY, 40)
    demo = DemoDb(repo=repo, db_dir=tmp_path / "db", ids=[c.id for c in repo.all_cases()])
    assert_no_identifiers(demo, deid_outputs(demo))


_ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def dates_in(fmt: str, text: str) -> set[date]:
    if fmt == "ics":
        events = Calendar.from_ical(text).walk("VEVENT")
        found = {e.decoded(k) for e in events for k in ("dtstart", "dtend")}
        found |= {date.fromisoformat(m) for e in events for m in _ISO.findall(str(e["description"]))}
        return found
    return {date.fromisoformat(m) for m in _ISO.findall(text)}


@pytest.mark.parametrize("fmt", FORMATS + ("csv-events",))
def test_with_the_stores_own_offsets_every_date_is_a_shifted_real_one(demo, fmt):
    """Each date in a case's de-identified export is a date of its full export, moved by its offset."""
    deid = Deidentifier(demo.repo.deid_key(), demo.repo.deid_offset_days, str)
    base, events = (fmt, False) if fmt != "csv-events" else ("csv", True)
    for case_id in demo.ids:
        shift = deid.shift(case_id)
        # A de-identified calendar holds every open window whatever the day, as --past does.
        extra = {"past": True} if base == "ics" else {}
        plain = render(demo, base, [case_id], events=events, **extra)
        hidden = render(demo, base, [case_id], events=events, deidentify=True)
        expected = {d + shift for d in dates_in(base, plain)}
        found = dates_in(base, hidden)
        assert found <= expected and (found or not expected), (fmt, sorted(found - expected))


def test_ids_are_keyed_hashes_stable_within_the_database(demo, tmp_path):
    first = [c["id"] for c in json.loads(render(demo, "json", deidentify=True))["cases"]]
    again = [c["id"] for c in json.loads(render(demo, "json", deidentify=True))["cases"]]
    assert first == again and len(set(first)) == len(demo.ids)
    assert all(i.startswith(DEID_PREFIX) and len(i) == len(DEID_PREFIX) + 16 for i in first)
    other_key = Deidentifier(b"another database's key", lambda _: 5, str)
    assert [other_key.case_id(c) for c in demo.ids] != first


def test_dates_shift_per_case_and_intervals_are_kept(demo):
    deid = Deidentifier(demo.repo.deid_key(), demo.repo.deid_offset_days, str)
    exported = {c["id"]: c for c in json.loads(render(demo, "json", deidentify=True))["cases"]}
    for case in demo.cases():
        shift = deid.shift(case.id)
        assert shift.days != 0
        out = exported[deid.case_id(case.id)]
        assert out["onset"] == (case.onset + shift).isoformat()
        assert out["enrolment"] == (case.enrolment + shift).isoformat()
        live = sorted((e for e in case.events if not e.voided), key=lambda e: (e.date, e.seq))
        assert [e["date"] for e in out["events"]] == [(e.date + shift).isoformat() for e in live]
        # No day at all: not the real one, not a shifted one (deidentify.py).
        assert "today" not in out


def test_windows_recorded_states_and_clinical_values_are_kept_statuses_are_not(demo):
    plain = {c["patient"]: c for c in json.loads(render(demo, "json"))["cases"]}
    deid = {c["id"]: c for c in json.loads(render(demo, "json", deidentify=True))["cases"]}
    hasher = Deidentifier(demo.repo.deid_key(), demo.repo.deid_offset_days, str)
    first_plain, first_deid = plain["DEMO-001"], deid[hasher.case_id(demo.ids[0])]
    assert "urgency" not in first_deid and "next_due" not in first_deid
    assert [i["id"] for i in first_deid["items"]] == [i["id"] for i in first_plain["items"]]
    assert all("status" not in i for i in first_deid["items"])
    # Recorded states, not today's: the snoozed review stays "snoozed" whatever day the file is made.
    assert {i["id"]: i["state"] for i in first_deid["items"]}["review-12m"] == "snoozed"
    # Alerts the record raises at any time: today's are among them.
    assert set(first_plain["alert_codes"]) <= set(first_deid["alert_codes"])
    volumes = [e.get("volume_ml") for e in first_deid["events"]]
    assert volumes == [None, 10.0, 25.0]  # the voided 12 mL session is gone
    assessment = first_deid["events"][0]
    assert (assessment["size_mm"], assessment["improvement"], assessment["photo"]) == (22.0, "none", True)
    assert "pigment" not in assessment and "note" not in assessment


def test_known_drug_names_and_plain_doses_are_kept_free_text_is_not(demo):
    rows = list(csv.DictReader(io.StringIO(render(demo, "csv", deidentify=True, events=True), newline="")))
    drugs = {r["drug"] for r in rows if r["drug"]}
    assert drugs == {"hydroxychloroquine", "methotrexate", "triamcinolone", "methylprednisolone",
                     "triamcinolone + lidocaine"}
    doses = {r["dose"] for r in rows if r["dose"]}
    assert doses == {"400 mg/day", "15 mg/week", "40 mg", "80 mg", "40mg"}
    assert all(not r["site"] and not r["note"] and not r["result"] and not r["what"] for r in rows)
    assert all(r["voided"] == "no" and not r["recorded_by"] and not r["recorded_at"] for r in rows)


@pytest.mark.parametrize("text, kept", [
    ("Triamcinolone", "triamcinolone"),
    ("triamcinolone  acetonide", "triamcinolone acetonide"),
    ("methylprednisolone / lidocaine", "methylprednisolone + lidocaine"),
    ("Kenalog", None),  # a brand name is not on the list: withheld rather than guessed at
    ("MTX", "methotrexate"),  # an abbreviation of the drug list (seeds/drugs.toml) becomes its generic
    ("HCQ + MTX", "hydroxychloroquine + methotrexate"),
    ("cyclizine", None),
    ("lignocaine", "lidocaine"),  # another spelling of a listed drug: its generic
    ("Hydroxychloroquine sulfate", "hydroxychloroquine sulfate"),  # a salt: as written, a study may need it
    ("triamcinolone + normal saline", "triamcinolone + normal saline"),  # a diluent, not a drug of the list
    ("triamcinolone for Mrs Smith", None),
    ("triamcinolone + DEMO-001", None),
    ("", None),
])
def test_safe_drug(text, kept):
    assert safe_drug(text) == kept


def test_the_drug_list_is_the_one_list_a_deidentified_export_keeps_drugs_by():
    """One list of drug names (seeds/drugs.toml): every name on it is kept, as its generic or a salt of it."""
    from seeds.drugs import default_drugs

    for drug in default_drugs().drugs:
        for name in drug.names:
            kept = safe_drug(name)
            assert kept is not None and kept.startswith(drug.generic), (name, kept)


@pytest.mark.parametrize("text, kept", [
    ("40 mg", "40 mg"), ("400 mg/day", "400 mg/day"), ("0.5 mL", "0.5 mL"), ("40mg", "40mg"),
    ("40 mg per Dr Who", None), ("see letter 2026-03-01", None), ("1 vial", None),
])
def test_safe_dose(text, kept):
    assert safe_dose(text) == kept


def test_a_zero_offset_is_refused():
    with pytest.raises(ValueError):
        Deidentifier(b"k", lambda _: 0, str).shift("abcd")


def test_patient_label_cannot_be_added_to_a_deidentified_calendar(demo):
    with pytest.raises(ExportError, match="cannot be combined"):
        render(demo, "ics", deidentify=True, with_patient=True)


def test_deidentified_calendar_has_no_real_stamp_and_hashed_uids(demo):
    calendar = Calendar.from_ical(render(demo, "ics", deidentify=True))
    events = list(calendar.walk("VEVENT"))
    assert events
    for event in events:
        assert str(event["uid"]).startswith(DEID_PREFIX)
        assert event.decoded("dtstamp").year == 1970
        assert event.decoded("dtstamp") != NOW


def test_deidentified_summary_withholds_who_and_when(demo):
    for fmt in ("md", "html"):
        text = render(demo, fmt, deidentify=True)
        assert "De-identified export" in text
        assert "Generated by Rounds on" not in text and "As of" not in text
    data = json.loads(render(demo, "json", deidentify=True))
    assert "generated_at" not in data and "generated_by" not in data and "today" not in data
    assert all("audit" not in case for case in data["cases"])


def test_render_export_returns_the_real_ids_for_the_audit(demo):
    _, ids = render_export(demo.repo, demo.ids[:2], ExportOptions("csv", deidentify=True),
                           catalogue=demo.catalogue, today=TODAY, now=NOW)
    assert sorted(ids) == sorted(demo.ids[:2])


def test_offsets_of_the_store_move_dates_back_further_than_a_case_spans(demo):
    for case_id in demo.ids:
        assert 20 * 365 <= -demo.repo.deid_offset_days(case_id) <= 40 * 365
