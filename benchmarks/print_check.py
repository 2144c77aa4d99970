"""Print an MDT list (the html export of several cases) to PDF in headless Chromium and check its pages.

    python benchmarks/print_check.py [--cases 12] [--keep DIR]

Builds a demo database of N cases, exports them all as html, prints the page to PDF with Chromium
(`apt-get install chromium poppler-utils`), reads every page back with pdftotext and checks that
each page carries its patient label, case id and "Page n of N", that each case starts on a new page,
and that no page holds only a disclaimer or the tail of a list (every page has a section heading).
Prints the page count and how long printing took; exits 1 when a page fails.
tests/export/test_print_pdf.py runs the same check.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Every page of a case shows at least one of these (the case's title, or a section heading).
PAGE_ANCHORS = ("Course so far", "Checklist", "Alerts", "Protocol review", "Sources")


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_to_pdf(html: Path, pdf: Path, chromium: str | None = None, timeout: float = 120) -> None:
    """Headless Chromium's own print path, without its default header and footer."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="rounds-chromium-") as profile:
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
             f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.resolve().as_uri()],
            check=True, capture_output=True, timeout=timeout,
        )
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise RuntimeError("chromium wrote no PDF")


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext splits pages with a form feed)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


@dataclass(frozen=True)
class PrintedCase:
    case_id: str
    label: str


def check_pages(pages: list[str], cases: list[PrintedCase]) -> list[str]:
    """What is wrong with the printed pages, one line each (empty: all good).

    `cases` in the order they were exported; each must start on a new page and every one of its
    pages must carry its label and id.
    """
    problems: list[str] = []
    total = len(pages)
    flat = [" ".join(page.split()) for page in pages]
    current = -1
    for number, page in enumerate(flat, start=1):
        if f"Page {number} of {total}" not in page:
            problems.append(f"page {number}: no 'Page {number} of {total}'")
        owners = [n for n, c in enumerate(cases) if f"case {c.case_id}" in page]
        if not owners:
            problems.append(f"page {number}: no case id in its header")
            continue
        owner = owners[0]
        case = cases[owner]
        if case.label and " ".join(case.label.split())[:40] not in page:
            problems.append(f"page {number}: the label of case {case.case_id} is missing")
        if owner != current:
            if owner != current + 1:
                problems.append(f"page {number}: case {case.case_id} is out of order")
            current = owner
        if not any(anchor in page for anchor in PAGE_ANCHORS):
            problems.append(f"page {number}: no section heading (only a disclaimer or the tail of a list)")
    started = {cases[n].case_id for n in range(current + 1)} if cases else set()
    missing = [c.case_id for c in cases if c.case_id not in started]
    if missing:
        problems.append(f"cases never printed: {', '.join(missing)}")
    return problems


def export_demo_html(folder: Path, count: int, order: str | None = None) -> tuple[Path, list[PrintedCase]]:
    """A demo database of `count` cases exported as one html page; the cases in printed order."""
    from datetime import date, datetime, timezone

    from seeds.loader import default_catalogue
    from store.demo import fill_demo
    from store.export.runner import ExportOptions, render_export
    from store.export.sheet import one_line
    from store.repository import Repository

    today = date(2026, 11, 21)
    now = datetime(2026, 11, 21, 9, 30, tzinfo=timezone.utc)
    catalogue = default_catalogue()
    repo = Repository(folder / "db", catalogue, now=lambda: now)
    fill_demo(repo, catalogue, today, count)
    text, _ = render_export(repo, None, ExportOptions("html", order=order), catalogue=catalogue,
                            today=today, now=now)
    html = folder / "mdt.html"
    html.write_text(text, encoding="utf-8")
    printed = re.findall(r"<h1>(.*?) &middot; Case <code>(\w+)</code></h1>", text)
    labels = {case.id: one_line(case.patient) for case in repo.all_cases()}
    return html, [PrintedCase(case_id, labels[case_id]) for _, case_id in printed]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=12)
    parser.add_argument("--order", choices=("urgency", "label"))
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the html and pdf")
    args = parser.parse_args()
    if find_chromium() is None or shutil.which("pdftotext") is None:
        print("needs chromium and pdftotext: apt-get install chromium poppler-utils", file=sys.stderr)
        return 2
    folder = args.keep or Path(tempfile.mkdtemp(prefix="rounds-print-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        html, cases = export_demo_html(folder, args.cases, args.order)
        pdf = folder / "mdt.pdf"
        started = time.perf_counter()
        print_to_pdf(html, pdf)
        took = time.perf_counter() - started
        pages = pdf_pages(pdf)
        problems = check_pages(pages, cases)
        print(f"{len(cases)} cases printed on {len(pages)} pages in {took:.1f} s ({pdf if args.keep else 'temp'})")
        for line in problems:
            print(f"  FAIL {line}")
        return 1 if problems else 0
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
