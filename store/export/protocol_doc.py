"""The protocol document (`rounds pathways show`) as text, Markdown, HTML or JSON.

Each rendering only lays out `checklists.protocol.PathwayProtocol`, which is written from the pathway
data and the rules modules, so the four say the same thing. The HTML page is self-contained (no
scripts, no fetches) and prints with a box beside every rule for the reviewer's decision and signature.
"""

from __future__ import annotations

import textwrap
from datetime import date
from html import escape

import orjson

from checklists.protocol import PathwayProtocol, RuleText, protocol_json
from checklists.signoff import REVIEW_LABELS
from checklists.wording import provenance_label, severity_label
from store.export.html_page import page_start
from store.export.md import esc

FORMATS = ("text", "md", "html", "json")
WIDTH = 80
_LABEL = 12  # the label column of the text rendering


def review_command(pathway_id: str) -> str:
    return f"rounds pathways review {pathway_id} RULE accept|reject|comment --note TEXT"


def marks_legend() -> str:
    return " · ".join(f"{marker} {word.lower()}" for marker, word, _ in REVIEW_LABELS.values())


def review_lines(rule: RuleText) -> list[str]:
    """The review of one rule in words: decision, comments, and whether it is switched off."""
    review = rule.review
    lines = [review.sentence() + (f": {_one_line(review.note)}" if review.note else "")]
    lines += [f"comment by {c.by} on {c.on.isoformat()}: {_one_line(c.note)}" for c in review.comments]
    if rule.disabled is not None:
        d = rule.disabled
        lines.append(f"SWITCHED OFF for this clinic since {d.on.isoformat()} by {d.by}: {_one_line(d.reason)} "
                     f"(rounds pathways enable {rule.ref.pathway} {rule.ref.id})")
    return lines


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def rule_fields(rule: RuleText) -> list[tuple[str, str]]:
    """(label, text) pairs of one rule, in reading order; shared by every rendering."""
    fields: list[tuple[str, str]] = []
    if rule.ref.kind == "item":
        fields.append(("Phase", rule.phase or ""))
        fields.append(("When", rule.when))
        fields.append(("Completed", rule.completes))
        fields += [("Applies", c) for c in rule.conditions]
        fields.append(("Late", rule.late or ""))
        fields.append(("Why", rule.rationale))
        if rule.note:
            fields.append(("Note", rule.note))
    else:
        fields.append(("Severity", severity_label(rule.severity or "")))
        fields.append(("Raised when", rule.conditions[0]))
        fields.append(("What to do", rule.action))
    fields.append(("Sources", f"{', '.join(rule.sources)}: {provenance_label(rule.provenance)}"))
    return fields


def _heading(rule: RuleText) -> str:
    off = " (switched off for this clinic)" if rule.disabled is not None else ""
    return f"{rule.review.marker} {rule.ref.id}: {rule.title}{off}"


# --- text ----------------------------------------------------------------------------------------------


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(_one_line(text), WIDTH, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False) or [first.rstrip()]


def _field(label: str, text: str) -> list[str]:
    return _wrap(text, f"  {label:<{_LABEL}}", " " * (_LABEL + 2))


def _text_rule(rule: RuleText) -> list[str]:
    lines = _wrap(_heading(rule), "", "    ")
    review = review_lines(rule)
    lines += _field("Review", f"{review[0]} · rule {rule.rule_hash[:12]}")
    for more in review[1:]:
        lines += _field("", more)
    for label, text in rule_fields(rule):
        lines += _field(label, text)
    return lines + [""]


def _section(title: str) -> list[str]:
    return [title.upper(), "-" * len(title), ""]


def render_text(doc: PathwayProtocol, today: date) -> str:
    out = _wrap(f"Rounds protocol: {doc.title}", "", "  ")
    out.append("=" * min(WIDTH, max(len(line) for line in out)))
    out += _wrap(f"{doc.id} ({doc.short}) · {doc.origin} · as of {today.isoformat()}", "", "  ")
    out.append("")
    out += _wrap(doc.summary, "", "")
    out += _wrap(f"Onset means: {doc.onset}.", "", "  ")
    out += _wrap(f"Dates it uses: {doc.anchors}.", "", "  ")
    out.append("")
    out += _wrap(f"Clinic review: {doc.review.words()}{_reviewers(doc)}.", "", "  ")
    out += _wrap(f"Marks: {marks_legend()}", "", "  ")
    out += _wrap(f"Record a decision: {review_command(doc.id)}", "", "  ")
    out.append("")
    out += _section(f"Items ({len(doc.items)})")
    for rule in doc.items:
        out += _text_rule(rule)
    out += _section(f"Alerts ({len(doc.alerts)})")
    if not doc.alerts:
        out += ["  This pathway raises no alerts.", ""]
    for rule in doc.alerts:
        out += _text_rule(rule)
    out += _section("Clinic policy in effect (this database)")
    unused = []
    for line in doc.policy:
        if not line.used_by:
            unused.append(f"{line.key} {line.value}")
            continue
        out += _wrap(f"{line.key} = {line.value}: {line.meaning}", "  ", "      ")
        out += _wrap(f"used by: {', '.join(line.used_by)}", "      ", "      ")
    if unused:
        out += _wrap(f"Not used by this pathway: {', '.join(unused)}", "  ", "      ")
    out += _wrap("Change one with: rounds config set KEY VALUE (audited; applies to every case at once)",
                 "  ", "    ")
    out.append("")
    out += _section("Sources")
    for source in doc.sources:
        out += _wrap(f"{source.key} · {source.level}", "  ", "    ")
        out += _wrap(source.citation, "    ", "    ")
        if source.note:
            out += _wrap(source.note, "    ", "    ")
        out += _wrap(f"cited by: {', '.join(source.cited_by)}", "    ", "    ")
    return "\n".join(out).rstrip() + "\n"


def _reviewers(doc: PathwayProtocol) -> str:
    if not doc.review.reviewers:
        return ""
    return " (reviewed by " + ", ".join(f"{by} {on.isoformat()}" for by, on in doc.review.reviewers) + ")"


# --- Markdown ------------------------------------------------------------------------------------------


def _md_rule(rule: RuleText) -> list[str]:
    out = [f"### {esc(_heading(rule))}", ""]
    review = review_lines(rule)
    out.append(f"- **Review:** {esc(review[0])} (rule `{rule.rule_hash[:12]}`)")
    out += [f"  - {esc(more)}" for more in review[1:]]
    for label, text in rule_fields(rule):
        out.append(f"- **{label}:** {esc(text)}")
    return out + [""]


def render_md(doc: PathwayProtocol, today: date) -> str:
    out = [f"# Rounds protocol: {esc(doc.title)}", "",
           f"`{doc.id}` ({esc(doc.short)}) · {esc(doc.origin)} · as of {today.isoformat()}", "",
           esc(doc.summary), "",
           f"- **Onset means:** {esc(doc.onset)}", f"- **Dates it uses:** {esc(doc.anchors)}",
           f"- **Clinic review:** {esc(doc.review.words() + _reviewers(doc))}",
           f"- **Marks:** {esc(marks_legend())}",
           f"- **Record a decision:** `{review_command(doc.id)}`", ""]
    out += [f"## Items ({len(doc.items)})", ""]
    for rule in doc.items:
        out += _md_rule(rule)
    out += [f"## Alerts ({len(doc.alerts)})", ""]
    if not doc.alerts:
        out += ["This pathway raises no alerts.", ""]
    for rule in doc.alerts:
        out += _md_rule(rule)
    out += ["## Clinic policy in effect (this database)", "", "| Key | Value | Meaning | Used by |",
            "|---|---|---|---|"]
    for policy in doc.policy:
        used = ", ".join(policy.used_by) or "not used by this pathway"
        out.append(f"| `{policy.key}` | {esc(policy.value)} | {esc(policy.meaning)} | {esc(used)} |")
    out += ["", "## Sources", ""]
    for source in doc.sources:
        line = f"- **{esc(source.key)}**, {esc(source.level)}: {esc(source.citation)}"
        if source.note:
            line += f" *{esc(source.note)}*"
        out.append(line + f" Cited by: {esc(', '.join(source.cited_by))}.")
    return "\n".join(out) + "\n"


# --- HTML ----------------------------------------------------------------------------------------------

CSS = """
@page { margin: 14mm 12mm; }
body { font: 10pt/1.4 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #111; margin: 0; }
main { padding: 1em; max-width: 60em; margin: 0 auto; }
h1 { font-size: 15pt; margin: 0 0 .3em; }
h2 { font-size: 12pt; margin: 1.2em 0 .4em; border-bottom: 1px solid #999; }
h3 { font-size: 10.5pt; margin: 0 0 .2em; }
section.rule { border: 1px solid #bbb; padding: .4em .6em; margin: 0 0 .6em; break-inside: avoid;
               page-break-inside: avoid; }
section.rule.disabled { border-style: dashed; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1em .8em; margin: .2em 0; }
dt { font-weight: bold; }
dd { margin: 0; overflow-wrap: anywhere; }
.review { font-weight: bold; }
.sign { margin-top: .4em; padding-top: .3em; border-top: 1px dotted #999; color: #333; }
.sign span { display: inline-block; min-width: 12em; border-bottom: 1px solid #666; margin-right: 1em; }
.sign span.date { min-width: 6em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .15em .35em; border-bottom: 1px solid #ccc; }
th { background: #eee; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 9pt; }
.muted { color: #555; }
"""


def _html_rule(rule: RuleText) -> str:
    e = escape
    review = review_lines(rule)
    classes = "rule disabled" if rule.disabled is not None else "rule"
    out = [f"<section class=\"{classes}\" id=\"{e(rule.ref.kind)}-{e(rule.ref.id)}\">",
           f"<h3>{e(rule.review.marker)} <code>{e(rule.ref.id)}</code> {e(rule.title)}"
           f"{' (switched off for this clinic)' if rule.disabled is not None else ''}</h3>", "<dl>",
           f"<dt>Review</dt><dd class=\"review\">{e(review[0])} "
           f"<span class=\"muted\">(rule <code>{e(rule.rule_hash[:12])}</code>)</span></dd>"]
    out += [f"<dt></dt><dd>{e(more)}</dd>" for more in review[1:]]
    out += [f"<dt>{e(label)}</dt><dd>{e(text)}</dd>" for label, text in rule_fields(rule)]
    out.append("</dl>")
    out.append("<p class=\"sign\">Clinic decision: &#9744; accept &#9744; reject &nbsp; Note: <span></span> "
               "Signed: <span></span> Date: <span class=\"date\"></span></p>")
    out.append("</section>")
    return "\n".join(out)


def render_html(doc: PathwayProtocol, today: date) -> str:
    e = escape
    body = [f"<h1>Rounds protocol: {e(doc.title)}</h1>",
            f"<p><code>{e(doc.id)}</code> ({e(doc.short)}) &middot; {e(doc.origin)} &middot; as of "
            f"{e(today.isoformat())}</p>",
            f"<p>{e(doc.summary)}</p>", "<dl>",
            f"<dt>Onset means</dt><dd>{e(doc.onset)}</dd>",
            f"<dt>Dates it uses</dt><dd>{e(doc.anchors)}</dd>",
            f"<dt>Clinic review</dt><dd class=\"review\">{e(doc.review.words() + _reviewers(doc))}</dd>",
            f"<dt>Marks</dt><dd>{e(marks_legend())}</dd>",
            f"<dt>Record a decision</dt><dd><code>{e(review_command(doc.id))}</code></dd>", "</dl>",
            f"<h2>Items ({len(doc.items)})</h2>"]
    body += [_html_rule(rule) for rule in doc.items]
    body.append(f"<h2>Alerts ({len(doc.alerts)})</h2>")
    if not doc.alerts:
        body.append("<p class=\"muted\">This pathway raises no alerts.</p>")
    body += [_html_rule(rule) for rule in doc.alerts]
    body.append("<h2>Clinic policy in effect (this database)</h2>")
    body.append("<table><thead><tr><th>Key</th><th>Value</th><th>Meaning</th><th>Used by</th></tr></thead><tbody>")
    for line in doc.policy:
        used = ", ".join(line.used_by) or "not used by this pathway"
        body.append(f"<tr><td><code>{e(line.key)}</code></td><td>{e(line.value)}</td><td>{e(line.meaning)}</td>"
                    f"<td>{e(used)}</td></tr>")
    body.append("</tbody></table>")
    body.append("<h2>Sources</h2><ul>")
    for source in doc.sources:
        note = f" <em>{e(source.note)}</em>" if source.note else ""
        body.append(f"<li><strong>{e(source.key)}</strong>, {e(source.level)}: {e(source.citation)}{note} "
                    f"<span class=\"muted\">Cited by: {e(', '.join(source.cited_by))}.</span></li>")
    body.append("</ul>")
    title = f"Rounds protocol: {doc.title}"
    return (
        page_start(title, CSS)
        + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
    )


def render_json(doc: PathwayProtocol, today: date) -> str:
    data = {"as_of": today.isoformat(), **protocol_json(doc)}
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"


RENDERERS = {"text": render_text, "md": render_md, "html": render_html, "json": render_json}


def render(doc: PathwayProtocol, fmt: str, today: date) -> str:
    return RENDERERS[fmt](doc, today)
