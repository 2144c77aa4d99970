"""The layers point one way: nothing in seeds/, checklists/ or store/ may import textual or rich.

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
    source = "import rich\nfrom textual.app import App\ndef f():\n    import importlib\n    importlib.import_module('textual')\n"
    modules = [m for _, m in imported_modules(ast.parse(source))]
    assert modules == ["rich", "textual.app", "importlib", "textual"]
