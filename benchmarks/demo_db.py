"""Demo databases for the benchmarks, built once with `rounds demo --cases N` and kept between runs.

A built database is cached in the temp folder under a name made of N, the date it was built for and a
hash of the code that shapes what `rounds demo` writes (store/, checklists/, seeds/), so a change to
any of those builds it afresh. Benchmarks never touch the cached copy: they work on `working_copy()`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_SHAPING = ("store", "checklists", "seeds")


def cache_dir() -> Path:
    """Where built databases are kept: $BENCH_CACHE, else `rounds-bench-cache` in the temp folder."""
    return Path(os.environ.get("BENCH_CACHE") or Path(tempfile.gettempdir()) / "rounds-bench-cache")


def code_version() -> str:
    """A short hash of every source and seed file that decides what a demo database holds."""
    digest = hashlib.sha256()
    for folder in _SHAPING:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def rounds_command() -> list[str]:
    """The `rounds` console script of the environment running the benchmark (as a user would run it)."""
    import sys

    script = Path(sys.executable).parent / "rounds"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


def demo_database(cases: int, today: str, env: dict[str, str] | None = None) -> tuple[Path, bool]:
    """The cached demo database of `cases` cases for `today` (built now if needed); (path, was_built)."""
    version, cache = code_version(), cache_dir()
    target = cache / f"demo-{cases}-{today}-{version}"
    if (target / "settings.json").exists():
        return target, False
    cache.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in cache.glob(f"demo-{cases}-*"):
        shutil.rmtree(stale, ignore_errors=True)  # older code or another date: never used again
    building = Path(tempfile.mkdtemp(prefix=f".building-{cases}-", dir=cache))
    database = building / "db"
    subprocess.run([*rounds_command(), "--db", str(database), "--today", today, "demo", "--cases", str(cases)],
                   check=True, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
    # Renamed into place whole, so an interrupted build is never taken for a finished one.
    os.replace(database, target)
    shutil.rmtree(building, ignore_errors=True)
    return target, True


def working_copy(database: Path, into: Path) -> Path:
    """A full copy of `database` in `into` (new inodes, so every list cache entry is stale in it)."""
    copy = into / "db"
    subprocess.run(["cp", "-a", str(database), str(copy)], check=True)
    return copy
