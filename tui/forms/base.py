"""What every Rounds form shares: labelled fields with their own error line, validation as you type
(a dry run of the pure engine action), and a write in a thread worker that keeps the form open on failure.

A form is a `ModalScreen`. Subclasses say what to load (`load`, in a thread), how to read their widgets
(`collect`, on the UI thread), the pure action to apply (`apply`, used both for the dry run and inside
the repository's locked read-modify-write) and, if needed, how to write (`write`, in a thread).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from rich.segment import Segment
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.strip import Strip
from textual.widgets import Button, Checkbox, Input, Label, Select, SelectionList, Static, TextArea
from textual.widgets.option_list import OptionDoesNotExist
from tui.widgets.footer import RoundsFooter

from checklists.errors import ValidationError
from checklists.text import printable
from tui.errors import describe_save_failure
from tui.widgets.ordered_input import OrderedInput

ResultT = TypeVar("ResultT")

DATE_PLACEHOLDER = "YYYY-MM-DD"


def blank_to_none(value: str) -> str | None:
    """Input text as the engine wants it: surrounding spaces dropped, an empty box meaning 'not given'."""
    value = value.strip()
    return value or None


def select_value(select: Select) -> Any:
    """A Select's value, or None when nothing is chosen."""
    value = select.value
    return None if value is Select.NULL else value


def control_value(control: Any) -> Any:
    """What a field's control holds: a list's choice, or a box's text (None when blank)."""
    if isinstance(control, Select):
        return select_value(control)
    return blank_to_none(control.value)


class TickList(SelectionList):
    """A SelectionList whose ticked rows show an X and unticked rows a blank, not just a colour."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if len(segments) > 1 and segments[1].text == Checkbox.BUTTON_INNER:
            mark = Checkbox.BUTTON_INNER if option.value in self.selected else " "
            segments[1] = Segment(mark, segments[1].style, segments[1].control)
        return Strip(segments, strip.cell_length)


class FormBody(VerticalScroll, can_focus=False):
    """The scrolling part of a form. Not itself a tab stop: focusing a field scrolls it into view."""


class FormField(Vertical):
    """A label, the control a clinician types into or picks from, and the control's own error line."""

    DEFAULT_CSS = """
    FormField {
        height: auto;
        width: 1fr;
        & > .form-row {
            height: auto;
            width: 1fr;
        }
        & > .form-row > .form-label {
            width: 26;
            height: 1;
            padding: 0 1 0 0;
            color: $text-muted;
        }
        & > .form-row > Input {
            width: 1fr;
            background: $boost;
        }
        & > .form-row > .form-label {
            height: 1;
        }
        & > .form-row > TextArea {
            width: 1fr;
        }
        & > .form-row > Select, & > .form-row > SelectionList {
            width: 1fr;
        }
        & > .form-row > SelectionList {
            height: auto;
            max-height: 5;
        }
        & > .form-hint {
            margin: 0 0 0 26;
            color: $text-muted;
            height: auto;
        }
        & > .form-error {
            display: none;
            margin: 0 0 0 26;
            height: auto;
            color: $text-error;
            text-style: bold;
        }
        &.-has-error > .form-error {
            display: block;
        }
        &.-has-error > .form-row > .form-label {
            color: $text-error;
        }
        &.-focused > .form-row > .form-label {
            color: $foreground;
            text-style: bold reverse;
        }
    }
    """

    def __init__(
        self,
        field_name: str,
        label: str,
        control: Widget,
        *,
        required: bool = False,
        hint: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id or f"field-{field_name.replace('_', '-')}")
        self.field_name = field_name
        self.control: Any = control  # an Input, Select, TextArea, ...: each form knows which
        self.required = required
        self._label_text = label
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(self._label_content(), classes="form-label", markup=False)
            yield self.control
        yield Static("", classes="form-error", markup=False)
        if self._hint:
            yield Static(Text(self._hint), classes="form-hint", markup=False)

    # A class rather than :focus-within, whose styles Textual does not refresh on the way out.
    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.add_class("-focused")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self.remove_class("-focused")

    @property
    def label_text(self) -> str:
        return self._label_text

    def _label_content(self) -> Text:
        return Text(self._label_text + (" *" if self.required else ""))

    def set_label(self, label: str, *, required: bool | None = None) -> None:
        """Change the label (a field shared by several event kinds may be named differently)."""
        self._label_text = label
        if required is not None:
            self.required = required
        if self.is_mounted:
            self.query_one(".form-label", Label).update(self._label_content())

    @property
    def error(self) -> str | None:
        return getattr(self, "_error", None)

    def set_error(self, message: str | None) -> None:
        """Show `message` under the control (a word and a symbol, not colour alone), or clear it."""
        self._error = message
        self.set_class(bool(message), "-has-error")
        if self.is_mounted:
            self.query_one(".form-error", Static).update(Text(f"✗ {message}") if message else "")


class FormScreen(ModalScreen[ResultT]):
    """A form: fields in a scrolling body, a status line, Save and Cancel.

    Nothing is written until the clinician accepts (enter in a box, ctrl+s, or the Save button);
    escape cancels. While the dry run of the engine action fails, Save is refused and the reason is
    shown beside the field the engine named. A failed write leaves every typed character in place.
    """

    DEFAULT_CSS = """
    FormScreen {
        align: center middle;
        & > #form-dialog {
            width: 80;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: round $primary;
            border-title-style: bold;
            background: $surface;
            padding: 0 1;
        }
        & #form-context {
            height: auto;
            max-height: 4;
            color: $text-muted;
        }
        & #form-body {
            height: auto;
        }
        & #form-status {
            height: auto;
            margin: 1 0 0 0;
        }
        & #form-status.-error {
            color: $text-error;
            text-style: bold;
        }
        & #form-buttons {
            height: auto;
            align-horizontal: right;
        }
        & #form-buttons > Button {
            margin: 0 0 0 2;
        }
        /* Textual's ANSI theme gives a disabled button a tall border even when compact; keep one line
           so the buttons do not jump as Save is refused and allowed. */
        & #form-buttons > Button:disabled {
            border: none !important;
        }
    }
    """

    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "Cancel", show=True),
        Binding("ctrl+s", "save", "Save", show=True),
    ]

    # Plain attributes, not ClassVars: a form may choose its title for what it is opened on.
    FORM_TITLE: str = "Form"
    SAVE_LABEL: str = "Save"

    class Loaded(Message):
        """The thread worker read what the form needs (a case, the policy)."""

        def __init__(self, data: object) -> None:
            super().__init__()
            self.data = data

    class LoadFailed(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    class Saved(Message):
        """The write went through; `result` is what the form dismisses with."""

        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result  # the form's own ResultT: Textual's messages cannot carry the type

    class SaveFailed(Message):
        def __init__(self, message: str, field: str | None = None) -> None:
            super().__init__()
            self.message = message
            self.field = field

    class Stale(Message):
        """What the form edits changed since it was opened: `subject` as it is now, `changes` in words."""

        def __init__(self, subject: object, changes: list[str]) -> None:
            super().__init__()
            self.subject = subject
            self.changes = changes

    def __init__(self, repository: Any) -> None:
        super().__init__()
        self.repository = repository
        self.subject: Any = None  # what was loaded: a Case, or the Policy
        self.ready = False
        self.saving = False
        self.error: ValidationError | None = None
        self.fields: dict[str, FormField] = {}
        self._pristine: dict[str, Any] | None = None  # what the form held when it became ready
        self.accepts_keys = False  # keys typed before this wait for it (tui/typeahead.py)
        self._confirmed = False  # the clinician said yes to confirm_before_save's question

    # ----- what subclasses provide -------------------------------------------------------------
    def compose_fields(self) -> Iterable[FormField]:
        return ()

    def needs_load(self) -> bool:
        return True

    def load(self) -> object:
        """Runs in a thread: read what the form edits."""
        raise NotImplementedError

    def on_loaded(self, data: object) -> None:
        """On the UI thread, once loaded: fill in current values."""

    def context_text(self) -> Text:
        """A line under the title saying what the form is about (patient text goes in as Text)."""
        return Text("")

    def collect(self) -> dict[str, Any]:
        """Read the widgets (UI thread) into plain values for `apply`."""
        return {}

    def apply(self, subject: Any, values: Mapping[str, Any]) -> Any:
        """The pure engine action; raises ValidationError. Used for the dry run and for the write."""
        raise NotImplementedError

    def nothing_to_save(self, values: Mapping[str, Any], result: Any) -> str | None:
        """A reason Save is pointless, given the dry run's result: the action would change nothing."""
        if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], list) and not result[1]:
            return "Nothing changed yet."
        return None

    def write(self, values: Mapping[str, Any]) -> object:
        """Runs in a thread: perform the write through the repository; return the dismiss result.

        Raise StaleForm when what the form edits changed since it opened: the form says what changed
        and saves only once the clinician confirms."""
        raise NotImplementedError

    def confirm_before_save(self, values: Mapping[str, Any]) -> Text | None:
        """A question to answer before saving (a value about to be replaced, a critical alert the save
        will raise), or None to save at once."""
        return None

    def typed_something(self) -> bool:
        """True when the clinician changed anything since the form opened (escape then asks first)."""
        return self._pristine is not None and self.collect() != self._pristine

    def error_field(self, name: str | None) -> FormField | None:
        """The field an engine error names (ValidationError.field), if it is shown on this form."""
        if not name:
            return None
        key = name.replace("-", "_")
        field = self.fields.get(key)
        if field is not None and field.display:
            return field
        return None

    # ----- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        dialog = Vertical(id="form-dialog")
        dialog.border_title = self.FORM_TITLE
        with dialog:
            yield Static(self.context_text(), id="form-context", markup=False)
            with FormBody(id="form-body"):
                for field in self.compose_fields():
                    self.fields[field.field_name] = field
                    yield field
            yield Static("", id="form-status", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button(self.SAVE_LABEL, id="form-save", variant="primary", compact=True)
                yield Button("Cancel", id="form-cancel", compact=True)
        # The form's own keys, over the footer of the screen beneath (whose keys do nothing here).
        yield RoundsFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        if self.needs_load():
            self._set_status("Loading…")
            self.query_one("#form-save", Button).disabled = True
            # Nothing can be typed before the current values arrive, so none is overwritten by them.
            self.query_one(FormBody).disabled = True
            self._load()
        else:
            self._became_ready()

    def refresh_context(self) -> None:
        self.query_one("#form-context", Static).update(self.context_text())
        self.call_after_refresh(self._fit_body)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_body)

    def _fit_body(self) -> None:
        """Cap the scrolling body so title, status and buttons stay on screen (80x24 included)."""
        dialog = self.query_one("#form-dialog")
        others = sum(
            child.outer_size.height + child.styles.margin.height
            for child in dialog.children
            if child.id != "form-body" and child.display
        )
        chrome = dialog.outer_size.height - dialog.content_region.height
        footer = self.query_one(RoundsFooter).outer_size.height
        self.query_one("#form-body").styles.max_height = max(3, self.size.height - footer - others - chrome)

    # ----- loading ------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="form-load", exit_on_error=False)
    def _load(self) -> None:
        try:
            data = self.load()
        except Exception as exc:  # shown on the form; the clinician can cancel
            self.post_message(self.LoadFailed(describe_save_failure(exc, failed="cannot open")))
            return
        self.post_message(self.Loaded(data))

    @on(Loaded)
    def _handle_loaded(self, message: Loaded) -> None:
        message.stop()
        self.subject = message.data
        self.on_loaded(message.data)
        self.opened_on(self.subject)
        self.refresh_context()
        self._became_ready()

    @on(LoadFailed)
    def _handle_load_failed(self, message: LoadFailed) -> None:
        message.stop()
        self._set_status(message.message, error=True)
        self.query_one("#form-cancel", Button).focus()
        self.call_after_refresh(self._take_keys)

    def _became_ready(self) -> None:
        self.ready = True
        self.query_one(FormBody).disabled = False
        self._pristine = self.collect()
        self.revalidate()
        self.focus_first()
        # Once the first box has focus (focus_first applies it after this), keys typed ahead may go.
        self.call_after_refresh(self._take_keys)

    def _take_keys(self) -> None:
        self.accepts_keys = True

    def focus_first(self) -> None:
        for field in self.fields.values():
            if field.display and field.control.focusable:
                field.control.focus()
                return
        self.query_one("#form-save", Button).focus()

    # ----- validation as you type -------------------------------------------------------------
    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _something_changed(self, event: Message) -> None:
        self.on_value_changed(event)
        self.revalidate()

    def on_value_changed(self, event: Message) -> None:
        """Hook: a control changed (e.g. the event kind), before the dry run."""

    def revalidate(self) -> ValidationError | None:
        """Dry-run the engine action on what is loaded; show the reason beside its field."""
        if not self.ready:
            return None
        error, idle = self._check()
        self._show_error(error)
        self.query_one("#form-save", Button).disabled = bool(error or idle or self.saving)
        if self.saving:
            pass
        elif error is not None:
            field = self.error_field(error.field)
            if field is None:
                self._set_status(f"✗ {error}", error=True)
            else:
                self._set_status(f"Cannot save yet: see “{field.label_text}”.", error=True)
        elif idle:
            self._set_status(idle)
        else:
            self._set_status("Enter or ctrl+s saves; escape cancels.")
        return error

    def _check(self) -> tuple[ValidationError | None, str | None]:
        """(the engine's objection, or a reason there is nothing to save) for what is typed now."""
        values = self.collect()
        try:
            result = self.apply(self.subject, values)
        except ValidationError as exc:
            self.error = exc
            return exc, None
        self.error = None
        return None, self.nothing_to_save(values, result)

    def _show_error(self, error: ValidationError | None) -> None:
        target = self.error_field(error.field) if error is not None else None
        for field in self.fields.values():
            field.set_error(str(error) if field is target else None)

    def _set_status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#form-status", Static)
        status.update(Text(message))
        status.set_class(error, "-error")

    # ----- accept / cancel ----------------------------------------------------------------------
    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_save(self) -> None:
        if not self.ready or self.saving:
            return
        error = self.revalidate()
        if error is not None:
            field = self.error_field(error.field)
            if field is not None:
                self._set_status(f"Not saved: fix “{field.label_text}” first.", error=True)
                if field.control.focusable:
                    field.control.focus()
            return
        if self._check()[1]:
            return  # nothing would change; the status line already says so
        values = self.collect()
        question = None if self._confirmed else self.confirm_before_save(values)
        if question is not None:
            self._ask(self.SAVE_LABEL + "?", question, self._save_confirmed, yes=self.SAVE_LABEL)
            return
        self._confirmed = False
        self.saving = True
        self.query_one("#form-save", Button).disabled = True
        self._set_status("Saving…")
        self._write(values)

    def _save_confirmed(self, yes: bool) -> None:
        if yes:
            self._confirmed = True
            self.action_save()
        else:
            self._set_status("Not saved. Change what you need, then save again; escape cancels.")

    def _ask(self, title: str, body: Text, then, *, yes: str = "Yes", no: str = "No") -> None:
        from tui.forms.confirm import ConfirmScreen

        self.app.push_screen(ConfirmScreen(title, body, yes=yes, no=no), lambda answer: then(bool(answer)))

    def action_cancel(self) -> None:
        if self.saving:
            self._set_status("Saving… a moment (the write cannot be cancelled half-way).")
            return
        if self.ready and self.typed_something():
            body = Text("What you typed in this form has not been saved. Throw it away?")
            self._ask("Discard your changes?", body, self._discard_confirmed, yes="Discard", no="Keep editing")
            return
        self.dismiss(None)

    def _discard_confirmed(self, yes: bool) -> None:
        if yes:
            self.dismiss(None)

    @work(thread=True, exclusive=True, group="form-write", exit_on_error=False)
    def _write(self, values: Mapping[str, Any]) -> None:
        try:
            result = self.write(values)
        except StaleForm as stale:
            self.post_message(self.Stale(stale.subject, stale.changes))
            return
        except ValidationError as exc:
            self.post_message(self.SaveFailed(str(exc), exc.field))
            return
        except Exception as exc:  # the form stays open with the reason; nothing typed is lost
            self.post_message(self.SaveFailed(describe_save_failure(exc)))
            return
        self.post_message(self.Saved(result))

    @on(Saved)
    def _handle_saved(self, message: Saved) -> None:
        message.stop()
        self.dismiss(message.result)

    @on(Stale)
    def _handle_stale(self, message: Stale) -> None:
        """Someone changed the case since the form opened: nothing was written; say what, and save on top
        of it only if the clinician says so. What was typed stays in the form either way."""
        message.stop()
        self.saving = False
        self.subject = message.subject
        self.on_changed_meanwhile(message.subject)
        self.refresh_context()
        error = self.revalidate()
        self._confirmed = False
        body = Text("Someone changed this case after you opened this form:\n\n")
        for line in message.changes or ["(the change is not described in its history)"]:
            body.append(f"• {line}\n")  # recorded text: appended as Text, never markup
        if error is not None:
            body.append("\nYour entry no longer fits the case as it is now; see the form.")
            self._ask("The case changed", body, lambda _yes: None, yes="Back to the form", no="Back to the form")
            return
        body.append("\nSave your entry on top of these changes?")
        self._set_status("Not saved yet: the case changed since you opened this form.", error=True)
        self._ask("The case changed", body, self._save_on_top, yes="Save mine too", no="Not yet")

    def on_changed_meanwhile(self, subject: object) -> None:
        """Hook: the case as it is now replaced the one the form opened on (typed values are kept)."""

    def opened_on(self, subject: object) -> None:
        """Hook: what the form was loaded with (a case form remembers its revision)."""

    def _save_on_top(self, yes: bool) -> None:
        if yes:
            self.action_save()

    @on(SaveFailed)
    def _handle_save_failed(self, message: SaveFailed) -> None:
        message.stop()
        self.saving = False
        self.query_one("#form-save", Button).disabled = False
        field = self.error_field(message.field)
        for each in self.fields.values():
            each.set_error(message.message if each is field else None)
        if field is not None:
            self._set_status(f"Not saved: see “{field.label_text}”.", error=True)
        else:
            self._set_status(f"✗ {message.message}", error=True)


class StaleForm(Exception):
    """Raised by a form's write when what it edits changed since it opened (nothing was written)."""

    def __init__(self, subject: object, changes: list[str]) -> None:
        super().__init__("changed meanwhile")
        self.subject = subject
        self.changes = changes


def change_lines(entries: Sequence[Any], trail: Sequence[Any], catalogue: Any) -> list[str]:
    """Audit entries in words for the stale-form question, in the sentences of the history screen
    (checklists/change_words.py): who, when, what (`alice, 2026-11-21 09:12 UTC: Logged saline
    infiltration of 2026-11-21 (e4)`). `trail` is the whole trail, so that events are named by kind and
    date. Recorded text is escaped, one line each."""
    from dataclasses import replace

    from checklists.change_words import catalogue_names, change_sentence, fold_companions, trail_events

    names = replace(catalogue_names(catalogue), events=trail_events(trail))
    lines = []
    for entry, companions in fold_companions(entries, lambda e: (e.revision, e.when)):
        when = str(entry.when).replace("T", " ")[:16]
        lines.append(printable(f"{entry.who}, {when} UTC: {change_sentence(entry, names, companions)}"))
    return lines


class CaseFormScreen(FormScreen[ResultT]):
    """A form about one case: loads it (in a thread) and writes through `repository.update`, against
    the revision it opened on, so that a colleague's change made meanwhile is never saved over unasked."""

    def __init__(self, repository: Any, case_id: str, today: Any, catalogue: Any) -> None:
        super().__init__(repository)
        self.case_id = case_id
        self.today = today
        self.catalogue = catalogue
        self.opened_revision: int | None = None

    def opened_on(self, subject: object) -> None:
        self.opened_revision = getattr(subject, "revision", None)

    def on_changed_meanwhile(self, subject: object) -> None:
        self.opened_revision = getattr(subject, "revision", None)

    @property
    def case(self) -> Any:
        return self.subject

    def load(self) -> object:
        return self.repository.get(self.case_id)

    def context_text(self) -> Text:
        if self.case is None:
            return Text("")
        return Text.assemble(("Patient ", "dim"), Text(printable(self.case.patient), style="bold"))

    def expected_revision(self, values: Mapping[str, Any]) -> int | None:
        """The revision the form was filled in against (None: not loaded, apply to the latest)."""
        return self.opened_revision

    def write(self, values: Mapping[str, Any]) -> object:
        from store.errors import RevisionConflict

        try:
            self.repository.update(
                self.case_id,
                lambda case: self.apply(case, values),
                expected_revision=self.expected_revision(values),
            )
        except RevisionConflict as conflict:
            now = self.repository.get(self.case_id)
            trail = self.repository.audit_trail(self.case_id)
            since = [e for e in trail if e.revision is not None and e.revision > conflict.expected]
            # Forms that need no catalogue (void) are given none: the words take the database's.
            catalogue = self.catalogue if self.catalogue is not None else self.repository.catalogue
            raise StaleForm(now, change_lines(since, trail, catalogue)) from None
        return True


# select_on_focus=False: tabbing into a filled box and typing must add to the text, never replace it.
def date_input(value: str = "", *, placeholder: str = DATE_PLACEHOLDER, id: str | None = None) -> Input:
    return OrderedInput(value=value, placeholder=placeholder, compact=True, id=id, select_on_focus=False)


def text_input(value: str = "", *, placeholder: str = "", id: str | None = None) -> Input:
    return OrderedInput(value=value, placeholder=placeholder, compact=True, id=id, select_on_focus=False)


def note_input(value: str = "", *, placeholder: str = "", id: str | None = None) -> Widget:
    """A note: several lines, typed or pasted (enter is a new line here; ctrl+s saves)."""
    from tui.widgets.note_area import NoteArea

    return NoteArea(value, placeholder=placeholder, id=id)


def choice(
    options: Iterable[tuple[str, Any]], *, prompt: str = "Choose", allow_blank: bool = True,
    value: Any = Select.NULL, id: str | None = None,
) -> Select:
    return Select(
        [(Text(label), v) for label, v in options],
        prompt=prompt, allow_blank=allow_blank, value=value, compact=True, id=id,
    )
