"""Plain-text output of the command line: the case list, one case, the policy.

Status is always a symbol and a word (the same labels as the TUI), so it reads without colour.
Recorded text is shown, never obeyed: controls and direction overrides come out as visible escapes.
"""

from __future__ import annotations

import re
import sys
from itertools import groupby

from checklists.inflammation import changes as inflammation_changes, history_words
from checklists.models import CaseRow, CaseView, Policy
from checklists.policy import POLICY_HELP
from checklists.text import printable, printable_line
from checklists.wording import (
    BEFORE_ENROLMENT, PROVENANCE_LABELS, STATUS_LABELS, ack_words, counts_parts, describe_event, item_remark,
    pathways_short, severity_counts, severity_label, shown_status_label, split_missed, status_label,
    window_text,
)
from seeds.loader import Catalogue

FILTER_NOTES = {"active": ": active and resolved cases", "closed": ": closed and lost cases"}


def warn(message: str) -> None:
    """One warning line on stderr (a path in it may hold anything: escaped like recorded text)."""
    print(f"rounds: warning: {printable_line(str(message))}", file=sys.stderr)


def status_word(status: str) -> str:
    return status_label(status)


def _cell(text: str, width: int) -> str:
    text = printable_line(str(text))
    return text if len(text) <= width else text[: width - 1] + "…"


def legend_parts(catalogue: Catalogue) -> list[str]:
    """The pieces of the list's legend, each kept whole on a line (`SKN post-injection-skin-check`)."""
    return [*(f"{p.short} {p.id}" for p in catalogue.pathways.values()),
            "alerts: C critical, W warning, I info (codes: rounds case show CASE)"]


def legend(catalogue: Catalogue) -> str:
    return "; ".join(legend_parts(catalogue))


def pack(parts: list[str], width: int, separator: str = "; ", indent: str = "  ") -> list[str]:
    """`parts` joined by `separator` in lines of at most `width`, broken only between parts."""
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + len(separator) + len(part) <= width:
            lines[-1] += separator + part
        else:
            if lines:
                lines[-1] += separator.rstrip()
            lines.append((indent if lines else "") + part)
    return [wrapped for line in lines for wrapped in wrap_line(line, width, indent=indent)]


def output_width() -> int:
    """How wide text output may be: $COLUMNS, else the terminal's width, else (a pipe, a file) 80."""
    import os

    try:
        columns = int(os.environ.get("COLUMNS", 0))
    except ValueError:
        columns = 0
    if columns > 0:
        return max(columns, 40)
    try:
        if sys.stdout.isatty():
            return max(os.get_terminal_size(sys.stdout.fileno()).columns, 40)
    except (AttributeError, ValueError, OSError):
        pass
    return 80


_LABEL_THEN_GAP = re.compile(r"^( *)\S+(?: \S+)*?( {2,})(?=\S)")


def hanging_indent(line: str, width: int) -> str:
    """Where a wrapped `line` continues: under its value when it is a `label   value` line (a fact, a
    checklist item), so each stays one block; else its own indent and four spaces."""
    lead = line[: len(line) - len(line.lstrip(" "))]
    match = _LABEL_THEN_GAP.match(line)
    if match and match.end() <= width - 20:
        return " " * match.end()
    return lead + "    "


def wrap_line(line: str, width: int, indent: str | None = None) -> list[str]:
    """`line` in lines of at most `width`, broken between words only (a word longer than the width stays
    whole); continuation lines start with `indent` (default: hanging_indent)."""
    if len(line) <= width:
        return [line]
    import textwrap

    lead = line[: len(line) - len(line.lstrip(" "))]
    rest = hanging_indent(line, width) if indent is None else indent
    # The line's own indent is given as initial_indent, so it is taken off the text (else it counts twice).
    return textwrap.wrap(line[len(lead):], width, initial_indent=lead, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False) or [line]


def wrap_text(text: str, width: int) -> str:
    return "\n".join(wrapped for line in text.split("\n") for wrapped in wrap_line(line, width))


def next_due_text(row: CaseRow) -> str:
    """`Saline session 2 of 3-6 2026-11-21..12-05`: the short title (never the id), then the window."""
    due = row.next_due
    if due is None:
        return "-"
    return f"{due.label or due.title} {window_text(due.opens, due.closes)}"


def rows_text(rows: list[CaseRow], filter_name: str, catalogue: Catalogue, width: int | None = None) -> str:
    """The case list, as wide as the terminal: the next due item last, wrapped between words; when too
    narrow for it beside the rest, on a line of its own under each case."""
    if not rows:
        return f"No cases match (filter: {filter_name}). Add one with `rounds case add`, or try --filter all.\n"
    width = width or output_width()
    cells = [(row.id, _cell(row.patient, 14), pathways_short(row.pathways, catalogue),
              shown_status_label(row.status, row.urgency),
              severity_counts(row.alert_severities) or "-", next_due_text(row)) for row in rows]
    heads = ("CASE", "PATIENT", "PATHWAYS", "URGENCY", "ALERTS")
    widths = [max(len(head), *(len(c[n]) for c in cells)) for n, head in enumerate(heads)]
    fixed = sum(widths) + 2 * len(widths)
    below = width - fixed < 30  # the next due column would be too narrow to read
    lines = ["  ".join(f"{head:<{w}}" for head, w in zip(heads, widths)) + ("" if below else "  NEXT DUE")]
    if below:
        lines[0] = lines[0].rstrip()
        lines.append("    NEXT DUE")
    for cell in cells:
        head = "  ".join(f"{text:<{w}}" for text, w in zip(cell, widths))
        if below:
            lines.append(head.rstrip())
            lines += wrap_line("    " + cell[5], width, indent="      ")
        else:
            lines += wrap_line(head + "  " + cell[5], width, indent=" " * fixed)
    lines += pack(legend_parts(catalogue), width)
    lines += wrap_line(f"{len(rows)} case{'s' if len(rows) != 1 else ''} (filter: {filter_name}"
                       f"{FILTER_NOTES.get(filter_name, '')})", width, indent="  ")
    return printable("\n".join(lines)) + "\n"


def _facts(view: CaseView, catalogue: Catalogue) -> list[str]:
    from store.export.readable import injection_fact  # here: `rounds log` prints no case and need not load it

    c = view.case
    facts = [
        f"Case {c.id}  {printable_line(c.patient)}",
        f"  pathways   {', '.join(c.pathways)}",
        f"  status     {c.status}    urgency {status_label(view.urgency or 'unscheduled')}"
        + (f"    alerts {severity_counts(a.severity for a in view.active_alerts)}" if view.active_alerts else ""),
        f"  onset      {c.onset.isoformat()}    enrolled {c.enrolment.isoformat()}",
        f"  injection  {injection_fact(c) or '-'}    site {printable_line(c.site or '-')}",
    ]
    if catalogue.etiologies_for(c.pathways) or catalogue.records_inflammation(c.pathways):
        etiology = f"{c.etiology}" + (f" (set {c.etiology_date.isoformat()})" if c.etiology_date else "")
        since = f" (since {c.inflammation_date.isoformat()})" if c.inflammation_date else ""
        inflammation = f"{c.inflammation}{since}" if c.inflammation else "not recorded"
        facts.append(f"  etiology   {etiology}    inflammation {inflammation}")
    severities = catalogue.severities_for(c.pathways)
    if severities:
        graded = f" (set {c.severity_date.isoformat()})" if c.severity_date else ""
        facts.append(f"  severity   {c.severity or severities[0]}{graded}")
    history = inflammation_changes(c)
    if len(history) > 1:
        facts.append(f"  inflamed   {history_words(history)}")
    if c.note:
        facts.append(f"  note       {printable_line(c.note)}")
    return facts


def _counts(view: CaseView, catalogue: Catalogue) -> list[str]:
    """The course counted against the protocol, for the pathways that count something."""
    parts = counts_parts(view.counts, catalogue.counted(view.case.pathways))
    return ["Counts", *(f"  {p}" for p in parts)] if parts else []


def source_words(provenance: str, sources: tuple[str, ...]) -> str:
    """`literature (shumaker2005)`; a source that is its own provenance (clinic-policy) is named once."""
    keys = [key for key in sources if key != provenance]
    return f"{provenance} ({', '.join(keys)})" if keys else provenance


def _item_lines(item, status: str) -> list[str]:
    lines = [f"      {status:<14} {item.id:<32} {window_text(item.opens, item.closes)}"]
    extra = item_remark(item)
    if extra:
        lines.append(f"      {'':<14} {extra}")
    timing = (f"; timing: {item.window_provenance}" if item.window_provenance not in (None, item.provenance)
              else "")
    lines.append(f"      {'':<14} source: {source_words(item.provenance, item.sources)}{timing}")
    return lines


def _checklist(view: CaseView) -> list[str]:
    lines = ["Checklist"]
    for pathway, items in groupby(view.items, key=lambda i: i.pathway):
        lines.append(f"  {pathway}")
        current, missed = split_missed(items)
        for phase, phase_items in groupby(current, key=lambda i: i.phase):
            lines.append(f"    {phase}")
            for item in phase_items:
                lines += _item_lines(item, status_label(item.status or item.state))
        if missed:
            # Apart from the rest, and not as failures: their windows closed before the case was enrolled.
            symbol = STATUS_LABELS["missed"][0]
            lines.append(f"    {BEFORE_ENROLMENT.lower()} (windows closed before enrolment on "
                         f"{view.case.enrolment.isoformat()}; not overdue)")
            for item in missed:
                lines += _item_lines(item, f"{symbol} missed")
    return lines


def _alerts(view: CaseView) -> list[str]:
    if not view.alerts:
        return ["Alerts", "  none"]
    lines = ["Alerts"]
    for alert in view.alerts:
        if alert.acknowledged is not None:
            # Listed still, but apart: it no longer counts on the board.
            lines.append(f"  (acknowledged) {alert.code}: {alert.message}")
            lines.append(f"    {ack_words(alert.acknowledged)}; undo with: rounds alert {view.case.id} "
                         f"{alert.code} unack")
            continue
        lines.append(f"  {severity_label(alert.severity)} {alert.code}: {alert.message}")
        lines.append(f"    what to do: {alert.action} [{', '.join(alert.sources)}; {alert.provenance}]")
        if alert.past_fact:
            lines.append(f"    a past fact: rounds alert {view.case.id} {alert.code} ack --note TEXT")
    return lines


def _events(view: CaseView) -> list[str]:
    events = sorted(view.case.events, key=lambda e: (e.date, e.seq))
    if not events:
        return ["Events", "  none logged"]
    lines = ["Events"]
    for event in events:
        details = describe_event(event)
        void = f"  VOID ({printable_line(event.void_reason or '')})" if event.voided else ""
        flag = f"  [{view.event_flags[event.id]}]" if event.id in view.event_flags else ""
        lines.append(f"  {event.id:<5} {event.date.isoformat()} {event.kind:<13} {details}{void}{flag}")
    return lines


def _sources(view: CaseView, catalogue: Catalogue) -> list[str]:
    keys = sorted({s for i in view.items for s in i.sources} | {s for a in view.alerts for s in a.sources})
    lines = ["Sources"]
    for key in keys:
        ref = catalogue.references[key]
        caveat = f" {ref.note}" if ref.note else ""
        lines.append(f"  {key}: {PROVENANCE_LABELS[ref.provenance]}.{caveat}")
    return lines


def case_text(view: CaseView, catalogue: Catalogue, width: int | None = None) -> str:
    """The case in words, as wide as the terminal (`width`, default output_width()), wrapped between words."""
    sections = [_facts(view, catalogue), _counts(view, catalogue), _alerts(view), _checklist(view), _events(view),
                _sources(view, catalogue)]
    text = "\n\n".join("\n".join(s) for s in sections if s)
    # Every line is built from escaped parts; this is the backstop for any field added later.
    return printable(wrap_text(text, width or output_width())) + "\n"


def policy_text(policy: Policy) -> str:
    lines = []
    for key, help_text in POLICY_HELP.items():
        lines.append(f"{key:<24} {getattr(policy, key):<6g} {help_text}")
    return "\n".join(lines) + "\n"
