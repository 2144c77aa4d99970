"""Live refresh, shared by the board and the case screen: what they show is read in a thread worker,
and read again when another process changes the database (or the date turns over).

Every `poll_seconds` the screen compares cheap stat signatures with those its data was read under;
only a difference costs a full read. A worker is handed everything it needs (a `LiveQuery` holding
the repository, today and any ids, built on the UI thread), never the screen, whose state belongs to
the UI thread.

A query whose quick signature can miss a change (the board's stats a few hundred folders, not every
case file) also offers `thorough_signature()`, compared at every THOROUGH_POLLS-th poll: both are
`Marks`, so each poll compares what it took with the same part of what the data was read under.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Generic, Protocol, TypeVar, cast

from textual import events, on, work
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import get_current_worker

from store.errors import UnknownCase
from tui.errors import describe_read_failure
from tui.host import host_of

DataT = TypeVar("DataT")
DataT_co = TypeVar("DataT_co", covariant=True)

# Every 60th poll (a minute) a query that has one runs its thorough check instead of the quick one: at
# 10,000 cases that stats every case file (~50 ms), 0.1% of a core on average.
THOROUGH_POLLS = 60


@dataclass(frozen=True, slots=True, eq=False)
class Marks:
    """A signature in two parts: `quick`, taken at every poll, and `thorough`, a fuller one taken at
    every THOROUGH_POLLS-th (None when not taken). Two differ when their quick parts do, or when both
    have a thorough part and those do, so a quick poll compares quick parts only."""

    quick: object
    thorough: object = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Marks):
            return NotImplemented
        if self.quick != other.quick:
            return False
        return self.thorough is None or other.thorough is None or self.thorough == other.thorough

    __hash__ = None  # type: ignore[assignment]  # equal marks need not be identical: never a dict key


class LiveQuery(Protocol[DataT_co]):
    """What a screen reads, frozen on the UI thread; its methods run in thread workers."""

    @property
    def today(self) -> date: ...

    def signature(self) -> object:
        """A cheap fingerprint of everything `read()` depends on (stat calls, no parsing)."""
        ...

    def read(self) -> tuple[DataT_co, object]:
        """The data, and the signature taken *before* reading it, so a change made meanwhile is seen
        at the next poll rather than lost."""
        ...

    # Optional: `thorough_signature() -> Marks`, for a query whose `signature()` is a Marks that can
    # miss a change; `read()` then returns a Marks with its thorough part too.


class LiveScreen(Screen[None], Generic[DataT]):
    """A screen that shows data read from the store and keeps it current.

    Subclasses give `live_query()` (what to read, built from the screen's state) and `show_data()`;
    optionally `show_unreadable()` (the first read failed) and `gone_notice()`. `reload()` reads again
    at once, e.g. after a form wrote something.
    """

    failure_title = "Cannot read the database"

    class Loaded(Message):
        """A read finished: the data, the signature it was read under and the day it was read for."""

        def __init__(self, data: object, signature: object, today: date) -> None:
            super().__init__()
            self.data = data
            self.signature = signature
            self.today = today

    class Stale(Message):
        """Another process changed what the screen shows: it must be read again."""

    class Failed(Message):
        """A read failed; `gone` when what the screen shows is no longer in the database."""

        def __init__(self, error: str, gone: bool = False) -> None:
            super().__init__()
            self.error = error
            self.gone = gone

    def __init__(self) -> None:
        super().__init__()
        self._signature: object = None
        self._loaded_for: date | None = None
        self._loaded = False
        self._loading = False
        self._reload_again = False
        self._gone = False
        self._said: set[str] = set()
        self._polls = 0

    # -- what subclasses provide ----------------------------------------------------------------------

    def live_query(self) -> LiveQuery[DataT]:
        raise NotImplementedError

    def show_data(self, data: DataT, *, first: bool) -> None:
        """Show freshly read data (`first` on the first successful read)."""
        raise NotImplementedError

    def show_unreadable(self, error: str) -> None:
        """The first read failed: say so where the data would be (the error was also notified)."""

    def gone_notice(self) -> str:
        return "What this screen showed is no longer in the database."

    # -- public ------------------------------------------------------------------------------------------

    @property
    def has_loaded(self) -> bool:
        """True once a read has succeeded (the screen shows data, not "loading")."""
        return self._loaded

    @property
    def loaded_for(self) -> date | None:
        """The day the data shown was computed for."""
        return self._loaded_for

    def reload(self) -> None:
        """Read again now, unless a read is under way (then read once more when it ends)."""
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        self._read(self.live_query())

    def say_once(self, text: str, *, title: str, severity: SeverityLevel = "warning") -> None:
        """Notify `text` unless this screen said it before: a failure retried every poll is said once."""
        if text in self._said:
            return
        self._said.add(text)
        self.notify(text, title=title, severity=severity, markup=False, timeout=10)

    # -- the refresh cycle ---------------------------------------------------------------------------

    @on(events.Mount)
    def _start_refreshing(self) -> None:
        # Runs after a subclass's own on_mount: Textual calls the handlers of every class in the MRO.
        self.set_interval(host_of(self).poll_seconds, self._poll)
        self.reload()

    @on(events.ScreenResume)
    def _back_on_top(self) -> None:
        # Back from a form or a case: whatever changed meanwhile shows at once, not at the next poll.
        if self._gone:
            self.app.pop_screen()
        elif self._loaded:
            self._poll()

    def _poll(self) -> None:
        host = host_of(self)
        if self._loading or self._gone or not host.is_showing(self):
            return
        if not self._loaded or host.today != self._loaded_for:
            # A failed first read (say, a lock held too long) is tried again; a new day recomputes.
            self.reload()
            return
        self._polls += 1
        self._check_for_changes(self.live_query(), self._signature, self._polls % THOROUGH_POLLS == 0)

    # A description of our own: Textual would otherwise build one from the repr of the arguments, and
    # the repr of the signature the data was read under (one entry per case file) cost ~5 ms a poll.
    @work(thread=True, exclusive=True, group="live-read", exit_on_error=False, description="live read")
    def _read(self, query: LiveQuery[DataT]) -> None:
        try:
            data, signature = query.read()
        except UnknownCase as error:
            self.post_message(self.Failed(describe_read_failure(error), gone=True))
            return
        except Exception as error:  # noqa: BLE001 - any failure is shown, never a crash
            self.post_message(self.Failed(describe_read_failure(error)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(data, signature, query.today))

    @work(thread=True, exclusive=True, group="live-poll", exit_on_error=False, description="live poll")
    def _check_for_changes(self, query: LiveQuery[DataT], known: object, thorough: bool = False) -> None:
        try:
            thorough_signature = getattr(query, "thorough_signature", None) if thorough else None
            signature = thorough_signature() if thorough_signature is not None else query.signature()
        except Exception:  # noqa: BLE001 - the full read that follows reports it properly
            signature = object()
        if signature != known:
            self.post_message(self.Stale())

    @on(Stale)
    def _on_stale(self) -> None:
        self.reload()

    @on(Loaded)
    def _on_loaded(self, message: Loaded) -> None:
        self._loading = False
        first = not self._loaded
        self._signature = message.signature
        self._loaded_for = message.today
        self._loaded = True
        self.show_data(cast(DataT, message.data), first=first)
        if self._reload_again:
            self._reload_again = False
            self.reload()

    @on(Failed)
    def _on_failed(self, message: Failed) -> None:
        self._loading = False
        self._reload_again = False
        if message.gone:
            self._gone = True
            if self.is_current:
                self.app.pop_screen()  # else when what is over it closes (_back_on_top)
            # After the pop: a notice sent first could be drawn on this screen as it leaves, and be lost.
            self.app.notify(self.gone_notice(), severity="warning", markup=False)
            return
        self.say_once(message.error, title=self.failure_title, severity="error")
        if not self._loaded:
            self.show_unreadable(message.error)
