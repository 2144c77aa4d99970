"""Markdown export: a one-page clinical summary per case, readable as plain text and rendered."""

from __future__ import annotations

import re
from typing import Sequence

from checklists.models import CaseView
from store.export.context import ExportContext
from checklists.wording import PROVENANCE_LABELS
from checklists.wording import BEFORE_ENROLMENT
from store.export.sheet import DISCLAIMER, CaseSheet, ChecklistRow, build_sheet

# Punctuation that Markdown (CommonMark/GFM) could read as markup or raw HTML inside a line.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")


def esc(text: str) -> str:
    """Text as literal Markdown: markup characters backslash-escaped, one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def render(views: Sequence[CaseView], ctx: ExportContext) -> str:
    colophon = ctx.colophon(len(views)).line()
    pages = []
    for view in views:
        pages.append(_page(build_sheet(view, ctx.catalogue, ctx.deidentified), colophon))
        ctx.tick()
    return "\n\n---\n\n".join(pages) + "\n"


def _checklist_line(row: ChecklistRow) -> str:
    status = f"**{row.status_word}**" if row.status in ("overdue", "due") else row.status_word
    return (f"| {status} | {esc(row.title)} (`{row.item_id}`) | {row.window} | {esc(row.remark)} "
            f"| {esc(row.source_label)} |")


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
                flag = f" ({esc(row.flag)})" if row.flag else ""
                out.append(f"| {row.date} | {esc(row.what)} | {esc(row.details)}{flag} |")
    else:
        out.append("No events recorded yet.")
    out += ["", "## Checklist", "", "| Status | Item | Window | Notes | Source |", "|---|---|---|---|---|"]
    out += [_checklist_line(row) for row in sheet.checklist]
    if sheet.before_enrolment:
        out += ["", f"### {BEFORE_ENROLMENT}", "",
                "Time-point items whose windows closed before the case was enrolled: missed, not overdue.", "",
                "| Status | Item | Window | Notes | Source |", "|---|---|---|---|---|"]
        out += [_checklist_line(row) for row in sheet.before_enrolment]
    out += ["", "## Alerts", ""]
    if sheet.alerts:
        for alert in sheet.alerts:
            message = f": {esc(alert.message)}" if alert.message else ""
            if alert.acknowledged:
                # Listed, but apart from what still counts: struck through, with who, when and why.
                out.append(f"- ~~{alert.severity.upper()} `{alert.code}` {esc(alert.title)}~~ "
                           f"({esc(alert.acknowledged)})")
                continue
            out.append(f"- **{alert.severity.upper()}** `{alert.code}` {esc(alert.title)}{message}")
            out.append(f"  - What to do: {esc(alert.action)}")
            out.append(f"  - Sources: {esc(', '.join(alert.sources))}")
    else:
        out.append("No active alerts.")
    out += ["", "## Sources", ""]
    for source in sheet.sources:
        level = PROVENANCE_LABELS.get(source.provenance, source.provenance)
        line = f"- **{esc(source.key)}**, {esc(level)}: {esc(source.citation)}"
        if source.note:
            line += f" *{esc(source.note)}*"
        out.append(line)
    out += ["", f"*{esc(colophon)}*", "", f"> {esc(DISCLAIMER)}"]
    return "\n".join(out)
