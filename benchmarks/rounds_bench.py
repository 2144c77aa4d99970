"""Every figure of issue 12, measured from outside the app at 1,000 and 10,000 cases, in one table.

    python benchmarks/rounds_bench.py [--quick] [--sizes 1000 10000] [--runs N] [--only cli tui]
                                      [--json-out FILE] [--keep]

The command line is timed as whole processes (`rounds ...` from fork to exit, interpreter start and
every import included). The app runs on a real pseudo-terminal of 80x24 (benchmarks/ptyapp.py) and
is measured by the bytes it writes there and by /proc/<pid>. Each size works on a fresh copy of a
cached `rounds demo --cases N` database (benchmarks/demo_db.py), with the date fixed by ROUNDS_TODAY.

Definitions:
- start to an interactive board: from the fork until the app answers a key pressed as soon as the first
  board row (a DEMO- label) has arrived: `f` is sent then and the clock stops when the filter bar's
  answer `[closed]` arrives. So it counts only a board that is both drawn and listening.
- bytes per cursor move: with the app quiet, `down` (then `up`) within the first screenful; every byte
  until 150 ms pass with none. Keypress to first byte: the same key presses, write to first byte back.
- burst: `/` (the search box), then BURST's ten characters written in one go; from that write until the
  last of them is on the screen (the board's search text). Then escape twice clears the search.
- idle: the board left alone for --idle seconds: bytes written (B/s) and CPU (utime+stime of every
  thread, /proc/<pid>/stat) as % of one core. Peak memory: VmHWM of the app at the end of the run.
- one change: `rounds log <id> note --note ...` and `rounds item <id> <next due item> done`, each on a
  case not touched before. First list after a policy change: `config set soon_days` (not timed), then
  `case list --json`. Exports: `export --all --format json [--deidentify] -o FILE`.
The mark compares the median with the target; "worst" is the slowest (largest) run; "cpu s" is the
median user+system CPU of the process (to the interactive moment, for the app): on a shared machine
it moves less with the load than the wall-clock figures.
BENCH_QUICK=1 (or --quick): fewer runs, 1,000 cases only, shorter idle window.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.demo_db import demo_database, rounds_command, working_copy  # noqa: E402
from benchmarks.ptyapp import DOWN, UP, PtyApp  # noqa: E402

TODAY = "2026-11-21"
SIZE = (24, 80)  # rows, columns
ROW_MARKER = b"DEMO-"  # every demo case's label: its arrival means board rows are on the screen
PROBE_KEY, PROBE_ANSWER = b"f", b"[closed]"  # `f` moves the filter from active to closed
RESET_KEY, RESET_ANSWER = b"4", b"[active]"  # back to the default filter before the cursor moves
MOVES = 6  # downs, then as many ups, staying within the first screenful
BURST = b"zqzqzqzqzq"  # typed into the board's search box at once (one read), as a quick typist's keys come
ESCAPE = b"\x1b"


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str
    target: float | None  # None: shown for information, no mark
    strict: bool = True  # True: figure < target; False: figure <= target
    scale: float = 1.0  # stored value * scale = shown value
    digits: int = 2

    def show(self, value: float | None) -> str:
        if value is None:
            return "-"
        shown = value * self.scale
        return f"{shown:,.{self.digits}f}"

    def target_text(self) -> str:
        if self.target is None:
            return ""
        sign = "<" if self.strict else "<="
        return f"{sign} {self.target * self.scale:,.{self.digits}f} {self.unit}".replace(".00 ", " ")

    def passes(self, value: float) -> bool:
        return value < self.target if self.strict else value <= self.target


MEASURES = [
    Measure("start", "`rounds` start to an interactive board", "s", 0.4, digits=3),
    Measure("rows_drawn", "  (first board rows drawn)", "s", None, digits=3),
    Measure("move_bytes", "bytes written per cursor move", "B", 400, strict=False, digits=0),
    Measure("key_latency", "keypress to first byte out", "ms", 0.005, strict=False, scale=1e3, digits=1),
    Measure("burst", "10 characters typed in one burst, all shown", "s", 0.3, digits=3),
    Measure("idle_bytes", "bytes written while idle", "B/s", 0, strict=False, digits=0),
    Measure("list_json", "`rounds case list --json`", "s", 0.15, digits=3),
    Measure("log", "one change: `rounds log`", "s", 0.08, digits=3),
    Measure("item_done", "one change: `rounds item ... done`", "s", 0.08, digits=3),
    Measure("policy_list", "first list after a policy change", "s", 0.5, digits=2),
    Measure("export_deid", "de-identified export, all cases (json)", "s", 1.0, digits=2),
    Measure("export_json", "JSON export of all cases", "s", 1.0, digits=2),
    Measure("cpu_idle", "CPU while the board sits open", "% core", 0.005, scale=100, digits=2),
    Measure("peak_memory", "peak memory of the TUI", "MB", 60, digits=0),
    Measure("list_cold", "  (first list of a copied db: no valid cache)", "s", None, digits=2),
]
BY_KEY = {m.key: m for m in MEASURES}
GROUPS = {
    "tui": ("start", "rows_drawn", "move_bytes", "key_latency", "burst", "idle_bytes", "cpu_idle", "peak_memory"),
    "list": ("list_json",), "change": ("log", "item_done"), "policy": ("policy_list",),
    "export": ("export_json", "export_deid"),
}
GROUPS["cli"] = GROUPS["list"] + GROUPS["change"] + GROUPS["policy"] + GROUPS["export"]


@dataclass
class Settings:
    sizes: list[int]
    runs: int
    tui_runs: int
    idle_seconds: float
    only: set[str]
    keep: bool
    json_out: Path | None = None

    def wants(self, group: str) -> bool:
        return any(key in self.only for key in GROUPS[group])


@dataclass
class Samples:
    values: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)  # CPU seconds of the process, where known

    def add(self, key: str, value: float, cpu: float | None = None) -> None:
        self.values.setdefault(key, []).append(value)
        if cpu is not None:
            self.cpu.setdefault(key, []).append(cpu)

    def add_run(self, key: str, run: "Run") -> None:
        self.add(key, run.wall, run.cpu)


def bench_env() -> dict[str, str]:
    """The environment of every `rounds` the benchmark starts: a fixed day and an ordinary SSH terminal."""
    # PYTHONDONTWRITEBYTECODE would make every process compile Rounds' own modules from source again,
    # which no installed copy does (tens of milliseconds on each command).
    dropped = ("ROUNDS_DB", "ROUNDS_DEBUG", "COLORTERM", "NO_COLOR", "PYTHONDONTWRITEBYTECODE",
               "PYTHONPROFILEIMPORTTIME")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["ROUNDS_TODAY"] = TODAY
    # xterm-256color without COLORTERM is what most SSH sessions carry (COLORTERM is not forwarded).
    env["TERM"] = os.environ.get("BENCH_TERM", "xterm-256color")
    return env


# --- the command line, as whole processes ----------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    wall: float  # seconds from spawn to exit
    cpu: float  # user + system seconds of the process: the figure a loaded machine disturbs least
    stdout: bytes


def run_rounds(db: Path, *args: str, env: dict[str, str]) -> Run:
    """`rounds --db DB ARGS...` as a whole process, timed; fails loudly if it fails."""
    # Only one child runs at a time, so the growth of RUSAGE_CHILDREN is this one's CPU.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([*rounds_command(), "--db", str(db), *args], capture_output=True, env=env, cwd=ROOT)
    took = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"rounds {' '.join(args)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Run(took, cpu, done.stdout)


def bench_cli(db: Path, settings: Settings, samples: Samples, env: dict[str, str]) -> None:
    first = run_rounds(db, "case", "list", "--json", env=env)
    rows = json.loads(first.stdout)
    samples.add_run("list_cold", first)
    if settings.wants("list"):
        for _ in range(settings.runs):
            samples.add_run("list_json", run_rounds(db, "case", "list", "--json", env=env))
    if settings.wants("change"):
        # Each change on a case not touched before, as on a clinic day (and never "nothing to do").
        # An item in its window, done by hand: a saline course is logged session by session instead.
        due = [r for r in rows if r["next_due"] is not None and r["next_due"]["status"] in ("due", "overdue")
               and r["next_due"]["item"] != "saline-session"]
        for n in range(settings.runs):
            samples.add_run("log", run_rounds(db, "log", rows[n]["id"], "note", "--note", "benchmark note", env=env))
            row = due[-(n + 1)]
            samples.add_run("item_done", run_rounds(db, "item", row["id"], row["next_due"]["item"], "done", env=env))


def bench_policy(db: Path, settings: Settings, samples: Samples, env: dict[str, str]) -> None:
    for n in range(settings.runs):
        run_rounds(db, "config", "set", "soon_days", str(20 + n % 2), env=env)
        samples.add_run("policy_list", run_rounds(db, "case", "list", "--json", env=env))


def bench_exports(db: Path, work: Path, settings: Settings, samples: Samples, env: dict[str, str]) -> None:
    # Last: every export appends its record (with every case id) to the settings file.
    for key, extra in (("export_json", ()), ("export_deid", ("--deidentify",))):
        if key not in settings.only:
            continue
        for _ in range(settings.runs):
            out = work / f"{key}.json"
            samples.add_run(key, run_rounds(db, "export", "--all", "--format", "json", *extra, "-o", str(out),
                                            env=env))


# --- the app, on a pseudo-terminal ---------------------------------------------------------------------


def tui_run(db: Path, settings: Settings, samples: Samples, env: dict[str, str]) -> None:
    app = PtyApp.spawn([*rounds_command(), "--db", str(db)], env=env, size=SIZE, cwd=str(ROOT))
    try:
        samples.add("rows_drawn", app.read_until(ROW_MARKER))
        app.send(PROBE_KEY)
        samples.add("start", app.read_until(PROBE_ANSWER), app.cpu_seconds())
        app.send(RESET_KEY)
        app.read_until(RESET_ANSWER)
        app.drain(quiet=0.3)
        for key in [DOWN] * MOVES + [UP] * MOVES:
            result = app.key(key)
            if result.first_byte_s is None:
                raise RuntimeError("the app did not answer a cursor key within 5 s")
            samples.add("key_latency", result.first_byte_s)
            samples.add("move_bytes", result.bytes_out)
        app.drain(quiet=0.3)
        samples.add("burst", type_burst(app))
        cpu_before, started = app.cpu_seconds(), time.perf_counter()
        written = app.count_for(settings.idle_seconds)
        cpu_after, took = app.cpu_seconds(), time.perf_counter() - started
        samples.add("idle_bytes", written / took)
        samples.add("cpu_idle", (cpu_after - cpu_before) / took)
        samples.add("peak_memory", app.peak_memory_mb())
    finally:
        status = app.close()
    if status not in (0, None):
        raise RuntimeError(f"the app exited with status {status}")


def type_burst(app: PtyApp) -> float:
    """Seconds from writing BURST into the board's search box until all of it is on the screen."""
    app.send(b"/")
    app.drain(quiet=0.3)
    sent = app.send(BURST) - app.started
    shown = app.read_until(BURST, timeout=30) - sent
    for _ in range(2):  # leave the box, then clear the search
        app.send(ESCAPE)
        app.drain(quiet=0.3)
    return shown


# --- one size ------------------------------------------------------------------------------------------


def bench_size(cases: int, settings: Settings, env: dict[str, str], progress: Callable[[str], None]) -> Samples:
    samples = Samples()
    started = time.perf_counter()
    pristine, built = demo_database(cases, TODAY, env)
    took = time.perf_counter() - started
    progress(f"{cases:,} cases: {'built' if built else 'cached'} demo database in {took:.1f} s")
    work = Path(tempfile.mkdtemp(prefix=f"rounds-bench-{cases}-"))
    try:
        db = working_copy(pristine, work)
        bench_cli(db, settings, samples, env)  # also warms the list cache the app starts from
        progress(f"{cases:,} cases: command line list and changes done")
        if settings.wants("tui"):
            for run in range(settings.tui_runs):
                tui_run(db, settings, samples, env)
                progress(f"{cases:,} cases: app run {run + 1}/{settings.tui_runs} done")
        if settings.wants("policy"):
            bench_policy(db, settings, samples, env)
            progress(f"{cases:,} cases: lists after policy changes done")
        if settings.wants("export"):
            bench_exports(db, work, settings, samples, env)
            progress(f"{cases:,} cases: exports done")
    finally:
        if settings.keep:
            progress(f"kept {work}")
        else:
            subprocess.run(["rm", "-rf", str(work)], check=False)
    return samples


# --- the report ----------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), model)
    except OSError:
        pass
    try:
        import textual

        textual_version = textual.__version__
    except (ImportError, AttributeError):
        textual_version = "?"
    return {
        "cpus": str(len(os.sched_getaffinity(0))), "cpu_model": model,
        "python": platform.python_version(), "textual": textual_version,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()), "term": bench_env()["TERM"],
        "kernel": platform.release(),
    }


def summary(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), max(values)


def table(results: dict[int, Samples], sizes: list[int], only: set[str]) -> str:
    """One line per measure: target, then per size the median, the worst run, the median CPU seconds of
    the process (where it is known) and PASS/FAIL for the median."""
    head = f"{'measure':<46} {'target':>14}"
    for size in sizes:
        head += f" | {f'{size:,} cases: median':>21} {'worst':>9} {'cpu s':>6} {'':4}"
    lines = [head, "-" * len(head)]
    for m in MEASURES:
        if m.key not in only and m.key != "list_cold":
            continue
        line = f"{m.label:<46} {m.target_text():>14}"
        for size in sizes:
            values = results[size].values.get(m.key)
            if not values:
                line += f" | {'-':>21} {'-':>9} {'':>6} {'':4}"
                continue
            median, worst = summary(values)
            cpu = results[size].cpu.get(m.key)
            cpu_text = f"{statistics.median(cpu):.3f}" if cpu else ""
            mark = "" if m.target is None else ("PASS" if m.passes(median) else "FAIL")
            line += f" | {m.show(median) + ' ' + m.unit:>21} {m.show(worst):>9} {cpu_text:>6} {mark:4}"
        lines.append(line)
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=bool(os.environ.get("BENCH_QUICK")),
                        help="fewer runs, 1,000 cases only (also BENCH_QUICK=1)")
    parser.add_argument("--sizes", type=int, nargs="+", help="case counts (default 1000 10000)")
    parser.add_argument("--runs", type=int, help="runs of each command-line figure (default 5, quick 3)")
    parser.add_argument("--tui-runs", type=int, help="app starts (default 5, quick 2)")
    parser.add_argument("--idle", type=float, help="seconds the board is left alone (default 8, quick 4)")
    parser.add_argument("--only", nargs="+", choices=sorted(GROUPS), help="measure only these groups")
    parser.add_argument("--json-out", type=Path, help="also write every sample to this file")
    parser.add_argument("--keep", action="store_true", help="keep the working databases (prints where)")
    args = parser.parse_args(argv)
    quick = args.quick
    only = {key for group in (args.only or ["cli", "tui"]) for key in GROUPS[group]}
    settings = Settings(
        sizes=args.sizes or ([1000] if quick else [1000, 10000]),
        runs=args.runs or (3 if quick else 5),
        tui_runs=args.tui_runs or (2 if quick else 5),
        idle_seconds=args.idle or (4.0 if quick else 8.0),
        only=only, keep=args.keep, json_out=args.json_out,
    )
    return settings


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    env = bench_env()
    before = machine()

    def progress(text: str) -> None:
        print(f"  .. {text}", file=sys.stderr, flush=True)

    results = {size: bench_size(size, settings, env, progress) for size in settings.sizes}
    after = machine()
    print(file=sys.stderr, flush=True)
    print(f"Rounds from outside, {SIZE[1]}x{SIZE[0]} pty, TERM={before['term']}; "
          f"{settings.runs} runs per command, {settings.tui_runs} app starts, {settings.idle_seconds:g} s idle")
    print(f"machine: {before['cpus']} CPUs ({before['cpu_model']}), Linux {before['kernel']}, "
          f"Python {before['python']}, Textual {before['textual']}; load average {before['load']} at start, "
          f"{after['load']} at end")
    print(table(results, settings.sizes, settings.only), flush=True)
    if settings.json_out:
        settings.json_out.write_text(json.dumps({
            "machine": before, "load_at_end": after["load"],
            "samples": {str(size): s.values for size, s in results.items()},
            "cpu_seconds": {str(size): s.cpu for size, s in results.items()},
        }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
