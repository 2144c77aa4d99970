"""Letters and MDT handouts (md, html) are written for people: they go out as they are, unedited."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest

from checklists import actions
from checklists.engine import evaluate
from checklists.models import AlertAck
from store.export import html_page, md
from store.export.context import ExportContext
from store.export.readable import alert_text, display_name, source_name
from tests.export.conftest import NOW, TODAY, d, render
from tui.cli import main
import store.audit

LETTERS = ("md", "html")


def rounds(demo, *args: str) -> int:
    return main(["--db", str(demo.db_dir), "--today", TODAY.isoformat(), *args])


def internal_codes(catalogue) -> set[str]:
    """Slugs and keys a reader was never told: item ids, alert codes, pathway ids, reference keys."""
    codes = {"seed-summary", "clinic-policy", "no window"}
    for pathway in catalogue.pathways.values():
        codes.add(pathway.id)
        codes |= {i.id for i in pathway.items} | {a.code for a in pathway.alerts}
    # A one-word id (`methotrexate`) is also the drug's name: only slugs and keys count as codes.
    return {c for c in codes | set(catalogue.references) if "-" in c or any(ch.isdigit() for ch in c)}


def visible_text(fmt: str, text: str) -> str:
    """What a reader sees: html without its tags and style sheet (the page rules name pages)."""
    if fmt == "html":
        text = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text)
    return text


@pytest.mark.parametrize("fmt", LETTERS)
def test_no_internal_code_reaches_the_reader(demo, fmt):
    text = visible_text(fmt, render(demo, fmt))
    for code in internal_codes(demo.catalogue):
        assert not re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text), (fmt, code)
    assert not re.search(r"\be\d+\b", text), "event ids are shown as the events table shows them"


def test_sources_are_named_as_a_reader_cites_them(demo, catalogue):
    refs = catalogue.references
    assert source_name(refs["shumaker2005"], "shumaker2005") == "Shumaker et al. 2005"
    assert source_name(refs["benzon2025"], "benzon2025") == "Benzon et al. 2025"
    assert source_name(refs["seed-001"], "seed-001") == (
        "clinic protocol summary, not yet checked against the literature")
    assert source_name(refs["clinic-policy"], "clinic-policy") == "clinic policy"
    hip = render(demo, "md", [demo.ids[2]])
    assert "| Brinks et al. 2010 |" in hip or "Brinks et al. 2010 |" in hip
    assert "Coombes BK et al. Effect of corticosteroid injection" in hip
    assert "it is not evidence about the hip" in hip  # the elbow trial is said to be one


def test_generated_by_the_full_name_not_root_through_sudo(demo, monkeypatch):
    import pwd

    real = pwd.getpwnam

    class Entry:
        pw_name = "jdoe"
        pw_uid = 4321
        pw_gecos = "Jane Doe,Clinic 3,,"

    monkeypatch.setattr(pwd, "getpwnam", lambda name: Entry() if name == "jdoe" else real(name))
    # Root acting through sudo, as sudo tells it (store/audit.py trusts SUDO_USER only then).
    monkeypatch.setattr(store.audit, "_effective_uid", lambda: 0)
    monkeypatch.setenv("SUDO_USER", "jdoe")
    monkeypatch.setenv("SUDO_UID", "4321")
    assert display_name("jdoe") == "Jane Doe"
    for fmt in LETTERS:
        text = render(demo, fmt, [demo.ids[0]])
        assert "by Jane Doe." in text and "by root" not in text


def test_a_login_without_a_full_name_is_shown_as_it_is(monkeypatch):
    import pwd

    class Entry:
        pw_gecos = ""

    monkeypatch.setattr(pwd, "getpwnam", lambda name: Entry())
    assert display_name("clinic7") == "clinic7"
    monkeypatch.setattr(pwd, "getpwnam", lambda name: (_ for _ in ()).throw(KeyError(name)))
    assert display_name("uid-1234") == "uid-1234"


def test_the_injection_date_comes_from_the_logged_injections(demo):
    hip = render(demo, "md", [demo.ids[2]])
    injections = sorted(e.date for e in demo.repo.get(demo.ids[2]).live_events("injection"))
    assert (f"- **Injections:** 4 logged, the first {injections[0].isoformat()}, "
            f"the latest {injections[-1].isoformat()}") in hip
    # One logged injection wins over a different date typed at `case add`.
    case_id = demo.ids[3]
    typed = demo.repo.get(case_id).injection_date
    demo.repo.update(case_id, lambda c: actions.log_event(
        c, "injection", {"date": d(40), "guidance": "image"}, today=TODAY))
    letter = render(demo, "md", [case_id])
    assert f"- **Injection date:** {d(40).isoformat()}" in letter
    assert typed.isoformat() not in letter.split("## Course")[0]
    # With no injection logged, the date typed at `case add` is shown.
    assert f"- **Injection date:** {demo.repo.get(demo.ids[0]).injection_date.isoformat()}" in render(
        demo, "md", [demo.ids[0]])


def test_alerts_name_events_as_the_events_table_shows_them(demo):
    letter = render(demo, "md", [demo.ids[0]])
    assert "Saline volume outside 5-20 mL: Saline infiltration on 2026-10-04 (25 mL)" in letter
    assert "| 2026-10-04 | Saline infiltration | 25 mL" in letter
    hip = render(demo, "md", [demo.ids[2]])
    assert "Landmark-guided injection: Corticosteroid injection on " in hip


def test_an_item_id_in_an_alert_becomes_its_title(demo):
    case = demo.repo.get(demo.ids[0])
    titles = {"fat-graft-referral": "Refer for fat grafting"}
    text = alert_text("Fat graft with no saline session on or before it: e7 2026-01-02; "
                      "fat-graft-referral marked done 2026-01-03", case, titles)
    assert "\u201cRefer for fat grafting\u201d marked done 2026-01-03" in text
    assert "e7" in text, "an id that is not one of this case's events is left alone"
    stopped = alert_text("Maintenance therapy stopped early: e1 methotrexate stopped 2026-03-16", case, {})
    assert stopped == "Maintenance therapy stopped early: methotrexate stopped 2026-03-16"


def _context(demo, **kw) -> ExportContext:
    return ExportContext(catalogue=demo.catalogue, policy=demo.repo.policy(), today=TODAY, now=NOW,
                         user="jdoe", user_name="Jane Doe", **kw)


def _view(demo, index: int):
    return evaluate(demo.repo.get(demo.ids[index]), demo.catalogue, demo.repo.policy(), TODAY)


@pytest.mark.parametrize("module", [md, html_page])
def test_items_missed_before_enrolment_are_listed_apart(demo, module):
    view = _view(demo, 0)
    # `missed` arrives with the trustworthy-checklists work; built here by hand.
    items = tuple(replace(i, status="missed") if i.id == "review-6m" else i for i in view.items)
    text = module.render([replace(view, items=items)], _context(demo))
    plan, _, apart = text.partition("Before enrolment")
    assert apart, "a missed item gets its own heading"
    assert "Six-month review" in apart.split("Alerts")[0]
    assert "Six-month review" not in plan.split("Checklist")[1]
    assert "OVERDUE" not in apart.split("Alerts")[0]


@pytest.mark.parametrize("module", [md, html_page])
def test_acknowledged_alerts_are_shown_apart(demo, module):
    view = _view(demo, 0)
    first, *rest = view.alerts
    ack = AlertAck(code=first.code, by="jdoe", on=date(2026, 11, 1), note="volume confirmed with the nurse")
    alerts = (replace(first, acknowledged=ack), *rest)
    text = module.render([replace(view, alerts=alerts)], _context(demo))
    active, _, apart = text.partition("Acknowledged alerts")
    assert "Saline volume outside the protocol range" in apart
    assert "Acknowledged by jdoe on 2026-11-01: volume confirmed with the nurse" in apart
    assert "Saline volume outside the protocol range" not in active.split("Alerts")[1]
    assert "Saline course stopped short" in active


def _printed_ids(text: str) -> list[str]:
    return re.findall(r"^# .+? · case (\w+)$", text, flags=re.M)


def test_several_cases_print_most_urgent_first_then_by_label(demo, capsys):
    from checklists.status import urgency_rank

    policy = demo.repo.policy()
    views = {c.id: evaluate(c, demo.catalogue, policy, TODAY) for c in demo.cases()}
    assert rounds(demo, "export", "--all", "--format", "md") == 0
    printed = _printed_ids(capsys.readouterr().out)
    assert sorted(printed) == sorted(demo.ids)
    keys = [(urgency_rank(views[i].urgency), views[i].case.patient.casefold()) for i in printed]
    assert keys == sorted(keys)
    assert views[printed[0]].urgency == "overdue" and views[printed[-1]].urgency != "overdue"
    assert rounds(demo, "export", "--all", "--format", "md", "--order", "label") == 0
    by_label = [views[i].case.patient for i in _printed_ids(capsys.readouterr().out)]
    assert by_label == sorted(by_label, key=str.casefold)
    assert by_label[1:4] == ["DEMO-001", "DEMO-002", "DEMO-003"]


def test_same_urgency_goes_by_label(demo, tmp_path):
    from store.export.readable import order_views

    view = _view(demo, 0)
    views = [replace(view, case=replace(view.case, patient=p, id=f"id{p}")) for p in ("DEMO-9", "demo-10", "DEMO-1")]
    assert [v.case.patient for v in order_views(views)] == ["DEMO-1", "demo-10", "DEMO-9"]
    urgent = replace(views[0], urgency="overdue")
    calm = replace(views[2], urgency="upcoming")
    assert [v.case.patient for v in order_views([calm, urgent])] == ["DEMO-9", "DEMO-1"]


def test_order_is_only_for_letters(demo, capsys):
    assert rounds(demo, "export", "--all", "--format", "csv", "--order", "label") == 2
    assert "--order applies only to --format md and html" in capsys.readouterr().err


def test_every_printed_page_names_its_case_in_the_page_margin(demo):
    text = render(demo, "html")
    style = text.split("<style>")[1].split("</style>")[0]
    assert "counter(page)" in style and "counter(pages)" in style
    assert len(re.findall(r"@page case-\d+ \{ @top-left", style)) == len(demo.ids)
    # A label in a CSS string cannot end the string or the style sheet.
    assert "</" not in style and "<script" not in style
    hostile = [line for line in style.splitlines() if "HYPERLINK" in line]
    assert hostile and '"http' not in hostile[0]


def test_css_strings_escape_everything_but_letters_digits_and_spaces():
    assert html_page.css_string('a"b') == '"a\\22 b"'
    assert html_page.css_string("</style>") == '"\\3c \\2f style\\3e "'
    assert html_page.css_string("DEMO 7") == '"DEMO 7"'


def test_a_deidentified_letter_has_no_name_no_label_and_no_export_day(demo):
    text = render(demo, "html", deidentify=True)
    assert "Generated by" not in text and "DEMO-" not in text
    assert "@top-left { content: \"case deid" in text.replace("\\2d ", "-")
    assert TODAY.isoformat() not in text and (TODAY - timedelta(days=0)).isoformat() not in text
