"""One case: its facts, alerts with what to do, the checklist by pathway and phase, events and a chart.

The case is read and evaluated in a thread worker (`checklists.engine.evaluate`), and read again
whenever its file changes, so another clinician's entry shows here within a couple of seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from checklists.models import CaseView
from tui.app import describe_error, settings_signature
from tui.widgets.alerts import AlertList
from tui.widgets.checklist import Checklist
from tui.widgets.events import EventLog
from tui.widgets.facts import CaseFacts
from tui.widgets.lesion_chart import LesionChart, measurements
from checklists.wording import SEVERITY_LETTERS, severity_counts, status_label

# action -> (palette name, key)
ITEM_ACTIONS = {
    "done": ("Mark the selected item done", "d"),
    "skip": ("Skip the selected item", "s"),
    "snooze": ("Snooze the selected item", "z"),
    "reopen": ("Reopen the selected item", "o"),
}


@dataclass(frozen=True, slots=True)
class CaseData:
    view: CaseView
    signature: Any
    today: date


def case_signature(repository: Any, case_id: str) -> object:
    """Changes whenever the case file or the clinic policy changes (read in thread workers only)."""

    return repository.case_signature(case_id), settings_signature(repository)


class CaseBody(VerticalScroll, can_focus=False):
    """The scrolling page of the case; focus stays on the checklist, which scrolls it as it moves."""


ITEM_KEYS = Binding.Group("Item")


class CaseScreen(Screen[None]):
    AUTO_FOCUS = "Checklist"
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("l", "log_event", "Log", id="log-event"),
        # One footer entry, "d s z o Item": done, skip, snooze or reopen the selected checklist item.
        Binding("d", "item('done')", "Done", id="item-done", group=ITEM_KEYS),
        Binding("s", "item('skip')", "Skip", id="item-skip", group=ITEM_KEYS),
        Binding("z", "item('snooze')", "Snooze", id="item-snooze", group=ITEM_KEYS),
        Binding("o", "item('reopen')", "Reopen", id="item-reopen", group=ITEM_KEYS),
        Binding("D", "mark_done", "Mark done by hand", show=False, id="item-mark-done"),
        Binding("a", "acknowledge", "Ack", id="ack-alert"),
        Binding("E,x", "set_field", "Set field", id="set-field", key_display="E"),
        Binding("v", "void_event", "Void event", show=False, id="void-event"),
        Binding("r", "reload", "Reload", show=False, id="reload"),
    ]

    class Loaded(Message):
        def __init__(self, data: CaseData) -> None:
            super().__init__()
            self.data = data

    class Stale(Message):
        """The case file (or the policy) changed on disk, or the date turned over."""

    class Failed(Message):
        def __init__(self, error: str, gone: bool = False) -> None:
            super().__init__()
            self.error = error
            self.gone = gone

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.view: CaseView | None = None
        self._signature: Any = None
        self._loaded_for: date | None = None
        self._loading = False
        self._reload_again = False
        self._gone = False

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Case {self.case_id} · loading…"), id="case-title", classes="title-bar")
        with CaseBody(id="case-body"):
            yield CaseFacts(id="case-facts")
            yield Static("Alerts", id="alerts-title", classes="section-title")
            yield AlertList(id="case-alerts")
            yield Static("Checklist   ↑↓ move · i why · d done/log · s skip · z snooze · o reopen",
                         id="checklist-title", classes="section-title")
            yield Checklist(id="checklist")
            yield Static("Events", id="events-title", classes="section-title")
            yield EventLog(id="case-events")
            yield Static("Lesion size and depth", id="chart-title", classes="section-title")
            yield LesionChart(id="lesion-chart")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.set_interval(self.app.poll_seconds, self._poll)
        self.reload()

    # -- reading (thread workers) -------------------------------------------------------------------

    def reload(self) -> None:
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        self._load(self.app.today)

    @work(thread=True, exclusive=True, group="case-load", exit_on_error=False)
    def _load(self, today: date) -> None:
        from checklists.engine import evaluate
        from store.errors import UnknownCase

        app = self.app
        try:
            signature = case_signature(app.repository, self.case_id)
            case = app.repository.get(self.case_id)
            view = evaluate(case, app.catalogue, app.repository.policy(), today)
        except UnknownCase as error:
            self.post_message(self.Failed(str(error), gone=True))
            return
        except Exception as error:  # noqa: BLE001 - shown, never a crash
            self.post_message(self.Failed(describe_error(error)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(CaseData(view, signature, today)))

    def _poll(self) -> None:
        if self._loading or self.view is None or not self.app.is_showing(self):
            return
        self._check_for_changes(self.app.today)

    @work(thread=True, exclusive=True, group="case-poll", exit_on_error=False)
    def _check_for_changes(self, today: date) -> None:
        try:
            signature = case_signature(self.app.repository, self.case_id)
        except Exception:  # noqa: BLE001 - the reload reports it properly
            signature = object()
        if signature != self._signature or today != self._loaded_for:
            self.post_message(self.Stale())

    @on(Stale)
    def _on_stale(self) -> None:
        self.reload()

    @on(Loaded)
    def _on_loaded(self, message: Loaded) -> None:
        self._loading = False
        data = message.data
        self.view = data.view
        self.case_id = data.view.case.id
        self._signature = data.signature
        self._loaded_for = data.today
        self._show(data.view)
        if self._reload_again:
            self._reload_again = False
            self.reload()

    @on(Failed)
    def _on_failed(self, message: Failed) -> None:
        self._loading = False
        if message.gone:
            self.notify(f"Case {self.case_id} is no longer in the database.", severity="warning", markup=False)
            self._gone = True
            if self.is_current:
                self.app.pop_screen()  # else when the form over it closes (on_screen_resume)
            return
        self._reload_again = False
        self.notify(message.error, title="Cannot read the case", severity="error", markup=False, timeout=10)
        if self.view is None:
            self.query_one("#case-title", Static).update(Text(f"Case {self.case_id}: {message.error}"))

    # -- showing ------------------------------------------------------------------------------------

    def _show(self, view: CaseView) -> None:
        catalogue = self.app.catalogue
        self.query_one("#case-title", Static).update(self._title(view))
        self.query_one(CaseFacts).show(view, catalogue)
        self.query_one("#alerts-title", Static).update(self._alerts_heading(view))
        self.query_one(AlertList).show(view.alerts, catalogue)
        self.query_one(Checklist).show(view, catalogue)
        live = view.case.live_events()
        voided = len(view.case.events) - len(live)
        heading = f"Events ({len(live)}" + (f", {voided} voided" if voided else "") + ")"
        if live:
            heading += "   tab here · ↑↓ · v void a wrong entry"
        self.query_one("#events-title", Static).update(heading)
        self.query_one(EventLog).show(view.case.events, view.event_flags)
        chart_points = measurements(view.case.events)
        self.query_one("#chart-title", Static).update(f"Lesion size and depth ({len(chart_points)} measured)")
        self.query_one(LesionChart).show(view.case.events)

    def _title(self, view: CaseView) -> Text:
        case = view.case
        title = Text()
        title.append(f"Case {case.id}", style="bold")
        title.append(" · ")
        title.append(case.patient)  # recorded text: appended as Text, never markup
        title.append(" · ")
        title.append(status_label(case.status if case.status in ("closed", "lost") else view.urgency))
        counts = severity_counts(a.severity for a in view.active_alerts)
        title.append(f" · alerts {counts}" if counts else " · no alerts")
        title.append(f" · today {view.today.isoformat()}")
        return title

    def _alerts_heading(self, view: CaseView) -> str:
        if not view.alerts:
            return "Alerts (none)"
        parts = []
        for severity in SEVERITY_LETTERS:  # most severe first
            count = sum(1 for a in view.active_alerts if a.severity == severity)
            if count:
                parts.append(f"{count} {severity}{'s' if count > 1 else ''}")
        settled = len(view.alerts) - len(view.active_alerts)
        if settled:
            parts.append(f"{settled} acknowledged")
        hint = "   a acknowledge a past fact" if any(a.past_fact for a in view.alerts) else ""
        return f"Alerts ({', '.join(parts)}){hint}"

    # -- actions ------------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.reload()

    def _changed(self, _result: object = None) -> None:
        self.reload()

    def action_log_event(self) -> None:
        app = self.app
        app.open_form("LogEventForm", app.repository, self.case_id, app.today, app.catalogue, then=self._changed)

    def action_item(self, action: str) -> None:
        item_id = self.query_one(Checklist).selected
        if item_id is None:
            self.notify("Pick an item in the checklist first.", severity="warning", timeout=3)
            return
        item = self.view.item(item_id) if self.view is not None else None
        if action == "reopen" and item is not None and item.state == "open":
            # A form asking "Reopen this item?" whose only answer is "it is open already" is a dead end.
            self.notify(f"“{item.title}” is open already; o reopens an item that is done, skipped or snoozed.",
                        markup=False, timeout=4)
            return
        if action == "done" and self._log_instead(item_id):
            return
        app = self.app
        app.open_form("ItemActionForm", app.repository, self.case_id, item_id, action, app.today,
                      app.catalogue, then=self._changed)

    def _log_instead(self, item_id: str) -> bool:
        """`d` on a saline session logs one session; on a review, the assessment that does it.

        A series of sessions is never ended by `d` (ending a course early is a skip with a reason),
        and a review is done by seeing the patient: the form for that event opens, filled in.
        """
        from tui.forms.log_event import logging_for_done

        app = self.app
        item = self.view.item(item_id) if self.view is not None else None
        instead = logging_for_done(app.catalogue.item(item_id), item.status if item else None)
        if instead is None:
            return False
        kind, purpose = instead
        app.open_form("LogEventForm", app.repository, self.case_id, app.today, app.catalogue, kind=kind,
                      purpose=purpose, then=self._changed)
        return True

    def action_mark_done(self) -> None:
        """`D`: mark the selected item done by hand (a review confirmed without an assessment, say)."""
        from checklists.actions import logged_not_marked

        item_id = self.query_one(Checklist).selected
        if item_id is None:
            self.notify("Pick an item in the checklist first.", severity="warning", timeout=3)
            return
        if logged_not_marked(self.app.catalogue.item(item_id)):
            self.notify("Saline sessions are logged one by one (d); to end the course early, skip it (s) with "
                        "the reason.", timeout=5)
            return
        app = self.app
        app.open_form("ItemActionForm", app.repository, self.case_id, item_id, "done", app.today,
                      app.catalogue, then=self._changed)

    def action_acknowledge(self) -> None:
        """`a`: acknowledge an alert that describes a past fact (or withdraw an acknowledgement)."""
        if self.view is not None and not any(a.past_fact for a in self.view.alerts):
            self.notify("No alert here describes a past fact; the ones shown clear by themselves once what "
                        "they ask for is recorded.", timeout=5)
            return
        app = self.app
        app.open_form("AlertAckForm", app.repository, self.case_id, app.today, app.catalogue, then=self._changed)

    def action_set_field(self) -> None:
        app = self.app
        app.open_form("SetFieldForm", app.repository, self.case_id, app.today, app.catalogue, then=self._changed)

    def action_void_event(self) -> None:
        """`v` outside the event log: go there first, so that the event to void is chosen, not guessed."""
        log = self.query_one(EventLog)
        if not log.selected:
            self.notify("This case has no events.", timeout=3)
            return
        log.focus()
        self.notify("Choose the wrong entry with ↑↓, then press v.", timeout=4)

    @on(EventLog.VoidRequested)
    def _on_void_requested(self, message: EventLog.VoidRequested) -> None:
        app = self.app
        app.open_form("VoidEventForm", app.repository, self.case_id, message.event_id, then=self._changed)

    def export_case_ids(self) -> list[str]:
        """What `e` exports from a case screen: this case."""
        return [self.case_id]

    def on_screen_resume(self) -> None:
        if self._gone:
            self.app.pop_screen()
        elif self.view is not None:
            self._poll()

    def palette_commands(self) -> list:
        """This screen's entries in the command palette (tui/commands.py asks for them)."""
        from tui.commands import PaletteCommand

        commands = [
            PaletteCommand("Back to the case board", "(escape)", self.action_back),
            PaletteCommand("Log an event", "For this case (l)", self.action_log_event),
            PaletteCommand("Set a field of this case", "Etiology, inflammation, status, ... (E or x)",
                           self.action_set_field),
            PaletteCommand("Reload this case", "(r)", self.action_reload),
            PaletteCommand("Void a wrongly entered event", "In the event log (v)", self.action_void_event),
            PaletteCommand("Acknowledge an alert", "A past fact, with a note (a)", self.action_acknowledge),
            PaletteCommand("Mark the selected item done by hand", "Without logging an event (D)",
                           self.action_mark_done),
        ]
        for action, (name, key) in ITEM_ACTIONS.items():
            commands.append(PaletteCommand(name, f"In the checklist ({key})",
                                           lambda action=action: self.action_item(action)))
        return commands
