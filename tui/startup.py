"""Start-up of the `rounds` process, which every command and the app pay for.

The cycle collector is paused while the interpreter imports and builds what the process keeps for its
whole life, then those objects are frozen out of every later collection (below). And the functions the
standard library's dataclasses generate are served compiled (`cache_generated_code`).

Start-up creates some 70,000 long-lived objects (Textual's classes, the catalogue, the board's rows).
Left on, the collector walked them again and again while they were made: 30-40 ms of a 0.4 s start
of the app at 10,000 cases, and a few milliseconds of every command. `gc.freeze()` is the standard
library's way to keep them out of later collections; what start-up left as cyclic garbage (about a
megabyte) stays with them.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from contextlib import suppress
from pathlib import Path
from types import CodeType
from typing import Any

_paused = False


def pause_collector() -> None:
    """At the entry point only (`rounds`, `python -m tui`): tests and other callers keep their own."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def start_up_finished() -> None:
    """The command's own work begins, or the board is on screen: freeze what exists, collect again."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


# --- the code dataclasses generate -------------------------------------------------------------------
# Python keeps every module compiled in __pycache__, but not the __init__, __eq__, __repr__, __hash__
# and __setattr__ that @dataclass writes as text and compiles for each class at import: for the sixty
# or so classes a command imports (Rounds' and Textual's) that compiling was a sixth of a `rounds log`
# (~10 ms of 65) and ~20 ms of the app's start. The compiled functions are kept beside Rounds' own .pyc
# files, keyed by their exact text and the interpreter's version, and used as Python uses a .pyc: a
# damaged or foreign file is ignored, and one that cannot be written is simply not written.

CODE_CACHE = Path(__file__).resolve().parent / "__pycache__" / f"dataclass-code.{sys.implementation.cache_tag}.marshal"
_MAX_ENTRIES = 5000  # far beyond the few hundred used: past it the file starts afresh


def cache_generated_code(path: Path = CODE_CACHE) -> None:
    """At the entry point only: dataclasses' `exec` of generated text runs the code compiled before."""
    if os.environ.get("ROUNDS_NO_CODE_CACHE"):
        return
    import builtins
    import dataclasses
    import marshal

    if "exec" in vars(dataclasses):
        return  # done already (or by someone else): leave it
    cache = _load(path, marshal)
    new: dict[str, Any] = {}
    run = builtins.exec

    def exec_compiled(source: Any, globals: Any = None, locals: Any = None, /) -> None:
        if type(source) is str:
            code = cache.get(source)
            if code is None:
                code = new[source] = cache[source] = compile(source, "<string>", "exec")
            source = code
        run(source, globals, locals)

    # A global of the dataclasses module, which its generated-code helper finds before the builtin.
    dataclasses.exec = exec_compiled  # type: ignore[attr-defined]

    def save() -> None:
        if new and not sys.dont_write_bytecode:
            keep = cache if len(cache) <= _MAX_ENTRIES else new
            _save(path, marshal.dumps({"version": sys.version, "code": keep}))

    atexit.register(save)


def _load(path: Path, marshal: Any) -> dict[str, Any]:
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(data, dict) or data.get("version") != sys.version or not isinstance(data.get("code"), dict):
        return {}
    return {text: code for text, code in data["code"].items() if isinstance(text, str) and isinstance(code, CodeType)}


def _save(path: Path, data: bytes) -> None:
    """Whole or not at all, as Python writes a .pyc; best effort."""
    import tempfile  # here: written once in a while, read by every command

    try:
        path.parent.mkdir(exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".dataclass-code.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, path)
        except BaseException:
            with suppress(OSError):
                os.unlink(temp)
            raise
    except OSError:
        pass
