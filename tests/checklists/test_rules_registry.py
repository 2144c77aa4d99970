"""A pathway is one unit: its file declares its alerts, one rules module raises them, and the two are
held together when the catalogue loads. Behaviour follows item properties, never item ids."""

from __future__ import annotations

from datetime import date

import pytest

from checklists import actions
from checklists.engine import evaluate
from checklists.models import Policy
from checklists.rules import REGISTRY, check_rules
from seeds.loader import PathwayFileError, default_catalogue, load_catalogue
from tests.checklists.conftest import edit

TODAY = date(2026, 11, 21)


def test_every_shipped_pathway_matches_its_rules():
    catalogue = check_rules(default_catalogue())
    for pathway_id, rules in REGISTRY.items():
        assert {a.code for a in catalogue.pathways[pathway_id].alerts} == set(rules.codes)
        # The protocol document quotes these: every code says in words when it holds.
        assert all(len(words) > 20 for words in rules.conditions.values())


def test_an_alert_the_rules_raise_but_the_file_does_not_declare_is_refused(seeds_copy):
    path = seeds_copy / "pathways" / "hip-injection.toml"
    text = path.read_text()
    start = text.index('[[alert]]\ncode = "blind-injection"')
    end = text.index("[[alert]]", start + 1)
    path.write_text(text[:start] + text[end:])
    with pytest.raises(PathwayFileError) as caught:
        check_rules(load_catalogue(seeds_copy))
    assert "hip-injection.toml" in str(caught.value) and "blind-injection" in str(caught.value)


def test_an_alert_declared_with_no_rule_behind_it_is_refused(seeds_copy):
    path = seeds_copy / "pathways" / "hip-injection.toml"
    path.write_text(path.read_text() + '''
[[alert]]
code = "too-many-steroids"
severity = "warning"
title = "Too many"
action = "Review."
sources = ["clinic-policy"]
provenance = "clinic-policy"
''')
    with pytest.raises(PathwayFileError) as caught:
        check_rules(load_catalogue(seeds_copy))
    assert "too-many-steroids declared, but no rule of 'hip-injection' raises it" in str(caught.value)


def test_rules_that_need_an_item_say_so_when_it_is_gone(seeds_copy):
    path = seeds_copy / "pathways" / "steroid-atrophy.toml"
    edit(path, 'kind = "saline"\nfirst', 'kind = "recurrence"\nlimit_years = 8\nfirst')
    with pytest.raises(PathwayFileError) as caught:
        check_rules(load_catalogue(seeds_copy))
    assert "steroid-atrophy.toml" in str(caught.value) and "saline series" in str(caught.value)


def test_a_renamed_recurrence_item_still_records_one_dated_check(seeds_copy):
    edit(seeds_copy / "pathways" / "panniculitis-lipoatrophy.toml", 'id = "recurrence-check"', 'id = "relapse-check"')
    catalogue = check_rules(load_catalogue(seeds_copy))
    case, _ = actions.new_case(case_id="demo0001", patient="DEMO-301", pathways=["panniculitis-lipoatrophy"],
                               onset="2025-01-01", enrolment=TODAY, catalogue=catalogue)
    case, _ = actions.set_field(case, "inflammation", "resolved", today=TODAY, catalogue=catalogue,
                                date="2025-06-01")
    case, _ = actions.resolve_item(case, "relapse-check", "done", today=TODAY, catalogue=catalogue,
                                   date="2025-12-01")
    item = evaluate(case, catalogue, Policy(), TODAY).item("relapse-check")
    assert item is not None and item.state == "open" and item.checks == (date(2025, 12, 1),)


def test_a_renamed_saline_item_is_still_the_course_the_alerts_watch(seeds_copy):
    edit(seeds_copy / "pathways" / "steroid-atrophy.toml", 'id = "saline-session"', 'id = "saline-visit"')
    catalogue = check_rules(load_catalogue(seeds_copy))
    case, _ = actions.new_case(case_id="demo0002", patient="DEMO-302", pathways=["steroid-atrophy"],
                               onset="2026-08-01", enrolment=date(2026, 9, 1), catalogue=catalogue)
    case, _ = actions.log_event(case, "saline", {"date": "2026-09-02", "volume_ml": "10"}, today=TODAY)
    assert "saline-course-incomplete" in evaluate(case, catalogue, Policy(), TODAY).alert_codes
    case, _ = actions.resolve_item(case, "saline-visit", "skip", today=TODAY, catalogue=catalogue,
                                   reason="patient declined more sessions")
    assert "saline-course-incomplete" not in evaluate(case, catalogue, Policy(), TODAY).alert_codes
