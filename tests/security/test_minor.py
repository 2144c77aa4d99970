"""The minor findings of issue 10, each as it was reported.

- an argument that is not valid UTF-8 was an internal error, and left a new `cases/xx/` folder and a
  lock file behind: now exit 2, nothing created; no rejected command creates any folder or lock;
- the permission warning counted a symbolic link's own mode, and its fix never cleared it;
- `TEXTUAL_SCREENSHOT` in the environment wrote a world-readable SVG of the board (patient labels);
- "No space left on device: " named no file.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.security.conftest import add_case, case_file, run, snapshot

BAD_UTF8 = os.fsdecode(b"DEMO-\xff\xfe")  # what Python makes of bytes that are not UTF-8: surrogates


# --- arguments that are not UTF-8 ----------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ("case", "add", "--patient", BAD_UTF8, "--pathway", "steroid-atrophy", "--onset", "2026-09-01"),
    ("case", "add", "--patient", "DEMO-1", "--pathway", "steroid-atrophy", "--onset", "2026-09-01",
     "--note", BAD_UTF8),
    ("case", "list", "--search", BAD_UTF8),
    ("case", "show", BAD_UTF8),
    ("config", "set", "soon_days", BAD_UTF8),
], ids=["label", "note", "search", "show", "config"])
def test_an_argument_that_is_not_utf8_is_refused_and_creates_nothing(capsys, tmp_path, args):
    db = tmp_path / "db"
    code, out, err = run(capsys, db, *args)
    assert code == 2, err
    assert "UTF-8" in err and "internal error" not in err and len(err.strip().splitlines()) == 1
    assert not db.exists()


def test_a_database_path_that_is_not_utf8_is_refused(capsys, tmp_path):
    db = tmp_path / BAD_UTF8
    code, _, err = run(capsys, db, "case", "add", "--patient", "DEMO-1", "--pathway", "steroid-atrophy",
                       "--onset", "2026-09-01")
    assert code == 2 and "UTF-8" in err
    assert list(tmp_path.iterdir()) == []


def test_the_same_through_a_real_process(tmp_path):
    """As the shell passes it: raw bytes in argv."""
    db = tmp_path / "db"
    root = Path(__file__).resolve().parents[2]
    child = subprocess.run(
        [sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())", "--db", str(db),
         "--today", "2026-11-21", "case", "add", "--patient", b"DEMO-\xff", "--pathway", "steroid-atrophy",
         "--onset", "2026-09-01"],
        capture_output=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert child.returncode == 2, child.stderr
    assert b"internal error" not in child.stderr
    assert not db.exists()


# --- a rejected command creates nothing: no folder, no lock, no settings ---------------------------


REJECTED_ON_A_NEW_PATH = [
    ("case", "add", "--patient", "DEMO-1", "--pathway", "steroid-atrophy", "--onset", "2026-13-01"),
    ("case", "add", "--patient", "DEMO\u202e1", "--pathway", "steroid-atrophy", "--onset", "2026-09-01"),
    ("config", "set", "soon_days", "9999"),
    ("demo", "--cases", "0"),
    ("export", "--all", "--format", "csv", "--deidentify"),
    ("export", "--all", "--format", "json"),
    ("log", "abcd", "saline", "--volume-ml", "10"),
    ("import", "/nonexistent/export.json"),
]


@pytest.mark.parametrize("args", REJECTED_ON_A_NEW_PATH, ids=lambda a: " ".join(a[:3]))
def test_a_rejected_command_on_a_new_path_creates_nothing(capsys, tmp_path, args):
    db = tmp_path / "db"
    code, _, err = run(capsys, db, *args)
    assert code == 2, err
    assert not db.exists()


def test_a_rejected_change_to_a_case_restored_without_its_lock_file_adds_no_lock(capsys, db):
    case_id = add_case(capsys, db)
    case_file(db, case_id).with_suffix(".lock").unlink()  # as a backup copied without lock files has it
    before = snapshot(db)
    for args in (
        ("log", case_id, "saline", "--volume-ml", "999"),
        ("log", case_id, "saline", "--volume-ml", "10", "--date", "2099-01-01"),
        ("item", case_id, "no-such-item", "done"),
        ("item", case_id, "review-6m", "snooze", "--reason", "away", "--until", "2020-01-01"),
        ("event", "void", case_id, "e99", "--reason", "wrong case"),
        ("case", "set", case_id, "onset", "2099-01-01"),
        ("case", "set", case_id, "patient", "DEMO\x9b1"),
    ):
        code, _, err = run(capsys, db, *args)
        assert code == 2, (args, err)
        assert snapshot(db) == before, args
    assert run(capsys, db, "log", case_id, "saline", "--volume-ml", "10")[0] == 0  # and a good one works


# --- the permission warning -------------------------------------------------------------------------


def warning_fix(err: str) -> str:
    line = next(line for line in err.splitlines() if "can be read by other users" in line)
    return line.split("fix it with: ")[1].strip()


def test_links_do_not_count_and_the_suggested_fix_clears_the_warning(capsys, tmp_path):
    real = tmp_path / "real-db"
    add_case(capsys, real)
    link = tmp_path / "db"
    link.symlink_to(real)  # --db names a link to the database, as people do
    (real / "cases" / "notes-link").symlink_to(tmp_path)  # and a link inside it (mode 0777 of its own)
    os.chmod(real, 0o755)
    code, out, err = run(capsys, link, "case", "list")
    assert code == 0 and "can be read by other users" in err
    subprocess.run(shlex.split(warning_fix(err)), check=True)
    code, out, err = run(capsys, link, "case", "list")
    assert "can be read by other users" not in err, err


def test_with_only_links_there_is_no_warning(capsys, tmp_path):
    db = tmp_path / "db"
    add_case(capsys, db)
    (db / "cases" / "elsewhere").symlink_to(tmp_path)
    code, out, err = run(capsys, db, "case", "list")
    assert "can be read by other users" not in err, err


# --- TEXTUAL_SCREENSHOT -------------------------------------------------------------------------------


def test_a_screenshot_asked_for_by_the_environment_writes_no_file(tmp_path, monkeypatch):
    import textual.constants

    from seeds.loader import default_catalogue
    from store.repository import Repository
    from tests.tui.demo_db import TODAY, screen_text, wait_for
    from tui.app import make_app

    db = tmp_path / "db"
    shots = tmp_path / "shots"
    shots.mkdir()
    repo = Repository(db, default_catalogue())
    from tests.tui.demo_db import add_case as add_demo_case

    add_demo_case(repo, "a1d0000001", "DEMO-SECRET", ["steroid-atrophy"], "2026-03-01", TODAY)
    # What `TEXTUAL_SCREENSHOT=0 TEXTUAL_SCREENSHOT_LOCATION=... rounds` sets when Textual is imported.
    monkeypatch.setenv("TEXTUAL_SCREENSHOT", "0")
    monkeypatch.setattr(textual.constants, "SCREENSHOT_DELAY", 0)
    monkeypatch.setattr(textual.constants, "SCREENSHOT_LOCATION", str(shots))

    async def scenario():
        app = make_app(repo, today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: "DEMO-SECRET" in screen_text(app))
            await pilot.pause(0.3)
            assert app.is_running  # the timer that saves and quits never started
            app.save_screenshot(path=str(shots))  # and asked for directly, it writes nothing either
            app.deliver_screenshot(path=str(shots))
            await pilot.pause(0.1)

    asyncio.run(scenario())
    assert list(shots.iterdir()) == []
    assert not list(tmp_path.rglob("*.svg"))


# --- a full disk -----------------------------------------------------------------------------------


def test_a_failing_write_names_the_file_and_leaves_it_as_it_was(capsys, db, monkeypatch):
    import store.storage

    case_id = add_case(capsys, db)
    path = case_file(db, case_id)
    before = path.read_bytes()

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.storage.os, "fsync", full)
    code, out, err = run(capsys, db, "log", case_id, "saline", "--volume-ml", "10")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "No space left on device" in err and str(path) in err
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.fixture()
def tiny_disk(tmp_path):
    mount_point = tmp_path / f"tiny-{uuid.uuid4().hex[:6]}"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k,mode=0700", "tmpfs", str(mount_point)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("mounting a small tmpfs needs root (CAP_SYS_ADMIN); the test above covers it otherwise")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def test_a_really_full_disk_names_the_file(capsys, tiny_disk):
    db = tiny_disk / "db"
    case_id = add_case(capsys, db)
    path = case_file(db, case_id)
    before = path.read_bytes()
    filler = tiny_disk / "filler"
    with open(filler, "wb", buffering=0) as handle:  # fill the disk to the last block
        try:
            while True:
                handle.write(b"\0" * 512)
        except OSError:
            pass
    code, out, err = run(capsys, db, "log", case_id, "note", "--note", "x" * 1500)
    assert code == 1, err
    assert "No space left on device" in err and str(path) in err, err
    assert path.read_bytes() == before
