"""Bad input through the actions: a ValidationError with a one-line reason naming the field, nothing changed."""

from __future__ import annotations

from datetime import date

import pytest

from checklists import actions
from checklists.errors import ValidationError
from checklists.policy import set_policy
from checklists.models import Policy
from tests.checklists.support import CATALOGUE, HIP, PL, SA, Chart, d

TODAY = d("2026-03-10")


def chart(*pathways) -> Chart:
    return Chart(*(pathways or (SA,)), onset="2026-01-10", enrolled="2026-02-02")


def rejected(call, field: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call()
    error = caught.value
    assert error.field == field, (str(error), error.field)
    message = str(error)
    assert message and "\n" not in message and len(message) < 300
    return error


def log(case, kind, today=TODAY, **fields):
    return lambda: actions.log_event(case, kind, fields, today=today)


# --- dates ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "2026-3-01", "2026/03/01", "01-03-2026", "20260301", "2026-03-01T00:00", "2026-03", "yesterday", "",
    "2026-02-30", "2026-13-01", "2026-00-10", "2025-02-29", "２０２６-03-01",
])
def test_event_dates_must_be_real_iso_dates(text):
    c = chart()
    rejected(log(c.case, "saline", date=text, volume_ml="10"), "date")


def test_event_date_may_be_today_but_not_after_it():
    c = chart()
    actions.log_event(c.case, "saline", {"date": "2026-03-10", "volume_ml": "10"}, today=TODAY)
    actions.log_event(c.case, "saline", {"date": "2028-02-29", "volume_ml": "10"}, today=d("2028-02-29"))
    rejected(log(c.case, "saline", date="2026-03-11", volume_ml="10"), "date")


def test_event_date_defaults_to_today():
    case, _ = actions.log_event(chart().case, "fat-graft", {}, today=TODAY)
    assert case.events[-1].date == TODAY


def test_case_dates_not_after_enrolment():
    def add(**kw):
        args = dict(case_id="c1", patient="DEMO-001", pathways=[SA], onset="2026-03-01",
                    enrolment=TODAY, catalogue=CATALOGUE)
        args.update(kw)
        return lambda: actions.new_case(**args)

    rejected(add(onset="2026-03-11"), "onset")
    rejected(add(onset="2026-02-30"), "onset")
    rejected(add(injection_date="2026-03-11", onset="2026-03-10"), "injection_date")
    case, _ = add(onset="2026-03-10", injection_date="2026-03-10")()   # both on the enrolment day
    assert (case.onset, case.injection_date, case.enrolment) == (TODAY, TODAY, TODAY)


def test_injection_date_after_onset_is_rejected_on_add_and_on_set():
    def add(injection):
        return lambda: actions.new_case(case_id="c1", patient="DEMO-001", pathways=[SA], onset="2026-02-01",
                                        enrolment=TODAY, injection_date=injection, catalogue=CATALOGUE)

    rejected(add("2026-02-02"), "injection_date")
    add("2026-02-01")()   # same day is possible
    c = chart()           # onset 2026-01-10
    rejected(lambda: c.set("injection-date", "2026-01-11", today=TODAY), "injection-date")
    c.set("injection-date", "2026-01-10", today=TODAY)   # the same day as onset is possible
    c2 = chart()
    c2.set("injection-date", "2026-01-05", today=TODAY)
    rejected(lambda: c2.set("onset", "2026-01-04", today=TODAY), "onset")
    c2.set("injection-date", "none", today=TODAY)   # cleared, then any onset is fine
    c2.set("onset", "2026-01-04", today=TODAY)


def test_field_dates_not_after_today():
    c = chart(PL)
    rejected(lambda: c.set("etiology", "idiopathic", today=TODAY, date="2026-03-11"), "date")
    rejected(lambda: c.set("inflammation", "resolved", today=TODAY, date="2026-3-1"), "date")
    rejected(lambda: c.set("onset", "2026-03-11", today=TODAY), "onset")
    rejected(lambda: c.set("status", "closed", today=TODAY, date="2026-03-01"), "date")


def test_done_date_not_after_today():
    c = chart()
    rejected(lambda: c.act("review-6m", "done", today=TODAY, date="2026-03-11"), "date")
    rejected(lambda: c.act("review-6m", "done", today=TODAY, date="2026-02-29"), "date")


# --- snooze and skip ------------------------------------------------------------------------

@pytest.mark.parametrize(("until", "field"), [
    ("2026-03-10", "until"), ("2026-03-09", "until"), ("2026-04-31", "until"), ("2026-4-1", "until"), (None, "until"),
])
def test_snooze_until_must_be_a_real_date_after_today(until, field):
    c = chart()
    rejected(lambda: c.act("review-6m", "snooze", today=TODAY, reason="away", until=until), field)


def test_snooze_until_tomorrow_is_accepted():
    c = chart()
    c.act("review-6m", "snooze", today=TODAY, reason="away", until="2026-03-11")
    assert c.item("review-6m", TODAY).status == "snoozed"


@pytest.mark.parametrize("action", ["skip", "snooze"])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_skip_and_snooze_need_a_reason(action, reason):
    c = chart()
    until = "2026-04-01" if action == "snooze" else None
    rejected(lambda: c.act("review-6m", action, today=TODAY, reason=reason, until=until), "reason")


def test_unknown_item_and_unknown_action():
    c = chart()
    rejected(lambda: c.act("review-99m", "done", today=TODAY), "item")
    rejected(lambda: c.act("pt-before-injection", "done", today=TODAY), "item")  # other pathway
    rejected(lambda: c.act("review-6m", "finish", today=TODAY), "action")
    rejected(lambda: c.act("review-6m", "Done", today=TODAY), "action")


def test_options_that_do_not_apply_to_the_item_action():
    c = chart()
    rejected(lambda: c.act("review-6m", "skip", today=TODAY, reason="x", until="2026-04-01"), "until")
    rejected(lambda: c.act("review-6m", "snooze", today=TODAY, reason="x", until="2026-04-01",
                           date="2026-03-01"), "date")
    rejected(lambda: c.act("review-6m", "reopen", today=TODAY, date="2026-03-01"), "date")


# --- numbers --------------------------------------------------------------------------------

@pytest.mark.parametrize("volume", ["0", "-1", "100.01", "101", "abc", "nan", "inf", "", "1e3"])
@pytest.mark.parametrize("kind", ["saline", "abi"])
def test_volume_must_be_above_0_and_at_most_100(kind, volume):
    rejected(log(chart().case, kind, volume_ml=volume), "volume_ml")


@pytest.mark.parametrize("volume", ["0.1", "5", "100", 20, 7.5])
def test_volume_accepted(volume):
    case, _ = log(chart().case, "saline", volume_ml=volume)()
    assert case.events[-1].volume_ml == float(volume)


@pytest.mark.parametrize("name", ["size_mm", "depth_mm"])
def test_sizes_must_not_be_negative(name):
    rejected(log(chart().case, "assessment", **{name: "-0.1"}), name)
    rejected(log(chart().case, "assessment", **{name: "wide"}), name)
    case, _ = log(chart().case, "assessment", **{name: "0"})()
    assert getattr(case.events[-1], name) == 0


@pytest.mark.parametrize(("name", "high"), [("mrc", 5), ("pain", 10)])
def test_mrc_and_pain_are_whole_numbers_in_range(name, high):
    for good in ("0", str(high), high, " 3 "):
        case, _ = log(chart().case, "assessment", **{name: good})()
        assert getattr(case.events[-1], name) == int(str(good).strip())
    for bad in ("-1", str(high + 1), "2.5", "3.0", 3.0, "three", "1e0", True, "+3"):
        rejected(log(chart().case, "assessment", **{name: bad}), name)


@pytest.mark.parametrize("bad", ["²", "①", "-²", "3²", "9" * 5000])
@pytest.mark.parametrize("name", ["mrc", "pain"])
def test_digit_like_characters_are_rejected_as_bad_input_not_a_crash(name, bad):
    # A superscript two passes str.isdigit() but not int(), and so does a number too long for int():
    # either must still be a ValidationError (exit code 2 with a one-line reason, cli.md), never a
    # raw ValueError (exit 1, "internal error").
    rejected(log(chart().case, "assessment", **{name: bad}), name)


# --- enumerations and options ---------------------------------------------------------------

@pytest.mark.parametrize(("kind", "name", "bad", "needs"), [
    ("injection", "guidance", "Image", {}),
    ("injection", "guidance", "ultrasound", {}),
    ("biopsy", "depth", "deep", {}),
    ("biopsy", "depth", "Deep-Excisional", {}),
    ("assessment", "improvement", "Complete", {}),
    ("assessment", "improvement", "better", {}),
    ("assessment", "photo", "maybe", {}),
])
def test_enumerations_are_exact(kind, name, bad, needs):
    rejected(log(chart().case, kind, **{name: bad}, **needs), name)


def test_unknown_event_kind():
    rejected(log(chart().case, "Saline", volume_ml="10"), "kind")
    rejected(log(chart().case, "steroid", volume_ml="10"), "kind")


@pytest.mark.parametrize(("kind", "fields", "field"), [
    ("saline", {"volume_ml": "10", "guidance": "image"}, "guidance"),
    ("abi", {"volume_ml": "4", "drug": "blood"}, "drug"),
    ("fat-graft", {"volume_ml": "30"}, "volume_ml"),
    ("injection", {"guidance": "image", "volume_ml": "2"}, "volume_ml"),
    ("pt-start", {"result": "good"}, "result"),
    ("assessment", {"drug": "x"}, "drug"),
    ("aat-test", {"depth": "punch"}, "depth"),
    ("note", {"note": "ok", "improvement": "none"}, "improvement"),
    ("therapy-start", {"drug": "methotrexate", "what": "x"}, "what"),
    ("mri", {"mrc": "3"}, "mrc"),
])
def test_an_option_that_does_not_apply_to_the_kind_is_an_error(kind, fields, field):
    rejected(log(chart().case, kind, **fields), field)


@pytest.mark.parametrize(("kind", "field"), [
    ("saline", "volume_ml"), ("abi", "volume_ml"), ("injection", "guidance"), ("biopsy", "depth"),
    ("therapy-start", "drug"), ("therapy-stop", "drug"), ("note", "note"),
])
def test_required_event_fields(kind, field):
    rejected(log(chart().case, kind), field)
    rejected(log(chart().case, kind, **{field: "  "}), field)


def test_an_event_on_the_body_may_carry_a_note_and_a_site():
    case = chart().case
    for kind, needs in [("fat-graft", {}), ("pt-start", {}), ("mri", {}), ("saline", {"volume_ml": "10"})]:
        case, _ = actions.log_event(case, kind, {"note": "tolerated well", "site": "left thigh", **needs},
                                    today=TODAY)
        assert (case.events[-1].note, case.events[-1].site) == ("tolerated well", "left thigh")


@pytest.mark.parametrize(("kind", "needs"), [("aat-test", {}), ("workup", {}), ("therapy-start", {"drug": "dapsone"}),
                                             ("therapy-stop", {"drug": "dapsone"})])
def test_a_blood_test_a_work_up_or_a_drug_has_a_note_but_no_body_site(kind, needs):
    """An AAT level has no body site (issue 9): the form does not ask for one, the engine refuses one."""
    case, _ = actions.log_event(chart().case, kind, {"note": "as planned", **needs}, today=TODAY)
    assert case.events[-1].note == "as planned"
    with pytest.raises(ValidationError, match="site does not apply"):
        actions.log_event(chart().case, kind, {"site": "left arm", **needs}, today=TODAY)


# --- case fields ----------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value"), [
    ("etiology", "Idiopathic"), ("etiology", "autoimmune"), ("inflammation", "quiet"),
    ("status", "Closed"), ("status", "done"),
])
def test_case_field_enumerations_are_exact(field, value):
    c = chart(PL)
    rejected(lambda: c.set(field, value, today=TODAY), field)


def test_etiology_only_for_panniculitis_cases():
    c = chart(SA)
    rejected(lambda: c.set("etiology", "idiopathic", today=TODAY), "field")


def test_unknown_case_field_and_pathway():
    c = chart()
    rejected(lambda: c.set("colour", "red", today=TODAY), "field")
    rejected(lambda: actions.new_case(case_id="c1", patient="DEMO-001", pathways=["hip"], onset="2026-01-01",
                                      enrolment=TODAY, catalogue=CATALOGUE), "pathway")
    rejected(lambda: actions.new_case(case_id="c1", patient="DEMO-001", pathways=[], onset="2026-01-01",
                                      enrolment=TODAY, catalogue=CATALOGUE), "pathways")
    rejected(lambda: actions.new_case(case_id="c1", patient="DEMO-001", pathways=[HIP, HIP],
                                      onset="2026-01-01", enrolment=TODAY, catalogue=CATALOGUE), "pathways")


@pytest.mark.parametrize("label", ["", "   ", "DEMO\n001", "x" * 121])
def test_patient_label_is_one_short_line(label):
    rejected(lambda: actions.new_case(case_id="c1", patient=label, pathways=[SA], onset="2026-01-01",
                                      enrolment=TODAY, catalogue=CATALOGUE), "patient")


def test_rejected_action_changes_nothing():
    c = chart()
    c.log("saline", "2026-02-04", volume_ml="10")
    before = c.case
    with pytest.raises(ValidationError):
        c.log("saline", "2026-02-05", volume_ml="0")
    with pytest.raises(ValidationError):
        c.act("review-6m", "skip", today=TODAY)
    assert c.case is before and len(c.case.events) == 1


# --- clinic policy --------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "value"), [
    ("soon_days", "-1"), ("soon_days", "366"), ("soon_days", "1.5"),
    ("saline_min_ml", "0"), ("saline_max_ml", "100.5"), ("saline_min_ml", "20"),   # min must be below max
    ("saline_min_sessions", "7"), ("saline_max_sessions", "0"), ("saline_max_sessions", "51"),
    ("recurrence_months", "0"), ("recurrence_months", "121"),
    ("max_injections_per_year", "0"), ("max_injections_per_year", "53"), ("colour", "1"),
])
def test_policy_values_out_of_range_are_rejected(key, value):
    with pytest.raises(ValidationError) as caught:
        set_policy(Policy(), key, value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("soon_days", "0", 0), ("soon_days", "365", 365), ("saline_max_ml", "100", 100.0),
    ("saline_min_ml", "0.5", 0.5), ("saline_min_sessions", "6", 6), ("recurrence_months", "120", 120),
    ("max_injections_per_year", "52", 52),
])
def test_policy_values_in_range_are_accepted_and_audited(key, value, expected):
    updated, change = set_policy(Policy(), key, value)
    assert getattr(updated, key) == expected
    assert (change.action, change.target, change.new) == ("policy-set", key, expected)


def test_new_case_enrolment_is_the_effective_today():
    case, changes = actions.new_case(case_id="c1", patient="DEMO-001", pathways=[PL], onset="2026-01-01",
                                     enrolment=date(2026, 3, 10), catalogue=CATALOGUE)
    assert case.enrolment == date(2026, 3, 10) and case.etiology == "unknown"
    assert changes[0].action == "case-add"


@pytest.mark.parametrize("bad", ["²", "①"])
def test_policy_integer_with_digit_like_characters_is_bad_input(bad):
    with pytest.raises(ValidationError) as caught:
        set_policy(Policy(), "soon_days", bad)
    assert caught.value.field == "soon_days"
