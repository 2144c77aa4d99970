"""The clinic protocol screen (`P` on the board, or the palette): every pathway's rules with where the
clinic's review of each stands, the highlighted rule's full text and sources below, and a decision
recorded with a small form (a accept, x reject, c comment, or enter to choose).

The protocol is read in a thread worker from the pathway files, the rules modules and the settings
file (policy, reviews, switched-off items), and read again when another process records a review
(LiveScreen, tui/screens/live.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from checklists.protocol import PathwayProtocol, RuleText
from checklists.signoff import Signoff, tally
from checklists.wording import provenance_label, severity_label
from tui.host import host_of
from tui.screens.live import LiveScreen
from tui.widgets.case_board import fit

if TYPE_CHECKING:
    from seeds.loader import Catalogue
    from store.repository import Repository

# The list's state column: short enough to leave the title room at 80 columns; the marker goes first.
LIST_WORDS = {"accepted": "accepted", "rejected": "REJECTED", "unreviewed": "unreviewed", "changed": "CHANGED"}
DECIDE_KEYS = Binding.Group("Decide")


@dataclass(frozen=True, slots=True)
class ProtocolData:
    documents: tuple[PathwayProtocol, ...]
    catalogue: Catalogue  # the whole protocol, switched-off items included
    signoff: Signoff


@dataclass(frozen=True, slots=True)
class ProtocolQuery:
    """What the protocol screen reads: every pathway with the clinic's policy and reviews (its methods
    run in thread workers)."""

    repository: Repository
    catalogue: Catalogue
    today: date

    def signature(self) -> object:
        """Reviews, switched-off items and the policy are all in the settings file."""
        return self.repository.settings_signature()

    def read(self) -> tuple[ProtocolData, object]:
        from checklists.protocol import pathway_protocol
        from checklists.signoff import build_signoff
        from store.protocol import clinic_catalogue
        from store.signoff import read_records

        signature = self.signature()  # first: a review recorded meanwhile shows at the next poll
        db_dir = getattr(self.repository, "db_dir", None)
        whole = clinic_catalogue(db_dir) if db_dir is not None else self.catalogue
        records = read_records(self.repository.settings_path)
        signoff = build_signoff(whole, records.reviews)
        policy = self.repository.policy()
        documents = tuple(pathway_protocol(whole, p, policy, signoff, records.disabled) for p in whole.pathways)
        return ProtocolData(documents, whole, signoff), signature


def rule_option(rule: RuleText, width: int) -> Option:
    review = rule.review
    kind = "alert " if rule.ref.kind == "alert" else ""
    off = " (off)" if rule.disabled is not None else ""
    text = f"  {review.marker} {LIST_WORDS[review.state]:<10} {kind}{rule.ref.id}{off} · {rule.title}"
    return Option(Text(fit(text, width)), id=rule.ref.key)


def pathway_heading(doc: PathwayProtocol, width: int) -> Option:
    text = Text(fit(f"{doc.title} ({doc.id}) · {doc.review.words()}", width), style="bold")
    return Option(text, disabled=True)


def rule_detail(rule: RuleText, doc: PathwayProtocol) -> Text:
    """The whole rule: what it says, where it comes from (full citations), the clinic's review."""
    references = {s.key: s for s in doc.sources}
    text = Text()
    text.append(f"{rule.ref.kind} {rule.ref.id}", style="bold")
    text.append(f" · {doc.id} · rule {rule.rule_hash[:12]}\n", style="dim")
    text.append(rule.title + "\n", style="bold")
    review = rule.review
    text.append("Review: ", style="bold")
    text.append(f"{review.marker} {review.sentence()}" + (f": {review.note}" if review.note else "") + "\n")
    for comment in review.comments:
        text.append(f"  comment by {comment.by} on {comment.on.isoformat()}: {comment.note}\n")
    if rule.disabled is not None:
        d = rule.disabled
        text.append(f"SWITCHED OFF for this clinic since {d.on.isoformat()} by {d.by}: {d.reason}\n", style="bold")
    if rule.ref.kind == "item":
        rows = [("When", rule.when), ("Completed", rule.completes), *(("Applies", c) for c in rule.conditions),
                ("Late", rule.late or ""), ("Why", rule.rationale)] + ([("Note", rule.note)] if rule.note else [])
    else:
        rows = [("Severity", severity_label(rule.severity or "")), ("Raised when", rule.conditions[0]),
                ("What to do", rule.action)]
    for label, value in rows:
        text.append(f"{label}: ", style="bold")
        text.append(value + "\n")
    text.append("Sources: ", style="bold")
    text.append(f"{provenance_label(rule.provenance)}\n")
    for key in rule.sources:
        source = references.get(key)
        text.append(f"  [{key}] ", style="bold")
        text.append((source.citation if source else "(not in the reference list)") + "\n")
        if source is not None and source.note:
            text.append(f"    {source.note}\n", style="dim")
    text.append("a accept · x reject · c comment · enter choose · tab here to scroll, shift+tab back", style="dim")
    return text


class ProtocolScreen(LiveScreen[ProtocolData]):
    """The protocol, rule by rule, with the clinic's review of each."""

    AUTO_FOCUS = "#protocol-rules"
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("a", "decide('accept')", "Accept", id="review-accept", group=DECIDE_KEYS),
        Binding("x", "decide('reject')", "Reject", id="review-reject", group=DECIDE_KEYS),
        Binding("c", "decide('comment')", "Comment", id="review-comment", group=DECIDE_KEYS),
        Binding("r", "reload", "Reload", show=False, id="reload"),
    ]

    failure_title = "Cannot read the protocol"

    def __init__(self) -> None:
        super().__init__()
        self.data: ProtocolData | None = None
        self._rules: dict[str, tuple[RuleText, PathwayProtocol]] = {}

    def compose(self) -> ComposeResult:
        yield Static(Text("Rounds · clinic protocol · loading…"), id="protocol-title", classes="title-bar")
        yield OptionList(id="protocol-rules", markup=False)
        with VerticalScroll(id="protocol-detail"):  # tab to it to scroll a long rule
            yield Static("", id="protocol-text")
        yield Footer(compact=True)

    # -- reading (LiveScreen runs the query in thread workers) -----------------------------------------

    def live_query(self) -> ProtocolQuery:
        host = host_of(self)
        return ProtocolQuery(host.repository, host.catalogue, host.today)

    def show_data(self, data: ProtocolData, *, first: bool) -> None:
        self.data = data
        self._show(data)

    def show_unreadable(self, error: str) -> None:
        self.query_one("#protocol-title", Static).update(Text(f"Clinic protocol: {error}"))

    # -- showing ------------------------------------------------------------------------------------

    def _show(self, data: ProtocolData) -> None:
        rules = self.query_one("#protocol-rules", OptionList)
        keep = rules.highlighted_option.id if rules.highlighted_option is not None else None
        width = max(self.size.width - 4, 40)  # the list's width less its scrollbar and padding
        options: list[Option] = []
        self._rules = {}
        for doc in data.documents:
            options.append(pathway_heading(doc, width))
            for rule in doc.rules:
                options.append(rule_option(rule, width))
                self._rules[rule.ref.key] = (rule, doc)
        rules.clear_options()
        rules.add_options(options)
        target = keep if keep in self._rules else next(iter(self._rules), None)
        if target is not None:
            rules.highlighted = rules.get_option_index(target)
        self.query_one("#protocol-title", Static).update(self._title(data))
        self._show_detail()

    def _title(self, data: ProtocolData) -> Text:
        title = Text()
        title.append("Rounds", style="bold")
        title.append(f" · clinic protocol · {tally(data.signoff, data.signoff.refs()).words()}")
        return title

    @on(OptionList.OptionHighlighted, "#protocol-rules")
    def _on_highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        selected = self.selected()
        detail = self.query_one("#protocol-text", Static)
        if selected is None:
            detail.update(Text("No rule chosen."))
            return
        rule, doc = selected
        detail.update(rule_detail(rule, doc))
        self.query_one("#protocol-detail", VerticalScroll).scroll_home(animate=False)

    def selected(self) -> tuple[RuleText, PathwayProtocol] | None:
        option = self.query_one("#protocol-rules", OptionList).highlighted_option
        return self._rules.get(option.id) if option is not None and option.id else None

    # -- actions ------------------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#protocol-rules")
    def _on_selected(self) -> None:
        self.action_decide(None)

    def action_decide(self, decision: str | None) -> None:
        selected = self.selected()
        if selected is None or self.data is None:
            self.notify("Choose a rule first.", severity="warning", timeout=3)
            return
        from tui.forms.review import ReviewForm

        rule, _ = selected
        host = host_of(self)
        form = ReviewForm(host.repository, self.data.catalogue, rule.ref, rule.title, host.today, rule.review,
                          decision)
        host.open_form(form, then=self._changed)

    def _changed(self, _result: object = None) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.reload()

    def export_case_ids(self) -> list[str]:
        """`e` exports cases; this screen shows none."""
        return []

    def palette_commands(self) -> list:
        from tui.palette import PaletteCommand

        return [
            PaletteCommand("Accept the highlighted rule", "Record that it is right for this clinic (a)",
                           lambda: self.action_decide("accept")),
            PaletteCommand("Reject the highlighted rule", "(x)", lambda: self.action_decide("reject")),
            PaletteCommand("Comment on the highlighted rule", "(c)", lambda: self.action_decide("comment")),
            PaletteCommand("Back", "(escape)", self.action_back),
        ]

