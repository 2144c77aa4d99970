"""The `export`, `worklist` and `import` commands of `rounds` (cli.md); the work itself is in `store/export/`."""

from __future__ import annotations

import sys

from tui.cli_errors import UsageError
from tui.cli_json import json_flag

# Only names here: `tui.cli` imports this module for every command, so the export code loads lazily.
FORMATS = ("md", "html", "json", "csv", "ics", "fhir", "redcap", "redcap-dictionary")
WORKLIST_FORMATS = ("text", "md", "html", "csv")


def add_commands(sub) -> None:
    export = sub.add_parser(
        "export", help="case summaries (md, html), data (json, csv, fhir, redcap) and due dates (ics)",
        description="Export cases. Writes to standard output unless -o names a file; files are written "
                    "whole (never half), readable only by you and your group, and every export is audited.",
    )
    export.add_argument("cases", nargs="*", metavar="CASE", help="case ids or unique prefixes (4+ characters)")
    export.add_argument("--all", action="store_true", help="every case in the database")
    export.add_argument("--format", required=True, choices=FORMATS,
                        help="md, html, json, csv, ics, fhir (an HL7 FHIR R4 Bundle), redcap (a REDCap import "
                             "file) or redcap-dictionary (its data dictionary; no cases needed)")
    export.add_argument("--deidentify", action="store_true",
                        help="no patient label or free text; hashed case ids; dates shifted per case")
    export.add_argument("-o", "--output", metavar="FILE", help="file to write (default, or '-': standard output)")
    export.add_argument("--events", action="store_true", help="csv: one row per event instead of per case")
    export.add_argument("--with-patient", action="store_true", help="ics: put the patient label in each entry")
    export.add_argument("--past", action="store_true", help="ics: also the windows that have closed")
    export.add_argument("--tasks", action="store_true",
                        help="ics: to-dos that start when a window opens and are due when it closes "
                             "(default: a one-day event on the day it opens)")
    export.add_argument("--remind", type=int, metavar="DAYS",
                        help="ics: a reminder DAYS days before each entry (a whole number)")
    export.add_argument("--order", choices=("urgency", "label"),
                        help="md, html: several cases most urgent first (default), or by patient label")
    export.set_defaults(handler=cmd_export)

    worklist = sub.add_parser(
        "worklist", help="what is overdue, due or opening in a period: the list for a clinic session",
        description="Every item due, overdue or opening in the period, grouped by case, most urgent first, "
                    "with the key facts of each case. The period is --from (default today) to --to (default "
                    "seven days after --from); statuses are those on its first day. Written like an export: "
                    "whole, private, audited.",
    )
    worklist.add_argument("--from", dest="start", metavar="DATE", help="first day, YYYY-MM-DD (default: today)")
    worklist.add_argument("--to", dest="end", metavar="DATE", help="last day, YYYY-MM-DD (default: --from + 7 days)")
    worklist.add_argument("--format", default="text", choices=WORKLIST_FORMATS, help="text (default), md, html or csv")
    worklist.add_argument("--deidentify", action="store_true",
                          help="no patient label, free text or date; hashed case ids")
    worklist.add_argument("-o", "--output", metavar="FILE", help="file to write (default, or '-': standard output)")
    worklist.set_defaults(handler=cmd_worklist)

    imp = sub.add_parser("import", help="read a JSON export back into the database",
                         description="Import a `rounds export --format json` file. The whole file is checked "
                                     "first; if anything is wrong, nothing is written.")
    imp.add_argument("file", metavar="FILE", help="a JSON export")
    imp.add_argument("--as-new", action="store_true", help="give the imported cases new ids "
                     "(otherwise an id already in the database stops the import)")
    json_flag(imp)
    imp.set_defaults(handler=cmd_import)


def cmd_export(args, ctx) -> int:
    from store.export.runner import ExportError, ExportOptions, export_cases, select_cases

    if args.all and args.cases:
        raise UsageError("export: give case ids or --all, not both")
    if args.format == "redcap-dictionary":
        if args.cases:
            raise UsageError("export: redcap-dictionary describes the fields, not cases; give no case ids")
        args.all = True  # read no case: the dictionary is the same for every database
    if not args.all and not args.cases:
        raise UsageError("export: name the cases to export, or --all")
    options = ExportOptions(args.format, deidentify=args.deidentify, events=args.events,
                            with_patient=args.with_patient, order=args.order, past=args.past,
                            tasks=args.tasks, remind_days=args.remind)
    warnings: list[str] = []
    try:
        options.check()
        case_ids = None if args.all else select_cases(ctx.repo, args.cases)
        # parallel: a large JSON export of every case is split over the CPUs (store/export/parallel_json.py).
        result = export_cases(ctx.repo, case_ids, options, args.output, catalogue=ctx.catalogue,
                              today=ctx.today, now=ctx.now(), warnings=warnings, parallel=True)
    except ExportError as exc:
        raise UsageError(f"export: {exc}") from None
    from tui.cli_text import warn

    for line in warnings:
        warn(line)
    if result.destination != "-":
        print(result.line(), file=sys.stderr)
    return 0


def cmd_worklist(args, ctx) -> int:
    from checklists.dates import parse_date
    from store.export.runner import ExportError, export_worklist
    from store.export.worklist import default_period

    start = parse_date(args.start, "--from") if args.start else None
    end = parse_date(args.end, "--to") if args.end else None
    start, end = default_period(ctx.today, start, end)
    warnings: list[str] = []
    try:
        result, _ = export_worklist(ctx.repo, args.format, start, end, args.output, catalogue=ctx.catalogue,
                                    now=ctx.now(), deidentify=args.deidentify, warnings=warnings,
                                    width=_terminal_width(args.output))
    except ExportError as exc:
        raise UsageError(f"worklist: {exc}") from None
    for line in warnings:
        print(f"rounds: warning: {line}", file=sys.stderr)
    if result.destination != "-":
        from checklists.wording import count_of

        written = count_of(len(result.case_ids), "case")
        print(f"rounds: worklist of {written} written to {result.destination}", file=sys.stderr)
    return 0


def _terminal_width(output: str | None) -> int | None:
    """The terminal's width when the worklist goes to one (wrapped there with hanging indents, since
    the terminal's own wrapping would lose them); None for a file or a pipe, which get lines whole."""
    if output not in (None, "-"):
        return None
    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    from tui.cli_text import output_width

    return output_width()


def cmd_import(args, ctx) -> int:
    from store.errors import ImportFileError
    from store.export.importer import import_cases, read_export
    from store.protocol import clinic_catalogue

    try:
        # Every item, switched-off ones too: a case keeps its records of an item the clinic turned off.
        plan = read_export(args.file, clinic_catalogue(ctx.repo.db_dir))
        result = import_cases(ctx.repo, plan, as_new=args.as_new)
    except ImportFileError as exc:
        raise UsageError(f"import: {exc}") from None
    from tui.cli_text import warn

    for line in result.warnings():
        warn(line)
    if ctx.json:
        from tui.cli_json import print_json

        print_json({"imported": list(result.case_ids), "renamed": result.renamed,
                    "policy_restored": list(result.policy_restored)})
    else:
        # One id a line on stdout, for scripts (`old -> new` with --as-new); the summary on stderr.
        old_ids = {new: old for old, new in result.renamed.items()}
        for case_id in result.case_ids:
            print(f"{old_ids[case_id]} -> {case_id}" if case_id in old_ids else case_id)
        print(f"rounds: {result.line()}", file=sys.stderr)
    return 0
