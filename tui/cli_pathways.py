"""The `pathways` commands of `rounds` (cli.md): read the protocol, review it rule by rule, switch a
rejected item off for the clinic. The work is in checklists/protocol.py, checklists/signoff.py and
store/signoff.py; docs/PROTOCOL.md says how a clinical lead uses them.
"""

from __future__ import annotations

import sys

from tui.cli_json import json_flag as _json_flag, print_json as _print_json

# Only names here: `tui.cli` imports this module for every command, so the rest loads when used.
FORMATS = ("text", "md", "html", "json")
DECISIONS = ("accept", "reject", "comment")


def add_commands(sub) -> None:
    pathways = sub.add_parser("pathways", help="the protocol: read it, review it rule by rule, switch items off",
                              description="The clinic's protocol in words, and its review (docs/PROTOCOL.md).")
    actions = pathways.add_subparsers(dest="pathways_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="every pathway with how far the clinic has reviewed it")
    _json_flag(listing)
    listing.set_defaults(handler=cmd_list)

    show = actions.add_parser("show", help="one pathway's protocol: items, windows, alerts, sources, reviews")
    show.add_argument("pathway", metavar="ID")
    show.add_argument("--format", choices=FORMATS, default=None, help="text (default), md, html or json")
    _json_flag(show)
    show.set_defaults(handler=cmd_show)

    review = actions.add_parser("review", help="record your decision on one item or alert (audited)")
    review.add_argument("pathway", metavar="ID")
    review.add_argument("rule", metavar="RULE", help="an item id or alert code (item:ID or alert:CODE if both)")
    review.add_argument("decision", choices=DECISIONS)
    review.add_argument("--note", required=True, metavar="TEXT", help="why (required, also for accept)")
    _json_flag(review)
    review.set_defaults(handler=cmd_review)

    disable = actions.add_parser("disable", help="switch a rejected item off for the clinic (audited)")
    disable.add_argument("pathway", metavar="ID")
    disable.add_argument("item", metavar="ITEM")
    disable.add_argument("--reason", required=True, metavar="TEXT", help="why it is switched off (free text, required)")
    disable.set_defaults(handler=cmd_disable)

    enable = actions.add_parser("enable", help="switch an item back on (audited)")
    enable.add_argument("pathway", metavar="ID")
    enable.add_argument("item", metavar="ITEM")
    enable.set_defaults(handler=cmd_enable)


def _protocol(ctx):
    """The whole protocol of this database (switched-off items included), its records and sign-off."""
    from checklists.signoff import build_signoff
    from store.errors import NotADatabase
    from store.protocol import clinic_catalogue
    from store.signoff import read_records

    if ctx.repo.db_dir.exists() and not ctx.repo.db_dir.is_dir():
        raise NotADatabase(ctx.repo.db_dir)  # bad input (exit 2), before anything is read or written
    catalogue = clinic_catalogue(ctx.repo.db_dir)
    records = read_records(ctx.repo.settings_path)
    return catalogue, records, build_signoff(catalogue, records.reviews)


def _pathway(catalogue, pathway_id: str) -> str:
    from checklists.validation import check_choice

    return check_choice(pathway_id, "pathway", catalogue.pathway_ids)


def cmd_list(args, ctx) -> int:
    from checklists.protocol import origin_words
    from checklists.signoff import tally

    catalogue, records, signoff = _protocol(ctx)
    rows = []
    for pathway in catalogue.pathways.values():
        review = tally(signoff, signoff.refs([pathway.id]))
        off = [d.item for d in records.disabled if d.pathway == pathway.id and pathway.item(d.item)]
        rows.append((pathway, review, off))
    if ctx.json:
        _print_json([
            {"id": p.id, "short": p.short, "title": p.title, "clinic": p.clinic, "items": len(p.items),
             "alerts": len(p.alerts), "review": {"total": r.total, **dict(r.counts)}, "disabled": off}
            for p, r, off in rows
        ])
        return 0
    lines = []
    for pathway, review, off in rows:
        lines.append(f"{pathway.id} ({pathway.short})  {pathway.title}")
        extra = f" · switched off: {', '.join(off)}" if off else ""
        lines.append(f"  {origin_words(pathway)}")
        lines.append(f"  {len(pathway.items)} items, {len(pathway.alerts)} alerts · review: {review.words()}{extra}")
    lines.append("Read one: rounds pathways show ID [--format text|md|html|json]")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def cmd_show(args, ctx) -> int:
    from checklists.protocol import pathway_protocol
    from store.export.protocol_doc import render

    catalogue, records, signoff = _protocol(ctx)
    pathway_id = _pathway(catalogue, args.pathway)
    fmt = args.format or ("json" if ctx.json else "text")
    doc = pathway_protocol(catalogue, pathway_id, ctx.policy(), signoff, records.disabled)
    sys.stdout.write(render(doc, fmt, ctx.today))
    return 0


def cmd_review(args, ctx) -> int:
    from checklists.signoff import review_json
    from store.signoff import record_review

    catalogue, _, _ = _protocol(ctx)
    _pathway(catalogue, args.pathway)
    review, before = record_review(ctx.repo, catalogue, args.pathway, args.rule, args.decision, args.note, ctx.today)
    _, _, signoff = _protocol(ctx)
    after = signoff.state(review.rule)
    if ctx.json:
        _print_json({"pathway": review.rule.pathway, "kind": review.rule.kind, "rule": review.rule.id,
                     "decision": review.decision, "rule_hash": review.rule_hash, "note": review.note,
                     "review": review_json(after), "before": before.state})
        return 0
    where = f"{review.rule.pathway} {review.rule.label()}"
    if review.decision == "comment":
        print(f"{where}: comment recorded by {review.by} on {review.on.isoformat()}; its review stays "
              f"{after.sentence()}")
    else:
        print(f"{where}: {after.sentence()} (was {before.word})")
    return 0


def cmd_disable(args, ctx) -> int:
    from store.signoff import disable_item

    catalogue, _, _ = _protocol(ctx)
    _pathway(catalogue, args.pathway)
    entry = disable_item(ctx.repo, catalogue, args.pathway, args.item, args.reason, ctx.today)
    print(f"{entry.pathway} {entry.item}: switched off for this clinic; it leaves every checklist and the "
          f"case files keep its records (rounds pathways enable {entry.pathway} {entry.item} undoes it)")
    return 0


def cmd_enable(args, ctx) -> int:
    from store.signoff import enable_item

    catalogue, _, _ = _protocol(ctx)
    _pathway(catalogue, args.pathway)
    entry = enable_item(ctx.repo, args.pathway, args.item, ctx.today)
    print(f"{entry.pathway} {entry.item}: switched back on; it is part of the checklists again")
    return 0
