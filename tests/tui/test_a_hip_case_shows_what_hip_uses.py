"""A hip-injection case shows and offers what its pathway uses (review of the real app): no etiology,
inflammation or lesion chart; the assessment for a hip check asks strength, pain, tendon and joint, the
check's own fields first; `E` offers no etiology or inflammation; `d` on a check whose window has closed
marks it done by hand (an assessment now could not answer it)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Static

from checklists import actions
from store.repository import Repository
from tests.tui.demo_db import fixed_now, form_ready, open_case_ready as open_case, screen_text, sync
from tui.app import make_app

SIZE = (80, 24)
TODAY = date(2026, 11, 21)


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    from store.protocol import shipped_protocol

    return Repository(tmp_path / "db", shipped_protocol(), now=fixed_now)


def hip_case(repo: Repository, injections: tuple[str, ...], pathways=("hip-injection",)) -> str:
    case, changes = actions.new_case(case_id=repo.new_case_id(), patient="DEMO-041", pathways=list(pathways),
                                     onset="2026-06-01", enrolment=date(2026, 6, 5), catalogue=repo.catalogue)
    for day in ("2026-06-06", *injections):
        kind, fields = ("pt-start", {}) if day == "2026-06-06" else ("injection", {"guidance": "image"})
        case, more = actions.log_event(case, kind, {"date": day, **fields}, today=TODAY)
        changes += more
    repo.add_case(case, changes)
    return case.id


def visible(form) -> list[str]:
    """The fields shown, in the order the form shows them (top to bottom, as tab moves)."""
    from tui.forms.base import FormBody

    names = {id(field): name for name, field in form.fields.items()}
    return [names[id(f)] for f in form.query_one(FormBody).children if id(f) in names and f.display]


@sync
async def test_the_hip_case_screen_has_no_etiology_inflammation_or_lesion_chart(repo):
    case_id = hip_case(repo, ("2026-09-01",))
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        for _ in range(40):
            await pilot.press("j")
        await pilot.pause()
        text = screen_text(app)
        assert not screen.query_one("#chart-title", Static).display
    assert "Etiology" not in text and "Inflammation" not in text
    assert "Lesion size" not in text and "No measured assessments" not in text


@sync
async def test_d_on_the_tendon_and_joint_check_asks_the_hip_fields_tendon_and_joint_first(repo):
    case_id = hip_case(repo, ("2026-09-01",))   # its checks are due 2026-11-01 .. 2027-01-01
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, case_id, "tendon-joint-check-early")
        await pilot.press("d")
        form = await form_ready(pilot, "LogEventForm")
        assert form.kind == "assessment"
        assert visible(form) == ["kind", "date", "tendon", "joint", "mrc", "pain", "site", "note"]
        assert app.focused is form.fields["tendon"].control
        context = str(form.query_one("#form-context", Static).render())
        assert "dated in its window (from a week before it opens until it closes)" in context


@sync
async def test_d_on_a_check_whose_window_closed_marks_it_done_by_hand(repo):
    case_id = hip_case(repo, ("2026-06-10",))   # check window 2026-08-10 .. 2026-10-10: overdue
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id, "atrophy-check-early")
        assert screen.view.item("atrophy-check-early").status == "overdue"
        await pilot.press("d")
        form = await form_ready(pilot, "ItemActionForm")
        assert (form.item_id, form.action) == ("atrophy-check-early", "done")


@sync
async def test_set_field_offers_no_etiology_or_inflammation_on_a_hip_case(repo):
    case_id = hip_case(repo, ("2026-09-01",))
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, case_id)
        await pilot.press("E")
        form = await form_ready(pilot, "SetFieldForm")
        offered = [value for _, value in form.fields["field"].control._options]
    assert "etiology" not in offered and "inflammation" not in offered and "severity" not in offered
    assert "status" in offered and "onset" in offered


@sync
async def test_a_hip_and_atrophy_case_asks_both_and_shows_the_lesion_chart(repo):
    case, changes = actions.new_case(case_id=repo.new_case_id(), patient="DEMO-042",
                                     pathways=["steroid-atrophy", "hip-injection"], onset="2026-10-01",
                                     enrolment=date(2026, 10, 5), injection_date="2026-09-01",
                                     catalogue=repo.catalogue)
    repo.add_case(case, changes)
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case.id)
        assert screen.query_one("#chart-title", Static).display
        await pilot.press("l")
        form = await form_ready(pilot, "LogEventForm")
        form.fields["kind"].control.value = "assessment"
        await pilot.pause()
        assert {"size_mm", "improvement", "mrc", "tendon"} <= set(visible(form))


@sync
async def test_the_new_case_form_takes_a_hip_injection_after_the_pain_began(repo):
    from tests.tui.test_forms import NOT_SET, Host, ready, settled, shows
    from tui.forms import NewCaseForm

    app = Host(lambda: NewCaseForm(repo, TODAY, repo.catalogue))
    async with app.run_test(size=SIZE) as pilot:
        form = await ready(pilot)
        await pilot.press(*"DEMO-044", "tab", "down", "down", "space")  # hip-injection only
        assert shows(form, "onset", "onset is required: the day the hip pain that led to injection began")
        await pilot.press("tab", *"2026-09-01", "tab", *"2026-10-01", "ctrl+s")
        await settled(pilot)
    assert app.result is not NOT_SET
    case = repo.get(app.result)
    assert (case.pathways, case.onset, case.injection_date) == (
        ("hip-injection",), date(2026, 9, 1), date(2026, 10, 1))
