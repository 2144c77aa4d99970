"""The Rounds terminal app, built by `make_app()` for the command line and the tests alike.

The app is handed its repository (and optionally a fixed "today" and a catalogue); nothing is
reached for through globals, so a test or a snapshot runs on its own database and clock.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from typing import Any, Callable, Iterable, TypeVar

from rich.console import RenderableType
from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from tui.screens.live import LiveScreen

ResultT = TypeVar("ResultT")

# How often open screens ask the store whether another process changed something. The store answers
# from cheap stat() signatures, so a second keeps "within about 2 s" with room to spare.
POLL_SECONDS = 1.0

def _rounds_commands() -> type:
    # Imported when the palette first opens: textual.command costs start-up time nobody needs yet.
    from tui.commands import RoundsCommands

    return RoundsCommands


class RoundsApp(App[None]):
    """Case board first; a case screen over it; forms as modal screens over either."""

    CSS_PATH = "app.tcss"
    TITLE = "Rounds"
    poll_seconds = POLL_SECONDS
    COMMANDS = App.COMMANDS | {_rounds_commands}
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("p", "policy", "Policy", id="policy", show=False,
                tooltip="clinic policy (soon days, saline bounds, ...)"),
        Binding("e", "export", "Export", id="export", show=False,
                tooltip="this case, or the cases the board shows"),
    ]

    def __init__(self, repository: Any, *, today: date | None = None, catalogue: Any = None) -> None:
        super().__init__()
        self.repository = repository
        self.catalogue = catalogue
        self._fixed_today = today
        from tui.typeahead import TypeAhead

        self._typeahead = TypeAhead(self, super().on_event)
        if self.no_color:
            self._use_default_colours()

    def _use_default_colours(self) -> None:
        """NO_COLOR: the terminal's own colours and reverse video for highlights (tui/colors.py), in
        place of Textual's greyscale, which a 16-colour terminal drew black on black."""
        from textual.filter import Monochrome, NoColor

        from tui.colors import DefaultColours

        self._filters = [f for f in self._filters if not isinstance(f, (Monochrome, NoColor))]
        self._filters.append(DefaultColours())

    async def on_event(self, event: events.Event) -> None:
        """Keys and pastes from the terminal go through the type-ahead queue (tui/typeahead.py): one at a
        time, in order, each to a screen that is ready for it."""
        from tui.typeahead import TrackedKey, TrackedPaste

        if isinstance(event, (TrackedKey, TrackedPaste)):
            if event.is_forwarded:  # back at the app after the widgets: its binding runs here
                try:
                    await super().on_event(event)
                finally:
                    self._typeahead.done(event)
                return
        elif isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded and not self._urgent(event):
            self._typeahead.take(event)
            return
        await super().on_event(event)

    def _urgent(self, event: events.Event) -> bool:
        """Keys the app answers at once, queue or not (ctrl+q, ctrl+c): priority bindings of its own."""
        return isinstance(event, events.Key) and any(
            binding.priority for binding in self._bindings.key_to_bindings.get(event.key, ()))

    @property
    def today(self) -> date:
        """The injected date if one was given (tests, `--today`), else the system date, read each time."""
        return self._fixed_today or date.today()

    def save_screenshot(self, filename: str | None = None, path: str | None = None,
                        time_format: str | None = None) -> str:
        """Refused: an SVG of the screen holds patient labels, past the export's audit and permissions
        (Textual would write one when `TEXTUAL_SCREENSHOT` is set). Snapshot tests use export_screenshot."""
        self.notify("Screenshots are off in Rounds: they would copy patient labels to a file. Use e to export.",
                    severity="warning", markup=False)
        return ""

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        self.save_screenshot()
        return None

    def get_system_commands(self, screen: Screen) -> Iterable[Any]:
        # Textual's "Screenshot" writes an SVG of the screen, patient labels and all, into the current
        # folder: past `e` export, its de-identify choice and the database's file permissions.
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def get_driver_class(self) -> type:
        """Textual's driver for this platform; on Linux and macOS, one whose parser keeps a bracketed
        paste as text, escape bytes and all (tui/terminal.py)."""
        from textual.drivers.linux_driver import LinuxDriver

        driver = super().get_driver_class()
        if driver is LinuxDriver:
            from tui.terminal import RoundsDriver

            return RoundsDriver
        return driver

    def get_default_screen(self) -> Screen:
        from tui.screens.board import BoardScreen

        return BoardScreen()

    def on_mount(self) -> None:
        # A 16-colour terminal (TERM=screen, many SSH sessions) gets the ANSI theme, whose colours the
        # terminal itself picks, instead of true colours squeezed into 16; so does NO_COLOR, whose
        # filter then leaves only the terminal's default colours (tui/colors.py).
        if self.no_color or self.console.color_system in ("standard", "windows"):
            self.theme = "ansi-dark"

    # -- screens and forms --------------------------------------------------------------------------

    def open_case(self, case_id: str) -> None:
        from tui.screens.case import CaseScreen

        self.push_screen(CaseScreen(case_id))

    def is_showing(self, screen: Screen) -> bool:
        """True when `screen` is on top, or only modal screens (forms, help) are over it."""
        stack = self.screen_stack
        if screen not in stack:
            return False
        above = stack[stack.index(screen) + 1 :]
        return all(isinstance(s, ModalScreen) for s in above)

    def open_form(self, form: ModalScreen[ResultT], then: Callable[[ResultT], object] | None = None) -> None:
        """Push `form`; `then(result)` runs when it dismisses with a change.

        Forms dismiss with True (or the new case id) when they wrote something, None when cancelled.
        """

        def on_dismiss(result: ResultT | None) -> None:
            if result and then is not None:
                then(result)

        self.push_screen(form, on_dismiss)

    # -- app-wide actions -------------------------------------------------------------------------

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_new_case(self) -> None:
        from tui.forms.new_case import NewCaseForm  # the forms load on first use, not with the board

        self.open_form(NewCaseForm(self.repository, self.today, self.catalogue), then=self._open_new_case)

    def _open_new_case(self, case_id: object) -> None:
        """A new case opens at once: the next thing a clinician does is log its first event."""
        self.reload_live_screens()
        if isinstance(case_id, str):
            self.open_case(case_id)

    def action_policy(self) -> None:
        from tui.forms.policy import PolicyForm

        self.open_form(PolicyForm(self.repository), then=lambda _: self.reload_live_screens())

    def action_protocol(self) -> None:
        """The clinic protocol: every rule, its review, a decision (tui/screens/protocol.py)."""
        from tui.screens.protocol import ProtocolScreen

        if not isinstance(self.screen, ProtocolScreen):
            self.push_screen(ProtocolScreen())

    def action_export(self) -> None:
        """The export screen (tui/screens/export.py) for what the current screen shows."""
        from tui.screens.export import ExportScreen

        # The case on a case screen; the board's filtered cases (None = every case).
        chosen = getattr(self.screen, "export_case_ids", None)
        case_ids = chosen() if chosen is not None else None
        if case_ids is not None and not case_ids:
            self.notify("No cases are shown, so there is nothing to export.", severity="warning")
            return
        labels = getattr(self.screen, "export_labels", None)
        self.push_screen(ExportScreen(self.repository, case_ids=case_ids, today=self.today,
                                       catalogue=self.catalogue, labels=labels() if labels else None))

    def _fatal_error(self) -> None:
        """Replace Textual's crash report, which prints local variables (patient labels among them).

        A clinician sees one line; a developer who sets ROUNDS_DEBUG=1 gets the traceback, still
        without locals. (Textual private API: pinned textual version, covered by a test.)
        """
        error = sys.exc_info()[1]
        name = type(error).__name__ if error else "error"
        report: RenderableType
        if os.environ.get("ROUNDS_DEBUG"):
            from rich.traceback import Traceback

            report = Traceback(show_locals=False, width=None)
        else:
            report = Text(f"rounds: the app stopped after an internal error ({name}). Saved changes are safe; "
                          "run with ROUNDS_DEBUG=1 for details.")
        self.bell()
        self._exit_renderables.append(report)
        self._close_messages_no_wait()

    def reload_live_screens(self) -> None:
        """Reload whatever the screens below show (after a policy change, say)."""
        for screen in self.screen_stack:
            if isinstance(screen, LiveScreen):
                screen.reload()


def make_app(repository: Any, *, today: date | None = None, catalogue: Any = None) -> RoundsApp:
    """The one way to build the app: the CLI passes its repository and `--today`, the tests theirs."""
    if catalogue is None:
        catalogue = getattr(repository, "catalogue", None)
    if catalogue is None:
        from seeds.loader import default_catalogue

        catalogue = default_catalogue()
    _no_screenshot_timer()
    return RoundsApp(repository, today=today, catalogue=catalogue)


def _no_screenshot_timer() -> None:
    """`TEXTUAL_SCREENSHOT=N` makes Textual save an SVG of the screen after N seconds and quit: a file of
    patient labels wherever TEXTUAL_SCREENSHOT_LOCATION says, with the umask's mode. Textual reads the
    variable once, at import; its setting is cleared here (save_screenshot refuses in any case)."""
    import textual.constants

    os.environ.pop("TEXTUAL_SCREENSHOT", None)
    textual.constants.SCREENSHOT_DELAY = -1  # type: ignore[misc]  # Final in Textual; read again at app start
