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


@pytest.fixture
def repo(tmp_path: Path):
    """An empty database with the shipped protocol (test modules with a `repo` of their own keep theirs)."""
    from store.protocol import shipped_protocol
    from store.repository import Repository
    from tests.tui.demo_db import fixed_now

    return Repository(tmp_path / "db", shipped_protocol(), now=fixed_now)
