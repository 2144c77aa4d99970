"""Properties over random cases built from random valid action sequences, read on random days.

The list line and the detail view can never disagree; statuses only move forward in time; the engine
never raises on a valid case; calendar months always land in the right month.
"""

from __future__ import annotations

import calendar
import json
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checklists import actions
from checklists.dates import add_months
from checklists.engine import case_row, evaluate, summarize
from checklists.errors import ValidationError
from checklists.models import (
    CLOSED_CASE_STATUSES, INFLAMMATION_STATES, URGENCY_ORDER, Policy,
)
from checklists.serialize import case_json
from checklists.status import item_status
from tests.checklists.support import CATALOGUE, row_of

PATHWAY_IDS = CATALOGUE.pathway_ids
ETIOLOGIES = CATALOGUE.etiologies_for(PATHWAY_IDS)

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BASE = date(2024, 1, 1)
DRUGS = ["hydroxychloroquine", "Methotrexate 15 mg", "cyclophosphamide", "prednisone", "azathioprine",
         "methylprednisolone"]
TIME_ORDER = ("upcoming", "due-soon", "due", "overdue")

policies = st.builds(
    lambda soon, lo, hi, smin, extra, rec, inj: Policy(
        soon_days=soon, saline_min_ml=lo, saline_max_ml=hi, saline_min_sessions=smin,
        saline_max_sessions=smin + extra, recurrence_months=rec, max_injections_per_year=inj),
    st.sampled_from([0, 1, 7, 14, 30, 365]), st.sampled_from([1.0, 5.0, 8.0]), st.sampled_from([15.0, 20.0, 50.0]),
    st.integers(1, 6), st.integers(0, 4), st.sampled_from([1, 3, 6, 12, 120]), st.integers(1, 5),
)


def event_fields(draw, kind: str) -> dict:
    if kind in ("saline", "abi"):
        return {"volume_ml": draw(st.sampled_from(["2", "4", "4.9", "5", "10", "20", "20.1", "30", "100"]))}
    if kind == "injection":
        fields = {"guidance": draw(st.sampled_from(["image", "landmark"]))}
        if draw(st.booleans()):
            fields.update(drug="triamcinolone", dose="40 mg")
        return fields
    if kind == "biopsy":
        return {"depth": draw(st.sampled_from(["deep-excisional", "punch", "superficial"]))}
    if kind in ("therapy-start", "therapy-stop"):
        return {"drug": draw(st.sampled_from(DRUGS))}
    if kind == "assessment":
        fields = {}
        if draw(st.booleans()):
            fields["improvement"] = draw(st.sampled_from(["none", "partial", "complete"]))
        if draw(st.booleans()):
            fields.update(size_mm=str(draw(st.integers(0, 60))), mrc=str(draw(st.integers(0, 5))),
                          pain=str(draw(st.integers(0, 10))))
        return fields
    if kind == "note":
        return {"note": "seen in clinic"}
    return {}


EVENT_KINDS = ["saline", "saline", "abi", "fat-graft", "injection", "pt-start", "biopsy", "aat-test", "workup",
               "therapy-start", "therapy-stop", "assessment", "assessment", "mri", "note"]


@st.composite
def built_cases(draw):
    """A case built by a random sequence of valid (or harmlessly refused) clinician actions."""
    pathways = draw(st.lists(st.sampled_from(PATHWAY_IDS), min_size=1, max_size=3, unique=True))
    onset = BASE + timedelta(days=draw(st.integers(0, 800)))
    clock = onset + timedelta(days=draw(st.integers(0, 400)))
    injection = draw(st.one_of(st.none(), st.integers(0, 300).map(lambda k: onset - timedelta(days=k))))
    clinic = draw(policies)
    case, _ = actions.new_case(case_id="p0000001", patient="DEMO-900", pathways=pathways, onset=onset,
                               enrolment=clock, injection_date=injection, catalogue=CATALOGUE)
    for _ in range(draw(st.integers(0, 30))):
        clock += timedelta(days=draw(st.sampled_from([0, 0, 1, 3, 7, 7, 14, 30, 60, 200])))
        step = draw(st.sampled_from(["log"] * 5 + ["item"] * 3 + ["field"] * 2 + ["void"]))
        try:
            if step == "log":
                kind = draw(st.sampled_from(EVENT_KINDS))
                day = clock - timedelta(days=draw(st.integers(0, 60)))
                case, _ = actions.log_event(case, kind, {"date": day, **event_fields(draw, kind)}, today=clock)
            elif step == "item":
                items = [i.id for i in evaluate(case, CATALOGUE, clinic, clock).items]
                item = draw(st.sampled_from(items))
                action = draw(st.sampled_from(["done", "done", "skip", "snooze", "reopen"]))
                extra = {}
                if action == "done":
                    extra["date"] = clock - timedelta(days=draw(st.integers(0, 30)))
                elif action in ("skip", "snooze"):
                    extra["reason"] = "clinical decision"
                if action == "snooze":
                    extra["until"] = clock + timedelta(days=draw(st.integers(1, 90)))
                case, _ = actions.resolve_item(case, item, action, today=clock, catalogue=CATALOGUE,
                                               policy=clinic, **extra)
            elif step == "field":
                field = draw(st.sampled_from(["etiology", "etiology", "inflammation", "inflammation", "status",
                                             "onset", "injection-date"]))
                when = None
                if field == "etiology":
                    value = draw(st.sampled_from(ETIOLOGIES))
                    when = clock - timedelta(days=draw(st.integers(0, 30)))
                elif field == "inflammation":
                    value = draw(st.sampled_from(INFLAMMATION_STATES))
                    when = clock - timedelta(days=draw(st.integers(0, 30)))
                elif field == "status":
                    value = draw(st.sampled_from(["active", "active", "resolved", "closed", "lost"]))
                elif field == "onset":
                    value = (case.onset + timedelta(days=draw(st.integers(-60, 60)))).isoformat()
                else:
                    value = draw(st.one_of(st.just("none"), st.integers(0, 90).map(
                        lambda k, onset=case.onset: (onset - timedelta(days=k)).isoformat())))
                case, _ = actions.set_field(case, field, value, today=clock, catalogue=CATALOGUE, date=when)
            elif case.events:
                target = draw(st.sampled_from([e.id for e in case.events]))
                case, _ = actions.void_event(case, target, "entered in error")
        except ValidationError:
            pass  # a refused action changes nothing; the sequence goes on
    return case, clinic, clock


def read_days(case, clock):
    """Days to read the case on: before enrolment, around the clock, and years later."""
    return st.integers(-400, 3500).map(lambda k: case.enrolment + timedelta(days=k))


@SETTINGS
@given(st.data())
def test_list_line_and_detail_view_never_disagree(data):
    case, clinic, clock = data.draw(built_cases())
    summary = summarize(case, CATALOGUE, clinic)
    for today in data.draw(st.lists(read_days(case, clock), min_size=1, max_size=6)):
        view = evaluate(case, CATALOGUE, clinic, today)
        assert case_row(summary, today, clinic) == row_of(view)


@SETTINGS
@given(st.data())
def test_evaluate_never_raises_and_keeps_its_invariants(data):
    case, clinic, clock = data.draw(built_cases())
    today = data.draw(read_days(case, clock))
    view = evaluate(case, CATALOGUE, clinic, today)
    shown = json.loads(json.dumps(case_json(view)))
    ids = [i.id for i in view.items]
    assert len(ids) == len(set(ids))
    assert all(i.status in URGENCY_ORDER for i in view.items)
    # Items missed before enrolment are no part of a case's urgency.
    assert view.urgency == min((i.status for i in view.items if i.status != "missed"), key=URGENCY_ORDER.index,
                               default="unscheduled")
    codes = [a.code for a in view.alerts]
    assert len(codes) == len(set(codes))
    assert all(a.pathway in case.pathways for a in view.alerts)
    assert all(a.severity in ("info", "warning", "critical") for a in view.alerts)
    if view.urgency in TIME_ORDER:   # something is waiting: next_due is the most urgent of it
        assert view.next_due is not None and view.next_due.status == view.urgency
        assert view.next_due.opens <= view.next_due.closes
        assert view.item(view.next_due.item).state == "open"
    else:
        assert view.next_due is None
    if case.status in CLOSED_CASE_STATUSES:
        assert view.alerts == () and view.next_due is None
        assert all(i.opens is None for i in view.items)
    live = [e for e in case.events if not e.voided]
    assert view.counts.saline == sum(e.kind == "saline" for e in live)
    assert view.counts.abi == sum(e.kind == "abi" for e in live)
    assert view.counts.injections == sum(e.kind == "injection" for e in live)
    assert shown["counts"]["saline"]["min"] == clinic.saline_min_sessions
    if "panniculitis-lipoatrophy" in case.pathways:
        foreign = {"aat-deficiency": {"aat-augmentation", "dapsone", "smoking-cessation",
                                      "liver-transplant-assessment"},
                   "idiopathic": {"hydroxychloroquine", "prednisone-flares", "methotrexate", "therapy-review-12m"},
                   "vasculitis": {"cyclophosphamide-glucocorticoids", "vasculitis-alternative"}}
        for etiology, items in foreign.items():
            if etiology != case.etiology:
                assert not items & set(ids)


@SETTINGS
@given(st.data())
def test_status_of_an_open_item_only_moves_forward_in_time(data):
    case, clinic, clock = data.draw(built_cases())
    days_read = sorted(data.draw(st.lists(read_days(case, clock), min_size=2, max_size=8, unique=True)))
    views = [evaluate(case, CATALOGUE, clinic, today) for today in days_read]
    for item_id in [i.id for i in views[0].items]:
        seen = [v.item(item_id) for v in views]
        if any(i.state != "open" or i.opens is None or i.status == "missed" for i in seen):
            continue  # (missed is fixed at enrolment: it does not move with time)
        # A gated escalation item is unscheduled until its window opens, then moves on like the rest.
        order = ("unscheduled",) + TIME_ORDER if any(i.status == "unscheduled" for i in seen) else TIME_ORDER
        ranks = [order.index(i.status) for i in seen]
        assert ranks == sorted(ranks), (item_id, [(t, i.status) for t, i in zip(days_read, seen)])


@settings(max_examples=300, deadline=None)
@given(
    opens=st.dates(date(2000, 1, 1), date(2100, 1, 1)), length=st.integers(0, 400),
    soon=st.integers(0, 365), todays=st.lists(st.integers(-800, 800), min_size=2, max_size=10),
)
def test_status_function_is_monotone_in_time(opens, length, soon, todays):
    closes = opens + timedelta(days=length)
    statuses = [item_status("open", opens, closes, opens + timedelta(days=k), soon) for k in sorted(todays)]
    ranks = [TIME_ORDER.index(s) for s in statuses]
    assert ranks == sorted(ranks)


@settings(max_examples=400, deadline=None)
@given(start=st.dates(date(1900, 1, 1), date(2200, 12, 31)), months=st.integers(0, 1200))
def test_add_months_lands_in_the_right_month_clamped_to_its_end(start, months):
    result = add_months(start, months)
    index = start.year * 12 + (start.month - 1) + months
    assert (result.year, result.month) == (index // 12, index % 12 + 1)
    assert result.day == min(start.day, calendar.monthrange(result.year, result.month)[1])
    assert result >= start
