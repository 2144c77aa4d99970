"""The calendar holds the follow-ups still to do: no closed window, no multi-week bar, stable UIDs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from checklists import actions
from checklists.engine import evaluate
from store.export.runner import ExportOptions, render_export
from tests.export.conftest import NOW, TODAY, render
from tui.cli import main


def components(text: str, kind: str = "VEVENT") -> dict:
    return {str(c["uid"]): c for c in Calendar.from_ical(text).walk(kind)}


def views(demo):
    policy = demo.repo.policy()
    return {c.id: evaluate(c, demo.catalogue, policy, TODAY) for c in demo.cases()}


def test_only_open_windows_of_active_cases_one_day_each(demo):
    events = components(render(demo, "ics"))
    expected = {}
    for case_id, view in views(demo).items():
        if view.case.status != "active":
            continue
        for item in view.items:
            if item.state == "open" and item.opens and item.closes and item.closes >= TODAY:
                expected[f"{case_id}-{item.id}@rounds"] = (item, item.opens)
            if item.state == "snoozed":
                expected[f"{case_id}-{item.id}@rounds"] = (item, item.until)
    assert set(events) == set(expected)
    for uid, event in events.items():
        item, day = expected[uid]
        # One day on the day the window opens (or the snooze ends), never a bar across the window.
        assert event.decoded("dtstart") == day
        assert event.decoded("dtend") == day + timedelta(days=1)
        assert event.decoded("dtstamp") == NOW
        description = str(event["description"])
        if item.opens:
            assert f"Window {item.opens.isoformat()} to {item.closes.isoformat()}." in description
        assert str(event["summary"]).startswith(f"{uid.split('-')[0]}: {item.title}")


def test_no_window_that_has_closed_unless_asked(demo):
    one = demo.ids[0]
    overdue = f"{one}-saline-session@rounds"  # its window closed on 2026-10-18
    assert overdue not in components(render(demo, "ics"))
    with_past = components(render(demo, "ics", past=True))
    assert overdue in with_past
    assert str(with_past[overdue].decoded("dtstart")) == "2026-10-11"
    for event in components(render(demo, "ics")).values():
        window_end = str(event["description"]).split(" to ")[-1][:10] if " to " in str(event["description"]) else None
        if window_end:
            assert window_end >= TODAY.isoformat()


def test_a_snoozed_item_is_on_its_snooze_date(demo):
    events = components(render(demo, "ics"))
    review = events[f"{demo.ids[0]}-review-12m@rounds"]
    assert review.decoded("dtstart") == TODAY + timedelta(days=30)
    assert f"Snoozed until {(TODAY + timedelta(days=30)).isoformat()}." in str(review["description"])


def test_resolved_closed_and_lost_cases_are_left_out(demo):
    resolved = demo.ids[4]
    assert any(uid.startswith(resolved) for uid in components(render(demo, "ics")))
    demo.repo.update(resolved, lambda c: actions.set_field(c, "status", "resolved", today=TODAY,
                                                           catalogue=demo.catalogue))
    calendar = components(render(demo, "ics", past=True))
    assert not any(uid.startswith((resolved, demo.ids[5])) for uid in calendar)


def test_tasks_start_when_the_window_opens_and_are_due_when_it_closes(demo):
    text = render(demo, "ics", tasks=True)
    assert not components(text, "VEVENT")
    todos = components(text, "VTODO")
    review = todos[f"{demo.ids[0]}-review-6m@rounds"]
    item = views(demo)[demo.ids[0]].item("review-6m")
    assert (review.decoded("dtstart"), review.decoded("due")) == (item.opens, item.closes)
    assert str(review["status"]) == "NEEDS-ACTION"


def test_optional_reminders(demo):
    assert "VALARM" not in render(demo, "ics")
    events = components(render(demo, "ics", remind_days=2))
    for event in events.values():
        (alarm,) = event.walk("VALARM")
        assert alarm.decoded("trigger") == timedelta(days=-2) and str(alarm["action"]) == "DISPLAY"


def test_uids_are_stable_and_the_sequence_rises_with_each_change(demo):
    first = components(render(demo, "ics"))
    uid = f"{demo.ids[0]}-review-6m@rounds"
    before = int(first[uid]["sequence"])
    demo.repo.update(demo.ids[0], lambda c: actions.log_event(c, "saline", {"date": TODAY, "volume_ml": 10},
                                                              today=TODAY))
    second = components(render(demo, "ics"))
    assert uid in second and int(second[uid]["sequence"]) > before
    assert set(components(render(demo, "ics"))) == set(second)


def test_a_deidentified_calendar_is_the_same_whatever_day_it_is_made(demo):
    def made_on(day):
        text, _ = render_export(demo.repo, demo.ids, ExportOptions("ics", deidentify=True),
                                catalogue=demo.catalogue, today=day, now=NOW)
        return text

    first, later = made_on(TODAY), made_on(TODAY + timedelta(days=45))
    assert sorted(first.splitlines()) == sorted(later.splitlines())
    assert "Status on" not in first


@pytest.mark.parametrize("args, message", [
    (["--format", "md", "--past"], "--past applies only to --format ics"),
    (["--format", "csv", "--tasks"], "--tasks applies only to --format ics"),
    (["--format", "ics", "--remind", "-1"], "--remind must be a number of days"),
    (["--format", "ics", "--remind", "soon"], "invalid int value"),
])
def test_calendar_options_are_checked(demo, capsys, args, message):
    assert main(["--db", str(demo.db_dir), "--today", TODAY.isoformat(), "export", "--all", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
