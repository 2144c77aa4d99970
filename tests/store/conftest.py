"""Fixtures for the store tests: a repository on a temp directory, and a way to run a second process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from checklists.models import Change
from tests.store.helpers import make_case, make_repo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_dir(tmp_path: Path) -> Path:
    return tmp_path / "db"


@pytest.fixture
def repo(db_dir: Path):
    return make_repo(db_dir)


@pytest.fixture
def case_id(repo) -> str:
    """One stored case (revision 1, three events)."""
    new_id = repo.new_case_id()
    repo.add_case(make_case(new_id, events=3), [Change("case-add", "case", None, new_id)])
    return new_id


def python_command(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


def run_python(code: str, *args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter (its own umask cache, its own locks) and wait for it."""
    return subprocess.run(
        python_command(code) + list(args), cwd=ROOT, env=child_env(**env),
        capture_output=True, text=True, timeout=timeout,
    )


def start_python(code: str, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        python_command(code) + list(args), cwd=ROOT, env=child_env(**env),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_for(path: Path, process: subprocess.Popen | None = None, timeout: float = 20) -> None:
    """Wait until a child signals by creating `path` (fail early if the child died instead)."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"child exited early: {process.stderr.read()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {path}")
        time.sleep(0.005)
