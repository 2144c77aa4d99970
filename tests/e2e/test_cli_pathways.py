"""`rounds pathways ...`: a clinical lead reads the protocol, reviews it rule by rule, sees a rule that
changed after review, and switches a rejected item off; the case JSON and the checklists follow."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from checklists.rules import REGISTRY
from store.audit import current_user
from tui.cli import main

TODAY = "2026-11-21"
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "post-injection-skin-check.toml"
SKIN = "post-injection-skin-check"
ME = current_user()


def run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--today", TODAY, *args])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys, db: Path, *args: str) -> str:
    code, out, err = run(capsys, db, *args)
    assert code == 0, err
    return out


def files_of(db: Path) -> dict[str, bytes]:
    return {str(p.relative_to(db)): p.read_bytes() for p in sorted(db.rglob("*")) if p.is_file()} if db.exists() else {}


@pytest.fixture()
def db(tmp_path) -> Path:
    return tmp_path / "db"


def new_case(capsys, db: Path, *pathways: str, onset: str = "2025-06-01") -> str:
    args = [a for p in pathways for a in ("--pathway", p)]
    return ok(capsys, db, "case", "add", "--patient", "DEMO-301", *args, "--onset", onset).strip()


def case_json(capsys, db: Path, case_id: str) -> dict:
    return json.loads(ok(capsys, db, "case", "show", case_id, "--json"))


def test_pathways_list_names_every_pathway_with_its_review(capsys, db):
    out = ok(capsys, db, "pathways", "list")
    for pathway in ("steroid-atrophy", "panniculitis-lipoatrophy", "hip-injection"):
        assert pathway in out
    assert "0 of 14 rules accepted; 14 not yet reviewed" in out
    data = json.loads(ok(capsys, db, "pathways", "list", "--json"))
    assert [p["id"] for p in data] == ["steroid-atrophy", "panniculitis-lipoatrophy", "hip-injection"]
    assert data[0]["review"]["unreviewed"] == data[0]["items"] + data[0]["alerts"]
    assert not db.exists()  # reading the protocol creates nothing


def test_the_protocol_in_words_has_windows_completion_conditions_policy_and_full_sources(capsys, db):
    ok(capsys, db, "config", "set", "saline_max_ml", "25")
    out = ok(capsys, db, "pathways", "show", "steroid-atrophy")
    assert "6 to 7 months after onset" in out and "within 14 days of enrolment" in out
    assert "2 `abi` events (autologous blood injections) are logged" in out
    assert "saline_max_ml = 25" in out  # the value in effect in this database, not the default
    assert "doi:10.1111/j.1524-4725.2005.31216" in out  # the full reference
    assert "seed summary (not yet traced to a verified paper)" in out
    flat = " ".join(out.split())
    for code, condition in REGISTRY["steroid-atrophy"].conditions.items():
        assert code in out and condition in flat
    assert "Late" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_every_format_renders_and_html_is_self_contained_and_escaped(capsys, db, tmp_path):
    (db / "pathways").mkdir(parents=True)
    text = EXAMPLE.read_text().replace('title = "Photograph and measure the injection site"',
                                       'title = "Photograph <b>& measure</b> the site"')
    (db / "pathways" / EXAMPLE.name).write_text(text)
    page = ok(capsys, db, "pathways", "show", SKIN, "--format", "html")
    assert "Photograph &lt;b&gt;&amp; measure&lt;/b&gt; the site" in page and "<b>&" not in page
    assert "default-src 'none'" in page and "<script" not in page
    assert page.count("Clinic decision:") == 2  # a box to sign beside each rule
    parser = HTMLParser()
    parser.feed(page)
    markdown = ok(capsys, db, "pathways", "show", "hip-injection", "--format", "md")
    assert markdown.startswith("# Rounds protocol: ") and "## Alerts (5)" in markdown  # muscle-weakness: issue 15
    data = json.loads(ok(capsys, db, "pathways", "show", "hip-injection", "--format", "json"))
    assert data["id"] == "hip-injection" and data["as_of"] == TODAY
    assert {i["id"] for i in data["items"]} >= {"pt-before-injection", "atrophy-check-early"}
    assert json.loads(ok(capsys, db, "--json", "pathways", "show", "hip-injection"))["id"] == "hip-injection"


def test_a_review_shows_in_the_protocol_and_in_case_show_json(capsys, db):
    case_id = new_case(capsys, db, "steroid-atrophy")
    ok(capsys, db, "log", case_id, "saline", "--volume-ml", "30", "--date", "2026-11-01")
    out = ok(capsys, db, "pathways", "review", "steroid-atrophy", "review-6m", "accept", "--note", "as we do it")
    assert f"accepted by {ME} on {TODAY}" in out
    ok(capsys, db, "pathways", "review", "steroid-atrophy", "saline-volume-out-of-range", "reject",
       "--note", "we use up to 30 mL")
    out = ok(capsys, db, "pathways", "review", "steroid-atrophy", "review-12m", "comment", "--note", "check timing")
    assert "its review stays not yet reviewed" in out

    data = case_json(capsys, db, case_id)
    items = {i["id"]: i["review"] for i in data["items"]}
    alerts = {a["code"]: a["review"] for a in data["alerts"]}
    assert items["review-6m"] == {"state": "accepted", "by": ME, "on": TODAY}
    assert items["review-12m"] == {"state": "unreviewed", "by": None, "on": None}
    assert alerts["saline-volume-out-of-range"] == {"state": "rejected", "by": ME, "on": TODAY}

    shown = ok(capsys, db, "pathways", "show", "steroid-atrophy")
    assert f"accepted by {ME} on {TODAY}: as we do it" in shown
    assert f"comment by {ME} on {TODAY}: check timing" in shown
    assert "1 of 14 rules accepted; 1 rejected, 12 not yet reviewed" in shown
    data = json.loads(ok(capsys, db, "--json", "pathways", "review", "steroid-atrophy", "review-6m", "reject",
                         "--note", "on second thoughts"))
    assert (data["before"], data["review"]) == ("accepted", {"state": "rejected", "by": ME, "on": TODAY})
    audit = json.loads((db / "settings.json").read_text())["audit"]
    assert [e["action"] for e in audit.values()].count("protocol-review") == 4


@pytest.mark.parametrize("args, message", [
    (("review", "steroid-atrophy", "nope", "accept", "--note", "x"), "no item or alert 'nope'"),
    (("review", "nowhere", "review-6m", "accept", "--note", "x"), "pathway"),
    (("review", "steroid-atrophy", "review-6m", "accept", "--note", " "), "note must not be empty"),
    (("review", "steroid-atrophy", "review-6m", "accept"), "--note"),
    (("review", "steroid-atrophy", "review-6m", "approve", "--note", "x"), "invalid choice"),
    (("disable", "steroid-atrophy", "review-6m", "--reason", "x"), "reject it first"),
    (("disable", "steroid-atrophy", "waiting-too-long", "--reason", "x"), "only items"),
    (("enable", "steroid-atrophy", "review-6m"), "not switched off"),
    (("show", "nowhere"), "pathway"),
    (("show", "steroid-atrophy", "--format", "pdf"), "invalid choice"),
])
def test_bad_input_is_one_line_exit_2_and_changes_nothing(capsys, db, args, message):
    new_case(capsys, db, "steroid-atrophy")
    before = files_of(db)
    code, out, err = run(capsys, db, "pathways", *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("rounds: ") and message in err
    assert files_of(db) == before


def test_a_clinic_pathway_changed_after_review_shows_as_changed(capsys, db):
    (db / "pathways").mkdir(parents=True)
    clinic_file = db / "pathways" / EXAMPLE.name
    shutil.copy(EXAMPLE, clinic_file)
    case_id = new_case(capsys, db, SKIN, onset="2026-10-01")
    ok(capsys, db, "pathways", "review", SKIN, "three-month-look", "accept", "--note", "fine")
    states = {i["id"]: i["review"]["state"] for i in case_json(capsys, db, case_id)["items"]}
    assert states["three-month-look"] == "accepted"

    clinic_file.write_text(clinic_file.read_text().replace('opens = "3m", closes = "4m"',
                                                           'opens = "3m", closes = "5m"'))
    review = {i["id"]: i["review"] for i in case_json(capsys, db, case_id)["items"]}["three-month-look"]
    assert review == {"state": "changed", "by": ME, "on": TODAY}  # who accepted the version before
    shown = ok(capsys, db, "pathways", "show", SKIN)
    assert "‡ three-month-look" in shown and "CHANGED since review" in shown
    assert "3 to 5 months after onset" in shown


def test_a_rejected_item_switched_off_leaves_the_checklist_and_its_records_stay(capsys, db, tmp_path):
    case_id = new_case(capsys, db, "steroid-atrophy", onset="2025-06-01")
    ok(capsys, db, "item", case_id, "fat-graft-referral", "skip", "--reason", "patient declined")
    ok(capsys, db, "pathways", "review", "steroid-atrophy", "fat-graft-referral", "reject",
       "--note", "we refer earlier")
    out = ok(capsys, db, "pathways", "disable", "steroid-atrophy", "fat-graft-referral", "--reason", "local pathway")
    assert "switched off" in out

    assert "fat-graft-referral" not in [i["id"] for i in case_json(capsys, db, case_id)["items"]]
    assert "fat-graft-referral" not in ok(capsys, db, "case", "show", case_id)
    case_file = next((db / "cases").rglob(f"{case_id}.json"))
    assert "patient declined" in case_file.read_text()  # its record stays in the case file
    code, _, err = run(capsys, db, "item", case_id, "fat-graft-referral", "done")
    assert code == 2 and "not part of case" in err
    shown = " ".join(ok(capsys, db, "pathways", "show", "steroid-atrophy").split())
    assert "✗ fat-graft-referral: Refer for fat grafting (switched off for this clinic)" in shown
    assert f"SWITCHED OFF for this clinic since {TODAY} by {ME}: local pathway" in shown
    assert "switched off: fat-graft-referral" in ok(capsys, db, "pathways", "list")

    # An export of the case (with the record of the switched-off item) reads back into the clinic.
    export = tmp_path / "case.json"
    ok(capsys, db, "export", case_id, "--format", "json", "-o", str(export))
    assert ok(capsys, db, "import", str(export), "--as-new").strip()

    ok(capsys, db, "pathways", "enable", "steroid-atrophy", "fat-graft-referral")
    item = {i["id"]: i for i in case_json(capsys, db, case_id)["items"]}["fat-graft-referral"]
    assert item["status"] == "skipped" and item["reason"] == "patient declined"
    actions = [e["action"] for e in json.loads((db / "settings.json").read_text())["audit"].values()]
    assert actions.count("protocol-disable") == 1 and actions.count("protocol-enable") == 1


def test_a_db_that_is_a_file_is_bad_input(capsys, tmp_path):
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("x")
    for args in (("list",), ("show", "hip-injection"), ("review", "hip-injection", "blind-injection", "accept",
                                                          "--note", "x")):
        code, out, err = run(capsys, not_a_db, "pathways", *args)
        assert code == 2 and "is not a Rounds database directory" in err and out == ""
    assert not_a_db.read_text() == "x"
