"""The layers point one way: nothing in seeds/, checklists/ or store/ may import textual or rich, and no
module of the project imports itself round about (no import cycle).

Scans the source (AST) of every .py file, so an import hidden inside a function is caught too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NON_UI_PACKAGES = ("seeds", "checklists", "store")
UI_LIBRARIES = ("textual", "rich")


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
            "import_module", "__import__"
        ):
            # importlib.import_module("textual") and __import__("rich") count as imports too.
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


def python_files() -> list[Path]:
    files = [path for package in NON_UI_PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]
    assert files, "no source files found: is ROOT right?"
    return files


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_non_ui_module_does_not_import_textual_or_rich(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for line, module in imported_modules(tree)
        if module.split(".")[0] in UI_LIBRARIES
    ]
    assert not offending, "; ".join(offending)


def test_the_scan_catches_an_import():
    """The checker itself: each way of importing is seen."""
    source = ("import rich\nfrom textual.app import App\n"
              "def f():\n    import importlib\n    importlib.import_module('textual')\n")
    modules = [m for _, m in imported_modules(ast.parse(source))]
    assert modules == ["rich", "textual.app", "importlib", "textual"]


# -- no import cycles ---------------------------------------------------------------------------------
# The app imports its screens, no screen imports the app (as in Textual's own demo): a cycle means a
# module half-initialised at import time, and a layer that cannot be read or tested on its own. Every
# import counts, at the top or inside a function, under `if TYPE_CHECKING:` too, since a type-only
# import still ties the two modules together for the reader.

EXCLUDED_DIRS = {"tests", "benchmarks", ".venv", "venv", "build", "dist", "__pycache__"}


def project_sources() -> dict[str, Path]:
    """Module name -> file, for every .py of the project outside tests, benchmarks and virtualenvs."""
    modules = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if any(part in EXCLUDED_DIRS or part.startswith(".") for part in relative.parts[:-1]):
            continue
        parts = relative.with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            modules[".".join(parts)] = path
    assert "tui.app" in modules and "store.repository" in modules, "no source files found: is ROOT right?"
    return modules


def imports_of(module: str, tree: ast.AST, is_package: bool, known: set[str]) -> list[tuple[int, str]]:
    """(line, project module) for every import in `tree`, relative ones resolved, others dropped."""
    package = module if is_package else module.rpartition(".")[0]

    def owner(name: str) -> str | None:
        # `import a.b.c` loads a.b.c; a name that is not a module (`from a.b import function`) is a.b's.
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    found = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            targets = [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
            "import_module", "__import__"
        ):
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                targets = [node.args[0].value]
        for target in targets:
            name = owner(target)
            if name is not None:
                found.append((node.lineno, name))
    return found


def import_graph(sources: dict[str, tuple[str, bool]]) -> dict[str, dict[str, int]]:
    """module -> {imported project module: first line}, from {module: (source text, is_package)}."""
    known = set(sources)
    graph: dict[str, dict[str, int]] = {}
    for module, (text, is_package) in sources.items():
        edges = graph.setdefault(module, {})
        for line, target in imports_of(module, ast.parse(text), is_package, known):
            edges.setdefault(target, line)
    return graph


def cycle_groups(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or round about (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # the graph is small: recursion is fine
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, {}):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def import_cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle (a list of modules, the first repeated at the end) per group that imports itself."""
    return [_one_cycle(graph, set(group), group[0]) for group in cycle_groups(graph)]


def _one_cycle(graph: dict[str, dict[str, int]], group: set[str], start: str) -> list[str]:
    """The shortest way from `start` back to itself inside its group (breadth first)."""
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node]):
            if target == start:
                return paths[node] + [start]
            if target in group and target not in paths:
                paths[target] = paths[node] + [target]
                queue.append(target)
    raise AssertionError(f"{start} is in a cycle group but no cycle was found")


def describe_cycle(cycle: list[str], graph: dict[str, dict[str, int]], files: dict[str, Path]) -> str:
    steps = [
        f"{files[a].relative_to(ROOT) if a in files else a}:{graph[a][b]} imports {b}"
        for a, b in zip(cycle, cycle[1:])
    ]
    return " -> ".join(cycle) + "\n    " + "\n    ".join(steps)


def test_no_import_cycle_among_the_project_modules():
    files = project_sources()
    sources = {name: (path.read_text(encoding="utf-8"), path.name == "__init__.py") for name, path in files.items()}
    graph = import_graph(sources)
    groups = cycle_groups(graph)
    assert not groups, "import cycles:\n" + "\n".join(
        f"{', '.join(group)}, for one:\n  " + describe_cycle(_one_cycle(graph, set(group), group[0]), graph, files)
        for group in groups
    )


def test_the_cycle_check_sees_in_function_relative_and_type_only_imports():
    """The checker itself: a cycle closed by an import inside a function, by a relative import, or by a
    type-only import is found; a one-way chain is not."""
    sources = {
        "pkg": ("", True),
        "pkg.app": ("from pkg.screens import board\n", False),
        "pkg.screens": ("", True),
        "pkg.screens.board": ("def f():\n    from pkg.app import describe\n", False),
        "pkg.cli": ("from . import export\n", False),
        "pkg.export": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.cli\n", False),
        "pkg.errors": ("import os\n", False),
        "pkg.screens.case": ("from ..errors import describe\nfrom pkg.screens import board\n", False),
    }
    graph = import_graph(sources)
    assert graph["pkg.screens.case"] == {"pkg.errors": 1, "pkg.screens.board": 2}
    cycles = import_cycles(graph)
    assert sorted(cycles) == [["pkg.app", "pkg.screens.board", "pkg.app"], ["pkg.cli", "pkg.export", "pkg.cli"]]
    # Broken the way the app does it: the shared wording moves to its own module.
    sources["pkg.screens.board"] = ("def f():\n    from pkg.errors import describe\n", False)
    sources["pkg.export"] = ("import pkg.errors\n", False)
    assert import_cycles(import_graph(sources)) == []


# -- imports point down the layers --------------------------------------------------------------------
# docs/ARCHITECTURE.md draws tui -> store -> checklists -> seeds: a module may import its own layer and
# those below it, never one above (the engine knows no files, the store no screens).

LAYERS = ("seeds", "checklists", "store", "tui")


def upward_imports(graph: dict[str, dict[str, int]]) -> list[tuple[str, int, str]]:
    """(module, line, imported module) for every import of a higher layer."""
    def layer(module: str) -> int | None:
        top = module.split(".")[0]
        return LAYERS.index(top) if top in LAYERS else None

    found = []
    for module, targets in graph.items():
        own = layer(module)
        for target, line in targets.items():
            theirs = layer(target)
            if own is not None and theirs is not None and theirs > own:
                found.append((module, line, target))
    return found


def test_imports_point_down_the_layers_and_no_screen_imports_the_app():
    files = project_sources()
    sources = {name: (path.read_text(encoding="utf-8"), path.name == "__init__.py") for name, path in files.items()}
    graph = import_graph(sources)
    upward = [f"{files[m].relative_to(ROOT)}:{line} imports {t}" for m, line, t in upward_imports(graph)]
    assert not upward, "imports of a higher layer:\n  " + "\n  ".join(upward)
    # The screens, forms and widgets reach the app through tui/host.py's host_of, never by importing it.
    into_app = [f"{files[m].relative_to(ROOT)}:{targets['tui.app']}" for m, targets in graph.items()
                if m.startswith(("tui.screens", "tui.forms", "tui.widgets")) and "tui.app" in targets]
    assert not into_app, "screens importing tui.app: " + ", ".join(into_app)


def test_the_layer_check_sees_an_upward_import():
    graph = import_graph({
        "checklists": ("", True), "checklists.engine": ("def f():\n    from store import files\n", False),
        "store": ("", True), "store.files": ("from checklists import engine\n", False),
    })
    assert upward_imports(graph) == [("checklists.engine", 2, "store.files")]
