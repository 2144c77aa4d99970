"""The case, log, item, event, config and demo commands of `rounds` (cli.md), one handler each."""

from __future__ import annotations

import sys

from tui.cli_json import json_flag as _json_flag, print_json as _print_json
from tui.cli_parsing import built

# Each command imports what it uses, inside its builder and handler: every command is a new process,
# and `rounds log` need not pay for the engine, the reviews or the list (issue 12: under 80 ms whole).

# `rounds log` option -> event field (cli.md names); `--photo` alone means yes.
LOG_OPTIONS = {
    "--volume-ml": "volume_ml", "--site": "site", "--what": "what", "--guidance": "guidance",
    "--drug": "drug", "--dose": "dose", "--depth": "depth", "--result": "result",
    "--improvement": "improvement", "--size-mm": "size_mm", "--depth-mm": "depth_mm",
    "--pigment": "pigment", "--photo": "photo", "--mrc": "mrc", "--pain": "pain", "--tendon": "tendon",
    "--joint": "joint", "--note": "note",
}


# event field -> (metavar, what it takes); the kinds that take it are added from EVENT_OPTIONS.
_LOG_VALUES = {
    "volume_ml": ("ML", "millilitres, above 0 and at most 100"),
    "site": ("TEXT", "where on the body (free text)"),
    "what": ("TEXT", "what was checked (free text)"),
    "guidance": ("GUIDANCE", "how the needle was guided: {GUIDANCE}"),
    "drug": ("NAME", "the drug as written (e.g. triamcinolone)"),
    "dose": ("TEXT", "the dose as written (e.g. 40 mg)"),
    "depth": ("DEPTH", "how deep the biopsy went: {BIOPSY_DEPTHS}"),
    "result": ("TEXT", "the result (free text)"),
    "improvement": ("IMPROVEMENT", "improvement since the start: {IMPROVEMENT}"),
    "size_mm": ("MM", "size in millimetres, 0-1000"),
    "depth_mm": ("MM", "depth in millimetres, 0-1000"),
    "pigment": ("TEXT", "pigment change (free text)"),
    "photo": ("yes|no", "a photo was taken (alone: yes)"),
    "mrc": ("0-5", "MRC muscle strength, a whole number 0-5"),
    "pain": ("0-10", "pain score, a whole number 0-10"),
    "tendon": ("TENDON", "tendon finding: {TENDON}"),
    "joint": ("JOINT", "joint finding: {JOINT}"),
    "note": ("TEXT", "a note (free text)"),
}


def log_option_help(dest: str) -> tuple[str, str]:
    """(metavar, help) for a `rounds log` option: its allowed values and the kinds that take it."""
    from checklists.validation import EVENT_OPTIONS
    from seeds import vocabulary

    metavar, words = _LOG_VALUES[dest]
    words = words.format(**{name: " | ".join(getattr(vocabulary, name))
                            for name in ("GUIDANCE", "BIOPSY_DEPTHS", "IMPROVEMENT", "TENDON", "JOINT")})
    kinds = [kind for kind, options in EVENT_OPTIONS.items() if dest in options]
    if len(kinds) < len(EVENT_OPTIONS):
        words += f"; {', '.join(kinds)} only"
    return metavar, words


def show_case(ctx, case) -> None:
    _show(ctx, case)


def add_commands(sub) -> None:
    _add_demo(sub)
    case = sub.add_parser("case", help="add, list, show and set cases")
    case_sub = case.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    _add_case_add(case_sub)
    _add_case_list(case_sub)
    _add_case_show(case_sub)
    _add_case_set(case_sub)
    _add_log(sub)
    _add_item(sub)
    event = sub.add_parser("event", help="void a wrongly entered event")
    event_sub = event.add_subparsers(dest="event_command", metavar="ACTION", required=True)
    void = event_sub.add_parser("void", help="mark an event void (kept, struck out, counts for nothing)")
    void.add_argument("case", metavar="CASE", help="a case id or a unique prefix of it")
    void.add_argument("event", metavar="EVENT", help="the event id (e1, e2, ...: rounds case show CASE lists them)")
    void.add_argument("--reason", required=True, metavar="TEXT", help="why the entry is wrong (free text, required)")
    void.set_defaults(handler=cmd_event_void)
    _add_config(sub)


def _add_demo(sub) -> None:
    demo = sub.add_parser("demo", help="fill the database with synthetic demo cases")
    demo.add_argument("--cases", type=int, default=12, metavar="N", help="how many cases, 1-100000 (default 12)")
    demo.add_argument("--if-empty", action="store_true", help="do nothing if the database already has cases")
    demo.set_defaults(handler=cmd_demo)


def _add_case_add(case_sub) -> None:
    add = case_sub.add_parser("add", help="create a case and print its id")
    add.add_argument("--patient", required=True, metavar="LABEL",
                     help="the clinic's label for the patient (free text, one line; never a real name in demos)")
    add.add_argument("--pathway", action="append", required=True, metavar="ID",
                     help="a pathway id (rounds pathways list names them, e.g. steroid-atrophy); give it again "
                          "for more")
    add.add_argument("--onset", required=True, metavar="DATE", help="YYYY-MM-DD: the onset the pathway names")
    add.add_argument("--injection-date", metavar="DATE", help="YYYY-MM-DD, not after today (optional)")
    add.add_argument("--site", metavar="TEXT", help="where on the body (free text, optional)")
    add.add_argument("--note", metavar="TEXT", help="a note on the case (free text, optional)")
    _json_flag(add)
    add.set_defaults(handler=cmd_case_add)


def _add_case_list(case_sub) -> None:
    listing = case_sub.add_parser("list", help="list cases, most urgent first")
    if not built(listing):
        return
    from checklists.board import FILTERS

    listing.add_argument("--filter", choices=FILTERS, default="active",
                         help="which cases: " + ", ".join(FILTERS) + " (default active: active and resolved)")
    listing.add_argument("--pathway", metavar="ID", help="only cases following this pathway (a pathway id)")
    listing.add_argument("--search", metavar="TEXT", help="only cases whose id or patient label holds TEXT")
    _json_flag(listing)
    listing.set_defaults(handler=cmd_case_list)


def _add_case_show(case_sub) -> None:
    show = case_sub.add_parser("show", help="one case: facts, checklist, events, counts, alerts")
    show.add_argument("case", metavar="CASE", help="a case id or a unique prefix of it (4+ characters)")
    _json_flag(show)
    show.set_defaults(handler=cmd_case_show)


def _add_case_set(case_sub) -> None:
    setter = case_sub.add_parser("set", help="set a case field")
    if not built(setter):
        return
    from checklists import actions

    setter.add_argument("case")
    setter.add_argument("field", choices=actions.CASE_FIELDS)
    setter.add_argument("value")
    setter.add_argument("--date", metavar="DATE", help="YYYY-MM-DD: when it happened (etiology, inflammation, "
                        "severity; default today)")
    _json_flag(setter)
    setter.set_defaults(handler=cmd_case_set)


def _add_log(sub) -> None:
    log = sub.add_parser("log", help="record an event")
    if not built(log):
        return
    from seeds.vocabulary import EVENT_KINDS

    log.add_argument("case")
    log.add_argument("kind", choices=EVENT_KINDS)
    log.add_argument("--date", metavar="DATE", help="YYYY-MM-DD, not after today (default today)")
    for option, dest in LOG_OPTIONS.items():
        metavar, help_text = log_option_help(dest)
        if option == "--photo":
            log.add_argument(option, dest=dest, nargs="?", const="yes", metavar=metavar, help=help_text)
        else:
            log.add_argument(option, dest=dest, metavar=metavar, help=help_text)
    _json_flag(log)
    log.set_defaults(handler=cmd_log)


def _add_item(sub) -> None:
    item = sub.add_parser("item", help="resolve a checklist item")
    if not built(item):
        return
    from checklists import actions

    item.add_argument("case", metavar="CASE", help="a case id or a unique prefix of it (4+ characters)")
    item.add_argument("item", metavar="ITEM", help="an item id (rounds case show CASE lists them)")
    item.add_argument("action", choices=actions.ITEM_ACTIONS)
    item.add_argument("--date", metavar="DATE", help="YYYY-MM-DD: when it was done or skipped (default today)")
    item.add_argument("--reason", metavar="TEXT", help="why (free text; required for skip and snooze)")
    item.add_argument("--until", metavar="DATE", help="YYYY-MM-DD after today: when a snoozed item comes back")
    item.add_argument("--early", action="store_true",
                      help="confirm a review or check done well before its window opens (the date is kept)")
    _json_flag(item)
    item.set_defaults(handler=cmd_item)


def _add_config(sub) -> None:
    config = sub.add_parser("config", help="show or set clinic policy")
    if not built(config):
        return
    from checklists.policy import POLICY_KEYS

    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = config_sub.add_parser("show", help="the clinic policy values")
    _json_flag(show)
    show.set_defaults(handler=cmd_config_show)
    setter = config_sub.add_parser("set", help="change one policy value (audited)")
    setter.add_argument("key", choices=tuple(POLICY_KEYS), help="the policy value to change (rounds config show "
                        "lists them with their ranges)")
    setter.add_argument("value", help="a number in the key's range (cli.md: Policy values)")
    _json_flag(setter)
    setter.set_defaults(handler=cmd_config_set)


def _show(ctx, case) -> None:
    from checklists.engine import evaluate
    from checklists.serialize import case_json
    from checklists.signoff import with_reviews
    from store.signoff import load_signoff
    from tui import cli_text

    view = evaluate(case, ctx.catalogue, ctx.policy(), ctx.today)
    if ctx.json:
        _print_json(with_reviews(case_json(view), load_signoff(ctx.repo, ctx.catalogue)))
    else:
        sys.stdout.write(cli_text.case_text(view, ctx.catalogue))


def cmd_case_add(args, ctx) -> int:
    from checklists import actions

    case_id = ctx.repo.new_case_id()
    case, changes = actions.new_case(
        case_id=case_id, patient=args.patient, pathways=args.pathway, onset=args.onset, enrolment=ctx.today,
        injection_date=args.injection_date, site=args.site, note=args.note, catalogue=ctx.catalogue,
    )
    case = ctx.repo.add_case(case, changes)
    if ctx.json:
        _show(ctx, case)
    else:
        print(case.id)
    return 0


def cmd_case_list(args, ctx) -> int:
    from checklists.board import filter_rows
    from checklists.serialize import row_json
    from checklists.validation import check_choice
    from store.repository import collector_paused
    from tui import cli_text

    if args.pathway is not None:
        check_choice(args.pathway, "pathway", ctx.catalogue.pathway_ids)
    # Tens of thousands of short-lived objects, none cyclic: the collector would only walk the rows.
    with collector_paused():
        result = ctx.repo.list_rows(ctx.today)
        for warning in result.warnings:
            cli_text.warn(warning)
        # Filtering keeps the order, and the board's order is total (the id breaks ties): the same rows
        # as sort_rows(filter_rows(...)), without sorting 10,000 rows the cache has in order already.
        rows = filter_rows(result.in_board_order(), args.filter, args.pathway, args.search)
        if ctx.json:
            _print_json([row_json(r) for r in rows])
        else:
            sys.stdout.write(cli_text.rows_text(rows, args.filter, ctx.catalogue))
    return 0


def cmd_case_show(args, ctx) -> int:
    _show(ctx, ctx.repo.get(args.case))
    return 0


def cmd_case_set(args, ctx) -> int:
    from checklists import actions

    def mutate(case):
        return actions.set_field(case, args.field, args.value, today=ctx.today, catalogue=ctx.catalogue,
                                 date=args.date)

    case = ctx.repo.update(args.case, mutate)
    if ctx.json:
        _show(ctx, case)
    else:
        print(f"{case.id}: {args.field} set")
    return 0


def cmd_log(args, ctx) -> int:
    from checklists import actions
    from checklists.serialize import event_json

    fields = {dest: getattr(args, dest) for dest in LOG_OPTIONS.values()}
    fields["date"] = args.date
    case = ctx.repo.update(args.case, lambda c: actions.log_event(c, args.kind, fields, today=ctx.today))
    event = max(case.events, key=lambda e: e.seq)
    if ctx.json:
        _print_json({"case": case.id, **event_json(event)})
    else:
        print(f"{case.id}: logged {event.kind} {event.date.isoformat()} as {event.id}")
    return 0


def cmd_item(args, ctx) -> int:
    from checklists import actions
    from checklists.engine import evaluate
    from tui import cli_text
    from tui.cli_errors import UsageError

    policy = ctx.policy()

    def mutate(case):
        return actions.resolve_item(case, args.item, args.action, today=ctx.today, catalogue=ctx.catalogue,
                                    policy=policy, date=args.date, reason=args.reason, until=args.until,
                                    early=args.early)

    try:
        case = ctx.repo.update(args.case, mutate)
    except actions.ValidationError as exc:
        if args.action == "done" and exc.field == "item" and actions.logged_not_marked(ctx.catalogue.item(args.item)):
            raise UsageError(logging_how_to(args.case, args.item)) from None
        if exc.field == "early":
            raise UsageError(f"{exc}: add --early") from None
        raise
    if ctx.json:
        _show(ctx, case)
    else:
        view = evaluate(case, ctx.catalogue, policy, ctx.today)
        item = view.item(args.item)
        assert item is not None and item.status is not None  # resolve_item refused an item not on the case
        print(f"{case.id}: {args.item} {args.action}: now {cli_text.status_word(item.status)}")
        definition = ctx.catalogue.item(args.item)
        if args.action == "skip" and definition and definition.series and definition.series.kind == "recurrence":
            # Recurrence checks have no fixed end: this skip is how monitoring ends, so say it.
            print(f"{case.id}: recurrence monitoring ended; a relapse recorded later starts it again, and "
                  f"`rounds item {case.id} {args.item} reopen` resumes it")
        elif args.action == "done" and actions.records_a_check(definition):
            from checklists.wording import window_text

            nxt = f"next check {window_text(item.opens, item.closes)}" if item.opens else "no check due"
            print(f"{case.id}: check recorded; {nxt}")
    return 0


def logging_how_to(case: str, item: str) -> str:
    """cli.md: a saline course is not marked done; say how to log a session and how to end it early."""
    return (f"item: {item} is not marked done by hand; log each session with "
            f"`rounds log {case} saline --volume-ml N` (--date for another day), and end the course early "
            f"with `rounds item {case} {item} skip --reason TEXT`")


def cmd_event_void(args, ctx) -> int:
    from checklists import actions

    case = ctx.repo.update(args.case, lambda c: actions.void_event(c, args.event, args.reason))
    print(f"{case.id}: event {args.event} voided")
    return 0


def cmd_config_show(args, ctx) -> int:
    from checklists.serialize import policy_json
    from tui import cli_text

    policy = ctx.policy()
    if ctx.json:
        _print_json(policy_json(policy))
    else:
        sys.stdout.write(cli_text.policy_text(policy))
    return 0


def cmd_config_set(args, ctx) -> int:
    from checklists.policy import set_policies
    from checklists.serialize import policy_json

    policy = ctx.repo.update_policy(lambda p: set_policies(p, {args.key: args.value}))
    if ctx.json:
        _print_json(policy_json(policy))
    else:
        print(f"{args.key} = {getattr(policy, args.key):g}")
    return 0


def cmd_demo(args, ctx) -> int:
    from checklists import actions
    from store.demo import fill_demo

    if not 1 <= args.cases <= 100_000:
        raise actions.ValidationError("--cases must be a whole number from 1 to 100000", "cases")
    if args.if_empty and ctx.repo.signatures():
        print(f"{ctx.repo.db_dir} already has cases; no demo cases added")
        return 0
    added = fill_demo(ctx.repo, ctx.catalogue, ctx.today, args.cases)
    print(f"added {added} synthetic demo cases to {ctx.repo.db_dir}")
    return 0
