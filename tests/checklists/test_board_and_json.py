"""Counts, next_due, urgency, the `case show --json` shape and the case board (cli.md)."""

from __future__ import annotations

import json

import pytest

from checklists import board
from checklists.models import URGENCY_ORDER
from checklists.serialize import counts_json
from checklists.serialize import row_json
from tests.checklists.support import HIP, PL, SA, Chart, d, days, policy

TODAY = d("2026-06-01")


# --- counts ---------------------------------------------------------------------------------

def test_saline_and_abi_counts_with_policy_bounds():
    c = Chart(SA, onset="2026-01-10", enrolled="2026-02-02")
    for k in range(4):
        c.log("saline", d("2026-02-04") + days(7 * k), volume_ml="10")
    c.log("abi", "2026-04-20", volume_ml="4")
    assert counts_json(c.view(TODAY).counts)["saline"] == {"done": 4, "min": 3, "max": 6}
    assert counts_json(c.view(TODAY).counts)["abi"] == {"done": 1}
    clinic = policy(saline_min_sessions=2, saline_max_sessions=8)
    assert counts_json(c.view(TODAY, clinic).counts)["saline"] == {"done": 4, "min": 2, "max": 8}


def test_injections_in_the_last_365_days_count_today_minus_364_to_today():
    c = Chart(HIP, onset="2025-01-01", enrolled="2025-01-02")
    c.log("pt-start", "2025-01-02")
    for day in ("2025-05-31", "2025-06-01", "2025-06-02", "2026-06-01"):
        c.log("injection", day, guidance="image")
    # today - 364 = 2025-06-02; 2025-06-01 is 365 days before today.
    assert counts_json(c.view(TODAY).counts)["injection"] == {"done": 4, "last_365_days": 2}
    # On 2026-05-31 the span is 2025-06-01 .. 2026-05-31 (the 2026-06-01 injection is not yet).
    assert c.view(TODAY - days(1)).counts.injections_last_365_days == 2
    assert c.view(TODAY + days(1)).counts.injections_last_365_days == 1


# --- next_due and urgency -------------------------------------------------------------------

def test_next_due_is_the_most_urgent_windowed_item():
    c = Chart(SA, onset="2026-01-10", enrolled="2026-02-02")
    view = c.view("2026-02-20")   # baseline (closes 02-16) and first saline (closes 02-16) are overdue
    assert view.urgency == "overdue"
    assert view.next_due.status == "overdue"
    assert view.next_due.item in ("baseline-assessment", "saline-session")
    nd = c.json("2026-02-20")["next_due"]
    assert set(nd) >= {"item", "opens", "closes", "status"}
    assert nd["opens"] == "2026-02-02" and nd["closes"] == "2026-02-16"


def test_next_due_includes_upcoming_items():
    c = Chart(SA, onset="2026-01-10", enrolled="2026-02-02")
    c.log("assessment", "2026-02-03", size_mm="10")
    c.act("saline-session", "skip", today="2026-02-03", reason="watchful waiting")
    view = c.view("2026-02-03")
    assert (view.urgency, view.next_due.item, view.next_due.status) == ("upcoming", "review-6m", "upcoming")


def test_snoozed_items_are_not_next_due():
    c = Chart(SA, onset="2026-01-10", enrolled="2026-02-02")
    c.log("assessment", "2026-02-03", size_mm="10")
    c.act("saline-session", "snooze", today="2026-02-03", reason="consent pending", until="2026-03-01")
    view = c.view("2026-02-20")
    assert view.item("saline-session").status == "snoozed"
    assert view.next_due.item == "review-6m"
    assert view.urgency == "upcoming"


def test_next_due_null_when_nothing_has_a_window():
    c = Chart(HIP, onset="2026-01-10", enrolled="2026-02-02")
    c.log("pt-start", "2026-02-03")
    view = c.view("2026-02-03")
    assert view.next_due is None
    assert view.urgency == "unscheduled"
    assert c.json("2026-02-03")["next_due"] is None


def test_all_items_done_makes_the_case_urgency_done():
    # Issue 15: the checks after an injection are answered check by check (one per injection, and at
    # a year), so the case is done once an injection's checks have all been made.
    c = Chart(HIP, onset="2026-01-10", enrolled="2026-02-02")
    c.log("pt-start", "2026-02-03")
    c.log("injection", "2026-02-04", guidance="image", drug="triamcinolone", dose="40 mg")
    for item in ("image-guidance", "dose-review"):
        c.done(item, "2026-02-04")
    for day in ("2026-04-10", "2027-02-05"):
        c.log("assessment", day, mrc="5", tendon="none", joint="stable")
    assert c.view("2027-02-05").urgency == "done"


# --- the JSON shape -------------------------------------------------------------------------

ITEM_KEYS = {"id", "pathway", "title", "phase", "state", "opens", "closes", "status", "sources", "provenance"}


def test_case_show_json_has_the_cli_md_shape():
    c = Chart(SA, HIP, onset="2026-01-10", enrolled="2026-02-02", injection_date="2026-01-02",
              label="DEMO-042")
    c.log("saline", "2026-02-04", volume_ml="30")
    c.log("injection", "2026-01-02", today="2026-02-04", guidance="landmark", drug="triamcinolone", dose="40 mg")
    data = json.loads(json.dumps(c.json("2026-02-04")))  # plain JSON all the way down
    assert data["id"] == "c0000001" and data["patient"] == "DEMO-042"
    assert data["pathways"] == [SA, HIP] and data["status"] == "active"
    assert (data["onset"], data["injection_date"]) == ("2026-01-10", "2026-01-02")
    assert data["etiology"] is None and data["inflammation"] is None
    for item in data["items"]:
        assert ITEM_KEYS <= set(item)
        assert item["state"] in ("open", "done", "skipped", "snoozed")
        assert item["status"] in URGENCY_ORDER
        assert item["provenance"] in ("literature", "seed-summary", "clinic-policy")
        assert item["sources"]
    ids = [i["id"] for i in data["items"]]
    assert len(ids) == len(set(ids))
    assert [e["date"] for e in data["events"]] == ["2026-01-02", "2026-02-04"]  # by date
    assert data["events"][0]["kind"] == "injection" and data["events"][0]["guidance"] == "landmark"
    assert data["counts"] == {"saline": {"done": 1, "min": 3, "max": 6}, "abi": {"done": 0},
                              "fat_graft": {"done": 0}, "injection": {"done": 1, "last_365_days": 1}}
    for alert in data["alerts"]:
        assert set(alert) >= {"code", "severity", "message", "sources"}
        assert alert["severity"] in ("info", "warning", "critical")
    assert set(data["next_due"]) >= {"item", "opens", "closes", "status"}


def test_panniculitis_json_shows_etiology_and_inflammation():
    c = Chart(PL, onset="2026-01-10", enrolled="2026-02-02")
    assert c.json("2026-02-02")["etiology"] == "unknown"
    c.set("etiology", "idiopathic", today="2026-02-03")
    c.set("inflammation", "active", today="2026-02-03")
    data = c.json("2026-02-03")
    assert (data["etiology"], data["inflammation"]) == ("idiopathic", "active")


def test_row_json_has_the_case_list_keys():
    row = Chart(SA, onset="2026-01-10", enrolled="2026-02-02").row("2026-02-20")
    data = row_json(row)
    assert set(data) >= {"id", "patient", "pathways", "status", "next_due", "alert_codes", "urgency"}
    assert data["urgency"] in URGENCY_ORDER


# --- the board ------------------------------------------------------------------------------

def board_charts() -> dict[str, Chart]:
    """Synthetic cases, each in a known state on TODAY (2026-06-01)."""
    cases = {}

    c = Chart(SA, onset="2026-04-01", enrolled="2026-05-01", case_id="aa01", label="DEMO-001 Overdue")
    cases["overdue"] = c                                   # baseline/saline closed 2026-05-15

    c = Chart(SA, onset="2025-05-01", enrolled="2026-05-01", case_id="aa02", label="DEMO-002 overdue critical")
    cases["overdue-critical"] = c                          # + waiting-too-long critical

    c = Chart(HIP, onset="2026-05-20", enrolled="2026-05-20", case_id="bb01", label="DEMO-003")
    cases["due"] = c                                       # pt-before-injection due 05-20 .. 06-17

    c = Chart(HIP, onset="2026-02-01", enrolled="2026-02-01", case_id="cc01", label="DEMO-004")
    c.log("pt-start", "2026-02-02")
    c.log("injection", "2026-04-10", guidance="image")     # early check opens 06-10: due-soon
    cases["due-soon"] = c

    c = Chart(HIP, onset="2026-02-01", enrolled="2026-02-01", case_id="dd01", label="DEMO-005")
    c.log("pt-start", "2026-02-02")
    c.log("injection", "2026-05-20", guidance="image")     # early check opens 07-20: upcoming
    cases["upcoming"] = c

    c = Chart(HIP, onset="2026-02-01", enrolled="2026-02-01", case_id="ee01", label="DEMO-006")
    c.log("pt-start", "2026-02-02")
    c.set("status", "resolved", today="2026-05-01")
    cases["resolved"] = c

    c = Chart(SA, onset="2025-01-01", enrolled="2025-02-01", case_id="ff01", label="DEMO-007")
    c.set("status", "closed", today="2026-05-01")
    cases["closed"] = c

    c = Chart(PL, onset="2025-01-01", enrolled="2025-02-01", case_id="ff02", label="DEMO-008")
    c.set("status", "lost", today="2026-05-01")
    cases["lost"] = c
    return cases


def make_board():
    return {name: chart.row(TODAY) for name, chart in board_charts().items()}


def ids(rows) -> set[str]:
    return {r.id for r in rows}


def test_board_rows_are_in_the_expected_states():
    rows = make_board()
    assert rows["overdue"].urgency == "overdue"
    assert rows["overdue-critical"].alert_severities[0] == "critical"
    assert rows["due"].urgency == "due"
    assert rows["due-soon"].urgency == "due-soon"
    assert rows["upcoming"].urgency == "upcoming"
    assert rows["closed"].alert_codes == () and rows["closed"].next_due is None


def test_filters():
    rows = make_board()
    all_rows = list(rows.values())
    name = {r.id: n for n, r in rows.items()}

    def names(filter_name, **kw):
        return {name[r.id] for r in board.filter_rows(all_rows, filter_name, **kw)}

    open_cases = {"overdue", "overdue-critical", "due", "due-soon", "upcoming", "resolved"}
    assert names("active") == open_cases
    assert {name[r.id] for r in board.filter_rows(all_rows)} == open_cases     # active is the default
    assert names("closed") == {"closed", "lost"}
    assert names("all") == set(rows)
    assert names("overdue") == {"overdue", "overdue-critical"}
    assert names("due") == {"overdue", "overdue-critical", "due"}
    assert names("soon") == {"overdue", "overdue-critical", "due", "due-soon"}
    assert names("all", pathway=HIP) == {"due", "due-soon", "upcoming", "resolved"}
    assert names("all", pathway=PL) == {"lost"}
    with pytest.raises(ValueError):
        board.filter_rows(all_rows, "urgent")


def test_search_over_id_and_label_case_insensitively():
    all_rows = list(make_board().values())
    assert ids(board.filter_rows(all_rows, "all", search="demo-001")) == {"aa01"}
    assert ids(board.filter_rows(all_rows, "all", search="OVERDUE")) == {"aa01", "aa02"}
    assert ids(board.filter_rows(all_rows, "all", search="AA0")) == {"aa01", "aa02"}
    assert ids(board.filter_rows(all_rows, "all", search="ff")) == {"ff01", "ff02"}
    assert board.filter_rows(all_rows, "all", search="nobody") == []
    assert len(board.filter_rows(all_rows, "all", search="")) == len(all_rows)


def test_order_is_urgency_then_most_severe_alert_then_next_window_date():
    rows = make_board()
    ordered = [r.id for r in board.sort_rows(rows.values())]
    assert ordered.index(rows["overdue-critical"].id) < ordered.index(rows["overdue"].id)
    assert ordered.index(rows["overdue"].id) < ordered.index(rows["due"].id)
    assert ordered.index(rows["due"].id) < ordered.index(rows["due-soon"].id)
    assert ordered.index(rows["due-soon"].id) < ordered.index(rows["upcoming"].id)
    urgencies = [r.urgency for r in board.sort_rows(rows.values())]
    assert urgencies == sorted(urgencies, key=URGENCY_ORDER.index)


def test_same_urgency_and_alerts_sort_by_next_window_date():
    later = Chart(SA, onset="2026-04-01", enrolled="2026-05-10", case_id="zz01", label="DEMO-101")
    sooner = Chart(SA, onset="2026-04-01", enrolled="2026-05-09", case_id="zz02", label="DEMO-102")
    rows = [later.row("2026-05-10"), sooner.row("2026-05-10")]
    assert [r.urgency for r in rows] == ["due", "due"]
    assert [r.id for r in board.sort_rows(rows)] == ["zz02", "zz01"]


def test_warning_sorts_before_no_alert_within_the_same_urgency():
    quiet = Chart(HIP, onset="2026-05-20", enrolled="2026-05-20", case_id="aa01", label="DEMO-201")
    warned = Chart(HIP, onset="2026-05-20", enrolled="2026-05-25", case_id="zz01", label="DEMO-202")
    warned.log("injection", "2026-05-26", guidance="landmark")
    rows = [quiet.row(TODAY), warned.row(TODAY)]
    assert [r.urgency for r in rows] == ["due", "due"]
    assert [r.id for r in board.sort_rows(rows)] == ["zz01", "aa01"]


def test_list_row_and_detail_view_agree_on_the_board_cases():
    for name, chart in board_charts().items():
        for today in (TODAY - days(30), TODAY, TODAY + days(400)):
            assert chart.row(today) == chart.detail_row(today), (name, today)


def test_full_urgency_order_then_severity_then_date():
    from checklists.models import CaseRow, NextDue

    def row(case_id, urgency, severities=(), opens=None):
        nd = NextDue(item="x", title="x", opens=d(opens), closes=d(opens) + days(7), status=urgency) if opens else None
        return CaseRow(id=case_id, patient=f"DEMO-{case_id}", pathways=(SA,), status="active", urgency=urgency,
                       next_due=nd, alert_codes=tuple("a" for _ in severities), alert_severities=severities)

    rows = [
        row("k", "skipped"), row("j", "done"), row("i", "unscheduled", ("warning",)), row("h", "snoozed"),
        row("g", "upcoming", (), "2026-09-01"), row("f", "due-soon", (), "2026-06-10"),
        row("e", "due", (), "2026-05-01"), row("d", "due", ("warning",), "2026-05-20"),
        row("c", "overdue", (), "2026-01-01"), row("b", "overdue", ("warning",), "2026-03-01"),
        row("a2", "overdue", ("critical", "warning"), "2026-04-01"),
        row("a1", "overdue", ("critical",), "2026-02-01"),
    ]
    assert [r.id for r in board.sort_rows(rows)] == ["a1", "a2", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]
