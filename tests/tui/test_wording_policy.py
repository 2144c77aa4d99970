"""The policy form in its own words (review defect 9): an error names the value by the form's label,
never by the key the command line takes, and every label carries its unit."""

from __future__ import annotations

from tests.tui.demo_db import TODAY, form_ready, screen_text, sync, wait_for
from tui.app import make_app


async def _policy_form(pilot):
    app = pilot.app
    await wait_for(pilot, lambda: getattr(app.screen, "has_loaded", False))
    await pilot.press("p")
    return await form_ready(pilot, "PolicyForm")


@sync
async def test_a_refused_value_is_named_by_its_label_at_80_columns(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _policy_form(pilot)
        form.fields["soon_days"].control.value = "500"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        text = screen_text(app)
        error = form.fields["soon_days"].error
    assert error == "Due-soon lead (days) must be a whole number from 0 to 365", error
    assert "✗ Due-soon lead (days) must be" in text, text
    assert "soon_days" not in text, text
    assert demo_repo.policy().soon_days == 14


@sync
async def test_a_pair_of_bounds_is_named_by_labels_too(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _policy_form(pilot)
        form.fields["saline_min_ml"].control.value = "25"
        await pilot.pause()
        text = screen_text(app)
        error = form.fields["saline_min_ml"].error
    assert error == "Saline alert below (25) must be below Saline alert above (20)", error
    assert "saline_m" not in text, text


@sync
async def test_every_label_shows_its_unit_whole_at_80_columns(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _policy_form(pilot)
        text = screen_text(app)
    assert "Injection gap (months)" in text, text
    assert "1-60 months" in text, text
