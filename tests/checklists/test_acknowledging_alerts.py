"""Alerts a clinician can act on (issue 8, section 5).

An alert whose cause is a past fact is acknowledged with a note: it stays listed with who and when,
leaves the board's counts, and a new occurrence of the cause raises it again. An alert whose cause
has gone clears by itself. What to do never asks for something already on record.
"""

from __future__ import annotations

import pytest

from checklists import actions
from checklists.errors import ValidationError
from tests.checklists.support import HIP, PL, SA, Chart, d

TODAY = "2026-11-21"


def hip() -> Chart:
    c = Chart(HIP, onset="2026-09-01", enrolled="2026-09-02")
    c.log("injection", "2026-10-01", guidance="landmark", drug="triamcinolone", today=TODAY)
    return c


def ack(c: Chart, code: str, note: str = "noted", today: str = TODAY) -> list:
    return c.ack(code, note, today=today)


def test_an_acknowledged_alert_stays_listed_with_who_and_when_and_leaves_the_board():
    c = hip()
    assert c.row(TODAY).alert_codes == ("injection-before-pt", "blind-injection")
    changes = ack(c, "blind-injection", "image guidance booked from now on")
    alert = c.alert("blind-injection", TODAY)
    assert (alert.acknowledged.by, alert.acknowledged.on, alert.acknowledged.note) == (
        "dr-demo", d(TODAY), "image guidance booked from now on")
    row = c.row(TODAY)
    assert row == c.detail_row(TODAY)
    assert row.alert_codes == ("injection-before-pt",)
    assert [a.code for a in c.view(TODAY).alerts] == ["injection-before-pt", "blind-injection"]  # still listed
    shown = next(a for a in c.json(TODAY)["alerts"] if a["code"] == "blind-injection")
    assert {k: shown["acknowledged"][k] for k in ("by", "on", "note")} == {
        "by": "dr-demo", "on": TODAY, "note": "image guidance booked from now on"}
    assert c.json(TODAY)["alert_codes"] == ["injection-before-pt"]
    assert (changes[0].action, changes[0].target, changes[0].reason) == (
        "alert-ack", "blind-injection", "image guidance booked from now on")


def test_a_new_occurrence_of_the_cause_raises_it_again():
    c = hip()
    ack(c, "blind-injection")
    c.log("injection", "2026-11-20", guidance="landmark", today=TODAY)
    assert c.alert("blind-injection", TODAY).acknowledged is None
    assert "blind-injection" in c.row(TODAY).alert_codes
    ack(c, "blind-injection", "second one too")  # covers both now
    assert c.alert("blind-injection", TODAY).acknowledged.covers == ("e1", "e2")


def test_withdrawing_an_acknowledgement_makes_it_count_again():
    c = hip()
    ack(c, "blind-injection")
    c.case, changes = actions.unacknowledge_alert(c.case, "blind-injection")
    assert "blind-injection" in c.row(TODAY).alert_codes
    assert (changes[0].action, changes[0].new) == ("alert-unack", None)
    with pytest.raises(ValidationError, match="is not acknowledged"):
        actions.unacknowledge_alert(c.case, "blind-injection")


def test_an_alert_about_the_state_of_the_case_cannot_be_acknowledged():
    c = Chart(SA, onset="2026-01-10", enrolled="2026-02-02")
    with pytest.raises(ValidationError, match="not a past fact"):
        ack(c, "waiting-too-long", today="2026-08-01")
    with pytest.raises(ValidationError, match="not raised"):
        ack(c, "blind-injection", today="2026-08-01")


def test_a_graft_into_inflamed_fat_is_critical_until_it_settles_then_a_past_fact_to_acknowledge():
    c = Chart(PL, onset="2026-01-05", enrolled="2026-01-12")
    c.set("inflammation", "active", today="2026-02-01", date="2026-02-01")
    c.log("fat-graft", "2026-03-01", today="2026-03-01")
    assert c.alerts("2026-03-01")["fat-graft-during-inflammation"] == "critical"
    c.set("inflammation", "resolved", today="2026-05-01", date="2026-05-01")
    c.set("status", "resolved", today="2026-09-01")
    alert = c.alert("fat-graft-during-inflammation", "2026-09-01")
    assert alert.severity == "warning" and "check how the graft has taken" in alert.action
    ack(c, "fat-graft-during-inflammation", "graft took well at review", today="2026-09-01")
    assert c.row("2026-09-01").alert_codes == ()
    # The guard on the item clears by itself once inflammation settles.
    c2 = Chart(PL, onset="2026-01-05", enrolled="2026-01-12")
    c2.set("inflammation", "active", today="2026-02-01", date="2026-02-01")
    assert c2.item("fat-graft-after-inflammation", "2026-02-01").waits.startswith("waits for inflammation")
    c2.set("inflammation", "resolved", today="2026-05-01", date="2026-05-01")
    assert c2.item("fat-graft-after-inflammation", "2026-05-01").waits is None


def test_no_response_clears_once_improvement_is_recorded():
    c = Chart(SA, onset="2026-01-10", enrolled="2026-02-02")
    for day in ("2026-02-04", "2026-02-11", "2026-02-18"):
        c.log("saline", day, volume_ml="10")
    assert "saline-no-response" in c.alerts("2026-04-05")
    assert c.alert("saline-no-response", "2026-04-05").action.startswith("Record an assessment")
    c.log("assessment", "2026-04-06", improvement="partial", today="2026-04-06")
    assert "saline-no-response" not in c.alerts("2026-04-06")


def test_what_to_do_never_asks_for_what_is_on_record():
    c = hip()
    assert c.alert("injection-before-pt", TODAY).action.startswith("Start exercise-based physiotherapy")
    c.log("pt-start", "2026-11-01", today=TODAY)
    action = c.alert("injection-before-pt", TODAY).action
    assert "Physiotherapy has started since (2026-11-01)" in action and "Start exercise" not in action
    waiting = Chart(SA, onset="2026-01-10", enrolled="2026-07-20")
    assert "assess" in waiting.alert("waiting-too-long", "2026-07-20").action
    waiting.log("assessment", "2026-07-20", improvement="none")
    action = waiting.alert("waiting-too-long", "2026-07-20").action
    assert action.startswith("Assessed on 2026-07-20 without improvement") and "assess and" not in action


def test_an_untested_alpha_1_antitrypsin_after_therapy_started_asks_for_the_test_now():
    c = Chart(PL, onset="2026-01-05", enrolled="2026-01-12")
    c.set("etiology", "idiopathic", today="2026-01-20", date="2026-01-20")
    assert "before settling on idiopathic disease" in c.alert("aat-untested", "2026-01-20").action
    c.log("therapy-start", "2026-01-25", drug="HCQ", today="2026-01-25")
    assert c.alert("aat-untested", "2026-01-25").action.startswith("Therapy has started without")


def test_a_recorded_decision_to_wait_ends_the_waiting_alert():
    c = Chart(SA, onset="2026-01-10", enrolled="2026-02-02")
    c.act("saline-session", "skip", today="2026-03-01", reason="watchful waiting")
    # Decided at 7 weeks: at 6 months the alert asks to reconsider it, not to record it again.
    alert = c.alert("waiting-too-long", "2026-07-15")
    assert alert is not None and "reconsider saline" in alert.action
    c.act("saline-session", "reopen", today="2026-07-15")
    c.act("saline-session", "skip", today="2026-07-15", reason="still prefers to wait")
    assert "waiting-too-long" not in c.alerts("2026-07-15")
    assert "waiting-too-long" not in c.alerts("2027-03-01")


def test_an_acknowledgement_survives_only_as_long_as_the_evidence_it_covered():
    c = Chart(SA, onset="2026-01-10", enrolled="2026-02-02")
    c.log("saline", "2026-02-04", volume_ml="30")
    ack(c, "saline-volume-out-of-range", "large defect: 30 mL intended", today="2026-02-04")
    c.log("saline", "2026-02-11", volume_ml="10", today="2026-02-11")
    assert c.alert("saline-volume-out-of-range", "2026-02-11").acknowledged is not None
    c.log("saline", "2026-02-18", volume_ml="2", today="2026-02-18")
    assert c.alert("saline-volume-out-of-range", "2026-02-18").acknowledged is None
