"""The commands for a database shared on a server (cli.md, "Next additions"): `audit`, `undo`,
`backup`, `restore`, `check` and `init`. The work itself is in store/ (history, undo, backup, check, setup).
"""

from __future__ import annotations

import argparse
import sys


def _json_flag(parser) -> None:
    # SUPPRESS keeps a global `--json` given before the command from being reset here.
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON instead of text")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= 10_000_000:
        raise argparse.ArgumentTypeError("must be a whole number from 1 to 10000000")
    return value


def add_commands(sub) -> None:
    audit = sub.add_parser("audit", help="the change history, newest first",
                           description="Every audited change (who, when, what, old and new value), newest "
                                       "first: of one case, or of the whole database with policy changes, "
                                       "exports and backups.")
    audit.add_argument("case", nargs="?", metavar="CASE", help="only this case (and the exports that included it)")
    audit.add_argument("--limit", type=_positive, metavar="N", help="only the newest N changes")
    _json_flag(audit)
    audit.set_defaults(handler=cmd_audit)

    undo = sub.add_parser("undo", help="revert your most recent change",
                          description="Revert your most recent change (to CASE, or anywhere in the database), "
                                      "as a new audited change. A logged event is voided, a voided event comes "
                                      "back, an item, field or policy value gets its old value. Refused when "
                                      "someone else has changed the same thing since.")
    undo.add_argument("case", nargs="?", metavar="CASE", help="undo your latest change to this case")
    _json_flag(undo)
    undo.set_defaults(handler=cmd_undo)


def _print_json(data) -> None:
    import orjson

    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def cmd_audit(args, ctx) -> int:
    from store.history import entry_json, history, value_text

    warnings: list[str] = []
    entries = history(ctx.repo, args.case, limit=args.limit, warnings=warnings)
    for warning in warnings:
        print(f"rounds: warning: {warning}", file=sys.stderr)
    if ctx.json:
        _print_json([entry_json(e) for e in entries])
        return 0
    lines = []
    for entry in entries:
        change = f"{value_text(entry.old)} -> {value_text(entry.new)}"
        if entry.action in ("export", "backup"):
            change = ""
        line = f"{entry.when}  {entry.who:<12}  {entry.case or '-':<10}  {entry.what}"
        lines.append(f"{line}: {change}" if change else line)
    if lines:
        sys.stdout.write("\n".join(lines) + "\n")
    elif not ctx.json:
        print("no changes recorded", file=sys.stderr)
    return 0


def cmd_undo(args, ctx) -> int:
    from store.undo import undo

    result = undo(ctx.repo, args.case)
    if ctx.json:
        _print_json({
            "case": result.plan.case, "undid": result.plan.what, "when": result.plan.when,
            "changes": [{"target": c.target, "old": c.old, "new": c.new} for c in result.changes],
        })
    else:
        print(result.line())
    return 0
