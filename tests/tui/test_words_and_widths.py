"""What a clinician reads (issue 9): items by their short titles, a snoozed case saying what and until
when, a resolved case reading as resolved, the injection date from the logged injections; and every
width: the board at 60 columns shows the next item and a clean footer, the checklist at 80 shows a
window's closing date."""

from __future__ import annotations

from datetime import date

from checklists import actions
from tests.tui.demo_db import screen_text, wait_for
from tests.tui.test_keys_act_on_what_is_highlighted import TODAY, add, logged, open_case, resolved, sync
from tui.app import make_app


async def board_text(pilot) -> str:
    app = pilot.app
    await wait_for(pilot, lambda: getattr(app.screen, "has_loaded", False))
    await pilot.pause()
    return screen_text(app)


def line_of(text: str, label: str) -> str:
    return next(line for line in text.splitlines() if label in line)


@sync
async def test_the_board_names_items_by_their_short_titles_with_the_saline_count(repo):
    add(repo, ["steroid-atrophy"], "2026-11-01", date(2026, 11, 20), [
        # The baseline the day of the first session (a baseline is taken before treatment starts).
        logged("assessment", date="2026-11-20", size_mm="20"), logged("saline", date="2026-11-20", volume_ml="10")],
        patient="DEMO-201")
    add(repo, ["steroid-atrophy"], "2026-05-20", date(2026, 6, 1), [
        logged("assessment", date="2026-06-02", size_mm="20"),
        resolved("saline-session", "skip", repo.catalogue, reason="watchful waiting")], patient="DEMO-202")
    for size in ((80, 24), (120, 40)):
        app = make_app(repo, today=TODAY)
        async with app.run_test(size=size) as pilot:
            text = await board_text(pilot)
        assert "Saline session 2 of 3-6" in line_of(text, "DEMO-201"), text
        assert "6-month review" in line_of(text, "DEMO-202"), text
        assert "saline-session" not in text and "review-6m" not in text


@sync
async def test_a_snoozed_case_says_what_is_snoozed_and_until_when(repo):
    add(repo, ["hip-injection"], "2026-10-01", date(2026, 11, 1), [
        resolved("pt-before-injection", "snooze", repo.catalogue, reason="waiting list", until="2027-01-15"),
        resolved("image-guidance", "skip", repo.catalogue, reason="no injection planned"),
        resolved("dose-review", "skip", repo.catalogue, reason="no injection planned"),
    ], patient="DEMO-203")
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        line = line_of(await board_text(pilot), "DEMO-203")
    assert "snoozed" in line and "2027-01-15" in line and "Physio before" in line, line


@sync
async def test_a_resolved_case_reads_as_resolved(repo):
    add(repo, ["steroid-atrophy"], "2026-09-01", date(2026, 9, 5), [
        logged("assessment", date="2026-09-06", size_mm="8"),
        resolved("saline-session", "skip", repo.catalogue, reason="resolved by itself"),
        lambda case: actions.set_field(case, "status", "resolved", today=TODAY, catalogue=repo.catalogue),
    ], patient="DEMO-204")
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        line = line_of(await board_text(pilot), "DEMO-204")
    assert "resolved" in line and "unsched" not in line, line


@sync
async def test_the_case_header_takes_the_injection_date_from_the_logged_injections(repo):
    case_id = add(repo, ["hip-injection"], "2026-09-01", date(2026, 9, 10), [
        logged("injection", date="2026-10-01", guidance="image", drug="triamcinolone"),
    ])
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, case_id)
        assert "Injection    2026-10-01" in screen_text(app)


# -- widths -----------------------------------------------------------------------------------------------

@sync
async def test_at_60_columns_the_board_shows_the_next_item_and_a_footer_without_stray_text(repo):
    add(repo, ["steroid-atrophy"], "2026-05-20", date(2026, 6, 1), [
        logged("assessment", date="2026-06-02", size_mm="20"),
        resolved("saline-session", "skip", repo.catalogue, reason="watchful waiting")], patient="DEMO-205")
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(60, 20)) as pilot:
        text = await board_text(pilot)
        assert "6-month review" in line_of(text, "DEMO-205"), text
        footer = text.splitlines()[-1]
        # Every key shown whole, the palette key last: nothing after it, no key cut in half.
        assert footer.rstrip().endswith("^p palette"), footer
        for entry in ("Open", "Search", "New"):
            assert entry in footer
        assert max(len(line) for line in text.splitlines()) <= 60


@sync
async def test_at_80_columns_the_checklist_shows_when_a_window_closes_even_across_the_new_year(repo):
    case_id = add(repo, ["hip-injection"], "2026-09-01", date(2026, 9, 10), [
        logged("injection", date="2026-10-05", guidance="image", drug="triamcinolone"),
    ])
    app = make_app(repo, today=TODAY)
    async with app.run_test(size=(80, 60)) as pilot:
        screen = await open_case(pilot, case_id)
        item = screen.view.item("atrophy-check-early")
        assert item.opens.year != item.closes.year  # 2026-12-05..2027-02-05
        line = next(line for line in screen_text(app).splitlines() if item.opens.isoformat() in line
                    and "Next due" not in line)
        assert item.closes.isoformat() in line, line
