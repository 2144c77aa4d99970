"""What the screens need from the app, as a type: they reach it as `host_of(self)`, never by
importing `tui.app` (which imports them; see tests/test_import_hygiene.py).

`RoundsApp` in tui/app.py is the one implementation; a test may give a screen any app that has these.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Protocol, TypeVar, cast

from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from seeds.loader import Catalogue
    from store.repository import Repository

ResultT = TypeVar("ResultT")


class RoundsHost(Protocol):
    repository: Repository
    catalogue: Catalogue
    poll_seconds: float

    @property
    def today(self) -> date: ...

    def open_case(self, case_id: str) -> None: ...

    def open_form(self, form: ModalScreen[ResultT], then: Callable[[ResultT], object] | None = None) -> None: ...

    def is_showing(self, screen: Screen[Any]) -> bool: ...

    def reload_live_screens(self) -> None: ...

    def action_new_case(self) -> None: ...


def host_of(node: DOMNode) -> RoundsHost:
    """The running app, typed as what the screens use of it."""
    return cast(RoundsHost, node.app)
