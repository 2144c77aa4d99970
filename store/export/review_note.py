"""What a letter or handout says about the protocol behind it: one line on whether the clinic has
reviewed the rules of the case's pathways (and who did), and the rules not accepted by the clinic
that produced an item or alert in this case. Kept apart from the page layouts (md.py, html_page.py),
which each add it with one call.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from checklists.models import CaseView
from checklists.signoff import RuleRef, Signoff, tally, with_reviews
from seeds.loader import Catalogue


@dataclass(slots=True, frozen=True)
class ReviewNote:
    line: str
    unaccepted: tuple[str, ...]  # "Six-month review (not yet reviewed)", for rules that produced something here


def review_note(view: CaseView, catalogue: Catalogue, signoff: Signoff, deidentified: bool = False) -> ReviewNote:
    pathways = [p for p in view.case.pathways if p in catalogue.pathways]
    review = tally(signoff, signoff.refs(pathways))
    # Login names and review dates say who worked where and when: not in a de-identified export.
    who = "" if deidentified or not review.reviewers else " (by " + ", ".join(by for by, _ in review.reviewers) + ")"
    if review.complete:
        line = f"Protocol: every rule behind this summary ({review.total}) is reviewed and accepted by the clinic{who}."
    elif review.accepted == 0 and not review.counts.get("rejected") and not review.counts.get("changed"):
        line = (f"Protocol: the clinic has not yet reviewed the rules behind this summary "
                f"(0 of {review.total} accepted).")
    else:
        line = f"Protocol: partly reviewed by the clinic{who}: {review.words()}."
    produced = [(RuleRef(i.pathway, "item", i.id), i.title) for i in view.items]
    produced += [(RuleRef(a.pathway, "alert", a.code), _alert_title(catalogue, a.code)) for a in view.alerts]
    unaccepted = []
    for ref, title in produced:
        state = signoff.state(ref)
        if state.state != "accepted":
            kind = "alert, " if ref.kind == "alert" else ""
            unaccepted.append(f"{title} ({kind}{state.word.lower()})")
    return ReviewNote(line, tuple(unaccepted))


def _alert_title(catalogue: Catalogue, code: str) -> str:
    definition = catalogue.alert(code)
    return definition.title if definition else code


def note_for(view: CaseView, ctx: Any) -> ReviewNote | None:
    """The note for one case of an export, or None when the export was made without the reviews."""
    signoff = getattr(ctx, "signoff", None)
    if signoff is None:
        return None
    return review_note(view, ctx.catalogue, signoff, ctx.deidentified)


UNACCEPTED_HEAD = "Rules not accepted by the clinic that produced an item or alert here"


def md_lines(note: ReviewNote | None, esc) -> list[str]:
    if note is None:
        return []
    out = ["", "## Protocol review", "", esc(note.line)]
    if note.unaccepted:
        out += ["", f"{UNACCEPTED_HEAD}: {esc('; '.join(note.unaccepted))}."]
    return out


def html_block(note: ReviewNote | None) -> str:
    if note is None:
        return ""
    # A block of its own, so that printing never splits it from its heading (html_page.py's CSS).
    out = ["<div class=\"block\"><h2>Protocol review</h2>", f"<p class=\"protocol-review\">{escape(note.line)}</p>"]
    if note.unaccepted:
        out.append(f"<p class=\"muted\">{escape(UNACCEPTED_HEAD)}: {escape('; '.join(note.unaccepted))}.</p>")
    out.append("</div>")
    return "\n".join(out)


def add_reviews(case_doc: dict, ctx: Any) -> dict:
    """A JSON export's case with the `review` object of `case show --json` on each item and alert; a
    de-identified one keeps the state but not who decided or when."""
    signoff = getattr(ctx, "signoff", None)
    if signoff is None:
        return case_doc
    with_reviews(case_doc, signoff)
    if ctx.deidentified:
        for entry in case_doc.get("items", []) + case_doc.get("alerts", []):
            entry["review"].update(by=None, on=None)
    return case_doc
