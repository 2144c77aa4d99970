"""The alerts of a case: a severity word, what is wrong, and what to do about it."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from checklists.models import Alert
from checklists.text import printable
from checklists.wording import ack_words, alert_text, severity_label
from tui.widgets.review_marks import alert_review_note, review_mark

# Plain ANSI names so that 16-colour terminals keep them; the word says the same without colour.
SEVERITY_STYLES = {"critical": "bold red", "warning": "bold yellow", "info": "cyan"}


def severity_style(severity: str, no_color: bool) -> str:
    # NO_COLOR greyscale would turn red into dark grey: bold alone keeps critical and warning loud.
    if no_color:
        return "bold" if severity in ("critical", "warning") else ""
    return SEVERITY_STYLES.get(severity, "")


def alert_table(alerts, catalogue, no_color: bool = False, signoff=None, case=None,
                titles=None) -> RenderableType:
    """`case` (with `titles`, item id -> title): name its events as the event log does, not by id."""
    if not alerts:
        return Text("No alerts.", style="dim")
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(width=10, no_wrap=True)
    table.add_column(ratio=1)
    for alert in alerts:
        if alert.acknowledged is not None:
            # Still listed, dimmed and in words (no colour needed): it no longer counts.
            table.add_row(Text("✓ ack'd", style="dim"), acknowledged_body(alert, catalogue))
            continue
        review = signoff.alert(alert.pathway, alert.code) if signoff is not None else None
        table.add_row(Text(severity_label(alert.severity), style=severity_style(alert.severity, no_color)),
                      alert_body(alert, catalogue, review, case, titles))
    return table


def acknowledged_body(alert: Alert, catalogue) -> Text:
    definition = catalogue.alert(alert.code) if catalogue is not None else None
    body = Text(style="dim")
    body.append(definition.title if definition else alert.code)
    body.append(f" ({alert.code}, {alert.severity})\n")
    assert alert.acknowledged is not None
    body.append(ack_words(alert.acknowledged))  # the note is recorded text: appended, never markup
    return body


def alert_body(alert: Alert, catalogue, review=None, case=None, titles=None) -> Text:
    definition = catalogue.alert(alert.code) if catalogue is not None else None
    title = definition.title if definition else alert.code
    action = alert.action or (definition.action if definition else "")
    body = Text()
    mark = review_mark(review)
    if mark:
        body.append(f"{mark} ")
    body.append(title, style="bold")
    body.append(f" ({alert.code})\n", style="dim")
    message = alert.message if case is None else alert_text(alert.message, case, titles or {})
    body.append(printable(message))  # lists events by their recorded details (a drug name, say)
    if action:
        body.append("\nDo: ", style="bold")
        body.append(action)
    if alert.past_fact:
        body.append("\na: acknowledge (a past fact)", style="dim")
    sources = ", ".join(alert.sources)
    body.append(f"\nSources: {sources} ({alert.provenance})", style="dim")
    note = alert_review_note(review)
    if note:
        body.append(f" · {note}")  # not dim: the clinic has not accepted the rule behind this alert
    return body


class AlertList(Static):
    """Every alert the engine raised for the case today, most severe first."""

    DEFAULT_CSS = """
    AlertList { height: auto; }
    """

    def show(self, alerts, catalogue, signoff=None, case=None, titles=None) -> None:
        """`signoff`: the clinic's reviews, to say which alerts come from a rule it has not accepted;
        `case` and `titles`: to name events and items as the case screen shows them."""
        self.update(alert_table(alerts, catalogue, no_color=self.app.no_color, signoff=signoff, case=case,
                                titles=titles))
