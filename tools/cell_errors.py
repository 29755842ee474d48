"""Sphinx extension: a code cell that raises fails the build naming the chapter and cell.

With ``nb_execution_raise_on_error = True`` myst-nb raises ``ExecutionError(path)``; in a
parallel build (``-j``) Sphinx prints only that exception's text, and the cell and its
traceback are lost in a temporary log file. This makes the exception's text say it all:
the page, the line of the failing cell in its source, the cell, and the error. Cells
tagged ``raises-exception`` may raise (nbclient allows them); no other may.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from myst_nb.core.execute.base import ExecutionError
from sphinx.application import Sphinx

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL = re.compile(r"executing the following cell:\n-+\n(?P<source>.*?)\n-+\n", re.DOTALL)


def cell_line(path: Path, cell_source: str) -> int | None:
    """The 1-based line of ``path`` where the cell with ``cell_source`` starts."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    first = next((line for line in cell_source.splitlines() if line.strip()), None)
    if first is None:
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.rstrip() == first.rstrip():
            return number
    return None


def describe(error: ExecutionError) -> str:
    """The page, the failing cell's line, and nbclient's report (cell and traceback)."""
    path = str(error.args[0]) if error.args else "<unknown page>"
    cause = error.__cause__
    if cause is None:
        return path
    report = _ANSI.sub("", str(cause)).strip()
    where = path
    match = _CELL.search(report)
    if match and (line := cell_line(Path(path), match["source"])):
        where = f"{path}:{line}"
    return (
        f"{where}: a code cell raised while this page was executed. Fix it, or tag the "
        f"cell `raises-exception` if showing the error is the point.\n{report}"
    )


def setup(app: Sphinx) -> dict[str, Any]:
    """Give myst-nb's ExecutionError a full message."""
    ExecutionError.__str__ = describe  # type: ignore[method-assign]
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
