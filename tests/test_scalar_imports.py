"""Module boundaries of the library: any module can be imported first, every import sits at
the top of its file, and no module reads another module's private names."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "minitorch_lite"
SOURCES = sorted(LIBRARY.rglob("*.py"))

# Import one module of the library with the package's __init__.py NOT run first, so the
# modules' own imports are all that runs: no order set by __init__.py can hide a cycle.
ALONE = """
import importlib, sys, types
package = types.ModuleType("minitorch_lite")
package.__path__ = [{library!r}]
sys.modules["minitorch_lite"] = package
importlib.import_module("minitorch_lite.{name}")
scalar = importlib.import_module("minitorch_lite.scalar")
x = scalar.Scalar(3.0)
y = x * x + 1.0
y.backward()
assert x.derivative == 6.0, x.derivative
print(sorted(m for m in sys.modules if m.startswith("minitorch_lite.")))
"""


@pytest.mark.parametrize("name", ["scalar_functions", "scalar", "autodiff"])
def test_each_module_can_be_imported_first(name: str) -> None:
    code = ALONE.format(library=str(LIBRARY), name=name)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    plain = subprocess.run(
        [sys.executable, "-c", f"import minitorch_lite.{name}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert plain.returncode == 0, plain.stderr


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(LIBRARY).as_posix())
def test_imports_come_before_every_definition(path: Path) -> None:
    first_definition = None
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first_definition = first_definition or node.lineno
        if isinstance(node, ast.Import | ast.ImportFrom) and first_definition:
            pytest.fail(
                f"{path.name}:{node.lineno}: import below the definition on line {first_definition}"
            )


def _defined_here(tree: ast.AST) -> set[str]:
    """Every name a file defines: functions, classes, assigned attributes and names."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(LIBRARY).as_posix())
def test_no_module_reads_another_modules_private_names(path: Path) -> None:
    tree = ast.parse(path.read_text())
    own = _defined_here(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        private = node.attr.startswith("_") and not node.attr.endswith("__")
        on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
        if private and not on_self and node.attr not in own:
            pytest.fail(
                f"{path.name}:{node.lineno}: reads {ast.unparse(node)}, a private "
                "name of another module"
            )
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            for alias in node.names:
                assert not alias.name.startswith("_"), (
                    f"{path.name}:{node.lineno}: imports the private {alias.name}"
                )
