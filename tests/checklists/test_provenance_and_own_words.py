"""Provenance that claims no more than its source, and protocol text in the product's own words (issue 15).

The seeds are AI-written summaries and an essay: Rounds paraphrases them and never copies them. A run
of six words in a row shared with a seed document is a copy; the four texts the audit named are held
to five. Citations are exempt (a citation must give a paper's title as it is).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from store.protocol import shipped_protocol

ROOT = Path(__file__).resolve().parents[2]
# The clinical sources sit beside the repository (../shared/clinical), on every machine and in CI.
CLINICAL = ROOT.parent / "shared" / "clinical"
CATALOGUE = shipped_protocol()
_WORD = re.compile(r"[a-z0-9]+")
_DOI = re.compile(r"\b(?:doi[: ]\s*)?10\.\d{4,}/\S+", re.IGNORECASE)  # an identifier, not prose
# Written in the product's words again after the audit found them nearly copied.
REWRITTEN = {
    ("item", "vasculitis-alternative", "title"), ("item", "prednisone-flares", "rationale"),
    ("item", "methotrexate", "title"), ("item", "image-guidance", "rationale"),
}


def words(text: str) -> list[str]:
    return _WORD.findall(_DOI.sub(" ", text).lower())


def runs(text: str, n: int) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[i:i + n]) for i in range(len(found) - n + 1)}


def source_runs(n: int) -> set[tuple[str, ...]]:
    files = sorted(CLINICAL.glob("*.txt"))
    assert files, f"the clinical sources are missing: {CLINICAL} (they belong beside the repository)"
    return set().union(*(runs(f.read_text(encoding="utf-8"), n) for f in files))


def protocol_texts():
    """(what, id, field, text) of every sentence the pathway files and the reference notes hold."""
    for path in sorted((ROOT / "seeds" / "pathways").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for key in ("title", "summary", "anchors", "onset"):
            yield "pathway", data["id"], key, data[key]
        for kind in ("item", "alert"):
            for row in data.get(kind, []):
                for key in ("title", "short", "rationale", "note", "action", "waits"):
                    if key in row:
                        yield kind, row.get("id") or row["code"], key, row[key]
    for ref in CATALOGUE.references.values():
        if ref.note:
            yield "reference", ref.key, "note", ref.note


def test_no_protocol_text_repeats_six_words_of_a_seed_document():
    copied = source_runs(6)
    for what, ident, key, text in protocol_texts():
        shared = [" ".join(r) for r in runs(text, 6) & copied]
        assert not shared, (what, ident, key, shared)


def test_the_four_texts_the_audit_found_copied_share_not_even_five_words_in_a_row():
    copied = source_runs(5)
    seen = set()
    for what, ident, key, text in protocol_texts():
        if (what, ident, key) in REWRITTEN:
            seen.add((what, ident, key))
            assert not runs(text, 5) & copied, (ident, key)
    assert seen == REWRITTEN


def test_the_decisions_and_the_audit_paraphrase_the_sources_too():
    copied = source_runs(6)
    for name in ("seeds/DECISIONS.md", "docs/CLINICAL-AUDIT.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        assert not [" ".join(r) for r in runs(text, 6) & copied], name


def test_image_guidance_is_the_essays_advice_not_literature():
    for entry in (CATALOGUE.item("image-guidance"), CATALOGUE.alert("blind-injection")):
        assert entry.provenance == "seed-summary" and entry.sources == ("seed-002",), entry


def test_the_joints_guideline_is_cited_only_for_lower_doses():
    citing = [e.id if hasattr(e, "id") else e.code
              for p in CATALOGUE.pathways.values() for e in (*p.items, *p.alerts) if "benzon2025" in e.sources]
    assert citing == ["dose-review"]
    joints = CATALOGUE.references["benzon2025"]
    assert "10.1136/rapm-2024-105656" in joints.citation and "lower" in joints.note


def test_the_nerve_block_guideline_the_essay_lists_is_its_own_unverified_reference():
    blocks = CATALOGUE.references["benzon2025-blocks"]
    assert "10.1136/rapm-2024-105593" in blocks.citation
    assert blocks.provenance == "seed-summary" and "not verified" in blocks.note
    cited = {s for p in CATALOGUE.pathways.values() for e in (*p.items, *p.alerts) for s in e.sources}
    assert "benzon2025-blocks" not in cited  # nothing on a checklist rests on it


def test_papers_the_product_team_verified_say_the_seeds_do_not_cite_them():
    for key in ("shen2010", "brinks2010"):
        reference = CATALOGUE.references[key]
        assert reference.provenance == "literature"
        assert "the seed documents do not cite it" in reference.note, key


def test_the_excisional_biopsy_rule_is_the_seeds_and_shen2010_is_background():
    for entry in (CATALOGUE.item("deep-biopsy"), CATALOGUE.alert("biopsy-not-deep")):
        assert entry.provenance == "seed-summary" and entry.sources[0] == "seed-001"


def test_windows_the_product_chose_are_clinic_policy():
    """Every item booked within days of enrolment or of the etiology being set: the days are the clinic's."""
    chosen = []
    for pathway in CATALOGUE.pathways.values():
        for item in pathway.items:
            window = item.window or (item.series.first if item.series else None)
            if window and window.anchor in ("enrolment", "etiology-set") and window.closes.unit == "d":
                chosen.append(item.id)
                assert item.timing_provenance == "clinic-policy", item.id
    assert {"baseline-assessment", "saline-session", "deep-biopsy", "pt-before-injection",
            "cyclophosphamide-glucocorticoids", "thyroid-autoimmune-screen"} <= set(chosen)
    # The step itself keeps its own source: saline infiltration is still the published protocol.
    saline = CATALOGUE.item("saline-session")
    assert (saline.provenance, saline.timing_provenance) == ("literature", "clinic-policy")
