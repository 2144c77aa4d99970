"""A 12-case MDT list printed to PDF by headless Chromium: a label, case id and page number on every
page, each case on its own pages, and no page holding only a disclaimer or the tail of a list.

The printing test skips only when Chromium (or pdftotext) is not installed; `.ci/run` installs both.
The page checks themselves are tested below on made-up page texts, with or without Chromium.
"""

from __future__ import annotations

import shutil

import pytest

from benchmarks.print_check import PrintedCase, check_pages, export_demo_html, find_chromium, pdf_pages, print_to_pdf

needs_chromium = pytest.mark.skipif(
    find_chromium() is None or shutil.which("pdftotext") is None,
    reason="chromium and pdftotext are not installed (apt-get install chromium poppler-utils)",
)


@needs_chromium
@pytest.mark.parametrize("order", [None, "label"])
def test_a_twelve_case_mdt_list_prints_with_a_header_on_every_page(tmp_path, order):
    html, cases = export_demo_html(tmp_path, 12, order)
    assert len(cases) == 12
    pdf = tmp_path / "mdt.pdf"
    print_to_pdf(html, pdf)
    pages = pdf_pages(pdf)
    assert len(cases) <= len(pages) <= 2 * len(cases)
    assert check_pages(pages, cases) == []
    # The disclaimer is printed once per case, never on a page of its own.
    disclaimers = [n for n, page in enumerate(pages) if "does not replace clinical judgement" in " ".join(page.split())]
    assert len(disclaimers) == len(cases)


def _page(number: int, total: int, case: PrintedCase, body: str) -> str:
    return f"{case.label} · case {case.case_id}   Rounds case summary\n{body}\nRounds   Page {number} of {total}"


ONE, TWO = PrintedCase("aaaa111111", "DEMO-001"), PrintedCase("bbbb222222", "DEMO-002")


def test_good_pages_pass_the_check():
    pages = [_page(1, 3, ONE, "Course so far ... Checklist"), _page(2, 3, ONE, "Alerts ... Sources"),
             _page(3, 3, TWO, "Course so far Checklist Alerts Sources")]
    assert check_pages(pages, [ONE, TWO]) == []


@pytest.mark.parametrize("pages, problem", [
    ([_page(1, 2, ONE, "Course so far"), _page(2, 2, ONE, "Rounds is decision support ...")],
     "page 2: no section heading"),
    ([_page(1, 1, ONE, "Checklist").replace("case aaaa111111", "")], "page 1: no case id"),
    ([_page(1, 1, ONE, "Checklist").replace("DEMO-001", "")], "the label of case aaaa111111 is missing"),
    ([_page(1, 1, ONE, "Checklist").replace("Page 1 of 1", "")], "no 'Page 1 of 1'"),
    ([_page(1, 1, TWO, "Checklist")], "out of order"),
])
def test_bad_pages_fail_the_check(pages, problem):
    found = check_pages(pages, [ONE, TWO])
    assert any(problem in line for line in found), found
