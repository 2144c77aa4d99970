"""`rounds worklist`: a clinic session's list, by case, most urgent first, with each case's key facts."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import timedelta

import pytest

from checklists.engine import evaluate
from checklists.models import AlertAck
from store.export.runner import build_worklist_of
from store.export.worklist import CSV_COLUMNS, DEID_CSV_COLUMNS, build_worklist, key_facts, render
from tests.export.conftest import TODAY, case_dates, identifiers
from tests.export.test_deidentify import catalogue_text
from tui.cli import main


def rounds(demo, *args: str) -> int:
    return main(["--db", str(demo.db_dir), "--today", TODAY.isoformat(), *args])


def worklist(demo, start=TODAY, end=TODAY + timedelta(days=7), **kw):
    listing, ids = build_worklist_of(demo.repo, start, end, catalogue=demo.catalogue, **kw)
    return listing


def by_label(listing):
    return {case.label: case for case in listing.cases}


def test_the_week_by_case_with_what_each_item_is(demo):
    listing = worklist(demo)
    cases = by_label(listing)
    one = cases["DEMO-001"]
    kinds = {item.title: item.kind for item in one.items}
    assert kinds["Saline infiltration session"] == "overdue"  # window closed 2026-10-18
    assert kinds["Review the response to saline"] == "due"  # open until 2026-11-22
    # Escalation waits for saline to fail (2026-11-22): it is not listed as opening before it has.
    assert "Autologous blood injection if saline fails" not in kinds
    assert "Twelve-month review" not in kinds  # snoozed beyond the week
    assert "Baseline assessment: size, depth, pigment, photo" not in kinds  # done
    assert "DEMO-006" not in cases  # a closed case has nothing to do
    # Most urgent first: overdue before due before opening, inside a case and between cases.
    order = [item.kind for item in one.items]
    assert order == sorted(order, key=("overdue", "due", "opens", "snooze-ends").index)
    ranks = [case.rank[:2] for case in listing.cases]
    assert ranks == sorted(ranks)


def test_key_facts_saline_count_lesion_size_and_running_drugs(demo):
    from checklists import actions

    for kind, day, drug in (("therapy-start", 200, "azathioprine"), ("therapy-stop", 150, "Azathioprine ")):
        demo.repo.update(demo.ids[1], lambda c, kind=kind, day=day, drug=drug: actions.log_event(
            c, kind, {"date": TODAY - timedelta(days=day), "drug": drug}, today=TODAY))
    cases = by_label(worklist(demo))
    assert cases["DEMO-001"].facts[0] == "saline 2 of 3-6"
    assert "lesion 22 mm across, 4 mm deep, improvement none (2026-09-24)" in cases["DEMO-001"].facts
    two = cases["DEMO-002"].facts
    assert any(f.startswith("running hydroxychloroquine 400 mg/day since") for f in two)
    assert not any("zathioprine" in f for f in two), "a stopped drug is not running"
    hip = evaluate(demo.repo.get(demo.ids[2]), demo.catalogue, demo.repo.policy(), TODAY)
    assert "injections 4 (4 in 365 days)" in key_facts(hip, demo.catalogue)
    # The count is said once, in the facts, not again after the saline item.
    saline = next(i for i in cases["DEMO-001"].items if i.title == "Saline infiltration session")
    assert saline.detail is None


def test_a_longer_period_brings_in_a_snooze_that_ends_in_it(demo):
    cases = by_label(worklist(demo, end=TODAY + timedelta(days=40)))
    review = next(i for i in cases["DEMO-001"].items if i.title == "Twelve-month review")
    assert review.kind == "snooze-ends" and review.until == TODAY + timedelta(days=30)


def test_statuses_are_those_of_the_first_day_of_the_period(demo):
    later = by_label(worklist(demo, start=TODAY + timedelta(days=3), end=TODAY + timedelta(days=10)))
    kinds = {item.title: item.kind for item in later["DEMO-001"].items}
    assert kinds["Review the response to saline"] == "overdue"  # closed on 2026-11-22
    assert kinds["Autologous blood injection if saline fails"] == "due"


def test_missed_items_and_acknowledged_alerts(demo):
    view = evaluate(demo.repo.get(demo.ids[0]), demo.catalogue, demo.repo.policy(), TODAY)
    items = tuple(replace(i, status="missed") if i.id == "review-6m" else i for i in view.items)

    first, *rest = view.alerts
    ack = AlertAck(code=first.code, by="jdoe", on=TODAY - timedelta(days=20), note="checked")
    alerts = (replace(first, acknowledged=ack), *rest)
    listing = build_worklist([replace(view, items=items, alerts=alerts)], TODAY, TODAY + timedelta(days=7),
                             demo.catalogue)
    (case,) = listing.cases
    assert case.before_enrolment == ("Six-month review",)
    assert "Six-month review" not in [i.title for i in case.items]
    assert not any("Saline volume outside" in a for a in case.alerts)
    assert any("Saline course stopped short" in a for a in case.alerts)
    assert "Before enrolment (missed): Six-month review" in render(listing, "text")


@pytest.mark.parametrize("fmt", ["text", "md", "html", "csv"])
def test_every_format_lists_the_same_cases(demo, capsys, fmt):
    assert rounds(demo, "worklist", "--format", fmt) == 0
    out = capsys.readouterr().out
    listing = worklist(demo)
    for case in listing.cases:
        assert case.case_id in out
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out, newline="")))
        assert tuple(rows[0]) == CSV_COLUMNS
        assert len(rows) == listing.item_count
        assert {r["status"] for r in rows} <= {"overdue", "due", "opens", "snooze-ends"}
    if fmt == "html":
        assert "default-src 'none'" in out and "<script" not in out and "counter(page)" in out
    if fmt == "text":
        assert out.startswith(f"Rounds worklist {TODAY.isoformat()} to {(TODAY + timedelta(days=7)).isoformat()}")


def test_default_period_and_explicit_dates(demo, capsys):
    assert rounds(demo, "worklist", "--from", "2026-12-01") == 0
    assert capsys.readouterr().out.startswith("Rounds worklist 2026-12-01 to 2026-12-08")
    assert rounds(demo, "worklist", "--from", "2026-12-01", "--to", "2026-12-31") == 0
    assert capsys.readouterr().out.startswith("Rounds worklist 2026-12-01 to 2026-12-31")


@pytest.mark.parametrize("args, message", [
    (["--from", "2026-12-10", "--to", "2026-12-01"], "ends (2026-12-01) before it starts (2026-12-10)"),
    (["--from", "2026-02-30"], "is not a real calendar date"),
    (["--to", "next week"], "must be a date written YYYY-MM-DD"),
    (["--format", "pdf"], "invalid choice"),
    (["-o", "/nonexistent-folder/w.txt"], "does not exist"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(demo, capsys, args, message):
    before = len(demo.repo.settings_audit())
    assert rounds(demo, "worklist", *args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert len(demo.repo.settings_audit()) == before


def test_a_worklist_file_is_written_whole_private_and_audited(demo, tmp_path, capsys):
    out = tmp_path / "week.txt"
    assert rounds(demo, "worklist", "-o", str(out)) == 0
    assert out.read_text().startswith("Rounds worklist")
    assert out.stat().st_mode & 0o007 == 0
    entry = demo.repo.settings_audit()[-1]
    listed = {c.case_id for c in worklist(demo).cases}
    assert entry.action == "export" and entry.details["format"] == "worklist-text"
    assert set(entry.details["cases"]) == listed
    assert "written to" in capsys.readouterr().err


def test_a_deidentified_worklist_leaks_nothing_and_holds_no_date(demo, capsys):
    generic = catalogue_text(demo.catalogue)
    secrets = {t for c in demo.cases() for t in identifiers(c) if t not in generic}
    secrets = {t for t in secrets if not (t[0] == "e" and t[1:].isdigit())}
    for fmt in ("text", "md", "html", "csv"):
        assert rounds(demo, "worklist", "--deidentify", "--format", fmt) == 0
        out = capsys.readouterr().out
        for secret in secrets:
            assert secret not in out and " ".join(secret.split()) not in " ".join(out.split()), (fmt, secret)
        assert not re.search(r"\d{4}-\d{2}-\d{2}", out), (fmt, "no date at all")
        assert "deid-" in out
    assert rounds(demo, "worklist", "--deidentify", "--format", "csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out, newline="")))
    assert tuple(rows[0]) == DEID_CSV_COLUMNS


def test_a_deidentified_worklist_for_a_period_is_the_same_whatever_day_it_is_made(demo, capsys):
    outputs = []
    for today in ("2026-11-21", "2027-03-02"):
        assert main(["--db", str(demo.db_dir), "--today", today, "worklist", "--deidentify",
                     "--from", "2026-11-21", "--to", "2026-11-28"]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]


def test_real_dates_never_in_a_deidentified_worklist_of_a_fuller_database(tmp_path, catalogue):
    from store.demo import fill_demo
    from store.repository import Repository
    from tests.export.conftest import DemoDb, fixed_now

    repo = Repository(tmp_path / "db", catalogue, now=fixed_now)
    fill_demo(repo, catalogue, TODAY, 30)
    demo = DemoDb(repo=repo, db_dir=tmp_path / "db", ids=[c.id for c in repo.all_cases()])
    listing = worklist(demo, deidentify=True)
    assert listing.cases
    days = {day for case in demo.cases() for day in case_dates(case)}
    for fmt in ("text", "md", "html", "csv"):
        out = render(listing, fmt)
        assert not any(day.isoformat() in out for day in days)
        assert "DEMO-" not in out
