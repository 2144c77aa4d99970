"""HTML export: the Markdown summary as one self-contained page that prints on A4 and Letter.

No scripts, no external fetches (a Content-Security-Policy forbids them), inline CSS only; every
string from a case or the catalogue goes through `html.escape`.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

from checklists.models import CaseView
from store.export.context import ExportContext
from store.export.review_note import ReviewNote, html_block, note_for
from store.export.sheet import DISCLAIMER, CaseSheet, build_sheet

# Margins fit both A4 (210 mm) and Letter (216 mm) without a fixed page size. Printed, every page
# carries its case's patient label and id at the top and "Page n of N" at the bottom: @page margin
# boxes and named pages (one per case), which Chromium prints since version 131 (checked by
# printing to PDF in tests/export/test_print_pdf.py). Each case starts on a new page; a section is
# never split from its heading, and the colophon and disclaimer stay with the last section, so no
# page holds only a disclaimer.
CSS = """
@page {
  margin: 16mm 12mm 14mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 7.5pt sans-serif; color: #333; }
  @bottom-left { content: "Rounds: decision support, not a prescriber"; font: 7.5pt sans-serif; color: #555; }
}
* { box-sizing: border-box; }
body { font: 10pt/1.35 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #111; margin: 0; }
main { padding: 1em; }
section.case + section.case { break-before: page; page-break-before: always; }
h1 { font-size: 15pt; margin: 0 0 .3em; }
h1 code { font-size: inherit; }
h2 { font-size: 11.5pt; margin: .9em 0 .3em; border-bottom: 1px solid #999; break-after: avoid; }
h3 { font-size: 10pt; margin: .6em 0 .2em; break-after: avoid; }
.block { break-inside: avoid; page-break-inside: avoid; }
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
tr.void td { color: #666; }
tr.void del { text-decoration: line-through; }
ul.alerts { padding-left: 1.2em; margin: .2em 0; }
ul.alerts li { margin-bottom: .35em; break-inside: avoid; }
.sources li { margin-bottom: .2em; }
.muted { color: #555; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 9pt; }
footer { margin-top: 1em; font-size: 8.5pt; color: #333; border-top: 1px solid #999; padding-top: .3em;
         break-before: avoid; page-break-before: avoid; break-inside: avoid; }
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
}
"""
_HEADER_CHARS = 70  # a running header is one line: a longer label is cut


def page_start(title: str, css: str) -> str:
    """The start of every HTML file Rounds writes (case summaries, worklists, the protocol), up to and
    including `<main>`: a policy that forbids scripts and every fetch, no referrer, inline CSS only."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n<main>\n"
    )


def css_string(text: str) -> str:
    """Text as a CSS string literal: anything but letters, digits and spaces as a hex escape, so a
    patient label can neither end the string nor the <style> element it sits in."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def running_header(sheet: CaseSheet) -> str:
    label = sheet.patient if len(sheet.patient) <= _HEADER_CHARS else sheet.patient[: _HEADER_CHARS - 1] + "…"
    return f"{label} · case {sheet.case_id}" if label else f"case {sheet.case_id}"


def _page_rules(n: int, sheet: CaseSheet) -> str:
    """A named page per case, whose top margin carries that case's label and id on every page."""
    return (f"@page case-{n} {{ @top-left {{ content: {css_string(running_header(sheet))}; "
            "font: 8pt sans-serif; color: #333; } "
            "@top-right { content: \"Rounds case summary\"; font: 8pt sans-serif; color: #555; } }\n"
            f"section.case-{n} {{ page: case-{n}; }}\n")


def render(views: Sequence[CaseView], ctx: ExportContext) -> str:
    colophon = ctx.colophon(len(views)).line()
    sections, pages = [], []
    for n, view in enumerate(views, start=1):
        sheet = build_sheet(view, ctx.catalogue, ctx.deidentified)
        pages.append(_page_rules(n, sheet))
        sections.append(_section(n, sheet, colophon, note_for(view, ctx)))
        ctx.tick()
    title = "Rounds case summary" if len(views) == 1 else f"Rounds case summaries ({len(views)})"
    return (
        page_start(title, CSS + "".join(pages))
        + "\n".join(sections)
        + "\n</main>\n</body>\n</html>\n"
    )


def _section(n: int, sheet: CaseSheet, colophon: str, review: ReviewNote | None = None) -> str:
    e = escape
    out = [f"<section class=\"case case-{n}\">"]
    heading = (f"{e(sheet.patient)} &middot; " if sheet.patient else "") + f"Case <code>{e(sheet.case_id)}</code>"
    out.append(f"<h1>{heading}</h1>")
    out.append("<dl class=\"facts block\">")
    out += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in sheet.facts if k not in ("Case", "Patient")]
    out.append("</dl>")
    out += _course(sheet)
    out += _checklist(sheet)
    out += _alerts(sheet)
    out.append(html_block(review))  # the protocol's review by the clinic (store/export/review_note.py)
    out.append("<div class=\"block\"><h2>Sources</h2><ul class=\"sources\">")
    out += [f"<li>{e(s.line)}</li>" for s in sheet.sources]
    out.append("</ul></div>")
    out.append(f"<footer><p>{e(colophon)}</p><p><strong>{e(DISCLAIMER)}</strong></p></footer>")
    out.append("</section>")
    return "\n".join(out)


def _course(sheet: CaseSheet) -> list[str]:
    e = escape
    out = ["<div class=\"block\"><h2>Course so far</h2>"]
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
                out.append(f"<tr><td class=\"date\">{e(row.date)}</td><td>{e(row.what)}</td>"
                           f"<td>{e(row.details)}{flag}</td></tr>")
        out.append("</tbody></table>")
    else:
        out.append("<p class=\"muted\">No events recorded yet.</p>")
    out.append("</div>")
    return out


def _checklist(sheet: CaseSheet) -> list[str]:
    e = escape
    out = ["<div class=\"block\"><h2>Checklist</h2>",
           "<table class=\"checklist\"><thead><tr><th>Status</th><th>Item</th><th>When</th><th>Notes</th>"
           "<th>Source</th></tr></thead><tbody>"]
    for row in sheet.checklist:
        if row.before_enrolment:
            continue
        out.append(
            f"<tr><td class=\"st st-{e(row.status)}\">{e(row.status_word)}</td><td>{e(row.title)}</td>"
            f"<td class=\"window\">{e(row.window)}</td><td>{e(row.remark)}</td><td>{e(row.source_label)}</td></tr>"
        )
    out.append("</tbody></table>")
    missed = [row for row in sheet.checklist if row.before_enrolment]
    if missed:
        out.append("<h3>Before enrolment</h3><p class=\"muted\">Time-point checks whose whole window closed "
                   "before the case was enrolled:</p><ul>")
        out += [f"<li>{e(row.title)} ({e(row.window)}); source: {e(row.source_label)}</li>" for row in missed]
        out.append("</ul>")
    out.append("</div>")
    return out


def _alerts(sheet: CaseSheet) -> list[str]:
    active = [a for a in sheet.alerts if not a.acknowledged]
    acknowledged = [a for a in sheet.alerts if a.acknowledged]
    out = ["<div class=\"block\"><h2>Alerts</h2>"]
    out += _alert_list(active) if active else ["<p class=\"muted\">No active alerts.</p>"]
    if acknowledged:
        out.append("<h3>Acknowledged alerts</h3>")
        out += _alert_list(acknowledged)
    out.append("</div>")
    return out


def _alert_list(alerts) -> list[str]:
    e = escape
    out = ["<ul class=\"alerts\">"]
    for a in alerts:
        ack = f"<br><em>{e(a.acknowledged)}</em>" if a.acknowledged else ""
        out.append(
            f"<li><strong class=\"sev-{e(a.severity)}\">{e(a.severity.capitalize())}:</strong> "
            f"{e(a.title)}{'<br>' + e(a.message) if a.message else ''}{ack}<br>"
            f"<strong>What to do:</strong> {e(a.action)} "
            f"<span class=\"muted\">(source: {e(a.source_label)})</span></li>"
        )
    out.append("</ul>")
    return out
