"""Fixtures for the TUI tests: a deterministic demo database and an empty one, each in a tmp dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.demo_db import build_demo_database, make_repository


@pytest.fixture
def demo_repo(tmp_path: Path):
    return build_demo_database(tmp_path / "db")


@pytest.fixture
def empty_repo(tmp_path: Path):
    return make_repository(tmp_path / "empty")
