"""The clinic protocol in the app (P on the board, or the palette), and the review marks on the case
screen: what a clinical lead and a clinician see at 80x24."""

from __future__ import annotations

import json

from store.audit import current_user
from store.signoff import read_records, record_review
from tests.tui.demo_db import TODAY, screen_text, wait_for
from tests.tui.test_board import SIZE, loaded_board, sync
from tui.app import make_app
from tui.screens.board import BoardScreen
from tui.screens.case import CaseScreen
from tui.screens.protocol import ProtocolScreen

SA = "steroid-atrophy"
OVERDUE_CASE = "a1d0000001"  # DEMO-001: two saline sessions, one of 25 mL (an alert)


async def protocol_screen(pilot) -> ProtocolScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ProtocolScreen) and app.screen.data is not None)
    await pilot.pause()
    return app.screen


async def highlight(pilot, rule_id: str) -> None:
    screen = pilot.app.screen
    for _ in range(60):
        selected = screen.selected()
        if selected is not None and selected[0].ref.id == rule_id:
            await pilot.pause()
            return
        await pilot.press("down")
    raise AssertionError(f"{rule_id} not reached")


def rule_line(app, rule_id: str) -> str:
    return next(line for line in screen_text(app).splitlines() if f" {rule_id} · " in line)


@sync
async def test_P_opens_the_protocol_with_every_pathway_and_each_rules_review(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("P")
        screen = await protocol_screen(pilot)
        text = screen_text(app)
        # 49 since issue 15 added two alerts (muscle-weakness, treatment-before-diagnosis).
        assert "clinic protocol · 0 of 49 rules accepted; 49 not yet reviewed" in text
        assert "Subcutaneous atrophy after corticosteroid injection (steroid-atrophy)" in text
        assert "† unreviewed baseline-assessment" in text
        # The highlighted rule's own text is below the list: its window in words and its review.
        assert "When: within 14 days of enrolment" in text and "Review: † not yet reviewed" in text
        headings = [o for o in screen.query_one("#protocol-rules").options if o.disabled]
        assert len(headings) == 3
        await highlight(pilot, "saline-session")
        # The full reference is at the end of the rule's text: tab there and scroll to it.
        await pilot.press("tab", "end")
        await pilot.pause()
        assert "doi:10.1111/j.1524-4725.2005.31216" in " ".join(screen_text(app).split())
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen)


@sync
async def test_a_decision_recorded_in_the_app_is_kept_with_who_and_shows_at_once(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("P")
        await protocol_screen(pilot)
        await highlight(pilot, "review-6m")
        await pilot.press("a")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewForm" and app.screen.ready)
        assert "steroid-atrophy · item review-6m" in screen_text(app)
        await pilot.press(*"matches our clinic", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ProtocolScreen)
                       and "✓ accepted   review-6m" in screen_text(app), timeout=10)
        assert "1 of 49 rules accepted" in screen_text(app)
        review = read_records(demo_repo.settings_path).reviews[-1]
        assert (review.rule.id, review.decision, review.note, review.by, review.on) == (
            "review-6m", "accept", "matches our clinic", current_user(), TODAY)

        # Enter opens the form with no decision chosen: one has to be picked.
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewForm" and app.screen.ready)
        assert "accept, reject or comment" in screen_text(app)
        await pilot.press("escape")
        # A comment records a note and leaves the decision as it was.
        await pilot.press("c")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewForm" and app.screen.ready)
        await pilot.press(*"see the 2027 guideline", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ProtocolScreen)
                       and "comment by" in screen_text(app), timeout=10)
        assert "✓ accepted   review-6m" in rule_line(app, "review-6m")
        assert [r.decision for r in read_records(demo_repo.settings_path).reviews] == ["accept", "comment"]


@sync
async def test_a_decision_needs_a_note_and_cancel_writes_nothing(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("P")
        await protocol_screen(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewForm" and app.screen.ready)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewForm" and "note is required" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, ProtocolScreen)
    assert read_records(demo_repo.settings_path).reviews == ()


@sync
async def test_the_protocol_is_in_the_command_palette_and_follows_other_processes(demo_repo):
    app = make_app(demo_repo, today=TODAY)
    app.poll_seconds = 0.2
    async with app.run_test(size=SIZE) as pilot:
        await loaded_board(pilot)
        await pilot.press("ctrl+p", *"Clinic protocol")
        await wait_for(pilot, lambda: "Clinic protocol" in screen_text(app))
        await pilot.pause(0.3)
        await pilot.press("enter")
        await protocol_screen(pilot)
        # Another clinician, at another terminal, rejects a rule.
        record_review(demo_repo, demo_repo.catalogue, SA, "review-12m", "reject", "we review at 9 months", TODAY)
        await wait_for(pilot, lambda: "✗ REJECTED   review-12m" in screen_text(app), timeout=10)


@sync
async def test_the_case_screen_marks_rules_the_clinic_has_not_accepted_with_a_word(demo_repo):
    record_review(demo_repo, demo_repo.catalogue, SA, "review-6m", "accept", "ok", TODAY)
    record_review(demo_repo, demo_repo.catalogue, SA, "saline-volume-out-of-range", "reject", "we allow 30", TODAY)
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=(80, 60)) as pilot:  # 80 columns; tall enough to read every alert at once
        await loaded_board(pilot)
        app.open_case(OVERDUE_CASE)
        await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.view is not None)
        await pilot.pause()
        alerts = " ".join(screen_text(app).split())
        assert "✗ Saline volume outside the protocol range" in alerts
        assert "✗ rule rejected by the clinic" in alerts
        assert "† Saline course stopped short" in alerts and "† rule not yet reviewed by the clinic" in alerts
        lines = screen_text(app).splitlines()
        assert "  † rule not yet reviewed by the clinic (P on the board: the protocol)" in lines
        assert any(line.endswith("† Twelve-month review") for line in lines)
        six = next(line for line in lines if "Six-month review" in line)
        assert "†" not in six  # accepted: no mark
        assert all(len(line) <= 80 for line in lines)


@sync
async def test_a_rule_changed_since_review_is_marked_changed_on_the_case_screen(demo_repo):
    record_review(demo_repo, demo_repo.catalogue, SA, "review-6m", "accept", "ok", TODAY)
    # An upgrade changed the rule since: the recorded review is of another version of it.
    settings = json.loads(demo_repo.settings_path.read_text())
    for doc in settings["reviews"].values():
        doc["rule_hash"] = "0" * 64
    demo_repo.settings_path.write_text(json.dumps(settings))
    app = make_app(demo_repo, today=TODAY)
    async with app.run_test(size=(80, 60)) as pilot:
        await loaded_board(pilot)
        app.open_case(OVERDUE_CASE)
        await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.view is not None)
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert "  ‡ rule changed since the clinic reviewed it" in lines
        assert any(line.endswith("‡ Six-month review") for line in lines)
        await pilot.press("escape", "P")
        await protocol_screen(pilot)
        assert "‡ CHANGED    review-6m" in screen_text(app)
