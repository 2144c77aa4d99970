"""Disk full: a write that cannot finish leaves the old file whole, and says so in one line naming it.

Tried two ways: on a real, tiny tmpfs that fills up (needs root to mount; skipped otherwise), and
with `os.write` failing with ENOSPC (runs everywhere). Both go through the `rounds` command line.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.store.conftest import ROOT, child_env

TODAY = "2026-11-21"


def rounds(db: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui", "--db", str(db), "--today", TODAY, *args],
        cwd=ROOT, env=child_env(**env), capture_output=True, text=True, timeout=60,
    )


def add_case(db: Path) -> str:
    made = rounds(db, "case", "add", "--patient", "DEMO-101", "--pathway", "steroid-atrophy",
                  "--onset", "2026-09-01")
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def case_file(db: Path, case_id: str) -> Path:
    return db / "cases" / case_id[:2] / f"{case_id}.json"


def temp_files(db: Path) -> list[Path]:
    return [p for p in db.rglob("*.tmp")]


def assert_one_clear_line(result: subprocess.CompletedProcess, path: Path) -> None:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0]
    assert "no space left on device" in lines[0].lower() and "left as it was" in lines[0]
    assert "Traceback" not in result.stderr and "DEMO-101" not in result.stderr


# Runs the command line with os.write failing with ENOSPC for the store's temp files only.
FAILING_WRITE = """
import errno, os, sys
real_write = os.write

def full(fd, data):
    if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp"):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return real_write(fd, data)

os.write = full
from tui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_write_failing_with_enospc_leaves_the_old_file_and_names_it(tmp_path):
    db = tmp_path / "db"
    case_id = add_case(db)
    path = case_file(db, case_id)
    before = path.read_bytes()

    result = subprocess.run(
        [sys.executable, "-c", FAILING_WRITE, "--db", str(db), "--today", TODAY, "log", case_id, "note",
         "--note", "after the disk filled"],
        cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=60,
    )

    assert_one_clear_line(result, path)
    assert path.read_bytes() == before
    assert temp_files(db) == []
    again = rounds(db, "log", case_id, "note", "--note", "space again")
    assert again.returncode == 0, again.stderr


@pytest.fixture
def tiny_disk(tmp_path):
    """A 256 KiB tmpfs, mounted for the test (root only; skipped where mounting is not allowed)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(directory: Path) -> Path:
    """Write a file until the filesystem refuses another byte."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        chunk = b"\0" * 4096
        while True:
            try:
                os.write(fd, chunk)
            except OSError as error:
                assert error.errno == errno.ENOSPC
                if len(chunk) == 1:
                    break
                chunk = chunk[: len(chunk) // 2]
    finally:
        os.close(fd)
    return filler


def test_a_real_full_disk_leaves_the_old_file_and_names_it(tiny_disk):
    db = tiny_disk / "db"
    case_id = add_case(db)
    for n in range(3):  # a case with some history, so that its next version needs new blocks
        assert rounds(db, "log", case_id, "note", "--note", f"visit {n}").returncode == 0
    path = case_file(db, case_id)
    before = path.read_bytes()
    filler = fill(tiny_disk)

    result = rounds(db, "log", case_id, "note", "--note", "on a full disk")

    assert_one_clear_line(result, path)
    assert path.read_bytes() == before
    assert temp_files(db) == []
    shown = rounds(db, "--json", "case", "show", case_id)
    assert shown.returncode == 0, shown.stderr
    filler.unlink()
    again = rounds(db, "log", case_id, "note", "--note", "space again")
    assert again.returncode == 0, again.stderr
