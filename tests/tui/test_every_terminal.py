"""Every terminal shows the text (issue 9): the real app on a pseudo-terminal, its bytes read over the
matrix TERM x NO_COLOR x COLORTERM. No cell is drawn in the same colour as its background (TERM=screen
with NO_COLOR drew every cell black on black, SGR 30;40); with NO_COLOR only the terminal's default
colours are used (SGR 39/49), and the cursor line is in reverse video."""

from __future__ import annotations

import itertools
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.tui.demo_db import build_demo_database

ROOT = Path(__file__).resolve().parents[2]
TERMS = ("xterm-256color", "screen", "xterm", "linux")
MATRIX = list(itertools.product(TERMS, (None, "1"), (None, "truecolor")))
SGR = re.compile(rb"\x1b\[([0-9;:]*)m")


def colours(params: list[int]) -> tuple[object, object, bool]:
    """(foreground, background, reverse) that one SGR sequence sets (None: not set, "default": 39/49)."""
    fg = bg = None
    reverse = False
    n = 0
    while n < len(params):
        p = params[n]
        if p in (38, 48) and n + 1 < len(params):
            size = 3 if params[n + 1] == 5 else 5
            value = tuple(params[n + 1:n + size])
            if p == 38:
                fg = value
            else:
                bg = value
            n += size
            continue
        if 30 <= p <= 37 or 90 <= p <= 97:
            fg = ("ansi", p % 10 + (8 if p >= 90 else 0))
        elif 40 <= p <= 47 or 100 <= p <= 107:
            bg = ("ansi", p % 10 + (8 if p >= 100 else 0))
        elif p == 39:
            fg = "default"
        elif p == 49:
            bg = "default"
        elif p == 7:
            reverse = True
        n += 1
    return fg, bg, reverse


def run_app(db: Path, term: str, no_color: str | None, colorterm: str | None) -> bytes:
    from benchmarks.ptyapp import PtyApp

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLORTERM", "TERM")}
    env.update(TERM=term, PYTHONPATH=str(ROOT))
    if no_color:
        env["NO_COLOR"] = no_color
    if colorterm:
        env["COLORTERM"] = colorterm
    app = PtyApp.spawn([sys.executable, "-m", "tui", "--db", str(db), "--today", "2026-11-21"], env=env,
                       size=(24, 80), cwd=str(ROOT))
    try:
        app.read_until(b"DEMO-004", timeout=60)
        app.drain(0.5)
        return bytes(app.output)
    finally:
        app.close()


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict:
    pytest.importorskip("ptyprocess")
    db = tmp_path_factory.mktemp("terminals") / "db"
    build_demo_database(db)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda combo: run_app(db, *combo), MATRIX)
        return dict(zip(MATRIX, results))


@pytest.mark.parametrize("combo", MATRIX, ids=lambda c: f"TERM={c[0]} NO_COLOR={c[1]} COLORTERM={c[2]}")
def test_no_text_in_the_colour_of_its_background(outputs, combo):
    same = []
    for match in SGR.finditer(outputs[combo]):
        params = [int(p) for p in re.split(rb"[;:]", match.group(1)) if p]
        fg, bg, _ = colours(params)
        if fg is not None and fg == bg and fg != "default":
            same.append(match.group(0))
    assert same == [], f"{combo}: text drawn in its background's colour: {set(same)}"
    assert b"DEMO-001" in outputs[combo]


@pytest.mark.parametrize("combo", [c for c in MATRIX if c[1]],
                         ids=lambda c: f"TERM={c[0]} COLORTERM={c[2]}")
def test_no_color_means_the_terminal_s_own_colours_and_a_reverse_cursor(outputs, combo):
    coloured = set()
    reversed_cursor = False
    data = outputs[combo]
    for match in SGR.finditer(data):
        params = [int(p) for p in re.split(rb"[;:]", match.group(1)) if p]
        fg, bg, reverse = colours(params)
        if fg not in (None, "default") or bg not in (None, "default"):
            coloured.add(match.group(0))
        if reverse and data[match.end():match.end() + 3] == "▸".encode():
            reversed_cursor = True  # the board's cursor line, in reverse video
    assert coloured == set(), f"{combo}: colours despite NO_COLOR: {coloured}"
    assert reversed_cursor, f"{combo}: the cursor line is not in reverse video"
