"""Exports (md, html, json, csv, ics; optionally de-identified) and the JSON import, shared by the
`rounds export` / `rounds import` commands and the TUI's export screen. No Textual here.

`runner.export_cases` is the entry point for exports, `importer.read_export` + `importer.import_cases`
for imports; one module per format renders the evaluated cases.
"""
