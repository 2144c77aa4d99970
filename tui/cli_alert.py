"""`rounds alert CASE CODE ack --note TEXT` / `unack` (cli.md "Next additions").

An alert whose cause is a past fact (a graft into inflamed fat, a landmark-guided injection, ...) is
acknowledged with a note: it stays on the case, dimmed, with who and when, and leaves the board's
counts and urgency. Withdrawing the acknowledgement makes it count again. Both are audited.
"""

from __future__ import annotations

ALERT_ACTIONS = ("ack", "unack")


def add_commands(sub) -> None:
    from tui.cli_json import json_flag

    alert = sub.add_parser("alert", help="acknowledge an alert that describes a past fact, or withdraw that")
    alert.add_argument("case")
    alert.add_argument("code", help="the alert code (rounds case show CASE lists them)")
    alert.add_argument("action", choices=ALERT_ACTIONS)
    alert.add_argument("--note", metavar="TEXT",
                       help="why it is acknowledged (required for ack; kept in the audit trail)")
    json_flag(alert)
    alert.set_defaults(handler=cmd_alert)


def cmd_alert(args, ctx) -> int:
    from checklists import actions
    from store.audit import current_user
    from tui.cli_errors import UsageError
    from tui.cli_commands import show_case

    if args.action == "unack" and args.note not in (None, ""):
        raise UsageError("alert: --note applies only to ack")
    policy = ctx.policy()
    who = current_user()

    def mutate(case):
        if args.action == "ack":
            return actions.acknowledge_alert(case, args.code, args.note, today=ctx.today, by=who,
                                             catalogue=ctx.catalogue, policy=policy)
        return actions.unacknowledge_alert(case, args.code)

    case = ctx.repo.update(args.case, mutate)
    if ctx.json:
        show_case(ctx, case)
    elif args.action == "ack":
        print(f"{case.id}: alert {args.code} acknowledged; it stays on the case and leaves the board's counts")
    else:
        print(f"{case.id}: acknowledgement of alert {args.code} withdrawn; it counts again while its cause holds")
    return 0
