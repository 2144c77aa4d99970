"""The form that records an event on a case: the kind first, then the fields that kind takes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Select

from checklists.actions import log_event
from checklists.errors import ValidationError
from checklists.models import EVENT_FIELDS
from checklists.text import printable_line
from checklists.wording import EVENT_WORDS, alert_text
from seeds.vocabulary import ASSESSMENT_FIELDS, BIOPSY_DEPTHS, EVENT_KINDS, GUIDANCE, IMPROVEMENT, JOINT, TENDON
from checklists.validation import EVENT_OPTIONS, EVENT_REQUIRED
from tui.forms.base import (
    CaseFormScreen,
    FormBody,
    FormField,
    blank_to_none,
    choice,
    control_value,
    date_input,
    note_input,
    select_value,
    text_input,
)

# `saline: saline infiltration`: the kind as the command line takes it, then in words where they differ
# (`assessment`, not `assessment: assessment`).
KIND_LABELS = {kind: kind if EVENT_WORDS[kind].lower() == kind else f"{kind}: {EVENT_WORDS[kind].lower()}"
               for kind in EVENT_KINDS}
# label, placeholder; a field several kinds share keeps one box, so switching kind keeps its text.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "volume_ml": ("Volume (mL)", "e.g. 10"),
    "site": ("Site", "optional: where on the body"),
    "what": ("What was checked", "e.g. vasculitis screen"),
    "drug": ("Drug", "e.g. triamcinolone"),
    "dose": ("Dose", "e.g. 40 mg"),
    "result": ("Result", "optional"),
    "size_mm": ("Size (mm)", "e.g. 25"),
    "depth_mm": ("Depth (mm)", "e.g. 3"),
    "pigment": ("Pigment change", "e.g. hypopigmented"),
    "mrc": ("MRC strength (0-5)", "0-5"),
    "pain": ("Pain (0-10)", "0-10"),
    "note": ("Note", "optional"),
}
CHOICES: dict[str, tuple[str, list[tuple[str, Any]]]] = {
    "guidance": ("Guidance", [(g, g) for g in GUIDANCE]),
    "depth": ("Biopsy depth", [(d, d) for d in BIOPSY_DEPTHS]),
    "improvement": ("Improvement", [(i, i) for i in IMPROVEMENT]),
    "photo": ("Photo taken", [("yes", True), ("no", False)]),
    "tendon": ("Tendon", [(t, t) for t in TENDON]),
    "joint": ("Joint", [(j, j) for j in JOINT]),
}
# Where a kind names a shared field differently.
KIND_FIELD_LABELS = {("injection", "site"): "Site / target"}
# The kinds that act on a drug already started: the form offers the drugs running now.
RUNNING_KINDS = ("therapy-stop", "therapy-dose")


def logging_for_done(definition: Any, status: str | None = None) -> tuple[str, str] | None:
    """(event kind, what the form is for) when `d` on this item should log an event instead.

    A saline session is one event (never the course marked done); a review is done by assessing the
    patient. Anything else is marked done by hand (None), and so is a review that an assessment made
    now could not do (`status` unscheduled: no window yet; missed: its window closed before enrolment;
    overdue: its window has closed, and only an assessment dated inside it answers it).
    """
    from checklists.actions import logged_not_marked

    if definition is None:
        return None
    if logged_not_marked(definition):
        return "saline", (f"One session of “{definition.title}”; end the course early with s (skip, with "
                          "the reason).")
    match = definition.satisfied_by
    if match is not None and match.kind == "assessment" and not (
            match.in_window and status in ("unscheduled", "missed", "overdue")):
        needs = ", ".join(match.needs).replace("_", " ")
        within = "dated in its window (from a week before it opens until it closes) " if match.in_window else ""
        before = (f"dated on or before the first {' or '.join(EVENT_WORDS[k].lower() for k in match.before)} "
                  if match.before else "")
        return "assessment", (f"An assessment {within}{before}satisfies "
                              f"“{definition.title}”" + (f" when it records {needs}" if needs else "")
                              + ". To mark it done by hand instead: D on the case screen.")
    return None


def needed_fields(definition: Any) -> tuple[str, ...]:
    """The event fields an item needs recorded (a hip check: mrc; tendon and joint): the form asks them
    first when it is opened to do that item."""
    match = definition.satisfied_by if definition is not None else None
    return tuple(match.needs) if match is not None else ()


def kind_for_item(definition: Any) -> str | None:
    """The event kind that does an item (`aat-test` for the AAT level, `saline` for a session), if any:
    the kind the Log form starts on when that item is highlighted."""
    if definition is None:
        return None
    if definition.series is not None and definition.series.kind == "saline":
        return "saline"
    return definition.satisfied_by.kind if definition.satisfied_by is not None else None


def critical_alerts_raised(case: Any, new_case: Any, catalogue: Any, policy: Any, today: date) -> list[str]:
    """The critical alerts the new event would raise that the case does not have now, as their titles
    and messages (pure: runs wherever the dry run runs)."""
    from checklists.engine import evaluate

    def critical(view: Any) -> dict[str, Any]:
        return {a.code: a for a in view.active_alerts if a.severity == "critical"}

    before = critical(evaluate(case, catalogue, policy, today))
    after_view = evaluate(new_case, catalogue, policy, today)
    raised = []
    titles = {i.id: i.title for i in after_view.items}
    for code, alert in critical(after_view).items():
        if code not in before:
            definition = catalogue.alert(code)
            title = definition.title if definition is not None else code
            raised.append(f"{title}: {printable_line(alert_text(alert.message, new_case, titles))}")
    return raised


class LogEventForm(CaseFormScreen[bool]):
    """Record an event (saline, injection, biopsy, assessment, ...) on one case.

    Dismisses with True once the event is written, None when cancelled.
    """

    FORM_TITLE = "Log an event"

    def __init__(
        self, repository: Any, case_id: str, today: date, catalogue: Any, *, kind: str | None = None,
        purpose: str | None = None, lead: tuple[str, ...] = (),
    ) -> None:
        super().__init__(repository, case_id, today, catalogue)
        self.lead = lead  # the fields the item the form was opened for needs: asked first
        # The assessment fields the case's pathways record (their TOML assessment_fields); every field
        # until the case is read.
        self.assessment_fields: tuple[str, ...] = ASSESSMENT_FIELDS
        self.initial_kind = kind if kind in EVENT_KINDS else None
        self.purpose = purpose  # why the form was opened ("One session of ...")
        self.running: list[Any] = []  # the latest start of each drug still running (therapy events)
        self.policy: Any = None  # the clinic policy, for the alerts a new event would raise
        self.critical_ahead: list[str] = []  # critical alerts the event as typed would raise

    def compose_fields(self) -> Iterable[FormField]:
        yield FormField(
            "kind", "Event kind",
            choice(
                [(KIND_LABELS.get(k, k), k) for k in EVENT_KINDS],
                prompt="Choose the kind of event",
                value=self.initial_kind if self.initial_kind else Select.NULL,
                id="kind",
            ),
            required=True,
        )
        yield FormField(
            "date", "Date", date_input(self.today.isoformat(), placeholder="YYYY-MM-DD (blank = today)", id="date"),
            required=True,
        )
        for name in EVENT_FIELDS:
            control: Widget
            if name in CHOICES:
                label, options = CHOICES[name]
                control = choice(options, prompt="not recorded", id=name.replace("_", "-"))
            else:
                label, placeholder = FIELD_LABELS.get(name, (name, ""))
                make = note_input if name == "note" else text_input  # a note may run to several lines
                control = make(placeholder=placeholder, id=name.replace("_", "-"))
            yield FormField(name, label, control)
            if name == "what":
                # Before the drug box: a stop or a dose change picks a drug that is running now.
                yield FormField("running", "Running now",
                                choice([], prompt="choose a running drug, or type it below", id="running"))

    def on_mount(self) -> None:
        self._show_fields_for(self.initial_kind)
        super().on_mount()

    def focus_first(self) -> None:
        """With the kind chosen already (`d` on an item), start at its first detail, not the kind list."""
        if self.initial_kind is None:
            super().focus_first()
            return
        for name in self.options(self.initial_kind):
            field = self.fields[name]
            if field.display and field.control.focusable:
                field.control.focus()
                return
        super().focus_first()

    def load(self) -> object:
        return self.repository.get(self.case_id), self.repository.policy()

    def on_loaded(self, loaded: Any) -> None:
        from checklists.facts import case_facts

        data, self.policy = loaded
        self.subject = data
        if data is not None:
            self.assessment_fields = self.catalogue.assessment_fields(data.pathways)
        self._offer_kinds(data)
        volume = self.fields["volume_ml"].control
        if self.initial_kind == "saline" and not volume.value and data is not None:
            # The next session is usually the volume of the last one.
            last = next((s.volume_ml for s in reversed(data.live_events("saline")) if s.volume_ml), None)
            if last is not None:
                volume.value = f"{last:g}"
        self.running = case_facts(data, self.catalogue.drugs).running_drugs() if data is not None else []
        options = [(Text(f"{e.drug} (since {e.date.isoformat()})"), e.id) for e in self.running]
        self.fields["running"].control.set_options(options)
        self._show_fields_for(self.kind)

    def _offer_kinds(self, case: Any) -> None:
        """Only the kinds the case's pathways record (their TOML `events`), the chosen one kept."""
        offered = self.catalogue.event_kinds(case.pathways) if case is not None else EVENT_KINDS
        control = self.fields["kind"].control
        chosen = self.kind
        control.set_options([(Text(KIND_LABELS.get(k, k)), k) for k in offered])
        if chosen in offered:
            control.value = chosen

    @property
    def kind(self) -> str | None:
        return select_value(self.fields["kind"].control)

    def on_value_changed(self, event: Message) -> None:
        if isinstance(event, Select.Changed) and event.select is self.fields["kind"].control:
            self._show_fields_for(self.kind)
        if isinstance(event, Select.Changed) and event.select is self.fields["running"].control:
            start = next((e for e in self.running if e.id == select_value(event.select)), None)
            if start is not None and start.drug:
                self.fields["drug"].control.value = start.drug

    def options(self, kind: str | None) -> tuple[str, ...]:
        """The fields the form asks for `kind`, in order. An assessment asks only what the case's pathways
        record (a hip case: strength, pain, tendon, joint), the fields of the item it was opened for
        first; site and note last."""
        options = EVENT_OPTIONS.get(kind, ()) if kind else ()
        if kind != "assessment":
            return options
        recorded = [n for n in self.assessment_fields if n in options]
        first = [n for n in self.lead if n in recorded]
        rest = [n for n in options if n not in ASSESSMENT_FIELDS]
        return (*first, *(n for n in recorded if n not in first), *rest)

    def _show_fields_for(self, kind: str | None) -> None:
        """Show only the fields `kind` takes; hidden boxes keep their text for a kind that uses them."""
        options = self.options(kind)
        required = EVENT_REQUIRED.get(kind, ()) if kind else ()
        for name in EVENT_FIELDS:
            field = self.fields[name]
            field.display = name in options
            default = CHOICES[name][0] if name in CHOICES else FIELD_LABELS.get(name, (name, ""))[0]
            field.set_label(KIND_FIELD_LABELS.get((kind or "", name), default), required=name in required)
        offer = kind in RUNNING_KINDS and bool(self.running)
        self.fields["running"].display = offer
        # The kind's own fields first, in the engine's order (site and note last), so tab follows it.
        wanted = [self.fields[n] for n in ("kind", "date", *(("running",) if offer else ()), *options)]
        wanted += [f for n, f in self.fields.items() if f not in wanted]
        body = self.query_one(FormBody)
        if list(body.children) != wanted:
            for before, after in zip(wanted, wanted[1:]):
                body.move_child(after, after=before)

    def collect(self) -> dict[str, Any]:
        kind = self.kind
        values: dict[str, Any] = {"kind": kind, "date": self.fields["date"].control.value.strip()}
        for name in self.options(kind):
            value = control_value(self.fields[name].control)
            if value is not None:
                values[name] = value
        return values

    def apply(self, case: Any, values: Mapping[str, Any]) -> Any:
        fields = dict(values)
        kind = fields.pop("kind", None)
        if not kind:
            raise ValidationError("choose the kind of event first", "kind")
        return log_event(case, kind, fields, today=self.today)

    def context_text(self) -> Text:
        text = super().context_text()
        text.append("   date YYYY-MM-DD, not after ", style="dim")
        text.append(self.today.isoformat(), style="dim")
        if self.purpose:
            text.append("\n")
            text.append(self.purpose)
        return text

    def revalidate(self):
        error = super().revalidate()
        if error is None and self.ready and not self.saving and self.kind == "therapy-stop":
            warning = self._stop_without_start()
            if warning:
                self._set_status(warning + " Enter or ctrl+s saves; escape cancels.")
        self.critical_ahead = []
        if error is None and self.ready and not self.saving and self.subject is not None:
            self._look_ahead(self.subject, self.collect())
        return error

    @work(thread=True, exclusive=True, group="form-alerts", exit_on_error=False)
    def _look_ahead(self, case: Any, values: dict[str, Any]) -> None:
        """The case evaluated with the event as typed, in a thread: which critical alerts it would raise."""
        try:
            new_case, _ = self.apply(case, values)
            raised = critical_alerts_raised(case, new_case, self.catalogue, self.policy, self.today)
        except Exception:  # a dry run that fails says so beside its field already
            return
        self.post_message(self.AlertsAhead(values, raised))

    class AlertsAhead(Message):
        def __init__(self, values: dict[str, Any], raised: list[str]) -> None:
            super().__init__()
            self.values = values
            self.raised = raised

    @on(AlertsAhead)
    def _alerts_ahead(self, message: AlertsAhead) -> None:
        message.stop()
        if self.saving or message.values != self.collect():
            return  # typed on since: a newer look-ahead is on its way
        self.critical_ahead = message.raised
        if message.raised:
            self._set_status("‼ CRITICAL: saving this raises " + "; ".join(message.raised)
                             + " — ctrl+s asks first; escape cancels.", error=True)

    def confirm_before_save(self, values: Mapping[str, Any]) -> Text | None:
        """A save that raises a critical alert (a graft into inflamed fat) is said first, in full."""
        if self.subject is None or self.policy is None:
            return None
        try:
            new_case, _ = self.apply(self.subject, values)
        except ValidationError:
            return None
        raised = critical_alerts_raised(self.subject, new_case, self.catalogue, self.policy, self.today)
        if not raised:
            return None
        text = Text("Saving this event raises a critical alert:\n\n")
        for line in raised:
            text.append("‼ ", style="bold")
            text.append(line + "\n")
        text.append("\nSave it all the same (it happened, and the record should say so)?")
        return text

    def _stop_without_start(self) -> str | None:
        """A stop of a drug never recorded as started is kept, and marked so: say it before saving."""
        from checklists.facts import case_facts

        drug = blank_to_none(self.fields["drug"].control.value)
        if drug is None or self.case is None:
            return None
        facts = case_facts(self.case, self.catalogue.drugs)
        keys = set(self.catalogue.drugs.keys(drug))
        if any(keys & set(facts.drug_keys(start)) for start in facts.therapy_starts):
            return None
        return "No recorded start of this drug: the stop is kept and marked so."
