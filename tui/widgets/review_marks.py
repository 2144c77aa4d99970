"""How the clinic's review of a rule shows beside an item or alert: a marker, and its meaning in words.

Only rules the clinic has not accepted are marked (not yet reviewed, changed since review, rejected),
so a reviewed protocol leaves the checklist as it was. The marker never stands alone: a legend line
above the checklist, the alert's own line and the item's unfolded detail say what it means.
"""

from __future__ import annotations

from collections.abc import Iterable

from checklists.signoff import REVIEW_LABELS, ReviewState

PROTOCOL_KEY = "P on the board: the protocol"
LEGEND_ORDER = ("changed", "rejected", "unreviewed")  # what most needs a second look first


def review_mark(review: ReviewState | None) -> str:
    """`†`, `‡` or `✗` for a rule the clinic has not accepted; "" for an accepted one (or none known)."""
    if review is None or review.state == "accepted":
        return ""
    return review.marker


def review_legend(reviews: Iterable[ReviewState]) -> list[str]:
    """One line per marker present, in a fixed order: `  † rule not yet reviewed by the clinic`."""
    present = {r.state for r in reviews}
    lines = [f"  {REVIEW_LABELS[s][0]} {REVIEW_LABELS[s][2]}" for s in LEGEND_ORDER if s in present]
    if lines:
        lines[-1] += f" ({PROTOCOL_KEY})"
    return lines


def alert_review_note(review: ReviewState | None) -> str:
    """What an alert's line says of its rule's review: `† rule not yet reviewed by the clinic`."""
    if review is None or review.state == "accepted":
        return ""
    return f"{review.marker} {review.legend}"


def review_words(review: ReviewState) -> str:
    """The review in a sentence with its marker: `† not yet reviewed`, `✓ accepted by alice on ...`."""
    return f"{review.marker} {review.sentence()}" + (f": {review.note}" if review.note else "")
