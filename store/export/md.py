"""Markdown export: a one-page clinical summary per case, readable as plain text and rendered."""

from __future__ import annotations

import re
from typing import Sequence

from checklists.models import CaseView
from checklists.text import printable_line
from store.export.context import ExportContext
from store.export.sheet import DISCLAIMER, PROVENANCE_WORDS, CaseSheet, build_sheet

# Punctuation that Markdown (CommonMark/GFM) could read as markup or raw HTML inside a line.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")


def esc(text: str) -> str:
    """Text as literal Markdown: markup characters backslash-escaped, one line, controls shown as escapes."""
    return _SPECIAL.sub(r"\\\1", printable_line(str(text)))


def render(views: Sequence[CaseView], ctx: ExportContext) -> str:
    colophon = ctx.colophon(len(views)).line()
    pages = []
    for view in views:
        pages.append(_page(build_sheet(view, ctx.catalogue, ctx.deidentified), colophon))
        ctx.tick()
    return "\n\n---\n\n".join(pages) + "\n"


def _page(sheet: CaseSheet, colophon: str) -> str:
    title = f"# Case {esc(sheet.case_id)}" + (f" · {esc(sheet.patient)}" if sheet.patient else "")
    out = [title, ""]
    out += [f"- **{label}:** {esc(value)}" for label, value in sheet.facts if label != "Case"]
    out += ["", "## Course so far", ""]
    if sheet.counts:
        out += ["Counts against the protocol: " + esc(" · ".join(sheet.counts)), ""]
    if sheet.course:
        out += ["| Date | Event | Details |", "|---|---|---|"]
        for row in sheet.course:
            if row.voided:
                reason = f"VOID ({esc(row.void_reason)})" if row.void_reason else "VOID"
                out.append(f"| ~~{row.date}~~ | ~~{esc(row.what)}~~ | {reason} ~~{esc(row.details)}~~ |")
            else:
                out.append(f"| {row.date} | {esc(row.what)} | {esc(row.details)} |")
    else:
        out.append("No events recorded yet.")
    out += ["", "## Checklist", "", "| Status | Item | Window | Notes | Source |", "|---|---|---|---|---|"]
    for row in sheet.checklist:
        status = f"**{row.status_word}**" if row.status in ("overdue", "due") else row.status_word
        out.append(
            f"| {status} | {esc(row.title)} (`{row.item_id}`) | {row.window} | {esc(row.remark)} "
            f"| {esc(row.source_label)} |"
        )
    out += ["", "## Alerts", ""]
    if sheet.alerts:
        for alert in sheet.alerts:
            message = f": {esc(alert.message)}" if alert.message else ""
            out.append(f"- **{alert.severity.upper()}** `{alert.code}` {esc(alert.title)}{message}")
            out.append(f"  - What to do: {esc(alert.action)}")
            out.append(f"  - Sources: {esc(', '.join(alert.sources))}")
    else:
        out.append("No active alerts.")
    out += ["", "## Sources", ""]
    for source in sheet.sources:
        level = PROVENANCE_WORDS.get(source.provenance, source.provenance)
        line = f"- **{esc(source.key)}**, {esc(level)}: {esc(source.citation)}"
        if source.note:
            line += f" *{esc(source.note)}*"
        out.append(line)
    out += ["", f"*{esc(colophon)}*", "", f"> {esc(DISCLAIMER)}"]
    return "\n".join(out)
