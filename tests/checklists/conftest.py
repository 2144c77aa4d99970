"""Fixtures for the engine tests: a private copy of the shipped pathway files to break on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    target.mkdir()
    shutil.copy(SEEDS / "references.toml", target / "references.toml")
    shutil.copytree(SEEDS / "pathways", target / "pathways")
    return target


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found in {path.name}: {old!r}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
