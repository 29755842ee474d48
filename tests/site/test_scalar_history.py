"""The ScalarHistory a reader sees on the autodiff chapter is what minitorch_lite prints now.

The chapter's cell tagged ``scalar-history`` (myst-nb gives its container the class
``tag_scalar-history``) is read from the served page. Its chapter's source notebook
(``book/<page>.md``) is run again in a fresh Python process, as ``__main__``, against the
working tree's library: the cells before it (their output discarded; cells tagged
``raises-exception`` may raise), then the tagged cell, whose output (what it prints, then
its last expression displayed as Jupyter does) must equal the page's output. A library
change that the build did not pick up (a stale cache) fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from playwright.sync_api import BrowserContext

from .browser import Recorder, open_page
from .conftest import REPO
from .static_server import Site

TAG = "scalar-history"

# Runs notebook cells as Jupyter does, in one __main__ namespace; prints only the last
# cell's output: its stdout, then its last expression as IPython's plain-text formatter
# shows it (repr when IPython is absent).
RUN_CELLS = r"""
import ast, contextlib, io, json, sys
job = json.load(sys.stdin)
namespace = {"__name__": "__main__", "__builtins__": __builtins__}

def python(source):
    # IPython magics and shell escapes are not Python: drop them.
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())

def run(source, name):
    tree = ast.parse(python(source), name)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, name, "exec"), namespace)
    if last is not None:
        value = eval(compile(ast.Expression(last.value), name, "eval"), namespace)
        if value is not None:
            try:
                from IPython.lib.pretty import pretty
                print(pretty(value, max_width=79))
            except ImportError:
                print(repr(value))

for number, (source, may_raise) in enumerate(job["before"], 1):
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            run(source, f"<cell {number}>")
        except Exception:
            if not may_raise:
                raise
run(job["cell"], "<scalar-history cell>")
"""


def notebook_cells(page: str) -> list[tuple[str, list[str]]]:
    """(source, tags) of every code cell of the chapter source behind ``page``."""
    from myst_nb.core.read import read_myst_markdown_notebook  # noqa: PLC0415

    source = REPO / "book" / page.removesuffix(".html")
    md = source.with_suffix(".md")
    assert md.is_file(), f"no source {md.relative_to(REPO)} for {page}"
    notebook = read_myst_markdown_notebook(md.read_text(encoding="utf-8"))
    return [
        (cell.source, list(cell.metadata.get("tags", [])))
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]


def run_tagged(cells: list[tuple[str, list[str]]], index: int) -> str:
    """The output of ``cells[index]`` after running the cells before it, in a fresh process."""
    job = {
        "before": [(src, "raises-exception" in tags) for src, tags in cells[:index]],
        "cell": cells[index][0],
    }
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    done = subprocess.run(
        [sys.executable, "-c", RUN_CELLS],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, (
        f"running the chapter up to its `{TAG}` cell failed:\n{done.stderr[-4000:]}"
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
    shown_cells: list[tuple[str, str, str]] = []
    for chapter in chapters:
        if f"tag_{TAG}" not in (site.root / chapter).read_text(encoding="utf-8"):
            continue
        with open_page(context, recorder, site.url(chapter), settle=False) as (page, _):
            for cell in page.locator(f".tag_{TAG}").all():
                source = cell.locator(".cell_input pre").first.text_content() or ""
                output = "\n".join(
                    o.text_content() or "" for o in cell.locator(".cell_output pre").all()
                )
                shown_cells.append((chapter, source, output))
    assert shown_cells, (
        f"no cell tagged `{TAG}` in the autodiff chapters {chapters}: tag the "
        f"cell that prints a ScalarHistory (`:tags: [{TAG}]`)"
    )
    problems = []
    for chapter, source, shown in shown_cells:
        if "ScalarHistory(" not in shown:
            problems.append(f"{chapter}: the tagged cell shows no ScalarHistory:\n{shown}")
            continue
        cells = notebook_cells(chapter)
        matches = [i for i, (src, _) in enumerate(cells) if normalise(src) == normalise(source)]
        if not matches:
            problems.append(
                f"{chapter}: the page's `{TAG}` cell is not in the chapter's source "
                f"(the built page is stale?):\n{source}"
            )
            continue
        now = run_tagged(cells, matches[0])
        if normalise(now) != normalise(shown):
            problems.append(
                f"{chapter}: page shows\n{normalise(shown)}\n"
                f"but minitorch_lite prints now\n{normalise(now)}"
            )
    assert not problems, "\n\n".join(problems)
