"""Drugs by name, not by spelling (issue 8, section 6): names go through seeds/drugs.toml, matched as
whole words, so "MTX" is methotrexate and "cyclizine" is not cyclophosphamide."""

from __future__ import annotations

import pytest

from seeds.drugs import DrugFileError, default_drugs, load_drugs
from tests.checklists.support import PL, Chart


def idiopathic() -> Chart:
    c = Chart(PL, onset="2026-01-05", enrolled="2026-01-12")
    c.set("etiology", "idiopathic", today="2026-01-20", date="2026-01-20")
    c.log("aat-test", "2026-01-15", today="2026-01-20")
    return c


def test_a_stop_of_mtx_four_months_after_methotrexate_started_is_an_early_stop():
    c = idiopathic()
    c.log("therapy-start", "2026-02-01", drug="Methotrexate", dose="10 mg weekly")
    c.log("therapy-stop", "2026-06-01", drug="MTX")
    alert = c.alert("therapy-stopped-early", "2026-06-01")
    assert alert is not None and "stopped on 2026-06-01" in alert.message and "began on 2026-02-01" in alert.message
    assert "methotrexate" in alert.message


@pytest.mark.parametrize("written", ["HCQ", "hydroxychloroquine 200 mg", "Hydroxychloroquine sulfate"])
def test_an_abbreviation_or_a_salt_does_the_first_line_item(written):
    c = idiopathic()
    c.log("therapy-start", "2026-01-25", drug=written)
    assert c.status("hydroxychloroquine", "2026-01-25") == "done"


def test_cyclizine_is_not_cyclophosphamide_and_cyc_is():
    c = Chart(PL, onset="2026-01-05", enrolled="2026-01-12")
    c.set("etiology", "vasculitis", today="2026-01-20", date="2026-01-20")
    c.set("severity", "severe", today="2026-01-20")  # issue 15: the item waits for severe disease
    c.log("therapy-start", "2026-01-21", drug="cyclizine 50 mg")
    assert c.status("cyclophosphamide-glucocorticoids", "2026-01-21") == "due"
    c.log("therapy-start", "2026-01-22", drug="CYC 500 mg IV")
    assert c.status("cyclophosphamide-glucocorticoids", "2026-01-22") == "done"


def test_a_glucocorticoid_flare_course_is_exempt_however_it_is_written():
    c = idiopathic()
    c.log("therapy-start", "2026-02-01", drug="pred 20 mg")
    c.log("therapy-stop", "2026-03-01", drug="Prednisone")
    assert "therapy-stopped-early" not in c.alerts("2026-03-01")


def test_a_stop_with_no_recorded_start_is_kept_and_marked_so():
    c = idiopathic()
    stop = c.log("therapy-stop", "2026-03-01", drug="azathioprine")
    view = c.view("2026-03-01")
    assert view.event_flags == {stop: "no recorded start"}
    assert next(e for e in c.json("2026-03-01")["events"] if e["id"] == stop)["flag"] == "no recorded start"
    assert "therapy-stopped-early" not in c.alerts("2026-03-01")


def test_a_drug_started_again_after_an_early_stop_clears_the_alert():
    c = idiopathic()
    c.log("therapy-start", "2026-02-01", drug="methotrexate")
    c.log("therapy-stop", "2026-04-01", drug="MTX")
    assert "therapy-stopped-early" in c.alerts("2026-04-01")
    c.log("therapy-start", "2026-05-01", drug="MTX 15 mg", today="2026-05-01")
    assert "therapy-stopped-early" not in c.alerts("2026-05-01")


def test_the_list_refuses_one_name_for_two_drugs(tmp_path):
    path = tmp_path / "drugs.toml"
    path.write_text('[[drug]]\ngeneric = "methotrexate"\nnames = ["MTX"]\nrole = "maintenance"\n'
                    '[[drug]]\ngeneric = "mitoxantrone"\nnames = ["MTX"]\nrole = "induction"\n')
    with pytest.raises(DrugFileError, match="'MTX' already names methotrexate"):
        load_drugs(path)


def test_whole_words_only_and_the_deliberately_missing_abbreviations():
    drugs = default_drugs()
    assert drugs.find("cyclizine") == () and drugs.find("methylprednisolone") == ("methylprednisolone",)
    assert drugs.find("HCQ + pred") == ("hydroxychloroquine", "prednisone")
    assert drugs.find("CTX") == () and drugs.find("AZT") == ()  # ambiguous: never guessed
