"""The worklist for a clinic session: every item overdue, due or opening in a period, grouped by case,
most urgent first, with the facts a clinician needs at a glance (saline 2 of 3-6, the last lesion
size, the drugs running). Built here; `rounds worklist` and the app's `w` screen show it.

Statuses are those on the first day of the period. A de-identified worklist (no label, hashed case
ids, no free text) carries no date at all: it says "overdue", "due" or "opens in the period" but not
when, so nothing in it can be set against the secret date shift; made for the same period on two
different days, it is the same file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import date, timedelta
from html import escape
from typing import Iterable, Sequence

from checklists.facts import case_facts
from checklists.wording import counts_parts
from checklists.models import CaseView, Event
from seeds.loader import Catalogue
from store.export import readable
from store.export.csv_table import safe_cell

DEFAULT_DAYS = 7  # the default period: today .. today + 7 days
WORKLIST_FORMATS = ("text", "md", "html", "csv")
EXTENSIONS = {"text": "txt", "md": "md", "html": "html", "csv": "csv"}
# What an item is in the period, most urgent first.
KINDS = ("overdue", "due", "opens", "snooze-ends")
KIND_WORDS = {"overdue": "OVERDUE", "due": "DUE", "opens": "OPENS", "snooze-ends": "SNOOZE ENDS"}
_SKIPPED_STATUSES = ("done", "skipped", "missed", "unscheduled")


@dataclass(slots=True, frozen=True)
class WorkItem:
    kind: str  # one of KINDS
    title: str
    opens: date | None
    closes: date | None
    until: date | None  # a snoozed item: the day it comes back
    detail: str | None
    source: str

    @property
    def day(self) -> date:
        """The day that puts it in the period: when it opens, comes back from a snooze, or closed."""
        if self.kind == "snooze-ends" and self.until:
            return self.until
        return self.closes if self.kind == "overdue" else self.opens  # type: ignore[return-value]


@dataclass(slots=True, frozen=True)
class WorkCase:
    case_id: str
    label: str
    pathways: tuple[str, ...]  # titles
    items: tuple[WorkItem, ...]
    facts: tuple[str, ...]  # saline 2 of 3-6, the last lesion size, the drugs running
    alerts: tuple[str, ...]  # "Warning: Saline course stopped short"
    before_enrolment: tuple[str, ...]  # titles of items missed before enrolment

    @property
    def rank(self) -> tuple:
        first = min(self.items, key=lambda i: (KINDS.index(i.kind), i.day))
        return (KINDS.index(first.kind), first.day, self.label.casefold(), self.case_id)


@dataclass(slots=True, frozen=True)
class Worklist:
    start: date
    end: date
    cases: tuple[WorkCase, ...]
    deidentified: bool = False

    @property
    def item_count(self) -> int:
        return sum(len(c.items) for c in self.cases)

    def count_words(self) -> str:
        """`3 cases, 5 items`."""
        return (f"{len(self.cases)} case{'s' if len(self.cases) != 1 else ''}, {self.item_count} item"
                f"{'s' if self.item_count != 1 else ''}")

    def heading(self) -> str:
        count = self.count_words()
        if self.deidentified:
            return f"Rounds worklist, de-identified ({count}; dates withheld)"
        return f"Rounds worklist {self.start.isoformat()} to {self.end.isoformat()} ({count})"


def default_period(today: date, start: date | None = None, end: date | None = None) -> tuple[date, date]:
    """From `start` (default today) to `end` (default start + 7 days)."""
    start = start or today
    return start, end or start + timedelta(days=DEFAULT_DAYS)


# -- building -----------------------------------------------------------------------------------------

def work_items(view: CaseView, start: date, end: date, catalogue: Catalogue) -> list[WorkItem]:
    """The items of one case (evaluated on `start`) that the session has to see to."""
    found = []
    for item in view.items:
        if item.status in _SKIPPED_STATUSES:
            continue
        source = readable.source_names(item.sources, catalogue)
        if item.status == "snoozed":
            if item.until and item.until <= end:
                found.append(WorkItem("snooze-ends", item.title, item.opens, item.closes, item.until,
                                      item.detail, source))
            continue
        if item.opens is None or item.closes is None or item.opens > end:
            continue
        kind = "overdue" if item.closes < start else "due" if item.opens <= start else "opens"
        found.append(WorkItem(kind, item.title, item.opens, item.closes, None, item.detail, source))
    return sorted(found, key=lambda i: (KINDS.index(i.kind), i.day, i.title))


def build_worklist(views: Iterable[CaseView], start: date, end: date, catalogue: Catalogue,
                   deid=None) -> Worklist:
    """The worklist of the cases (each evaluated on `start`, with real dates); `deid` a Deidentifier
    when the worklist is to be de-identified."""
    cases = []
    for view in views:
        items = work_items(view, start, end, catalogue)
        if not items:
            continue
        case = view.case
        facts = key_facts(view, catalogue, dated=deid is None)
        # "saline 2 of 3-6" is said once, in the case's facts; de-identified, only a count is kept
        # (a detail line may hold a date: "graft 1 on ...").
        items = [replace(i, detail=None) if i.detail in facts or (deid and not deid.safe_detail(i.detail)) else i
                 for i in items]
        cases.append(WorkCase(
            case_id=deid.case_id(case.id) if deid else case.id,
            label="" if deid else " ".join(case.patient.split()),
            pathways=tuple(catalogue.pathways[p].title if p in catalogue.pathways else p for p in case.pathways),
            items=tuple(items),
            facts=facts,
            alerts=tuple(f"{a.severity.capitalize()}: {_alert_title(a, catalogue)}" for a in view.alerts
                         if not readable.acknowledgement(a)),
            before_enrolment=tuple(i.title for i in view.items if i.status == "missed"),
        ))
    return Worklist(start, end, tuple(sorted(cases, key=lambda c: c.rank)), deidentified=deid is not None)


def _alert_title(alert, catalogue: Catalogue) -> str:
    definition = catalogue.alert(alert.code)
    return definition.title if definition else alert.code


def key_facts(view: CaseView, catalogue: Catalogue, *, dated: bool = True) -> tuple[str, ...]:
    """What a clinician wants to know before seeing the patient, in a few words each: the counts the
    case's pathways keep (saline 2 of 3-6, injections), the last lesion size, the drugs running."""
    case = view.case
    facts = counts_parts(view.counts, catalogue.counted(case.pathways))
    lesion = _last_lesion(case.live_events("assessment"), dated)
    if lesion:
        facts.append(lesion)
    facts += _running_drugs(case_facts(case, catalogue.drugs).running_drugs(), dated)
    return tuple(facts)


def _last_lesion(assessments: list[Event], dated: bool) -> str | None:
    measured = [a for a in assessments if a.size_mm is not None or a.depth_mm is not None]
    if not measured:
        return None
    last = measured[-1]
    parts = []
    if last.size_mm is not None:
        parts.append(f"{last.size_mm:g} mm across")
    if last.depth_mm is not None:
        parts.append(f"{last.depth_mm:g} mm deep")
    text = "lesion " + ", ".join(parts)
    if last.improvement:
        text += f", improvement {last.improvement}"
    return text + (f" ({last.date.isoformat()})" if dated else "")


def _running_drugs(running: list[Event], dated: bool) -> list[str]:
    """Therapies started and not stopped since (the same drug by any of its names: seeds/drugs.toml)."""
    facts = []
    for event in running:
        if dated:
            drug = " ".join(x for x in (event.drug, event.dose) if x)
            facts.append(f"running {drug} since {event.date.isoformat()}")
        else:
            from store.export.deidentify import safe_dose, safe_drug

            drug = " ".join(x for x in (safe_drug(event.drug), safe_dose(event.dose)) if x)
            facts.append(f"running {drug or 'a drug (name withheld)'}")
    return facts


# -- rendering -----------------------------------------------------------------------------------------

def item_when(item: WorkItem, deidentified: bool) -> str:
    if deidentified:
        return {"overdue": "window closed", "due": "window open now", "opens": "opens in the period",
                "snooze-ends": "snooze ends in the period"}[item.kind]
    window = f"{item.opens.isoformat()} to {item.closes.isoformat()}" if item.opens and item.closes else ""
    if item.kind == "snooze-ends" and item.until is not None:
        return f"back on {item.until.isoformat()}" + (f"; window {window}" if window else "")
    return f"window {window}"


def case_heading(case: WorkCase) -> str:
    name = f"{case.label} · case {case.case_id}" if case.label else f"case {case.case_id}"
    return f"{name} · {'; '.join(case.pathways)}"


def render_text(worklist: Worklist, width: int | None = None) -> str:
    """The worklist as plain text; with `width` (a terminal's), lines wrap between words and a wrapped
    line continues under its own text (under the item's title, for an item), so each stays a block."""
    out: list[str] = []

    def add(line: str, hang: int = 0) -> None:
        out.append(_wrapped(line, width, hang))

    add(worklist.heading())
    add("Most urgent first. OVERDUE: the window has closed; DUE: open now; "
        "OPENS: opens in the period; SNOOZE ENDS: comes back in the period.")
    out.append("")
    if not worklist.cases:
        add("Nothing is due, overdue or opening in this period.")
    for case in worklist.cases:
        add(case_heading(case), 2)
        if case.facts:
            add("  " + " · ".join(case.facts), 4)
        kind_width = max(len(KIND_WORDS[i.kind]) for i in case.items)
        for item in case.items:
            line = f"  {KIND_WORDS[item.kind]:<{kind_width}}  {item.title}: {item_when(item, worklist.deidentified)}"
            if item.detail:
                line += f" ({item.detail})"
            add(line, 4 + kind_width)
        if case.alerts:
            add("  Alerts: " + "; ".join(case.alerts), len("  Alerts: "))
        if case.before_enrolment:
            add("  Before enrolment (missed): " + "; ".join(case.before_enrolment), 4)
        out.append("")
    add(readable.WORKLIST_FOOTER)
    return "\n".join(out) + "\n"


def _wrapped(line: str, width: int | None, hang: int) -> str:
    """`line` wrapped to `width` (none: as it is), continuation lines indented by `hang` spaces."""
    if not width or len(line) <= width:
        return line
    import textwrap

    lead = line[: len(line) - len(line.lstrip(" "))]
    hang = hang if hang < width - 20 else len(lead) + 2
    return "\n".join(textwrap.wrap(line[len(lead):], width, initial_indent=lead, subsequent_indent=" " * hang,
                                   break_long_words=False, break_on_hyphens=False)) or line


def render_md(worklist: Worklist) -> str:
    from store.export.md import esc

    out = [f"# {esc(worklist.heading())}", "",
           "Most urgent first. **OVERDUE**: the window has closed; **DUE**: open now; OPENS: opens in the "
           "period; SNOOZE ENDS: comes back in the period.", ""]
    if not worklist.cases:
        out += ["Nothing is due, overdue or opening in this period.", ""]
    for case in worklist.cases:
        out += [f"## {esc(case_heading(case))}", ""]
        if case.facts:
            out += [esc(" · ".join(case.facts)), ""]
        out += ["| Status | Item | When | Notes |", "|---|---|---|---|"]
        for item in case.items:
            word = KIND_WORDS[item.kind]
            word = f"**{word}**" if item.kind in ("overdue", "due") else word
            out.append(f"| {word} | {esc(item.title)} | {esc(item_when(item, worklist.deidentified))} "
                       f"| {esc(item.detail or '')} |")
        if case.alerts:
            out += ["", "Alerts: " + esc("; ".join(case.alerts))]
        if case.before_enrolment:
            out += ["", "Before enrolment (missed): " + esc("; ".join(case.before_enrolment))]
        out.append("")
    out.append(f"> {esc(readable.WORKLIST_FOOTER)}")
    return "\n".join(out) + "\n"


WORKLIST_CSS = """
@page {
  margin: 14mm 10mm 12mm;
  @top-left { content: %(heading)s; font: 8pt sans-serif; color: #333; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 7.5pt sans-serif; color: #333; }
}
body { font: 8pt/1.2 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #111; margin: 0; }
main { padding: .5em 1em; }
h1 { font-size: 12pt; margin: 0 0 .2em; }
p.key { margin: 0 0 .6em; color: #333; }
section.case { break-inside: avoid; page-break-inside: avoid; margin: 0 0 .4em; }
h2 { font-size: 8.5pt; margin: 0; padding: .15em 0 0; border-top: 1px solid #999; }
p.facts, p.alerts, p.missed { margin: .1em 0; }
table { width: 100%%; border-collapse: collapse; }
td { padding: 0 .3em; vertical-align: top; border-bottom: 1px solid #ddd; }
td.k { width: 7.5em; font-weight: bold; white-space: nowrap; }
td.w { white-space: nowrap; }
.k-overdue { color: #a00000; } .k-due { color: #8a4b00; }
.muted { color: #555; }
footer { margin-top: .8em; font-size: 7.5pt; color: #333; break-before: avoid; }
@media screen { main { max-width: 60em; margin: 0 auto; } }
"""


def render_html(worklist: Worklist) -> str:
    from store.export.html_page import css_string, page_start

    e = escape
    css = WORKLIST_CSS % {"heading": css_string(worklist.heading())}
    out = [
        page_start(worklist.heading(), css).removesuffix("\n"),
        f"<h1>{e(worklist.heading())}</h1>",
        "<p class=\"key\">Most urgent first. <strong>OVERDUE</strong>: the window has closed; <strong>DUE</strong>: "
        "open now; OPENS: opens in the period; SNOOZE ENDS: comes back in the period.</p>",
    ]
    if not worklist.cases:
        out.append("<p>Nothing is due, overdue or opening in this period.</p>")
    for case in worklist.cases:
        out.append(f"<section class=\"case\"><h2>{e(case_heading(case))}</h2>")
        if case.facts:
            out.append(f"<p class=\"facts\">{e(' · '.join(case.facts))}</p>")
        out.append("<table>")
        for item in case.items:
            detail = f" <span class=\"muted\">({e(item.detail)})</span>" if item.detail else ""
            out.append(f"<tr><td class=\"k k-{e(item.kind)}\">{e(KIND_WORDS[item.kind])}</td>"
                       f"<td>{e(item.title)}{detail}</td>"
                       f"<td class=\"w\">{e(item_when(item, worklist.deidentified))}</td></tr>")
        out.append("</table>")
        if case.alerts:
            out.append(f"<p class=\"alerts\"><strong>Alerts:</strong> {e('; '.join(case.alerts))}</p>")
        if case.before_enrolment:
            missed = e("; ".join(case.before_enrolment))
            out.append(f"<p class=\"missed muted\">Before enrolment (missed): {missed}</p>")
        out.append("</section>")
    out.append(f"<footer>{e(readable.WORKLIST_FOOTER)}</footer>\n</main>\n</body>\n</html>\n")
    return "\n".join(out)


CSV_COLUMNS = ("case", "patient", "pathways", "status", "item", "opens", "closes", "snoozed_until", "detail",
               "key_facts", "alerts")
# A de-identified worklist has no date column at all (see the module docstring).
DEID_CSV_COLUMNS = ("case", "pathways", "status", "item", "when", "detail", "key_facts", "alerts")


def render_csv(worklist: Worklist) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(DEID_CSV_COLUMNS if worklist.deidentified else CSV_COLUMNS)
    for case in worklist.cases:
        facts, alerts, pathways = "; ".join(case.facts), "; ".join(case.alerts), "; ".join(case.pathways)
        for item in case.items:
            row: list[object]
            if worklist.deidentified:
                row = [case.case_id, pathways, item.kind, item.title, item_when(item, True), item.detail,
                       facts, alerts]
            else:
                row = [case.case_id, case.label, pathways, item.kind, item.title, item.opens, item.closes,
                       item.until, item.detail, facts, alerts]
            writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()


RENDERERS = {"text": render_text, "md": render_md, "html": render_html, "csv": render_csv}


def render(worklist: Worklist, fmt: str, width: int | None = None) -> str:
    """The worklist in `fmt`; `width` wraps the text format for a terminal (files are never wrapped)."""
    if fmt == "text":
        return render_text(worklist, width)
    return RENDERERS[fmt](worklist)


def included_ids(views: Sequence[CaseView], worklist: Worklist, deid=None) -> list[str]:
    """The real ids of the cases a worklist shows, for the audit trail."""
    shown = {c.case_id for c in worklist.cases}
    return [v.case.id for v in views if (deid.case_id(v.case.id) if deid else v.case.id) in shown]
