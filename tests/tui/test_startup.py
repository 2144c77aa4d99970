"""Start-up of the `rounds` process (tui/startup.py): the functions dataclasses generate are served
compiled from a cache, exactly as if compiled afresh; a damaged cache is ignored; the collector is
paused until the command's work begins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# In a fresh interpreter: the cache set up as `rounds` does, a frozen dataclass made and used, and
# how many times the generated code had to be compiled.
PROBE = """
import builtins, json, sys
from pathlib import Path
compiled = []
real_compile = builtins.compile
def counting(source, *args, **kwargs):
    compiled.append(1)
    return real_compile(source, *args, **kwargs)
builtins.compile = counting
from tui.startup import cache_generated_code
cache_generated_code(Path(sys.argv[1]))
from dataclasses import FrozenInstanceError, dataclass, field

@dataclass(frozen=True, slots=True)
class Visit:
    who: str
    day: int = 0
    notes: tuple = field(default_factory=tuple)

a, b = Visit("DEMO-001", 3), Visit("DEMO-001", 3)
try:
    a.day = 4
    frozen = False
except FrozenInstanceError:
    frozen = True
import dataclasses
print(json.dumps({"compiled": len(compiled), "cached": "exec" in vars(dataclasses), "repr": repr(a),
                  "equal": a == b, "hash": hash(a) == hash(b),
                  "frozen": frozen, "default": Visit("x").notes == ()}))
"""


def probe(cache: Path, **env: str) -> dict:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run([sys.executable, "-c", PROBE, str(cache)], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


BEHAVIOUR = {"repr": "Visit(who='DEMO-001', day=3, notes=())", "equal": True, "hash": True, "frozen": True,
             "default": True}
RUN = ("compiled", "cached")


def test_the_second_process_compiles_nothing_and_the_class_behaves_the_same(tmp_path):
    cache = tmp_path / "code.marshal"
    first = probe(cache)
    assert first["compiled"] > 0 and cache.exists()
    second = probe(cache)
    assert second["compiled"] == 0
    for run in (first, second):
        assert {k: v for k, v in run.items() if k not in RUN} == BEHAVIOUR


def test_a_damaged_cache_is_ignored_and_written_again(tmp_path):
    cache = tmp_path / "code.marshal"
    cache.write_bytes(b"\x00not a cache at all")
    run = probe(cache)
    assert run["compiled"] > 0 and {k: v for k, v in run.items() if k not in RUN} == BEHAVIOUR
    assert probe(cache)["compiled"] == 0


def test_the_cache_can_be_turned_off(tmp_path):
    cache = tmp_path / "code.marshal"
    run = probe(cache, ROUNDS_NO_CODE_CACHE="1")
    assert not run["cached"] and not cache.exists()
    assert {k: v for k, v in run.items() if k not in RUN} == BEHAVIOUR


def test_the_collector_is_paused_until_start_up_is_over():
    code = ("import gc; from tui.startup import pause_collector, start_up_finished\n"
            "pause_collector(); paused = not gc.isenabled(); start_up_finished()\n"
            "print(paused, gc.isenabled(), gc.get_freeze_count() > 0)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["True", "True", "True"], done.stderr
