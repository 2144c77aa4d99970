"""The commands for a database shared on a server (cli.md, "Next additions"): `audit`, `undo`,
`backup`, `restore`, `check` and `init`. The work itself is in store/ (history, undo, backup, check, setup).
"""

from __future__ import annotations

import argparse
import sys

from tui.cli_json import json_flag as _json_flag, print_json as _print_json


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
    audit.add_argument("--limit", type=_positive, metavar="N",
                       help="only the newest N changes (a whole number, 1 or more)")
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
    add_backup_commands(sub)
    add_check_commands(sub)
    add_init_command(sub)


def cmd_audit(args, ctx) -> int:
    from store.history import entry_json, history, worded

    warnings: list[str] = []
    entries = history(ctx.repo, args.case, limit=args.limit, warnings=warnings)
    for warning in warnings:
        print(f"rounds: warning: {warning}", file=sys.stderr)
    if ctx.json:
        _print_json([entry_json(e) for e in entries])
        return 0
    # One line per change, in the words of the history screen (checklists/change_words.py); the
    # fields saved beside a dated one (its date, its history) are part of its line. --json keeps them all.
    lines = [f"{w.entry.when}  {w.entry.who:<12}  {w.entry.case or '-':<10}  {w.sentence}"
             for w in worded(entries, ctx.catalogue)]
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


def add_backup_commands(sub) -> None:
    backup = sub.add_parser("backup", help="a consistent copy of the whole database",
                            description="Copy the database into a new directory while others keep working: "
                                        "each file is copied under its lock, so every copy is whole. The copy "
                                        "is private (no access for other users) and the backup is audited.")
    backup.add_argument("--to", required=True, metavar="DIR", help="a new (or empty) directory")
    backup.set_defaults(handler=cmd_backup)

    restore = sub.add_parser("restore", help="bring cases (or everything) back from a backup",
                             description="Bring cases back from a backup as audited changes: an existing case "
                                         "becomes its backed-up state as a new revision (events logged since "
                                         "are kept, voided); a missing or damaged case is re-created. Without "
                                         "CASE, every case in the backup and the clinic policy.")
    restore.add_argument("--from", dest="source", required=True, metavar="DIR", help="a backup directory")
    restore.add_argument("cases", nargs="*", metavar="CASE", help="case ids or unique prefixes (default: all)")
    _json_flag(restore)
    restore.set_defaults(handler=cmd_restore)


def cmd_backup(args, ctx) -> int:
    from store.backup import backup

    result = backup(ctx.repo, args.to)
    for line in result.skipped:
        print(f"rounds: warning: {line}", file=sys.stderr)
    print(result.line())
    if result.skipped:
        print(f"rounds: {len(result.skipped)} file(s) could not be backed up; run rounds check", file=sys.stderr)
        return 1
    return 0


def cmd_restore(args, ctx) -> int:
    from store.backup import restore

    result = restore(ctx.repo, args.source, args.cases or None)
    for path in result.moved_aside:
        print(f"rounds: warning: the damaged file was kept as {path}", file=sys.stderr)
    if ctx.json:
        _print_json({"restored": result.restored, "recreated": result.recreated, "unchanged": result.unchanged,
                     "policy": result.policy_keys, "from": str(result.source)})
    else:
        print(result.line())
    return 0


def add_check_commands(sub) -> None:
    check = sub.add_parser("check", help="read every file of the database and name each problem",
                           description="Read every file of the database: does it parse, hold what Rounds "
                                       "writes, refer to pathways and items this Rounds knows, agree with its "
                                       "audit trail, and have safe permissions? One line per problem, naming "
                                       "the file and the fix. Exit 0 when all is sound, 1 otherwise.")
    _json_flag(check)
    check.set_defaults(handler=cmd_check)


def cmd_check(args, ctx) -> int:
    from store.check import check

    result = check(ctx.repo)
    if ctx.json:
        _print_json({"sound": result.sound, "cases": result.cases, "shared": result.shared,
                     "problems": [{"file": str(p.path), "problem": p.what, "fix": p.fix} for p in result.problems]})
    else:
        for problem in result.problems:
            print(problem.line())
        print(result.summary(), file=sys.stdout if result.sound else sys.stderr)
    return 0 if result.sound else 1


def add_init_command(sub) -> None:
    init = sub.add_parser("init", help="create the database directory (private, or shared by a team)",
                          description="Create the database directory. With --shared-group, the directory "
                                      "belongs to GROUP and is setgid, the group can read and write, and "
                                      "other users have no access; run on an existing database, it brings "
                                      "it into that shape. Members then work with umask 007.")
    init.add_argument("--shared-group", metavar="GROUP", help="a Unix group whose members share the database")
    init.set_defaults(handler=cmd_init)


def cmd_init(args, ctx) -> int:
    from store.setup import init_database

    print(init_database(ctx.repo, args.shared_group).line())
    return 0
