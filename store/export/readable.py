"""Wording for people who read the letters and handouts (md, html, worklist), not for scripts.

A referral letter goes out as it is: it names sources the way a clinician cites them (authors and
year, "clinic policy"), events the way its events table shows them (kind and date, not `e3`), items
by their titles (not their slugs), and who made it by their name where the system knows it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Iterable, Mapping, Sequence

from checklists.models import Case, CaseView
from checklists.status import urgency_rank
# Shared with the case screen: checklists/wording.py words events and alerts for every reader.
from checklists.wording import alert_text, event_word  # noqa: F401 - re-exported for the letters
from seeds.loader import Catalogue, Reference

SEED_SUMMARY_WORDS = "clinic protocol summary, not yet checked against the literature"
CLINIC_POLICY_WORDS = "clinic policy"
CLINIC_POLICY_LINE = "Clinic policy: a number this clinic chose; Rounds ships a default that the clinic can change."
CASE_STATUS_WORDS = {
    "active": "in follow-up",
    "resolved": "lesion resolved; monitoring continues",
    "closed": "follow-up closed",
    "lost": "lost to follow-up",
}
ETIOLOGY_WORDS = {
    "unknown": "not yet known", "aat-deficiency": "alpha-1 antitrypsin deficiency",
    "idiopathic": "idiopathic", "vasculitis": "vasculitis",
}
# Case-study citations start "Surname AB et al." or "Surname AB, Other CD."; the year is the first
# four-digit year after the authors (the journal's).
_AUTHORS = re.compile(r"^\s*([A-Z][A-Za-z'\-]+)(?:\s+[A-Z]{1,3})?\s*(et al\.?|,|\.)")
_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_SEED_PREFIX = re.compile(r"^Seed document \d+:\s*")


# -- sources -----------------------------------------------------------------------------------------

def source_name(reference: Reference | None, key: str) -> str:
    """How a reader cites a source: `Shumaker et al. 2005`, the seed-summary words, or `clinic policy`."""
    if reference is None:
        return "unlisted source"
    if reference.provenance == "seed-summary":
        return SEED_SUMMARY_WORDS
    if reference.provenance == "clinic-policy":
        return CLINIC_POLICY_WORDS
    authors = _AUTHORS.match(reference.citation)
    year = _YEAR.search(reference.citation, authors.end() if authors else 0)
    if authors is None:
        return reference.citation.split(".")[0].strip()
    surname = authors.group(1)
    several = authors.group(2).startswith(("et al", ","))
    name = f"{surname} et al." if several else surname
    return f"{name} {year.group(1)}" if year else name


def source_names(keys: Sequence[str], catalogue: Catalogue) -> str:
    """Several sources, each named once (three seed summaries read as one "clinic protocol summary")."""
    names: list[str] = []
    for key in keys:
        name = source_name(catalogue.references.get(key), key)
        if name not in names:
            names.append(name)
    return "; ".join(names)


def source_line(reference: Reference, catalogue: Catalogue) -> str:
    """One line of a letter's source list: the full citation, with what kind of source it is."""
    if reference.provenance == "clinic-policy":
        return CLINIC_POLICY_LINE
    if reference.provenance == "seed-summary":
        what = _SEED_PREFIX.sub("", reference.citation)
        return f"Clinic protocol summary, not yet checked against the literature: {what}"
    line = reference.citation.rstrip(".") + ". Verified citation."
    if reference.note:
        line += " " + name_sources(reference.note, catalogue).rstrip(".") + "."
    return line


def name_sources(text: str, catalogue: Catalogue) -> str:
    """Catalogue prose with any reference key (`seed-002`, `coombes2013`) replaced by its reader's name."""
    for key, reference in catalogue.references.items():
        if key in text:
            text = re.sub(rf"\b{re.escape(key)}\b", source_name(reference, key), text)
    return text


# -- people ------------------------------------------------------------------------------------------

def display_name(login: str) -> str:
    """The full name the system knows for a login (the first GECOS field), else the login itself."""
    try:
        import pwd

        gecos = pwd.getpwnam(login).pw_gecos
    except (KeyError, ImportError, OSError):
        return login
    full = gecos.split(",")[0].strip()
    return full if full else login


# -- the record, in the words of its own tables ----------------------------------------------------

def injection_fact(case: Case) -> str | None:
    """The injection date as the record has it: the logged injections when there are any."""
    injections = case.live_events("injection")
    if not injections:
        return case.injection_date.isoformat() if case.injection_date else None
    if len(injections) == 1:
        return injections[0].date.isoformat()
    return (f"{len(injections)} logged, the first {injections[0].date.isoformat()}, "
            f"the latest {injections[-1].date.isoformat()}")


def acknowledgement(alert) -> str | None:
    """`Acknowledged by X on D: note` for an acknowledged alert (the attribute arrives with the alert
    acknowledgements of cli.md; a dict or an object with by/on/note), else None."""
    ack = getattr(alert, "acknowledged", None)
    if not ack:
        return None

    def part(name: str):
        return ack.get(name) if isinstance(ack, Mapping) else getattr(ack, name, None)

    by, on, note = part("by"), part("on"), part("note")
    line = "Acknowledged"
    if by:
        line += f" by {by}"
    if on:
        line += f" on {on.isoformat() if isinstance(on, date) else on}"
    if note:
        line += f": {' '.join(str(note).split())}"
    return line


# -- several cases -----------------------------------------------------------------------------------

ORDERS = ("urgency", "label")


def order_views(views: Iterable[CaseView], order: str = "urgency") -> list[CaseView]:
    """An MDT list: by urgency, then patient label (or by label alone); the case id breaks ties."""
    def label(view: CaseView) -> tuple[str, str]:
        return (" ".join(view.case.patient.split()).casefold(), view.case.id)

    if order == "label":
        return sorted(views, key=label)
    return sorted(views, key=lambda v: (urgency_rank(v.urgency), *label(v)))


WORKLIST_FOOTER = ("Rounds is decision support: it reminds and explains, and it does not replace clinical "
                   "judgement. Statuses are those on the first day of the period.")
