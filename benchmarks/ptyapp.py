"""Drive a terminal app in a real pseudo-terminal and measure it as a user's terminal would meet it.

    app = PtyApp.spawn([".venv/bin/rounds", "--db", db], size=(24, 80))
    seen = app.read_until(b"DEMO-")            # seconds since spawn, when the text first arrived
    took, count = app.key(DOWN)                 # first byte out after the key, bytes until quiet
    app.close()

Every figure comes from the bytes the app writes to the pty master, counted as they arrive, and from
/proc/<pid> (CPU, peak memory): nothing is estimated from inside the app. ptyprocess does the fork,
the controlling terminal and the window size, exactly as a terminal emulator or sshd would.
"""

from __future__ import annotations

import os
import select
import signal
import time
from contextlib import suppress
from dataclasses import dataclass, field

from ptyprocess import PtyProcess

# What a terminal sends for these keys (xterm, normal cursor mode; Textual reads both modes).
DOWN = b"\x1b[B"
UP = b"\x1b[A"

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class KeyResult:
    """What one key press did: time to the first byte back (None if nothing came), bytes until quiet."""

    first_byte_s: float | None
    bytes_out: int


@dataclass
class PtyApp:
    """One app process on a pseudo-terminal; everything it writes is read (and kept) by `_read`."""

    process: PtyProcess
    started: float  # perf_counter just before the fork
    output: bytearray = field(default_factory=bytearray)

    @classmethod
    def spawn(cls, argv: list[str], *, env: dict[str, str] | None = None, size: tuple[int, int] = (24, 80),
              cwd: str | None = None) -> "PtyApp":
        """Start `argv` on a new pty of `size` (rows, columns); the clock starts just before the fork."""
        started = time.perf_counter()
        process = PtyProcess.spawn(argv, env=env, dimensions=size, cwd=cwd, echo=False)
        return cls(process, started)

    @property
    def pid(self) -> int:
        return self.process.pid

    # -- reading ----------------------------------------------------------------------------------

    def _read(self, timeout: float) -> bytes:
        """Whatever is ready within `timeout` seconds (b"" on timeout); EOFError once the app has gone."""
        ready, _, _ = select.select([self.process.fd], [], [], max(timeout, 0))
        if not ready:
            return b""
        try:
            chunk = os.read(self.process.fd, 65536)
        except OSError:  # EIO: the slave side is closed
            raise EOFError("the app closed its terminal") from None
        if not chunk:
            raise EOFError("the app closed its terminal")
        self.output += chunk
        return chunk

    def read_until(self, needle: bytes, timeout: float = 60.0) -> float:
        """Read until `needle` has appeared in the output since this call; seconds since spawn then.

        TimeoutError (with the tail of the output) if it does not come within `timeout` seconds.
        """
        start = len(self.output)
        deadline = time.perf_counter() + timeout
        while True:
            # Search from a little before the new bytes: the needle may straddle two reads.
            if self.output.find(needle, max(start - len(needle), 0)) >= 0:
                return time.perf_counter() - self.started
            left = deadline - time.perf_counter()
            if left <= 0:
                tail = bytes(self.output[-300:])
                raise TimeoutError(f"{needle!r} did not appear within {timeout} s; last output: {tail!r}")
            self._read(min(left, 0.5))

    def drain(self, quiet: float = 0.15, timeout: float = 10.0) -> int:
        """Read until nothing has arrived for `quiet` seconds; returns how many bytes came meanwhile."""
        count = 0
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            chunk = self._read(quiet)
            if not chunk:
                return count
            count += len(chunk)
        return count

    def count_for(self, seconds: float) -> int:
        """Bytes written during the next `seconds` (the app left alone)."""
        count = 0
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            count += len(self._read(left))
        return count

    # -- keys -------------------------------------------------------------------------------------

    def send(self, data: bytes) -> float:
        """Write `data` as typed keys; returns the perf_counter instant it was written."""
        os.write(self.process.fd, data)
        return time.perf_counter()

    def key(self, data: bytes, quiet: float = 0.15, timeout: float = 5.0) -> KeyResult:
        """Press a key when the app is quiet: time to its first byte back, and every byte until quiet.

        The caller drains first (`drain()`), so bytes counted here are the answer to this key (or to
        anything the app does by itself meanwhile, which the idle figure shows separately).
        """
        sent = self.send(data)
        first = self._read(timeout)
        if not first:
            return KeyResult(None, 0)
        first_s = time.perf_counter() - sent
        return KeyResult(first_s, len(first) + self.drain(quiet, timeout))

    # -- the process, from /proc ------------------------------------------------------------------

    def cpu_seconds(self) -> float:
        """User + system CPU of the whole process so far (all threads, ended ones included)."""
        with open(f"/proc/{self.pid}/stat", "rb") as handle:
            # The command name (field 2) may hold spaces: count fields after its closing parenthesis.
            fields = handle.read().rsplit(b")", 1)[1].split()
        utime, stime = int(fields[11]), int(fields[12])
        return (utime + stime) / _CLOCK_TICKS

    def status_kb(self, key: str) -> int:
        """A `kB` figure from /proc/<pid>/status, e.g. VmHWM (peak resident memory) or VmRSS."""
        with open(f"/proc/{self.pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        raise KeyError(key)

    def peak_memory_mb(self) -> float:
        return self.status_kb("VmHWM") / 1024

    # -- ending -----------------------------------------------------------------------------------

    def close(self, quit_keys: bytes | None = b"q", timeout: float = 10.0) -> int | None:
        """Quit with `quit_keys` (reading what the app writes meanwhile), else terminate; the exit status."""
        if quit_keys and self.process.isalive():
            with suppress(OSError):
                self.send(quit_keys)
            deadline = time.perf_counter() + timeout
            while self.process.isalive() and time.perf_counter() < deadline:
                try:
                    self._read(0.05)
                except EOFError:
                    break
        if self.process.isalive():
            with suppress(OSError):
                os.kill(self.pid, signal.SIGTERM)
            self.process.terminate(force=True)
        with suppress(Exception):
            self.process.wait()
        status = self.process.exitstatus
        with suppress(OSError):
            self.process.close(force=True)
        return status

    def __enter__(self) -> "PtyApp":
        return self

    def __exit__(self, *exc) -> None:
        self.close(None if exc[0] else b"q")

