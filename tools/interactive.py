"""Sphinx extension: run the book's code cells in the page, and the training playground.

Both run the real ``minitorch_lite`` in Python compiled to WebAssembly (Pyodide), in a
Web Worker, loaded from the site itself (offline; nothing from a CDN) on the reader's
first click, so a page that is only read loads one small deferred script and no Python.

What the build does (the book's HTML builder, and the decks' revealjs builder):

- copies Pyodide's core runtime from ``node_modules/pyodide`` (npm, pinned in
  package-lock.json) into ``_static/pyodide/`` (book only: the decks, built into the
  book's ``slides/`` folder, load the book's copy, so a browser fetches it once), with a
  snapshot of its memory right after the interpreter started (``snapshot.bin.gz``, made
  by ``tools/pyodide_snapshot.mjs`` in Node, once per Pyodide build): the worker starts
  from it in well under a second instead of about two; without it, it starts normally;
- zips ``minitorch_lite/*.py`` and ``tools/book_runtime.py`` (the Python half of the
  runner) into ``_static/interactive/python.zip``, so the browser runs the library of
  this very build;
- gives every code cell a "Run" button (server-side HTML: nothing moves when the page
  loads) and marks *figure cells*; ``_static/interactive/run.js`` makes the code
  editable and runs it;
- ``{playground}`` directive: the controls and canvases of the playground page, driven by
  ``_static/interactive/playground.js``.

Conventions for chapter writers (cell tags):

- A figure cell needs matplotlib, which Pyodide's core lacks. It is found by itself: its
  source names ``plots``, ``matplotlib``, ``plt`` or ``pyplot``, or its build output is
  an image; the tag ``figure`` marks one explicitly. In the browser it still runs (names
  it defines before drawing exist afterwards), and its failure to draw shows as a note.
- ``no-run``: no Run button, and the cell is skipped when a later cell runs the page's
  earlier cells (for a cell that only makes sense at build time). ``remove-cell`` cells
  are not on the page at all and never run in the browser.
- ``raises-exception``: the cell may raise; running it as an earlier cell stays quiet.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import io
import json
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
RUNTIME = HERE / "book_runtime.py"
#: Pyodide's core runtime: what ``loadPyodide`` fetches (no packages, no micropip).
PYODIDE_FILES = (
    "pyodide.mjs",  # the ES module a (module) worker imports; pyodide.js is for pages
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
SNAPSHOT_SUFFIX = ".bin.gz"
SNAPSHOT_NAME = f"snapshot{SNAPSHOT_SUFFIX}"  # in _static/pyodide/, beside its Pyodide
SNAPSHOT_SCRIPT = HERE / "pyodide_snapshot.mjs"
STATIC = "interactive"  # _static/interactive/: run.js, run.css, worker.js, playground.js
ZIP_NAME = "python.zip"
FIGURE_SOURCE = re.compile(r"\b(plots|matplotlib|plt|pyplot)\b")
# A fixed timestamp keeps the zip's bytes (and so its hash) a function of the sources.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def _is_book_html(app: Sphinx) -> bool:
    return app.builder.name in ("html", "dirhtml")


def _is_deck(app: Sphinx) -> bool:
    return app.builder.name == "revealjs"  # dirrevealjs would need another Pyodide path


def _runs_cells(app: Sphinx) -> bool:
    """Pages of this build get Run buttons: the book's, and the decks' (live coding)."""
    return _is_book_html(app) or _is_deck(app)


def _write_if_changed(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.stat().st_size != len(data) or path.read_bytes() != data:
        path.write_bytes(data)


def pyodide_key(pyodide: Path) -> str:
    """A digest of the Pyodide files served and of the script that snapshots them."""
    digest = hashlib.sha256(SNAPSHOT_SCRIPT.read_bytes())
    for name in PYODIDE_FILES:
        digest.update((pyodide / name).read_bytes())
    return digest.hexdigest()[:16]


def pyodide_snapshot(pyodide: Path, cache: Path) -> Path:
    """Pyodide's memory after its interpreter started, gzipped (about 6 MB of 31 MB): the
    file ``cache/<pyodide_key>.bin.gz``.

    Made in Node by ``pyodide_snapshot.mjs`` from the very files in ``pyodide``, and kept
    in ``cache`` under their digest, so it is remade only when Pyodide changes.
    """
    cached = cache / f"{pyodide_key(pyodide)}{SNAPSHOT_SUFFIX}"
    if cached.is_file():
        return cached
    from katex_prerender import find_node  # noqa: PLC0415 (the node the build runs)

    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "snapshot.bin"
        done = subprocess.run(
            [find_node(), str(SNAPSHOT_SCRIPT), str(pyodide), str(raw)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0 or not raw.is_file():
            raise RuntimeError(
                f"interactive: {SNAPSHOT_SCRIPT.name} failed (exit {done.returncode}):\n"
                f"{done.stderr.strip()}"
            )
        data = gzip.compress(raw.read_bytes(), compresslevel=6, mtime=0)
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob(f"*{SNAPSHOT_SUFFIX}"):  # an older Pyodide's
        old.unlink()
    cached.write_bytes(data)
    return cached


def _snapshot(app: Sphinx) -> Path | None:
    """The snapshot of this build's Pyodide (None when its files are missing), kept
    between builds (both builds: the book's and the decks') in ``_build/``."""
    pyodide = _pyodide_source(app)
    if not all((pyodide / name).is_file() for name in PYODIDE_FILES):
        return None
    return pyodide_snapshot(pyodide, Path(app.confdir) / "_build" / ".pyodide-snapshot")


def _pyodide_source(app: Sphinx) -> Path:
    folder = app.config.interactive_node_modules or Path(app.confdir) / "node_modules"
    return Path(folder) / "pyodide"


def python_zip(library: Path) -> bytes:
    """A zip of the library package's ``.py`` files and ``book_runtime.py``, reproducible."""
    buffer = io.BytesIO()
    files = sorted(p for p in library.rglob("*.py") if "__pycache__" not in p.parts)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, name in [
            *((p, p.relative_to(library.parent).as_posix()) for p in files),
            (RUNTIME, RUNTIME.name),
        ]:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def copy_runtime(app: Sphinx) -> None:
    """Copy Pyodide into ``_static/pyodide/`` and write the library zip (before writing)."""
    if not _runs_cells(app):
        return
    static = Path(app.builder.outdir) / "_static"
    if _is_deck(app):
        _write_library(app, static, _snapshot(app))
        return
    source = _pyodide_source(app)
    missing = [name for name in PYODIDE_FILES if not (source / name).is_file()]
    if missing:
        raise RuntimeError(
            f"interactive: Pyodide not found in {source} (missing {', '.join(missing)}). "
            "Run `nox -s build` (it runs `npm ci`) or `npm ci` at the repository root."
        )
    for name in PYODIDE_FILES:
        _write_if_changed(static / "pyodide" / name, (source / name).read_bytes())
    snapshot = _snapshot(app)
    assert snapshot is not None  # its files are there: checked above
    _write_if_changed(static / "pyodide" / SNAPSHOT_NAME, snapshot.read_bytes())
    for stale in (static / "pyodide").iterdir():
        if stale.name not in (*PYODIDE_FILES, SNAPSHOT_NAME):
            stale.unlink()
    _write_library(app, static, snapshot)


def _write_library(app: Sphinx, static: Path, snapshot: Path | None) -> None:
    """Write ``python.zip`` and note the version of the worker's files (and, with the
    ``snapshot`` of Pyodide, its URL and what a first Run downloads)."""
    library = Path(app.config.interactive_library or Path(app.confdir) / "minitorch_lite")
    data = python_zip(library)
    _write_if_changed(static / STATIC / ZIP_NAME, data)
    # One version for the worker's files: changes whenever any of them does, or Pyodide.
    digest = hashlib.sha256(data)
    download = len(data)  # what a first Run fetches, for the "Loading Python" message
    if snapshot is not None:
        key = snapshot.name.removesuffix(SNAPSHOT_SUFFIX)  # pyodide_key of its Pyodide
        digest.update(key.encode())
        pyodide = _pyodide_source(app)
        download += snapshot.stat().st_size
        download += sum((pyodide / name).stat().st_size for name in PYODIDE_FILES)
        # Relative to _static/pyodide/, versioned by the Pyodide it was made from.
        app.builder.interactive_snapshot = f"{SNAPSHOT_NAME}?v={key}"  # type: ignore[attr-defined]
    app.builder.interactive_download = f"{download / 1e6:.0f} MB"  # type: ignore[attr-defined]
    for name in ("worker.js", "playground.js", "run.js"):
        path = Path(app.confdir) / "_static" / STATIC / name
        digest.update(path.read_bytes() if path.is_file() else b"")
    app.builder.interactive_version = digest.hexdigest()[:12]  # type: ignore[attr-defined]


def _cell_source(cell: nodes.Element) -> str | None:
    for node in cell.findall(nodes.container):
        if node.get("nb_element") == "cell_code_source":
            return node.astext()
    return None


def _has_image(cell: nodes.Element) -> bool:
    return any(True for _ in cell.findall(nodes.image))


def _notebook_code_cells(env: Any, docname: str) -> dict[int, Any]:
    """Cell index → code cell, read from the page's notebook."""
    from myst_nb.core.read import read_myst_markdown_notebook  # noqa: PLC0415

    path = Path(env.doc2path(docname))
    if path.suffix != ".md":
        import nbformat  # noqa: PLC0415

        notebook = nbformat.read(path, as_version=4)
    else:
        notebook = read_myst_markdown_notebook(path.read_text(encoding="utf-8"))
    return {i: cell for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"}


def _notebook_sources(env: Any, docname: str) -> dict[int, str]:
    """Cell index → source, read from the page's notebook (for cells shown without input)."""
    return {i: cell.source for i, cell in _notebook_code_cells(env, docname).items()}


def _hidden_cell(source: str, classes: list[str]) -> nodes.container:
    """A cell container with no visible content: its code, for the runner, in JSON."""
    cell = nodes.container(classes=["cell", "run-cell", "run-hidden", *classes])
    cell.append(nodes.raw("", _json_script(source), format="html"))
    return cell


def add_removed_cells(document: nodes.document, env: Any, docname: str) -> None:
    """Decks: put back, invisibly, the ``remove-cell`` cells, so that live code runs.

    A deck keeps its set-up (data, trained models, helper functions) in cells the
    audience never sees; a cell on a slide that the presenter runs needs those names. The
    book does not do this: a chapter shows the code it relies on, and its removed cells
    are the build's checks of its prose.
    """
    shown = [c for c in document.findall(nodes.container) if c.get("nb_element") == "cell_code"]
    present = {c.get("cell_index") for c in shown}
    for index, cell in sorted(_notebook_code_cells(env, docname).items()):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if index in present or "no-run" in tags:
            continue
        hidden = _hidden_cell(cell.source, ["run-removed"])
        after = next((c for c in shown if c.get("cell_index", -1) > index), None)
        if after is not None:
            after.parent.insert(after.parent.index(after), hidden)
        elif shown:
            shown[-1].parent.append(hidden)


def _json_script(value: object) -> str:
    text = json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")
    return f'<script type="application/json" class="run-source">{text}</script>'


RUN_BAR = (
    '<div class="run-bar">'
    '<button type="button" class="run-button" title="Run this cell with Python in your browser'
    ' (Ctrl+Enter in the code)">Run</button>'
    '<button type="button" class="run-stop" hidden>Stop</button>'
    '<button type="button" class="run-reset" hidden'
    ' title="Put back the code as the book has it">Undo edits</button>'
    '<span class="run-status" role="status"></span>'
    "</div>"
)


class RunnableCells(SphinxPostTransform):
    """Add the Run bar to every code cell (after myst-nb has wrapped hidden parts)."""

    default_priority = 900  # after myst-nb's HideInputCells (199)
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        if not _runs_cells(self.app):
            return
        if _is_deck(self.app):
            add_removed_cells(self.document, self.env, self.env.docname)
        notebook: dict[int, str] | None = None
        for cell in list(self.document.findall(nodes.container)):
            if cell.get("nb_element") != "cell_code":
                continue  # (the removed cells put back above are ready as they are)
            tags = set(cell.get("cell_metadata", {}).get("tags", []))
            if "no-run" in tags:
                continue
            source = _cell_source(cell)
            cell["classes"].append("run-cell")
            if (
                "figure" in tags
                or _has_image(cell)
                or FIGURE_SOURCE.search(source or "") is not None
            ):
                cell["classes"].append("run-figure")
            if source is None:
                # Shown without its input (remove-input): the page still needs the code
                # to run it before later cells. Kept in a JSON script element.
                if notebook is None:
                    notebook = _notebook_sources(self.env, self.env.docname)
                hidden = notebook.get(cell.get("cell_index", -1))
                if hidden is None:
                    continue
                cell["classes"].append("run-hidden")
                cell.insert(0, nodes.raw("", _json_script(hidden), format="html"))
                continue
            # The bar goes right after the top-level child holding the input.
            position = next(
                i
                for i, child in enumerate(cell.children)
                if any(
                    isinstance(n, nodes.container) and n.get("nb_element") == "cell_code_source"
                    for n in child.findall(include_self=True)
                )
            )
            cell.insert(position + 1, nodes.raw("", RUN_BAR, format="html"))


PLAYGROUND_HTML = """\
<div class="playground" data-datasets='{datasets}'>
<form class="pg-controls" aria-label="Playground settings">
  <label>Dataset <select name="dataset">{options}</select></label>
  <label>Points <input name="points" type="number" min="10" max="200" step="10"
    value="{points}" inputmode="numeric"></label>
  <label>Hidden units <input name="hidden" type="number" min="1" max="16" step="1"
    value="{hidden}" inputmode="numeric"></label>
  <label>Learning rate <select name="rate">{rates}</select></label>
  <div class="pg-buttons">
    <button type="button" class="pg-train">Train</button>
    <button type="button" class="pg-stop" disabled>Stop</button>
    <button type="button" class="pg-reset" title="A new network with fresh random weights">
      New network</button>
  </div>
</form>
<p class="pg-status" role="status">Press <b>Train</b>: Python and minitorch_lite load in
  your browser (once), then the network trains on the points.</p>
<div class="pg-views">
  <figure class="pg-figure">
    <canvas class="pg-map" width="400" height="400" role="img"
      aria-label="The data points and the network's decision boundary"></canvas>
    <figcaption>Points (orange: label 1, blue: label 0) over the network's probability
      of label 1; the dark line is the decision boundary (probability ½).</figcaption>
  </figure>
  <figure class="pg-figure">
    <canvas class="pg-curve" width="400" height="260" role="img"
      aria-label="Loss and accuracy per epoch"></canvas>
    <figcaption>Loss (blue) and accuracy (orange) per epoch.</figcaption>
    <dl class="pg-stats">
      <div><dt>Epoch</dt><dd class="pg-epoch">0</dd></div>
      <div><dt>Loss</dt><dd class="pg-loss">–</dd></div>
      <div><dt>Training accuracy</dt><dd class="pg-accuracy">–</dd></div>
      <div><dt>Test accuracy</dt><dd class="pg-test">–</dd></div>
      <div><dt>Speed</dt><dd class="pg-speed">–</dd></div>
    </dl>
  </figure>
</div>
</div>
"""

DATASETS = ("Simple", "Diag", "Split", "Xor", "Circle", "Spiral")
RATES = ("0.05", "0.1", "0.2", "0.5", "1", "2")


class PlaygroundDirective(SphinxDirective):
    """``{playground}``: the training playground (options: dataset, points, hidden, rate)."""

    has_content = False
    option_spec = {
        "dataset": directives.unchanged,
        "points": directives.positive_int,
        "hidden": directives.positive_int,
        "rate": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        dataset = self.options.get("dataset", "Simple")
        rate = self.options.get("rate", "0.5")
        if dataset not in DATASETS or rate not in RATES:
            raise self.error(f"playground: dataset in {DATASETS}, rate in {RATES}")
        options = "".join(
            f"<option{' selected' if name == dataset else ''}>{name}</option>" for name in DATASETS
        )
        rates = "".join(f"<option{' selected' if r == rate else ''}>{r}</option>" for r in RATES)
        markup = PLAYGROUND_HTML.format(
            datasets=html.escape(json.dumps(DATASETS)),
            options=options,
            rates=rates,
            points=self.options.get("points", 50),
            hidden=self.options.get("hidden", 8),
        )
        return [nodes.raw("", markup, format="html", classes=["playground-app"])]


def add_page_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """The runner's script on pages with code cells; the playground's on its page."""
    if doctree is None or not _runs_cells(app):
        return
    version = getattr(app.builder, "interactive_version", "0")
    cells = any("run-cell" in node["classes"] for node in doctree.findall(nodes.container))
    playground = any("playground-app" in node["classes"] for node in doctree.findall(nodes.raw))
    download = getattr(app.builder, "interactive_download", "")
    snapshot = getattr(app.builder, "interactive_snapshot", "")
    attributes = {"data-version": version, "data-download": download, "data-snapshot": snapshot}
    if _is_deck(app):
        # The book's copy of Pyodide, one folder up from the decks (a page-relative URL).
        attributes["data-pyodide"] = "../_static/pyodide/"
    if cells:
        app.add_js_file(f"{STATIC}/run.js", loading_method="defer", **attributes)
    if playground:
        app.add_js_file(
            f"{STATIC}/playground.js",
            loading_method="defer",
            **{"data-version": version, "data-download": download, "data-snapshot": snapshot},
        )


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the post-transform, the directive, the assets and the copy step."""
    app.add_config_value("interactive_node_modules", "", "env", types=frozenset({str}))
    app.add_config_value("interactive_library", "", "env", types=frozenset({str}))
    app.add_post_transform(RunnableCells)
    app.add_directive("playground", PlaygroundDirective)
    app.add_css_file(f"{STATIC}/run.css")
    app.connect("builder-inited", copy_runtime)
    app.connect("html-page-context", add_page_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
