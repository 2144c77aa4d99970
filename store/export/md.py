"""Markdown export: a one-page clinical summary per case that pastes into a referral letter as it is."""

from __future__ import annotations

import re
from typing import Sequence

from checklists.models import CaseView
from checklists.text import printable_line
from store.export.context import ExportContext
from store.export.review_note import ReviewNote, md_lines, note_for
from store.export.sheet import DISCLAIMER, CaseSheet, build_sheet

# Punctuation that Markdown (CommonMark/GFM) could read as markup or raw HTML inside a line.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")


def esc(text: str) -> str:
    """Text as literal Markdown: markup characters backslash-escaped, one line, controls shown as escapes."""
    return _SPECIAL.sub(r"\\\1", printable_line(str(text)))


def render(views: Sequence[CaseView], ctx: ExportContext) -> str:
    colophon = ctx.colophon(len(views)).line()
    pages = []
    for view in views:
        pages.append(_page(build_sheet(view, ctx.catalogue, ctx.deidentified), colophon, note_for(view, ctx)))
        ctx.tick()
    return "\n\n---\n\n".join(pages) + "\n"


def _page(sheet: CaseSheet, colophon: str, review: ReviewNote | None = None) -> str:
    title = f"# {esc(sheet.patient)} · case {esc(sheet.case_id)}" if sheet.patient else f"# Case {esc(sheet.case_id)}"
    out = [title, ""]
    out += [f"- **{label}:** {esc(value)}" for label, value in sheet.facts if label not in ("Case", "Patient")]
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
    plan = [item for item in sheet.checklist if not item.before_enrolment]
    missed = [item for item in sheet.checklist if item.before_enrolment]
    out += ["", "## Checklist", "", "| Status | Item | When | Notes | Source |", "|---|---|---|---|---|"]
    for item in plan:
        status = f"**{item.status_word}**" if item.status in ("overdue", "due") else item.status_word
        out.append(f"| {status} | {esc(item.title)} | {item.window} | {esc(item.remark)} | {esc(item.source_label)} |")
    if missed:
        out += ["", "### Before enrolment", "",
                "Time-point checks whose whole window closed before the case was enrolled:", ""]
        out += [f"- {esc(item.title)} ({item.window}); source: {esc(item.source_label)}" for item in missed]
    active = [a for a in sheet.alerts if not a.acknowledged]
    acknowledged = [a for a in sheet.alerts if a.acknowledged]
    out += ["", "## Alerts", ""]
    if active:
        for alert in active:
            out += _alert(alert)
    else:
        out.append("No active alerts.")
    if acknowledged:
        out += ["", "### Acknowledged alerts", ""]
        for alert in acknowledged:
            out += _alert(alert)
    out += md_lines(review, esc)  # the protocol's review by the clinic (store/export/review_note.py)
    out += ["", "## Sources", ""]
    out += [f"- {esc(source.line)}" for source in sheet.sources]
    out += ["", f"*{esc(colophon)}*", "", f"> {esc(DISCLAIMER)}"]
    return "\n".join(out)


def _alert(alert) -> list[str]:
    lines = [f"- **{alert.severity.capitalize()}:** {esc(alert.title)}"]
    if alert.message:
        lines.append(f"  - {esc(alert.message)}")
    if alert.acknowledged:
        lines.append(f"  - {esc(alert.acknowledged)}")
    lines.append(f"  - What to do: {esc(alert.action)}")
    lines.append(f"  - Source: {esc(alert.source_label)}")
    return lines
