"""One case: its facts, alerts with what to do, the checklist by pathway and phase, events and a chart.

The case is read and evaluated in a thread worker (`checklists.engine.evaluate`), and read again
whenever its file changes, so another clinician's entry shows here within a couple of seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static
from tui.widgets.footer import RoundsFooter

from checklists.models import CaseView
from checklists.text import printable
from tui.host import host_of
from tui.screens.live import LiveScreen
from tui.widgets.alerts import AlertList
from tui.widgets.checklist import Checklist
from tui.widgets.events import EventLog
from tui.widgets.facts import CaseFacts
from tui.widgets.lesion_chart import LesionChart, measurements
from checklists.wording import SEVERITY_LETTERS, severity_counts, status_label

if TYPE_CHECKING:
    from seeds.loader import Catalogue
    from store.repository import Repository

# action -> (palette name, key)
ITEM_ACTIONS = {
    "done": ("Mark the selected item done", "d"),
    "skip": ("Skip the selected item", "s"),
    "snooze": ("Snooze the selected item", "z"),
    "reopen": ("Reopen the selected item", "o"),
}


@dataclass(frozen=True, slots=True)
class CaseData:
    """A case as read for the screen: what Rounds says of it today, and the clinic's protocol reviews."""

    view: CaseView
    signoff: Any = None  # checklists.signoff.Signoff: marks items and alerts whose rule is not accepted


@dataclass(frozen=True, slots=True)
class CaseQuery:
    """What the case screen reads: one case, evaluated on `today` (its methods run in thread workers)."""

    repository: Repository
    catalogue: Catalogue
    case_id: str
    today: date

    def signature(self) -> object:
        """Changes whenever the case file or the clinic policy changes."""
        return self.repository.case_signature(self.case_id), self.repository.settings_signature()

    def read(self) -> tuple[CaseData, object]:
        from checklists.engine import evaluate
        from store.signoff import load_signoff

        signature = self.signature()  # before reading: a change made meanwhile shows at the next poll
        case = self.repository.get(self.case_id)
        view = evaluate(case, self.catalogue, self.repository.policy(), self.today)
        return CaseData(view, load_signoff(self.repository, self.catalogue)), signature


class CaseBody(VerticalScroll, can_focus=False):
    """The scrolling page of the case; focus stays on the checklist, which scrolls it as it moves."""


class CaseScreen(LiveScreen[CaseData]):
    """The item keys (d s z o D) are the checklist's own (tui/widgets/checklist.py): they act only while
    it has focus, on its highlighted item, and the footer shows them only then."""

    AUTO_FOCUS = "Checklist"
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("l", "log_event", "Log", id="log-event", tooltip="log an event (saline, assessment, injection, ...)"),
        Binding("a", "acknowledge", "Ack", id="ack-alert", tooltip="acknowledge an alert that is a past fact"),
        Binding("E,x", "set_field", "Set field", id="set-field", key_display="E"),
        Binding("v", "void_event", "Void event", show=False, id="void-event",
                tooltip="go to the event log to choose the wrong entry"),
        Binding("r", "reload", "Reload", show=False, id="reload"),
        Binding("h", "history", "History", show=False, id="history", tooltip="who changed what in this case"),
        Binding("u", "undo", "Undo", show=False, id="undo", tooltip="your latest change to this case; asks first"),
    ]

    failure_title = "Cannot read the case"

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.view: CaseView | None = None
        self.signoff: Any = None
        self._unreadable = False

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
        yield RoundsFooter(compact=True)

    # -- reading (LiveScreen runs the query in thread workers) -----------------------------------------

    @property
    def accepts_keys(self) -> bool:
        """Keys typed before the first read act once it is shown (tui/typeahead.py), or once it failed."""
        return self.view is not None or self._unreadable

    def live_query(self) -> CaseQuery:
        host = host_of(self)
        return CaseQuery(host.repository, host.catalogue, self.case_id, host.today)

    def show_data(self, data: CaseData, *, first: bool) -> None:
        self.view = data.view
        self.signoff = data.signoff
        self.case_id = data.view.case.id
        self._show(data.view)

    def show_unreadable(self, error: str) -> None:
        self._unreadable = True
        self.query_one("#case-title", Static).update(Text(f"Case {self.case_id}: {error}"))

    def gone_notice(self) -> str:
        return f"Case {self.case_id} is no longer in the database."

    # -- showing ------------------------------------------------------------------------------------

    def _show(self, view: CaseView) -> None:
        catalogue = host_of(self).catalogue
        self.query_one("#case-title", Static).update(self._title(view))
        self.query_one(CaseFacts).show(view, catalogue)
        self.query_one("#alerts-title", Static).update(self._alerts_heading(view))
        self.query_one(AlertList).show(view.alerts, catalogue, self.signoff, case=view.case,
                                       titles={item.id: item.title for item in view.items})
        self.query_one(Checklist).show(view, catalogue, self.signoff)
        live = view.case.live_events()
        voided = len(view.case.events) - len(live)
        heading = f"Events ({len(live)}" + (f", {voided} voided" if voided else "") + ")"
        if live:
            heading += "   tab here · ↑↓ · v void a wrong entry"
        self.query_one("#events-title", Static).update(heading)
        self.query_one(EventLog).show(view.case.events, view.event_flags)
        chart_points = measurements(view.case.events)
        # Only where a pathway of the case measures a lesion (its TOML assessment_fields), or a measure
        # is on record: a hip case's assessments record strength and pain, not a lesion.
        measured = {"size_mm", "depth_mm"} & set(catalogue.assessment_fields(view.case.pathways))
        charted = bool(measured or chart_points)
        self.query_one("#chart-title", Static).display = charted
        self.query_one(LesionChart).display = charted
        self.query_one("#chart-title", Static).update(f"Lesion size and depth ({len(chart_points)} measured)")
        self.query_one(LesionChart).show(view.case.events)

    def _title(self, view: CaseView) -> Text:
        case = view.case
        title = Text()
        title.append(f"Case {case.id}", style="bold")
        title.append(" · ")
        title.append(printable(case.patient))  # recorded text: as Text, never markup; controls escaped
        title.append(" · ")
        title.append(status_label(case.status if case.status in ("closed", "lost") else view.urgency or "unscheduled"))
        counts = severity_counts(a.severity for a in view.active_alerts)
        title.append(f" · alerts {counts}" if counts else " · no alerts")
        if view.today is not None:  # always, from evaluate(); only a de-identified record view has none
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
        from tui.forms.log_event import LogEventForm, kind_for_item  # the forms load on first use

        host = host_of(self)
        item_id = self.query_one(Checklist).selected
        # Start on the kind that does the highlighted item (the AAT level for "AAT level and phenotype").
        kind = kind_for_item(host.catalogue.item(item_id)) if item_id else None
        host.open_form(LogEventForm(host.repository, self.case_id, host.today, host.catalogue, kind=kind),
                       then=self._changed)

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
        from tui.forms.item_action import ItemActionForm

        host = host_of(self)
        form = ItemActionForm(host.repository, self.case_id, item_id, action, host.today, host.catalogue)
        host.open_form(form, then=self._changed)

    def _log_instead(self, item_id: str) -> bool:
        """`d` on a saline session logs one session; on a review, the assessment that does it.

        A series of sessions is never ended by `d` (ending a course early is a skip with a reason),
        and a review is done by seeing the patient: the form for that event opens, filled in.
        """
        from tui.forms.log_event import LogEventForm, logging_for_done, needed_fields

        host = host_of(self)
        item = self.view.item(item_id) if self.view is not None else None
        definition = host.catalogue.item(item_id)
        instead = logging_for_done(definition, item.status if item else None)
        if instead is None:
            return False
        kind, purpose = instead
        form = LogEventForm(host.repository, self.case_id, host.today, host.catalogue, kind=kind, purpose=purpose,
                            lead=needed_fields(definition))
        host.open_form(form, then=self._changed)
        return True

    def action_mark_done(self) -> None:
        """`D`: mark the selected item done by hand (a review confirmed without an assessment, say)."""
        from checklists.actions import logged_not_marked

        item_id = self.query_one(Checklist).selected
        if item_id is None:
            self.notify("Pick an item in the checklist first.", severity="warning", timeout=3)
            return
        host = host_of(self)
        if logged_not_marked(host.catalogue.item(item_id)):
            self.notify("Saline sessions are logged one by one (d); to end the course early, skip it (s) with "
                        "the reason.", timeout=5)
            return
        from tui.forms.item_action import ItemActionForm

        form = ItemActionForm(host.repository, self.case_id, item_id, "done", host.today, host.catalogue)
        host.open_form(form, then=self._changed)

    def action_acknowledge(self) -> None:
        """`a`: acknowledge an alert that describes a past fact (or withdraw an acknowledgement)."""
        if self.view is not None and not any(a.past_fact for a in self.view.alerts):
            self.notify("No alert here describes a past fact; the ones shown clear by themselves once what "
                        "they ask for is recorded.", timeout=5)
            return
        from tui.forms.alert_ack import AlertAckForm

        host = host_of(self)
        host.open_form(AlertAckForm(host.repository, self.case_id, host.today, host.catalogue), then=self._changed)

    def action_set_field(self) -> None:
        from tui.forms.set_field import SetFieldForm

        host = host_of(self)
        host.open_form(SetFieldForm(host.repository, self.case_id, host.today, host.catalogue), then=self._changed)

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
        from tui.forms.void_event import VoidEventForm

        host = host_of(self)
        host.open_form(VoidEventForm(host.repository, self.case_id, message.event_id), then=self._changed)

    def action_history(self) -> None:
        from tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.case_id))

    def action_undo(self) -> None:
        """Undo your latest change to this case (asks first; tui/screens/undo.py)."""
        from tui.screens.undo import start_undo

        start_undo(self, self.case_id)

    def export_case_ids(self) -> list[str]:
        """What `e` exports from a case screen: this case."""
        return [self.case_id]

    def export_labels(self) -> dict[str, str]:
        return {self.case_id: self.view.case.patient} if self.view is not None else {}

    def palette_commands(self) -> list:
        """This screen's entries in the command palette (tui/commands.py asks for them)."""
        from tui.palette import PaletteCommand

        commands = [
            PaletteCommand("Back to the case board", "(escape)", self.action_back),
            PaletteCommand("Log an event", "For this case (l)", self.action_log_event),
            PaletteCommand("Set a field of this case", "Status, site, dates, ... (E or x)",
                           self.action_set_field),
            PaletteCommand("Reload this case", "(r)", self.action_reload),
            PaletteCommand("Void a wrongly entered event", "In the event log (v)", self.action_void_event),
            PaletteCommand("Acknowledge an alert", "A past fact, with a note (a)", self.action_acknowledge),
            PaletteCommand("Mark the selected item done by hand", "Without logging an event (D)",
                           self.action_mark_done),
        ]
        for action, (name, key) in ITEM_ACTIONS.items():
            commands.append(PaletteCommand(name, f"In the checklist ({key})", partial(self.action_item, action)))
        return commands
