"""The `export` and `import` commands of `rounds` (cli.md); the work itself is in `store/export/`."""

from __future__ import annotations

import sys

# Only names here: `tui.cli` imports this module for every command, so the export code loads lazily.
FORMATS = ("md", "html", "json", "csv", "ics")


def add_commands(sub) -> None:
    export = sub.add_parser(
        "export", help="case summaries (md, html), data (json, csv) and due dates (ics)",
        description="Export cases. Writes to standard output unless -o names a file; files are written "
                    "whole (never half), readable only by you and your group, and every export is audited.",
    )
    export.add_argument("cases", nargs="*", metavar="CASE", help="case ids or unique prefixes (4+ characters)")
    export.add_argument("--all", action="store_true", help="every case in the database")
    export.add_argument("--format", required=True, choices=FORMATS, help="md, html, json, csv or ics")
    export.add_argument("--deidentify", action="store_true",
                        help="no patient label or free text; hashed case ids; dates shifted per case")
    export.add_argument("-o", "--output", metavar="FILE", help="file to write (default, or '-': standard output)")
    export.add_argument("--events", action="store_true", help="csv: one row per event instead of per case")
    export.add_argument("--with-patient", action="store_true", help="ics: put the patient label in each entry")
    export.set_defaults(handler=cmd_export)

    imp = sub.add_parser("import", help="read a JSON export back into the database",
                         description="Import a `rounds export --format json` file. The whole file is checked "
                                     "first; if anything is wrong, nothing is written.")
    imp.add_argument("file", metavar="FILE", help="a JSON export")
    imp.add_argument("--as-new", action="store_true", help="give the imported cases new ids "
                     "(otherwise an id already in the database stops the import)")
    imp.set_defaults(handler=cmd_import)


def cmd_export(args, ctx) -> int:
    from tui.cli import UsageError
    from store.export.runner import ExportError, ExportOptions, export_cases, select_cases

    if args.all and args.cases:
        raise UsageError("export: give case ids or --all, not both")
    if not args.all and not args.cases:
        raise UsageError("export: name the cases to export, or --all")
    options = ExportOptions(args.format, deidentify=args.deidentify, events=args.events,
                            with_patient=args.with_patient)
    warnings: list[str] = []
    try:
        options.check()
        case_ids = None if args.all else select_cases(ctx.repo, args.cases)
        result = export_cases(ctx.repo, case_ids, options, args.output, catalogue=ctx.catalogue,
                              today=ctx.today, now=ctx.now(), warnings=warnings)
    except ExportError as exc:
        raise UsageError(f"export: {exc}") from None
    from tui.cli_text import warn

    for line in warnings:
        warn(line)
    if result.destination != "-":
        print(result.line(), file=sys.stderr)
    return 0


def cmd_import(args, ctx) -> int:
    from tui.cli import UsageError
    from store.export.importer import ImportFileError, import_cases, read_export

    try:
        plan = read_export(args.file, ctx.catalogue)
        result = import_cases(ctx.repo, plan, as_new=args.as_new)
    except ImportFileError as exc:
        raise UsageError(f"import: {exc}") from None
    from tui.cli_text import warn

    for line in result.warnings():
        warn(line)
    if ctx.json:
        import json

        print(json.dumps({"imported": list(result.case_ids), "renamed": result.renamed,
                          "policy_restored": list(result.policy_restored)}))
    else:
        # One id a line on stdout, for scripts (`old -> new` with --as-new); the summary on stderr.
        old_ids = {new: old for old, new in result.renamed.items()}
        for case_id in result.case_ids:
            print(f"{old_ids[case_id]} -> {case_id}" if case_id in old_ids else case_id)
        print(f"rounds: {result.line()}", file=sys.stderr)
    return 0
