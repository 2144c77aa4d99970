"""Rounds actions in the command palette (ctrl+p): every key's action can also be found by name.

Each screen lists what makes sense on it (`palette_commands()`); the app adds what works anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.palette import PaletteCommand


def app_commands(app, screen=None) -> list[PaletteCommand]:
    commands = [
        PaletteCommand("Help: keys and status words", "Show every key and what each status word means",
                       app.action_help),
        PaletteCommand("New case", "Add a case (n)", app.action_new_case),
        PaletteCommand("Clinic policy", "Change the numbers the clinic chose (p)", app.action_policy),
        PaletteCommand("Export", "Export case summaries (e)", app.action_export),
        PaletteCommand("Clinic protocol", "Read every rule and record the clinic's review (P on the board)",
                       app.action_protocol),
    ]
    return commands + history_commands(app, screen)


def history_commands(app, screen=None) -> list[PaletteCommand]:
    """The database's recent changes anywhere; this case's history and undo on a case screen."""

    def show_history(case_id=None):
        from tui.screens.history import HistoryScreen

        app.push_screen(HistoryScreen(case_id))

    def undo(case_id=None):
        from tui.screens.undo import start_undo

        start_undo(screen or app.screen, case_id)

    case_id = getattr(screen, "case_id", None) if screen is not None and hasattr(screen, "action_undo") else None
    commands = [PaletteCommand("Recent changes in the whole database", "Who changed what, newest first",
                               show_history)]
    if case_id:
        commands.insert(0, PaletteCommand("History of this case", "Who changed what, newest first (h)",
                                          lambda: show_history(case_id)))
        commands.append(PaletteCommand("Undo my latest change to this case", "Asks first (u)",
                                       lambda: undo(case_id)))
    else:
        commands.append(PaletteCommand("Undo my latest change", "Anywhere in the database; asks first (u)", undo))
    return commands


class RoundsCommands(Provider):
    """Offers the current screen's commands first, then the app's."""

    def _commands(self) -> Iterable[PaletteCommand]:
        screen_commands = getattr(self.screen, "palette_commands", None)
        if screen_commands is not None:
            yield from screen_commands()
        yield from app_commands(self.app, self.screen)

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.name, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(score, matcher.highlight(command.name), command.run, help=command.help)
