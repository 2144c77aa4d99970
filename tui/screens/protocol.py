"""The clinic protocol screen (`P` on the board, or the palette): every pathway's rules with where the
clinic's review of each stands, the highlighted rule's full text and sources below, and a decision
recorded with a small form (a accept, x reject, c comment, or enter to choose).

The protocol is read in a thread worker from the pathway files, the rules modules and the settings
file (policy, reviews, switched-off items), and read again when another process records a review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from checklists.protocol import PathwayProtocol, RuleText
from checklists.signoff import Signoff, tally
from checklists.wording import provenance_label, severity_label
from tui.errors import describe_read_failure as describe_error
from tui.widgets.case_board import fit

# The list's state column: short enough to leave the title room at 80 columns; the marker goes first.
LIST_WORDS = {"accepted": "accepted", "rejected": "REJECTED", "unreviewed": "unreviewed", "changed": "CHANGED"}
DECIDE_KEYS = Binding.Group("Decide")


@dataclass(frozen=True, slots=True)
class ProtocolData:
    documents: tuple[PathwayProtocol, ...]
    catalogue: Any  # the whole protocol, switched-off items included
    signoff: Signoff
    signature: Any


def read_protocol(repository: Any, catalogue: Any, today: date) -> ProtocolData:
    """Every pathway as a document, with the clinic's policy and reviews (thread workers only)."""
    from checklists.protocol import pathway_protocol
    from checklists.signoff import build_signoff
    from store.protocol import clinic_catalogue
    from store.signoff import read_records

    signature = repository.settings_signature()  # first: a review recorded meanwhile shows at the next poll
    db_dir = getattr(repository, "db_dir", None)
    whole = clinic_catalogue(db_dir) if db_dir is not None else catalogue
    records = read_records(repository.settings_path)
    signoff = build_signoff(whole, records.reviews)
    policy = repository.policy()
    documents = tuple(pathway_protocol(whole, p, policy, signoff, records.disabled) for p in whole.pathways)
    return ProtocolData(documents, whole, signoff, signature)


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


class ProtocolScreen(Screen[None]):
    """The protocol, rule by rule, with the clinic's review of each."""

    AUTO_FOCUS = "#protocol-rules"
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("a", "decide('accept')", "Accept", id="review-accept", group=DECIDE_KEYS),
        Binding("x", "decide('reject')", "Reject", id="review-reject", group=DECIDE_KEYS),
        Binding("c", "decide('comment')", "Comment", id="review-comment", group=DECIDE_KEYS),
        Binding("r", "reload", "Reload", show=False, id="reload"),
    ]

    class Loaded(Message):
        def __init__(self, data: ProtocolData) -> None:
            super().__init__()
            self.data = data

    class Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class Stale(Message):
        """Someone recorded a review (or changed the policy) since the protocol was read."""

    def __init__(self) -> None:
        super().__init__()
        self.data: ProtocolData | None = None
        self._rules: dict[str, tuple[RuleText, PathwayProtocol]] = {}
        self._loading = False

    def compose(self) -> ComposeResult:
        yield Static(Text("Rounds · clinic protocol · loading…"), id="protocol-title", classes="title-bar")
        yield OptionList(id="protocol-rules", markup=False)
        with VerticalScroll(id="protocol-detail"):  # tab to it to scroll a long rule
            yield Static("", id="protocol-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.set_interval(self.app.poll_seconds, self._poll)
        self.reload()

    # -- reading (thread workers) -------------------------------------------------------------------

    def reload(self) -> None:
        if self._loading:
            return
        self._loading = True
        self._load(self.app.today)

    @work(thread=True, exclusive=True, group="protocol-load", exit_on_error=False)
    def _load(self, today: date) -> None:
        app = self.app
        try:
            data = read_protocol(app.repository, app.catalogue, today)
        except Exception as error:  # noqa: BLE001 - shown, never a crash
            self.post_message(self.Failed(describe_error(error)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(data))

    def _poll(self) -> None:
        if self._loading or self.data is None or not self.app.is_showing(self):
            return
        self._check_for_changes()

    @work(thread=True, exclusive=True, group="protocol-poll", exit_on_error=False)
    def _check_for_changes(self) -> None:
        if self.data is not None and self.app.repository.settings_signature() != self.data.signature:
            self.post_message(self.Stale())

    @on(Stale)
    def _on_stale(self) -> None:
        self.reload()

    @on(Failed)
    def _on_failed(self, message: Failed) -> None:
        self._loading = False
        self.notify(message.error, title="Cannot read the protocol", severity="error", markup=False, timeout=10)
        if self.data is None:
            self.query_one("#protocol-title", Static).update(Text(f"Clinic protocol: {message.error}"))

    @on(Loaded)
    def _on_loaded(self, message: Loaded) -> None:
        self._loading = False
        self.data = message.data
        self._show(message.data)

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
        form = ReviewForm(self.app.repository, self.data.catalogue, rule.ref, rule.title, self.app.today,
                          rule.review, decision)
        self.app.push_screen(form, lambda written: self.reload() if written else None)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.reload()

    def export_case_ids(self) -> list[str]:
        """`e` exports cases; this screen shows none."""
        return []

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self._poll()

    def palette_commands(self) -> list:
        from tui.palette import PaletteCommand

        return [
            PaletteCommand("Accept the highlighted rule", "Record that it is right for this clinic (a)",
                           lambda: self.action_decide("accept")),
            PaletteCommand("Reject the highlighted rule", "(x)", lambda: self.action_decide("reject")),
            PaletteCommand("Comment on the highlighted rule", "(c)", lambda: self.action_decide("comment")),
            PaletteCommand("Back", "(escape)", self.action_back),
        ]

