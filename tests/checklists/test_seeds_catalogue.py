"""The pathway files: malformed ones are refused with file and field named; the shipped ones match the spec."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from seeds.loader import PROVENANCE_LEVELS, PathwayFileError, load_catalogue
from tests.checklists.conftest import edit

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
# The specification sits beside the repository (../shared/spec), on every machine and in CI.
SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "pathways.md"
CATALOGUE = load_catalogue()


# --- malformed files ------------------------------------------------------------------------

def refused(directory: Path, *fragments: str) -> str:
    with pytest.raises(PathwayFileError) as caught:
        load_catalogue(directory)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def test_the_copy_itself_loads(seeds_copy):
    assert set(load_catalogue(seeds_copy).pathways) == set(CATALOGUE.pathways)


def test_bad_toml_names_the_file(seeds_copy):
    edit(seeds_copy / "pathways" / "hip-injection.toml", 'title = "Muscle', 'title = "Muscle\n')
    refused(seeds_copy, "hip-injection.toml", "TOML")


def test_missing_item_field_names_file_and_field(seeds_copy):
    edit(seeds_copy / "pathways" / "hip-injection.toml",
         'title = "Use image guidance, not landmarks"\n', "")
    refused(seeds_copy, "hip-injection.toml", "item[1].title", "missing")


def test_missing_pathway_id_names_file_and_field(seeds_copy):
    edit(seeds_copy / "pathways" / "steroid-atrophy.toml", 'id = "steroid-atrophy"\n', "")
    refused(seeds_copy, "steroid-atrophy.toml", "'id'")


def test_unknown_anchor_names_file_and_field(seeds_copy):
    edit(seeds_copy / "pathways" / "steroid-atrophy.toml",
         'window = { anchor = "onset", opens = "6m"', 'window = { anchor = "birthday", opens = "6m"')
    refused(seeds_copy, "steroid-atrophy.toml", "window.anchor", "birthday")


@pytest.mark.parametrize("offset", ["6x", "six", "-6m", "6 m", "m6", ""])
def test_bad_offset_names_file_and_field(seeds_copy, offset):
    edit(seeds_copy / "pathways" / "steroid-atrophy.toml",
         'window = { anchor = "onset", opens = "6m"', f'window = {{ anchor = "onset", opens = "{offset}"')
    refused(seeds_copy, "steroid-atrophy.toml", "window.opens")


def test_bad_series_offset_names_file_and_field(seeds_copy):
    edit(seeds_copy / "pathways" / "steroid-atrophy.toml", 'next_opens = "7d"', 'next_opens = "7 days"')
    refused(seeds_copy, "steroid-atrophy.toml", "series.next_opens")


def test_unknown_source_key_names_file_and_field(seeds_copy):
    edit(seeds_copy / "pathways" / "panniculitis-lipoatrophy.toml",
         'sources = ["shen2010", "seed-001"]', 'sources = ["shen2011", "seed-001"]')
    refused(seeds_copy, "panniculitis-lipoatrophy.toml", "sources", "shen2011")


def test_empty_sources_are_refused(seeds_copy):
    edit(seeds_copy / "pathways" / "hip-injection.toml", 'sources = ["seed-002"]', "sources = []")
    refused(seeds_copy, "hip-injection.toml", "sources")


def test_duplicate_item_id_in_one_file(seeds_copy):
    edit(seeds_copy / "pathways" / "hip-injection.toml", 'id = "dose-review"', 'id = "image-guidance"')
    refused(seeds_copy, "hip-injection.toml", "item[2].id", "image-guidance")


def test_duplicate_item_id_across_files(seeds_copy):
    edit(seeds_copy / "pathways" / "hip-injection.toml", 'id = "dose-review"', 'id = "review-6m"')
    refused(seeds_copy, "steroid-atrophy.toml", "review-6m", "hip-injection")


@pytest.mark.parametrize(("old", "new", "field"), [
    ('severity = "critical"', 'severity = "urgent"', "alert[2].severity"),
    ('provenance = "seed-summary"\nwindow = { anchor = "enrolment"',
     'provenance = "verified"\nwindow = { anchor = "enrolment"', "item[0].provenance"),
    ('etiology = "idiopathic"', 'etiology = "Idiopathic"', "etiology"),
    ('satisfied_by = { kind = "mri" }', 'satisfied_by = { kind = "scan" }', "satisfied_by.kind"),
    ('kind = "recurrence"', 'kind = "recurrence"\nlimit_years = 0', "series.limit_years"),
    ('kind = "recurrence"', 'kind = "monthly"', "series.kind"),
    ('id = "deep-biopsy"', 'id = "Deep Biopsy"', "item[0].id"),
])
def test_bad_values_name_file_and_field(seeds_copy, old, new, field):
    edit(seeds_copy / "pathways" / "panniculitis-lipoatrophy.toml", old, new)
    refused(seeds_copy, "panniculitis-lipoatrophy.toml", field)


def test_bad_reference_file(seeds_copy):
    edit(seeds_copy / "references.toml", 'provenance = "literature"', 'provenance = "peer-reviewed"')
    refused(seeds_copy, "references.toml", "reference[0].provenance")


def test_duplicate_reference_key(seeds_copy):
    edit(seeds_copy / "references.toml", 'key = "shen2010"', 'key = "shumaker2005"')
    refused(seeds_copy, "references.toml", "key", "shumaker2005")


def test_no_pathway_files(seeds_copy):
    for path in (seeds_copy / "pathways").glob("*.toml"):
        path.unlink()
    refused(seeds_copy, "pathways")


# --- the shipped catalogue against the spec -------------------------------------------------

# Alert codes of pathways.md with the severity it names (warning unless it says otherwise;
# waiting-too-long starts as a warning and the engine raises it to critical at 12 months).
SPEC_ALERTS = {
    "saline-volume-out-of-range": "warning", "saline-course-incomplete": "warning",
    "saline-course-exceeded": "warning", "saline-no-response": "warning", "waiting-too-long": "warning",
    "fat-graft-before-saline": "warning", "biopsy-not-deep": "warning", "aat-untested": "warning",
    "fat-graft-during-inflammation": "critical", "therapy-stopped-early": "warning",
    "injection-before-pt": "warning", "blind-injection": "warning", "injection-frequency": "warning",
}


def spec_text() -> str:
    assert SPEC.is_file(), f"the specification is missing: {SPEC} (it belongs beside the repository)"
    return SPEC.read_text(encoding="utf-8")


def spec_alert_codes() -> dict[str, str]:
    """Alert codes as the spec lists them under 'Alert codes', with the severity it names."""
    codes: dict[str, str] = {}
    in_alerts = False
    for line in spec_text().splitlines():
        if line.startswith("## "):
            in_alerts = False
        if line.startswith("Alert codes"):
            in_alerts = True
            continue
        match = re.match(r"^- `([a-z0-9-]+)`( \(`(critical|info)`\))?:", line) if in_alerts else None
        if match:
            codes[match.group(1)] = match.group(3) or "warning"
    return codes


def test_the_alert_list_here_is_the_spec_list():
    assert spec_alert_codes() == SPEC_ALERTS


def test_every_alert_code_in_the_spec_is_in_the_catalogue_with_its_severity():
    for code, severity in SPEC_ALERTS.items():
        definition = CATALOGUE.alert(code)
        assert definition is not None, code
        assert definition.severity == severity, code


def test_alert_codes_live_in_the_right_pathway():
    where = {
        "steroid-atrophy": {"saline-volume-out-of-range", "saline-course-incomplete", "saline-course-exceeded",
                            "saline-no-response", "waiting-too-long", "fat-graft-before-saline"},
        "panniculitis-lipoatrophy": {"biopsy-not-deep", "aat-untested", "fat-graft-during-inflammation",
                                     "therapy-stopped-early", "treatment-before-diagnosis"},
        "hip-injection": {"injection-before-pt", "blind-injection", "injection-frequency"},
    }
    # pathways.md "Revisions": an alert for new tendon pain or a rupture after hip injections (seed 002).
    where["hip-injection"].add("tendon-damage")
    # pathways.md "Revisions" (issue 15): weakness at a check after hip injections.
    where["hip-injection"].add("muscle-weakness")
    for pathway, codes in where.items():
        assert {a.code for a in CATALOGUE.pathways[pathway].alerts} == codes


SPEC_ITEMS = {
    "steroid-atrophy": ["baseline-assessment", "saline-session", "saline-response-review", "review-6m",
                        "review-12m", "autologous-blood", "fat-graft-referral"],
    "panniculitis-lipoatrophy": [
        "deep-biopsy", "aat-test", "systemic-workup", "aat-augmentation", "dapsone", "smoking-cessation",
        "liver-transplant-assessment", "hydroxychloroquine", "prednisone-flares", "methotrexate",
        "therapy-review-12m", "cyclophosphamide-glucocorticoids", "vasculitis-alternative",
        "fat-graft-after-inflammation", "mri-leg-pain", "thyroid-autoimmune-screen", "recurrence-check"],
    "hip-injection": ["pt-before-injection", "image-guidance", "dose-review", "atrophy-check-early",
                      "atrophy-check-12m"],
}


# pathways.md "Revisions" ("New, from statements of the seeds not yet modelled"): items the spec
# describes without naming an id, each after the spec's own items of its pathway, from its seed.
REVISION_ITEMS = {
    "steroid-atrophy": {"fat-graft-review": "seed-000"},
    "panniculitis-lipoatrophy": {"mtx-dose-review": "seed-001"},
    "hip-injection": {"tendon-joint-check-early": "seed-002", "tendon-joint-check-12m": "seed-002"},
}


def test_every_item_the_spec_names_is_in_its_pathway():
    for pathway, items in SPEC_ITEMS.items():
        ids = [i.id for i in CATALOGUE.pathways[pathway].items]
        assert [i for i in ids if i not in REVISION_ITEMS[pathway]] == items
        assert set(ids) - set(items) == set(REVISION_ITEMS[pathway])


def test_items_added_by_the_revisions_cite_the_seed_they_model():
    for pathway, items in REVISION_ITEMS.items():
        for item_id, seed in items.items():
            assert seed in CATALOGUE.pathways[pathway].item(item_id).sources, item_id
    assert "Revisions" in spec_text() and "serial fat grafting" in spec_text()


def test_the_item_list_here_is_named_in_the_spec():
    text = spec_text()
    for pathway, items in SPEC_ITEMS.items():
        assert f"`{pathway}`" in text
        for item in items:
            assert f"`{item}`" in text, item


def test_every_item_and_alert_has_known_sources_and_a_provenance():
    references = CATALOGUE.references
    for pathway in CATALOGUE.pathways.values():
        for entry in (*pathway.items, *pathway.alerts):
            assert entry.sources, entry
            assert all(s in references for s in entry.sources), entry
            assert entry.provenance in PROVENANCE_LEVELS, entry


def test_literature_provenance_rests_on_a_verified_paper():
    for pathway in CATALOGUE.pathways.values():
        for entry in (*pathway.items, *pathway.alerts):
            if entry.provenance == "literature":
                assert any(CATALOGUE.references[s].provenance == "literature" for s in entry.sources), entry


def test_literature_references_are_exactly_the_verified_citations():
    verified = {
        "shumaker2005": ("10.1111/j.1524-4725.2005.31216", "16188192"),
        "shen2010": ("10.1001/archdermatol.2010.180", None),
        "coombes2013": ("10.1001/jama.2013.129", "23385272"),
        "benzon2025": ("10.1136/rapm-2024-105656", "40015722"),
        "brinks2010": ("10.1186/1471-2474-11-206", "20836867"),
    }
    literature = {k for k, r in CATALOGUE.references.items() if r.provenance == "literature"}
    assert literature == set(verified)
    for key, (doi, pmid) in verified.items():
        citation = CATALOGUE.references[key].citation
        assert doi in citation, key
        if pmid:
            assert pmid in citation, key
    for key in ("seed-000", "seed-001", "seed-002", "clinic-policy"):
        assert key in CATALOGUE.references
        assert CATALOGUE.references[key].provenance != "literature"


def test_coombes2013_is_shown_with_its_elbow_caveat_wherever_cited():
    for pathway in CATALOGUE.pathways.values():
        for item in pathway.items:
            if "coombes2013" in item.sources:
                assert "elbow" in f"{item.rationale} {item.note or ''}", item.id
        for alert in pathway.alerts:
            if "coombes2013" in alert.sources:
                assert "elbow" in alert.action, alert.code
    assert "elbow" in (CATALOGUE.references["coombes2013"].note or "")


def test_the_12_injections_anecdote_is_never_presented_as_a_threshold():
    for path in (SEEDS / "pathways").glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"12 injections|twelve injections|4 years", text, re.IGNORECASE), path.name


def test_clinic_policy_numbers_are_labelled_as_policy():
    hip = CATALOGUE.pathways["hip-injection"].alert("injection-frequency")
    assert hip.provenance == "clinic-policy" and "clinic-policy" in hip.sources
    recurrence = CATALOGUE.pathways["panniculitis-lipoatrophy"].item("recurrence-check")
    assert "clinic-policy" in recurrence.sources


# --- gaps found while testing (reported to the lead; the loader is outside pathways.md/cli.md) ---
def test_saline_series_without_next_offset_is_refused(seeds_copy):
    edit(seeds_copy / "pathways" / "steroid-atrophy.toml", 'next_opens = "7d"\n', "")
    refused(seeds_copy, "steroid-atrophy.toml", "series.next_opens")


def test_an_older_file_with_limit_years_still_loads_and_the_limit_ends_nothing(seeds_copy):
    # Issue 15 changed this: recurrence checks have no fixed end, so the field is no longer needed;
    # a clinic's file that still has it keeps loading (and it no longer ends the series).
    edit(seeds_copy / "pathways" / "panniculitis-lipoatrophy.toml", 'kind = "recurrence"\n',
         'kind = "recurrence"\nlimit_years = 8\n')
    series = load_catalogue(seeds_copy).item("recurrence-check").series
    assert series is not None and not hasattr(series, "limit_years")


def test_satisfied_by_depth_must_be_a_biopsy_depth(seeds_copy):
    edit(seeds_copy / "pathways" / "panniculitis-lipoatrophy.toml", 'depth = "deep-excisional"',
         'depth = "deep-excision"')
    refused(seeds_copy, "panniculitis-lipoatrophy.toml", "satisfied_by.depth")


def test_a_misspelt_field_is_refused_not_ignored(seeds_copy):
    edit(seeds_copy / "pathways" / "steroid-atrophy.toml",
         'window = { anchor = "onset", opens = "6m", closes = "7m" }',
         'windw = { anchor = "onset", opens = "6m", closes = "7m" }')
    refused(seeds_copy, "steroid-atrophy.toml", "windw", "is not a known field")
