"""A CSV opened in a spreadsheet runs no formula typed into a case."""

from __future__ import annotations

import csv
import io

import pytest

from store.export.csv_table import safe_cell
from tests.export.conftest import HOSTILE_LABEL, render

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"),
    ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
    ("-2+3", "'-2+3"),
    ("@SUM(1)", "'@SUM(1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\\x0d=1"),  # neutralised, and the carriage return shown rather than obeyed
    ("＝1+1", "'＝1+1"),
    ("DEMO-001", "DEMO-001"),  # a dash inside is harmless
    ("2026-11-21", "2026-11-21"),
    (None, ""),
    (True, "yes"),
    (12.0, "12"),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize("events", [False, True])
def test_no_cell_starts_a_formula(demo, events):
    rows = list(csv.reader(io.StringIO(render(demo, "csv", events=events), newline="")))
    cells = [cell for row in rows for cell in row]
    assert cells
    assert not [c for c in cells if c.startswith(FORMULA_START)]


def test_neutralised_cells_keep_their_text_after_the_quote(demo):
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(render(demo, "csv"), newline=""))}
    assert rows[demo.ids[4]]["patient"] == "'" + HOSTILE_LABEL
    events = list(csv.DictReader(io.StringIO(render(demo, "csv", events=True), newline="")))
    fives = [r for r in events if r["case"] == demo.ids[4]]
    assert {r["note"] for r in fives} >= {"'-2+3 NOTE-FIVE"}
    assert {r["site"] for r in fives} >= {"'@SUM(1)"}
    assert {r["pigment"] for r in fives} >= {"'=1+1"}
