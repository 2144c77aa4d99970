"""Fuzzing every command, case files and import files (hypothesis, derandomized, bounded: runs in CI).

Three targets, each asserting what issue 10 asks of bad input:
- the command line: every command with hostile and random arguments, in-process (`tui.cli.main`)
  against a temp database with real cases: no traceback, no "internal error", exit 0, 1 or 2, one line
  on stderr for a refusal, and not one file changed by a refused command;
- case files: a real case file with one value replaced, removed or added (hostile types, dates off the
  calendar, huge numbers, nested junk): `case list`, `export --all` and `case show` neither crash nor
  hide the other cases;
- import files: a real JSON export mutated the same way: refused (exit 2, nothing created) or imported
  into a database that then reads back without a single damaged file.

Each test prints its figures (examples run, refusals, failures); run with `-s` to see them.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.conftest import snapshot
from tui.cli import main

TODAY = "2026-11-21"
# What a terminal would obey rather than show (an oracle of its own, not the code under test's).
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# Deterministic and bounded: the same examples on every run, a few seconds each.
FUZZ = settings(derandomize=True, database=None, deadline=None, print_blob=False,
                suppress_health_check=list(HealthCheck))


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@dataclass
class Tally:
    name: str
    examples: int = 0
    by_code: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def add(self, code: int) -> None:
        self.examples += 1
        self.by_code[code] = self.by_code.get(code, 0) + 1

    def report(self) -> str:
        codes = ", ".join(f"exit {c}: {n}" for c, n in sorted(self.by_code.items()))
        return f"{self.name}: {self.examples} examples ({codes}); {len(self.failures)} failures"


def rounds(db: Path, *args: str) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", str(db), "--today", TODAY, *args])
    return Outcome(code, out.getvalue(), err.getvalue())


def problems(result: Outcome) -> list[str]:
    """What bad input must never produce, whatever it was."""
    found = []
    text = result.out + result.err
    if "Traceback" in text or "internal error" in text:
        found.append("a traceback or an internal error")
    raw = UNSAFE.search(text.replace("\r\n", "\n"))  # CSV ends its lines with CR LF (RFC 4180)
    if raw:
        found.append(f"a raw control character on the terminal: {raw.group()!r}")
    if result.code not in (0, 1, 2):
        found.append(f"exit code {result.code}")
    if result.code != 0:
        lines = [line for line in result.err.splitlines() if not line.startswith("rounds: warning:")]
        if len(lines) != 1:
            found.append(f"{len(lines)} error lines")
    return found


# --- a small world: a database with real cases, and files an attacker might point at ----------------


@dataclass
class World:
    root: Path
    db: Path
    outside: Path
    ids: list[str]
    export: dict
    files: dict[str, Path]


def build_world(root: Path) -> World:
    db, outside = root / "db", root / "outside"
    outside.mkdir()
    ids = []
    for label, pathways in (("DEMO-001", ["steroid-atrophy"]), ("DEMO-002", ["panniculitis-lipoatrophy"]),
                            ("DEMO-003", ["hip-injection", "steroid-atrophy"])):
        args = ["case", "add", "--patient", label, "--onset", "2026-06-01", "--injection-date", "2026-05-01"]
        for pathway in pathways:
            args += ["--pathway", pathway]
        result = rounds(db, *args)
        assert result.code == 0, result.err
        ids.append(result.out.strip())
    for args in (("log", ids[0], "saline", "--volume-ml", "10", "--date", "2026-07-01"),
                 ("log", ids[0], "assessment", "--size-mm", "12", "--photo", "--date", "2026-07-02"),
                 ("log", ids[2], "injection", "--guidance", "landmark", "--drug", "triamcinolone",
                  "--date", "2026-05-01"),
                 ("item", ids[0], "review-6m", "skip", "--reason", "seen elsewhere"),
                 ("case", "set", ids[1], "etiology", "idiopathic", "--date", "2026-07-01")):
        assert rounds(db, *args).code == 0
    export = outside / "export.json"
    assert rounds(db, "export", "--all", "--format", "json", "-o", str(export)).code == 0
    files = {"export": export, "folder": outside, "missing": outside / "missing.json"}
    (outside / "existing.txt").write_text("an old export")
    files["existing"] = outside / "existing.txt"
    (outside / "link").symlink_to(outside / "existing.txt")
    files["link"] = outside / "link"
    os.mkfifo(outside / "fifo")
    files["fifo"] = outside / "fifo"
    (outside / "not-json.json").write_bytes(b"\x89PNG\r\n not an export")
    files["not-json"] = outside / "not-json.json"
    (outside / "deid.json").write_bytes(
        orjson.dumps({**orjson.loads(export.read_bytes()), "deidentified": True}))
    files["deid"] = outside / "deid.json"
    return World(root, db, outside, ids, orjson.loads(export.read_bytes()), files)


# --- argument strategies ------------------------------------------------------------------------------

HOSTILE = ["", " ", "-", "--", "--json", "-o", "\x1b]2;x\x07", "\x9b31m", "DEMO\u202e", "\udcff", "\x00",
           "\n", "a" * 3000, "../../etc/passwd", "' OR 1=1 --", "=1+1", "%s%n", "💉", "１２", "٣"]
DATES = ["2026-11-20", "2026-11-21", "2026-11-22", "2026-02-30", "1899-12-31", "1900-01-01", "2199-12-31",
         "2200-01-01", "0001-01-01", "9999-12-31", "2026-1-1", "20261121", "2026-11-21T00:00", "yesterday"]
NUMBERS = ["0", "1", "5", "10", "20.5", "100", "100.001", "-1", "1e3", "nan", "inf", "-0", "0x10", "9" * 400,
           "3.", ".5", "5_0"]
ENUMS = ["image", "landmark", "punch", "deep-excisional", "none", "partial", "complete", "yes", "no",
         "active", "resolved", "closed", "lost", "idiopathic", "aat-deficiency", "unknown", "vasculitis",
         "steroid-atrophy", "panniculitis-lipoatrophy", "hip-injection", "md", "html", "json", "csv", "ics"]
ITEMS = ["review-6m", "review-12m", "saline-session", "baseline-assessment", "recurrence-check", "aat-test",
         "no-such-item"]


def value() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.sampled_from(DATES + NUMBERS + ENUMS + ITEMS),
        st.text(max_size=40),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    )


def case_ref(world: World) -> st.SearchStrategy[str]:
    ids = world.ids
    return st.one_of(st.sampled_from(ids + [i[:4] for i in ids] + [i.upper() for i in ids] + ["e1", "zzzz"]),
                     value())


# Per command: its words, its positional slots, its options (None: a flag without a value).
def commands(world: World) -> dict[str, tuple[list[str], list, dict]]:
    ref, text = case_ref(world), value()
    date, number = st.sampled_from(DATES) | value(), st.sampled_from(NUMBERS) | value()
    enum = st.sampled_from(ENUMS) | value()
    outputs = st.sampled_from([str(world.outside / "new.csv"), str(world.files["existing"]),
                               str(world.files["link"]), str(world.files["fifo"]), str(world.outside),
                               str(world.db / "settings.json"), str(world.db), str(world.db / "cases" / "x.md"),
                               str(world.outside / "missing" / "x.csv"), "-", "", "relative.md",
                               str(world.outside / "..") + "/db/index.json"])
    inputs = st.sampled_from([str(p) for p in world.files.values()] + [str(world.db / "settings.json"), ""])
    log_options = {f"--{name}": number if name in ("volume-ml", "size-mm", "depth-mm", "mrc", "pain") else text
                   for name in ("volume-ml", "site", "what", "guidance", "drug", "dose", "depth", "result",
                                "improvement", "size-mm", "depth-mm", "pigment", "mrc", "pain", "note")}
    return {
        "case add": (["case", "add"], [], {"--patient": text, "--pathway": enum, "--onset": date,
                                           "--injection-date": date, "--site": text, "--note": text,
                                           "--json": None}),
        "case list": (["case", "list"], [], {"--filter": enum | st.sampled_from(["overdue", "due", "soon", "all"]),
                                             "--pathway": enum, "--search": text, "--json": None}),
        "case show": (["case", "show"], [ref], {"--json": None}),
        "case set": (["case", "set"], [ref, st.sampled_from(["etiology", "inflammation", "status", "site", "onset",
                                                             "injection-date", "patient", "note"]) | text,
                                       enum | date | text], {"--date": date, "--json": None}),
        "log": (["log"], [ref, st.sampled_from(["saline", "abi", "assessment", "injection", "note", "biopsy",
                                                "mri", "fat-graft"]) | text],
                {"--date": date, "--photo": st.sampled_from(["yes", "no", "maybe"]), **log_options, "--json": None}),
        "item": (["item"], [ref, st.sampled_from(ITEMS) | text,
                            st.sampled_from(["done", "skip", "reopen", "snooze"]) | text],
                 {"--date": date, "--reason": text, "--until": date, "--json": None}),
        "event void": (["event", "void"], [ref, st.sampled_from(["e1", "e2", "e3", "e99"]) | text],
                       {"--reason": text}),
        "export": (["export"], [ref], {"--all": None, "--format": enum, "--deidentify": None, "-o": outputs,
                                       "--events": None, "--with-patient": None}),
        "import": (["import"], [inputs], {"--as-new": None, "--json": None}),
        "config show": (["config", "show"], [], {"--json": None}),
        "config set": (["config", "set"], [st.sampled_from(["soon_days", "saline_min_ml", "saline_max_ml",
                                                            "saline_min_sessions", "saline_max_sessions",
                                                            "recurrence_months", "max_injections_per_year"]) | text,
                                           number], {"--json": None}),
        # Bounded on purpose: a fuzzed "99999" would build that many cases.
        "demo": (["demo"], [], {"--cases": st.sampled_from(["0", "-1", "1", "100001", "x", ""]),
                                "--if-empty": None}),
    }


@st.composite
def random_invocations(draw, world: World) -> list[str]:
    """A command with arguments drawn from anywhere: mostly refused by the parser or the checks."""
    table = commands(world)
    name = draw(st.sampled_from(sorted(table)))
    words, slots, options = table[name]
    argv = list(words)
    for slot in slots:
        if draw(st.integers(0, 9)):  # now and then a positional argument is missing
            argv.append(draw(slot))
    for option in draw(st.lists(st.sampled_from(sorted(options)), max_size=4)):
        argv.append(option)
        if options[option] is not None:
            argv.append(draw(options[option]))
    if not draw(st.integers(0, 14)):
        argv.append(draw(value()))  # a stray extra argument
    return argv


def valid_invocations(world: World) -> list[list[str]]:
    """Commands that succeed as they are: each value in them is then a place to put something hostile."""
    a, b, c = world.ids
    out = str(world.outside / "new.csv")
    return [
        ["case", "add", "--patient", "DEMO-9", "--pathway", "steroid-atrophy", "--onset", "2026-09-01",
         "--injection-date", "2026-08-01", "--site", "left hip", "--note", "referred"],
        ["case", "list", "--filter", "all", "--pathway", "steroid-atrophy", "--search", "DEMO"],
        ["case", "show", a[:5], "--json"],
        ["case", "set", b, "note", "seen in clinic"],
        ["case", "set", b, "inflammation", "active", "--date", "2026-11-01"],
        ["case", "set", c, "onset", "2026-05-20"],
        ["case", "set", a, "patient", "DEMO-001b"],
        ["log", a, "saline", "--volume-ml", "10", "--date", "2026-11-01", "--note", "second session"],
        ["log", a, "assessment", "--size-mm", "11", "--depth-mm", "2", "--improvement", "partial", "--photo", "yes",
         "--mrc", "5", "--pain", "3", "--pigment", "pale"],
        ["log", c, "injection", "--guidance", "image", "--drug", "triamcinolone", "--dose", "40 mg"],
        ["log", b, "biopsy", "--depth", "punch", "--result", "lobular"],
        ["item", a, "review-12m", "snooze", "--reason", "away", "--until", "2026-12-01"],
        ["item", a, "review-6m", "reopen"],
        ["item", c, "baseline-assessment", "done", "--date", "2026-11-20"],
        ["event", "void", a, "e1", "--reason", "entered twice"],
        ["export", a, "--format", "md"],
        ["export", "--all", "--format", "csv", "-o", out, "--events"],
        ["export", "--all", "--format", "ics", "--deidentify", "-o", out],
        ["import", str(world.files["export"]), "--as-new"],
        ["config", "set", "soon_days", "10"],
        ["config", "show", "--json"],
        ["demo", "--cases", "1"],
    ]


@st.composite
def edited_invocations(draw, world: World) -> list[str]:
    """A command that works, with one or two of its values (never its command words) replaced."""
    argv = list(draw(st.sampled_from(valid_invocations(world))))
    first_value = 2 if argv[0] in ("case", "event", "config") else 1
    for _ in range(draw(st.integers(0, 2))):
        position = draw(st.integers(first_value, len(argv) - 1))
        if draw(st.integers(0, 5)):
            argv[position] = draw(value())
        else:
            del argv[position]
            if len(argv) <= first_value:
                break
    return argv


def invocations(world: World) -> st.SearchStrategy[list[str]]:
    return st.one_of(edited_invocations(world), random_invocations(world))


def test_fuzz_every_command(tmp_path, monkeypatch):
    world = build_world(tmp_path)
    monkeypatch.chdir(world.outside)  # where a relative -o would write
    tally = Tally("command line")

    @settings(FUZZ, max_examples=300)
    @given(argv=invocations(world))
    def check(argv):
        before = snapshot(world.db)
        outside_before = snapshot(world.outside)
        result = rounds(world.db, *argv)
        tally.add(result.code)
        found = problems(result)
        if result.code != 0:
            if snapshot(world.db) != before:
                found.append("a refused command changed the database")
            if snapshot(world.outside) != outside_before:
                found.append("a refused command changed a file outside the database")
        if found:
            tally.failures.append(f"{argv!r}: {found}: {result.err.strip()[:200]}")

    check()
    print(tally.report())
    assert not tally.failures, "\n".join(tally.failures[:10])
    assert tally.by_code.get(2, 0) > tally.examples // 4  # the fuzz does reach the refusals ...
    assert tally.by_code.get(0, 0) > 10  # ... and the commands that succeed


# --- mutated files ------------------------------------------------------------------------------------

JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(HOSTILE + DATES + ENUMS + ITEMS),
    st.text(max_size=20),
)
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def _paths(node, prefix=()):
    """Every path to a value in a JSON document."""
    yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, prefix + (key,))
    elif isinstance(node, list):
        for n, child in enumerate(node):
            yield from _paths(child, prefix + (n,))


# Keys of an export that import ignores (computed on the day of the export): no use mutating them.
_IGNORED = {"items", "counts", "alerts", "alert_codes", "next_due", "today", "urgency", "generated_at",
            "generated_by", "case_count"}


@st.composite
def mutated(draw, document: dict) -> dict:
    """`document` with one to three values replaced, removed, or given a new sibling."""
    doc = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p and not _IGNORED & set(p)]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "replace", "remove", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(JSON_VALUES)
        elif action == "remove":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = draw(JSON_VALUES)
        else:
            parent.append(draw(JSON_VALUES))
    return doc


def test_fuzz_case_files(tmp_path):
    world = build_world(tmp_path)
    victim = world.ids[0]
    path = world.db / "cases" / victim[:2] / f"{victim}.json"
    original = path.read_bytes()
    others = world.ids[1:]
    tally = Tally("case files")

    @settings(FUZZ, max_examples=100)
    @given(tables=mutated(orjson.loads(original)))
    def check(tables):
        try:
            path.write_bytes(orjson.dumps(tables))
        except (TypeError, orjson.JSONEncodeError):
            return  # not JSON (an integer beyond 64 bits): no file can hold it
        for cache in ("index.json", "rows.json"):
            (world.db / cache).unlink(missing_ok=True)
        cases_before = snapshot(world.db / "cases")
        found = []
        for args, codes in ((("case", "list", "--filter", "all", "--json"), (0,)),
                            (("export", "--all", "--format", "csv"), (0,)),
                            (("case", "show", victim), (0, 1))):
            result = rounds(world.db, *args)
            tally.add(result.code)
            found += problems(result)
            if result.code not in codes:
                found.append(f"{args[:2]} exit {result.code}")
            elif args[0] != "case" or args[1] == "list":
                if not all(other in result.out for other in others):
                    found.append(f"{args[:2]} hid the other cases")
        if snapshot(world.db / "cases") != cases_before:
            found.append("a read changed a case file")
        if found:
            tally.failures.append(f"{found}: {tables!r}"[:300])

    try:
        check()
    finally:
        path.write_bytes(original)
    print(tally.report())
    assert not tally.failures, "\n".join(tally.failures[:10])


def test_fuzz_import_files(tmp_path):
    world = build_world(tmp_path)
    targets = tmp_path / "targets"
    targets.mkdir()
    tally = Tally("import files")
    counter = iter(range(10**6))

    @settings(FUZZ, max_examples=120)
    @given(doc=mutated(world.export), as_new=st.booleans())
    def check(doc, as_new):
        source = world.outside / "mutated.json"
        try:
            source.write_bytes(orjson.dumps(doc))
        except (TypeError, orjson.JSONEncodeError):
            return
        db = targets / f"db{next(counter)}"
        result = rounds(db, "import", str(source), *(["--as-new"] if as_new else []))
        tally.add(result.code)
        found = problems(result)
        if result.code != 0 and db.exists():
            found.append("a refused import created something")
        if result.code == 0:
            # What import accepts, the store reads back: no damaged file, every case listed and exported.
            listed = rounds(db, "case", "list", "--filter", "all", "--json")
            exported = rounds(db, "export", "--all", "--format", "json")
            for after in (listed, exported):
                found += problems(after)
                if after.code != 0 or "warning" in after.err:
                    found.append(f"the imported database reads back badly: {after.err.strip()[:150]}")
            if listed.code == 0 and len(json.loads(listed.out)) != len(result.out.split("\n")) - 1:
                found.append("not every imported case is listed")
        shutil.rmtree(db, ignore_errors=True)
        if found:
            tally.failures.append(f"{found}: {result.err.strip()[:150]}")

    check()
    print(tally.report())
    assert not tally.failures, "\n".join(tally.failures[:10])
    assert tally.by_code.get(2, 0) > 0 and tally.by_code.get(0, 0) > 0
