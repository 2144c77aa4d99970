"""The Log form as a clinician meets it (issue 9): it starts on the kind that fits the highlighted item,
offers only the kinds of the case's pathways, asks only the fields of that kind, and says before saving
that the event will raise a critical alert. Snooze offers a week, a month or a date."""

from __future__ import annotations

from datetime import date

from textual.widgets import Select

from checklists import actions
from tests.tui.demo_db import screen_text, wait_for
from tests.tui.test_keys_act_on_what_is_highlighted import (  # noqa: F401
    TODAY, add, form_ready, logged, open_case, status, sync,
)
from tui.app import make_app


def kinds_offered(form) -> list[str]:
    select = form.fields["kind"].control
    return [value for _, value in select._options if value is not Select.NULL]


@sync
async def test_l_starts_on_the_kind_of_the_highlighted_item(repo):
    case_id = add(repo, ["panniculitis-lipoatrophy"], "2026-10-01", date(2026, 11, 1))
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, case_id, "aat-test")
        await pilot.press("l")
        form = await form_ready(pilot, "LogEventForm")
        assert form.kind == "aat-test"


@sync
async def test_the_kinds_offered_are_those_of_the_case_s_pathways(repo):
    case_id = add(repo, ["hip-injection"], "2026-10-01", date(2026, 11, 1))
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, case_id)
        await pilot.press("l")
        form = await form_ready(pilot, "LogEventForm")
        offered = kinds_offered(form)
        assert {"injection", "pt-start", "assessment", "note"} <= set(offered)
        assert not {"aat-test", "therapy-start", "saline", "biopsy"} & set(offered)


@sync
async def test_an_aat_level_has_no_body_site(repo):
    case_id = add(repo, ["panniculitis-lipoatrophy"], "2026-10-01", date(2026, 11, 1))
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, case_id, "aat-test")
        await pilot.press("l")
        form = await form_ready(pilot, "LogEventForm")
        form.fields["kind"].control.value = "aat-test"
        await pilot.pause()
        shown = [name for name, field in form.fields.items() if field.display]
        assert "result" in shown and "site" not in shown


@sync
async def test_an_event_that_will_raise_a_critical_alert_is_said_before_it_is_saved(repo):
    case_id = add(repo, ["panniculitis-lipoatrophy"], "2026-06-01", date(2026, 7, 1), [
        lambda case: actions.set_field(case, "inflammation", "active", today=TODAY, catalogue=repo.catalogue,
                                       date="2026-07-01"),
    ])
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, case_id)
        await pilot.press("l")
        form = await form_ready(pilot, "LogEventForm")
        form.fields["kind"].control.value = "fat-graft"
        await pilot.pause()
        await wait_for(pilot, lambda: "CRITICAL" in status(form))  # said while filling in
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        assert "inflammation" in screen_text(app).lower()
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is form)
        assert not repo.get(case_id).live_events("fat-graft")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen)
    assert len(repo.get(case_id).live_events("fat-graft")) == 1


@sync
async def test_snooze_offers_a_week_a_month_or_a_date(repo):
    case_id = add(repo, ["steroid-atrophy"], "2026-10-01", date(2026, 11, 1))
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, case_id, "review-6m")
        await pilot.press("z")
        form = await form_ready(pilot, "ItemActionForm")
        choices = form.fields["until"].control
        labels = " ".join(str(label) for label, _ in choices._options)
        assert "1 week" in labels and "1 month" in labels and "date" in labels
        choices.value = "month"
        await pilot.pause()
        form.fields["reason"].control.value = "patient away"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
    assert repo.get(case_id).items["review-6m"].until == date(2026, 12, 21)
