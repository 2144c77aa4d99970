"""What the board writes to a real terminal (issue 12: Rounds over SSH on a slow link): a cursor move
repaints the two rows it changes, not the screen, and a board left alone writes nothing.

The app runs as `rounds` does, on a pseudo-terminal of 80x24; the bytes are counted as the terminal
would receive them.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOWN, UP = b"\x1b[B", b"\x1b[A"
# Cursor moves to a row: ESC [ row ; column H
ROW_JUMP = re.compile(rb"\x1b\[(\d+);\d+H")


class Terminal:
    def __init__(self, db: Path):
        env = {k: v for k, v in os.environ.items() if k not in ("COLORTERM", "NO_COLOR", "TEXTUAL_DRIVER")}
        env.update(TERM="xterm-256color", PYTHONPATH=str(ROOT))
        pid, fd = pty.fork()
        if pid == 0:  # the child: the app, on the pty's slave side
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, "-m", "tui", "--db", str(db), "--today", "2026-11-21"], env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.kill(pid, signal.SIGWINCH)
        self.output = bytearray()

    def read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return b""
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            return b""
        self.output += chunk
        return chunk

    def wait_for(self, text: bytes, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            assert time.monotonic() < deadline, f"{text!r} never arrived"
            self.read(0.2)

    def until_quiet(self, quiet: float = 0.4) -> bytes:
        got = bytearray()
        while chunk := self.read(quiet):
            got += chunk
        return bytes(got)

    def close(self) -> None:
        try:
            os.write(self.fd, b"q")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and os.waitpid(self.pid, os.WNOHANG) == (0, 0):
                self.read(0.1)
        finally:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            os.close(self.fd)


@pytest.fixture
def terminal(demo_repo):
    term = Terminal(demo_repo.db_dir)
    yield term
    term.close()


def test_a_cursor_move_repaints_two_rows_and_an_idle_board_writes_nothing(terminal):
    terminal.wait_for(b"DEMO-")
    terminal.until_quiet(1.0)
    for key in (DOWN, DOWN, UP):
        os.write(terminal.fd, key)
        written = terminal.until_quiet()
        rows = {int(row) for row in ROW_JUMP.findall(written)}
        assert len(written) <= 400, written
        assert len(rows - {1}) == 2, written  # the row left and the row reached (row 1: the text cursor parked)
    assert terminal.until_quiet(2.5) == b""  # two polls of the database, nothing to say
