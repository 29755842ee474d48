"""The ScalarHistory a reader sees on the autodiff chapter is what minitorch_lite prints now.

The chapter's cell tagged ``scalar-history`` (myst-nb gives its container the class
``tag_scalar-history``) is read from the served page, run again in a fresh Python process
against the working tree's library, and its output compared with the page's output. A
library change that the build did not pick up (a stale cache) fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys

from playwright.sync_api import BrowserContext

from .browser import Recorder, open_page
from .conftest import REPO
from .static_server import Site

TAG = "tag_scalar-history"

# Runs a cell as Jupyter does, as __main__: the statements, then the last expression's
# value displayed the way IPython's plain-text formatter shows it (repr when IPython is absent).
RUN_CELL = r"""
import ast, sys
source = sys.stdin.read()
tree = ast.parse(source)
last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
namespace = {"__name__": "__main__", "__builtins__": __builtins__}
exec(compile(tree, "<scalar-history cell>", "exec"), namespace)
if last is not None:
    value = eval(compile(ast.Expression(last.value), "<scalar-history cell>", "eval"), namespace)
    if value is not None:
        try:
            from IPython.lib.pretty import pretty
        except ImportError:
            pretty = repr
        print(pretty(value) if pretty is repr else pretty(value, max_width=79))
"""


def run_cell(source: str) -> str:
    """The cell's output from a fresh interpreter importing the working tree's library."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    done = subprocess.run(
        [sys.executable, "-c", RUN_CELL],
        input=source,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, (
        f"the tagged cell fails when run on its own (it must be self-contained):\n"
        f"{source}\n--- stderr ---\n{done.stderr}"
    )
    return done.stdout


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def test_scalar_history_on_page_is_current(
    site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    chapters = sorted(
        p.relative_to(site.root).as_posix() for p in (site.root / "autodiff").rglob("*.html")
    )
    assert chapters, "no autodiff chapter pages under autodiff/"
    cells: list[tuple[str, str, str]] = []
    for chapter in chapters:
        if TAG not in (site.root / chapter).read_text(encoding="utf-8"):
            continue
        with open_page(context, recorder, site.url(chapter), settle=False) as (page, _):
            for cell in page.locator(f".{TAG}").all():
                source = cell.locator(".cell_input pre").first.text_content() or ""
                output = "\n".join(
                    o.text_content() or "" for o in cell.locator(".cell_output pre").all()
                )
                cells.append((chapter, source, output))
    assert cells, (
        f"no cell tagged `scalar-history` in the autodiff chapters {chapters}: tag the "
        "cell that prints a ScalarHistory (`:tags: [scalar-history]`)"
    )
    problems = []
    for chapter, source, shown in cells:
        if "ScalarHistory(" not in shown:
            problems.append(f"{chapter}: the tagged cell shows no ScalarHistory:\n{shown}")
            continue
        now = run_cell(source)
        if normalise(now) != normalise(shown):
            problems.append(
                f"{chapter}: page shows\n{normalise(shown)}\n"
                f"but minitorch_lite prints now\n{normalise(now)}"
            )
    assert not problems, "\n\n".join(problems)
