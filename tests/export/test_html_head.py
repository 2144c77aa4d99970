"""Every HTML file Rounds writes (a case summary, a worklist, a pathway's protocol) opens the same way:
a policy that forbids scripts and every fetch, no referrer, inline CSS only (store/export/html_page.page_start)."""

from __future__ import annotations

import pytest

from tests.export.conftest import TODAY, render
from tui.cli import main

COMMANDS = {
    "worklist": ["worklist", "--format", "html"],
    "protocol": ["pathways", "show", "steroid-atrophy", "--format", "html"],
}


def head_of(page: str) -> str:
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n")
    return page.split("</head>")[0]


def assert_locked_down(page: str) -> None:
    head = head_of(page)
    assert "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">" \
        in head
    assert "<meta name=\"referrer\" content=\"no-referrer\">" in head
    assert "<script" not in page and "<link" not in page


def test_a_case_summary(demo):
    assert_locked_down(render(demo, "html", demo.ids[:2]))


@pytest.mark.parametrize("what", sorted(COMMANDS))
def test_a_worklist_and_a_protocol(demo, capsys, what):
    assert main(["--db", str(demo.repo.db_dir), "--today", TODAY.isoformat(), *COMMANDS[what]]) == 0
    assert_locked_down(capsys.readouterr().out)
