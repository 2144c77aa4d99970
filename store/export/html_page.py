"""HTML export: the Markdown summary as one self-contained page that prints on A4 and Letter.

No scripts, no external fetches (a Content-Security-Policy forbids them), inline CSS only; every
string from a case or the catalogue goes through `html.escape`.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

from checklists.models import CaseView
from store.export.context import ExportContext
from checklists.wording import PROVENANCE_LABELS
from checklists.wording import BEFORE_ENROLMENT
from store.export.sheet import DISCLAIMER, CaseSheet, ChecklistRow, build_sheet

# Margins fit both A4 (210 mm) and Letter (216 mm) without a fixed page size; one case per page.
CSS = """
@page { margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font: 10pt/1.35 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #111; margin: 0; }
main { padding: 1em; }
section.case { page-break-after: always; break-after: page; }
section.case:last-child { page-break-after: auto; break-after: auto; }
h1 { font-size: 15pt; margin: 0 0 .3em; }
h1 code { font-size: inherit; }
h2 { font-size: 11.5pt; margin: .9em 0 .3em; border-bottom: 1px solid #999; }
dl.facts { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: .1em .8em; margin: 0; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { width: 100%; border-collapse: collapse; table-layout: auto; }
th, td { text-align: left; vertical-align: top; padding: .15em .35em; border-bottom: 1px solid #ccc;
         overflow-wrap: break-word; }
th { background: #eee; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.date, td.window { white-space: nowrap; }
.st { font-weight: bold; white-space: nowrap; }
.st-overdue, .sev-critical { color: #a00000; }
.st-due, .sev-warning { color: #8a4b00; }
.st-done, .st-skipped, .st-missed { color: #555; font-weight: normal; }
li.acknowledged { color: #666; }
tr.void td { color: #666; }
tr.void del { text-decoration: line-through; }
ul.alerts { padding-left: 1.2em; margin: .2em 0; }
ul.alerts li { margin-bottom: .35em; break-inside: avoid; }
.sources li { margin-bottom: .2em; }
.muted { color: #555; }
.nw { white-space: nowrap; }
table.checklist .c-item { min-width: 12em; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 9pt; }
footer { margin-top: 1em; font-size: 8.5pt; color: #333; border-top: 1px solid #999; padding-top: .3em; }
@media screen { main { max-width: 60em; margin: 0 auto; } section.case { margin-bottom: 3em; } }
@media print {
  /* One case to a page where it can be: smaller type and tighter rows than on screen. */
  body { font-size: 8.5pt; line-height: 1.25; }
  main { padding: 0; }
  h1 { font-size: 13pt; }
  h2 { font-size: 10pt; margin: .6em 0 .2em; }
  th, td { padding: .05em .3em; }
  code { font-size: 7.5pt; }
  footer { font-size: 7.5pt; margin-top: .6em; }
  ul.sources { font-size: 7.5pt; margin: .2em 0; }
  ul.alerts li { margin-bottom: .2em; }
  footer p { margin: .2em 0; }
  .item-id { display: none; }  /* the slugs are for typing commands, not for the paper */
}
"""


def render(views: Sequence[CaseView], ctx: ExportContext) -> str:
    colophon = ctx.colophon(len(views)).line()
    sections = []
    for view in views:
        sections.append(_section(build_sheet(view, ctx.catalogue, ctx.deidentified), colophon))
        ctx.tick()
    title = "Rounds case summary" if len(views) == 1 else f"Rounds case summaries ({len(views)})"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(sections)
        + "\n</main>\n</body>\n</html>\n"
    )


def _sources(row) -> str:
    """Provenance and source keys; a key is never broken across lines (`seed-` / `001`)."""
    keys = ", ".join(f"<span class=\"nw\">{escape(k)}</span>" for k in row.sources)
    if row.sources == (row.provenance,):
        return keys
    return f"{escape(row.provenance)}: {keys}"


def _checklist_table(rows: tuple[ChecklistRow, ...]) -> list[str]:
    e = escape
    out = ["<table class=\"checklist\"><thead><tr><th class=\"c-status\">Status</th>"
           "<th class=\"c-item\">Item</th><th>Window</th><th class=\"c-notes\">Notes</th>"
           "<th class=\"c-source\">Source</th></tr></thead><tbody>"]
    for row in rows:
        out.append(
            f"<tr><td class=\"st st-{e(row.status)}\">{e(row.status_word)}</td>"
            f"<td>{e(row.title)} <code class=\"muted item-id\">{e(row.item_id)}</code></td>"
            f"<td class=\"window\">{e(row.window)}</td><td>{e(row.remark)}</td>"
            f"<td>{_sources(row)}</td></tr>"
        )
    out.append("</tbody></table>")
    return out


def _section(sheet: CaseSheet, colophon: str) -> str:
    e = escape
    out = ["<section class=\"case\">"]
    heading = f"Case <code>{e(sheet.case_id)}</code>" + (f" &middot; {e(sheet.patient)}" if sheet.patient else "")
    out.append(f"<h1>{heading}</h1>")
    out.append("<dl class=\"facts\">")
    out += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in sheet.facts if k != "Case"]
    out.append("</dl>")

    out.append("<h2>Course so far</h2>")
    if sheet.counts:
        out.append(f"<p>Counts against the protocol: <strong>{e(' · '.join(sheet.counts))}</strong></p>")
    if sheet.course:
        out.append("<table><thead><tr><th>Date</th><th>Event</th><th>Details</th></tr></thead><tbody>")
        for row in sheet.course:
            if row.voided:
                reason = f"VOID ({e(row.void_reason)}) " if row.void_reason else "VOID "
                out.append(
                    f"<tr class=\"void\"><td class=\"date\"><del>{e(row.date)}</del></td><td><del>{e(row.what)}</del>"
                    f"</td><td>{reason}<del>{e(row.details)}</del></td></tr>"
                )
            else:
                flag = f" <strong>({e(row.flag)})</strong>" if row.flag else ""
                out.append(
                    f"<tr><td class=\"date\">{e(row.date)}</td><td>{e(row.what)}</td><td>{e(row.details)}{flag}</td></tr>"
                )
        out.append("</tbody></table>")
    else:
        out.append("<p class=\"muted\">No events recorded yet.</p>")

    out.append("<h2>Checklist</h2>")
    out += _checklist_table(sheet.checklist)
    if sheet.before_enrolment:
        out.append(f"<h3>{e(BEFORE_ENROLMENT)}</h3>")
        out.append("<p class=\"muted\">Time-point items whose windows closed before the case was enrolled: "
                   "missed, not overdue.</p>")
        out += _checklist_table(sheet.before_enrolment)

    out.append("<h2>Alerts</h2>")
    if sheet.alerts:
        out.append("<ul class=\"alerts\">")
        for a in sheet.alerts:
            if a.acknowledged:
                out.append(
                    f"<li class=\"acknowledged\"><del>{e(a.severity.upper())} <code>{e(a.code)}</code> "
                    f"{e(a.title)}</del> ({e(a.acknowledged)})</li>"
                )
                continue
            out.append(
                f"<li><strong class=\"sev-{e(a.severity)}\">{e(a.severity.upper())}</strong> "
                f"<code>{e(a.code)}</code> {e(a.title)}{': ' + e(a.message) if a.message else ''}<br>"
                f"<strong>What to do:</strong> {e(a.action)} "
                f"<span class=\"muted\">(sources: {e(', '.join(a.sources))})</span></li>"
            )
        out.append("</ul>")
    else:
        out.append("<p class=\"muted\">No active alerts.</p>")

    out.append("<h2>Sources</h2><ul class=\"sources\">")
    for s in sheet.sources:
        level = PROVENANCE_LABELS.get(s.provenance, s.provenance)
        note = f" <em>{e(s.note)}</em>" if s.note else ""
        out.append(f"<li><strong>{e(s.key)}</strong>, {e(level)}: {e(s.citation)}{note}</li>")
    out.append("</ul>")
    out.append(f"<footer><p>{e(colophon)}</p><p><strong>{e(DISCLAIMER)}</strong></p></footer>")
    out.append("</section>")
    return "\n".join(out)
