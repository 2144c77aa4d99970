"""The facts at the top of a case: who, what, when, and the counts that steer treatment."""

from __future__ import annotations

from datetime import date

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from checklists.inflammation import changes as inflammation_changes, history_words
from checklists.models import CaseView
from checklists.text import printable
from seeds.loader import Catalogue
from checklists.wording import counts_text, status_label, window_text
from store.export.readable import injection_fact


def dated(value: str | None, when: date | None) -> str:
    if value is None:
        return "not set"
    return f"{value} (since {when.isoformat()})" if when else value


def next_due_text(view: CaseView) -> str:
    due = view.next_due
    if due is None:
        return "nothing scheduled"
    return f"{status_label(due.status)}  {window_text(due.opens, due.closes)}  {due.title}"


def disease_facts(view: CaseView, catalogue: Catalogue) -> list[tuple[str, str]]:
    """Etiology and inflammation, each only where one of the case's pathways records it (its TOML
    `etiologies`, `inflammation`) or a value is on record: a hip case has neither."""
    case = view.case
    shown = []
    if catalogue.etiologies_for(case.pathways) or case.etiology is not None:
        shown.append(("Etiology", dated(case.etiology, case.etiology_date)))
    if catalogue.records_inflammation(case.pathways) or case.inflammation is not None:
        shown.append(("Inflammation", dated(case.inflammation, case.inflammation_date)))
    return shown


def facts_table(view: CaseView, catalogue: Catalogue) -> RenderableType:
    case = view.case
    pairs = Table.grid(padding=(0, 1), expand=True)
    pairs.add_column(style="bold", no_wrap=True, width=12)
    pairs.add_column(ratio=1)
    pairs.add_column(style="bold", no_wrap=True, width=12)
    pairs.add_column(ratio=1)
    # Every value goes in as Text: labels, sites and notes are recorded text, never markup.
    pairs.add_row("Patient", Text(printable(case.patient)), "Status", Text(case.status))
    pairs.add_row("Onset", Text(case.onset.isoformat()), "Enrolled", Text(case.enrolment.isoformat()))
    injection = injection_fact(case) or "not recorded"  # the logged injections first, as the letters say
    pairs.add_row("Injection", Text(injection), "Site", Text(printable(case.site or "not recorded")))
    disease = disease_facts(view, catalogue)
    if disease:
        pairs.add_row(*[cell for label, value in disease for cell in (label, Text(value))],
                      *(("", "") if len(disease) == 1 else ()))
    if catalogue.severities_for(case.pathways):
        pairs.add_row("Severity", Text(dated(case.severity or catalogue.severities_for(case.pathways)[0],
                                             case.severity_date)), "", "")
    wide = Table.grid(padding=(0, 1), expand=True)
    wide.add_column(style="bold", no_wrap=True, width=12)
    wide.add_column(ratio=1)
    wide.add_row("Pathways", Text(", ".join(case.pathways)))
    history = inflammation_changes(case)
    if len(history) > 1:
        # Every change of inflammation with its date: a relapse is part of the clinical story.
        wide.add_row("Inflamed", Text(history_words(history)))
    wide.add_row("Counts", Text(counts_text(view.counts, catalogue.counted(case.pathways))))
    wide.add_row("Next due", Text(next_due_text(view)))
    if case.note:
        wide.add_row("Note", Text(printable(case.note)))
    return Group(pairs, wide)


class CaseFacts(Static):
    DEFAULT_CSS = """
    CaseFacts { height: auto; }
    """

    def show(self, view: CaseView, catalogue: Catalogue) -> None:
        self.update(facts_table(view, catalogue))
