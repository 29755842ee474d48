"""Sphinx extension (book): chapters download as notebooks; the site offers the library's wheel.

- **Wheel.** The working tree's ``minitorch_lite`` is built into a wheel with
  ``pip wheel --no-deps`` (the build backend pinned in pyproject.toml's
  ``[build-system]``), from a clean copy of its inputs (pyproject.toml, README.md,
  LICENSE, ``minitorch_lite/``), so no stale ``build/`` folder leaks old modules into it.
  The build runs in the background while pages are read, and is cached in
  ``_build/wheels/<hash of the inputs>/``: a rebuild with the library unchanged costs
  nothing. It lands in the site at ``_downloads/<wheel>``.
- **Notebooks.** Every notebook page gets ``_sources/<page>.ipynb``: the notebook myst-nb
  executed for the page, with the outputs the page shows (from jupyter-cache), preceded
  by a markdown cell that says how to install the wheel and a ``%pip install`` cell.
  Those two cells exist only in the download, not on the web page. sphinx-book-theme's
  download menu links it (``.ipynb``), next to the ``.md`` source.
- **Role and directive** for pages that point readers at the wheel, with its real file
  name (from pyproject.toml's name and version):

  - ``{wheel}`text``` links the wheel (relative URL, so the site works under a
    sub-path); ``{wheel}`file``` shows the file name as the link text;
  - a ``{wheel-commands}`` directive is a shell code block in which ``{wheel}`` stands
    for the file name.

If ``html_baseurl`` is set, the notebook's first cell links the wheel by absolute URL.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

import nbformat
from docutils import nodes
from jupyter_cache import get_cache
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

logger = logging.getLogger(__name__)

#: bump when the download notebook's making changes (its stamps then expire)
VERSION = "1"
#: where the wheel sits in the site, relative to its root
DOWNLOADS = "_downloads"
#: what the wheel is built from, relative to the repository root
WHEEL_INPUTS = ("pyproject.toml", "README.md", "LICENSE", "minitorch_lite")
#: the page that tells readers how to run the chapters
RUN_PAGE = "run-it-yourself"
#: metadata myst-nb leaves in its executed notebook that means nothing in Jupyter
DROPPED_METADATA = ("source_map", "jupytext")


# ----- the wheel ----------------------------------------------------------------------------
def repository_root(app: Sphinx) -> Path:
    """The repository root: conf.py's folder (``-c .``)."""
    return Path(app.confdir)


def wheel_name(root: Path) -> str:
    """The pure-Python wheel's file name, from pyproject.toml's name and version."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    distribution = re.sub(r"[-_.]+", "_", project["name"]).lower()
    return f"{distribution}-{project['version']}-py3-none-any.whl"


def _input_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for name in WHEEL_INPUTS:
        path = root / name
        if path.is_dir():
            files += [
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
            ]
        elif path.is_file():
            files.append(path)
    return files


def inputs_hash(root: Path) -> str:
    """Hash of every file the wheel is built from (names and bytes)."""
    digest = hashlib.sha256()
    for path in _input_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


class WheelBuild:
    """One wheel, from the cache or from ``pip wheel`` running in the background."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.name = wheel_name(root)
        self.cache = root / "_build" / "wheels"
        self.key = inputs_hash(root)
        self.target = self.cache / self.key / self.name
        self.process: subprocess.Popen[str] | None = None
        self.workdir: Path | None = None

    def start(self) -> None:
        """Start ``pip wheel`` on a clean copy of the inputs, unless the cache has it."""
        if self.target.is_file():
            return
        self.cache.mkdir(parents=True, exist_ok=True)
        self.workdir = Path(tempfile.mkdtemp(prefix=f"{self.key}-", dir=self.cache))
        source = self.workdir / "src"
        for path in _input_files(self.root):
            copy_to = source / path.relative_to(self.root)
            copy_to.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy_to)
        command = [
            sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
            "--disable-pip-version-check", "--wheel-dir", str(self.workdir / "dist"), str(source),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )

    def finish(self) -> Path | None:
        """Wait for the build; the cached wheel, or None (after a warning) on failure."""
        if self.process is not None:
            output, _ = self.process.communicate()
            assert self.workdir is not None
            built = self.workdir / "dist" / self.name
            if self.process.returncode != 0 or not built.is_file():
                found = sorted(p.name for p in (self.workdir / "dist").glob("*.whl"))
                logger.warning(
                    "notebook_download: building the wheel %s failed (pip exit %s, wheels "
                    "made: %s):\n%s",
                    self.name,
                    self.process.returncode,
                    found or "none",
                    output,
                    type="notebook_download",
                )
                shutil.rmtree(self.workdir, ignore_errors=True)
                return None
            self.target.parent.mkdir(parents=True, exist_ok=True)
            built.replace(self.target)
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.process = None
            self.remove_old()
        return self.target if self.target.is_file() else None

    def cancel(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.communicate()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def remove_old(self, idle_seconds: float = 600) -> None:
        """Delete wheels of older inputs once unused for a while (as conf.py's caches)."""
        now = time.time()
        for old in self.cache.iterdir():
            if old.is_dir() and old.name != self.key and now - old.stat().st_mtime > idle_seconds:
                shutil.rmtree(old, ignore_errors=True)


def _copy_if_changed(source: Path, target: Path) -> None:
    data = source.read_bytes()
    if not target.is_file() or target.read_bytes() != data:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def start_wheel(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    build = WheelBuild(repository_root(app))
    build.start()
    app.notebook_download_wheel = build  # type: ignore[attr-defined]


# ----- the notebooks ------------------------------------------------------------------------
def install_cells(wheel: str, title: str, baseurl: str) -> list[nbformat.NotebookNode]:
    """The two cells that open a downloaded notebook: how to install, and doing it."""
    requirement = f"{wheel}[plots]"
    if baseurl:
        base = baseurl.rstrip("/")
        where = (
            f"[`{wheel}`]({base}/{DOWNLOADS}/{wheel}) from the book's page "
            f"[Run it yourself]({base}/{RUN_PAGE}.html)"
        )
    else:
        where = (
            f"`{wheel}` from the book's site: the landing page and its page *Run it "
            f"yourself* link it (it is `{DOWNLOADS}/{wheel}` next to the site's `index.html`)"
        )
    text = (
        f"**Run this notebook yourself.** It is the chapter *{title}* of the minitorch_lite "
        "book, and it needs Python 3.11 or newer and the book's library, `minitorch_lite`, "
        "with its `plots` extra (matplotlib).\n\n"
        f"1. Download the wheel {where}.\n"
        "2. Put it next to this notebook and install it into the environment of this "
        "notebook's kernel, in a terminal:\n\n"
        f'   ```\n   pip install "{requirement}"\n   ```\n\n'
        "   or by running the next cell (skip it if you have installed the wheel already).\n\n"
        "Cells tagged `raises-exception` raise on purpose: they show the library's error "
        "messages. The outputs saved in this notebook are the ones the book printed."
    )
    markdown = nbformat.v4.new_markdown_cell(text)
    markdown.metadata["tags"] = ["install"]
    code = nbformat.v4.new_code_cell(f'%pip install "{requirement}"')
    code.metadata["tags"] = ["install"]
    return [markdown, code]


def download_notebook(
    executed: nbformat.NotebookNode, wheel: str, title: str, baseurl: str = ""
) -> nbformat.NotebookNode:
    """The executed notebook, cleaned of build-only metadata, with the install cells first."""
    notebook = copy.deepcopy(executed)
    for key in DROPPED_METADATA:
        notebook.metadata.pop(key, None)
    notebook.cells = [*install_cells(wheel, title, baseurl), *notebook.cells]
    nbformat.validate(notebook)
    return notebook


def executed_notebook(app: Sphinx, docname: str) -> Path | None:
    """The notebook myst-nb executed for ``docname``, if the page is a notebook."""
    metadata = app.env.metadata.get(docname, {})
    if "kernelspec" not in metadata:
        return None
    path = Path(app.env.mystnb_config.output_folder) / f"{docname}.ipynb"
    return path if path.is_file() else None


def with_outputs(app: Sphinx, notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with the outputs of its execution, from jupyter-cache.

    myst-nb 1.4 saves the notebook object it read: when the outputs come from the cache
    (``nb_execution_mode = "cache"``, an unchanged page), that object never receives them,
    and the saved notebook has none. They are merged from the cache here, the way myst-nb
    merges them for the page.
    """
    config = app.env.mystnb_config
    if config.execution_mode != "cache" or not config.execution_cache_path:
        return notebook
    if not Path(config.execution_cache_path).is_dir():
        return notebook
    try:
        _, merged = get_cache(config.execution_cache_path).merge_match_into_notebook(notebook)
    except KeyError:  # not in the cache: the notebook holds its own outputs, if any
        return notebook
    return merged


def link_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Have the theme's download menu offer ``.ipynb`` (before the theme builds the menu)."""
    if app.builder.format != "html" or executed_notebook(app, pagename) is None:
        return
    context["ipynb_source"] = f"{pagename}.ipynb"


def write_downloads(app: Sphinx, exception: Exception | None) -> None:
    """Put the wheel and every notebook page's download notebook into the site."""
    build: WheelBuild | None = getattr(app, "notebook_download_wheel", None)
    if build is None:
        return
    if exception is not None:
        build.cancel()
        return
    outdir = Path(app.builder.outdir)
    wheel = build.finish()
    if wheel is not None:
        _copy_if_changed(wheel, outdir / DOWNLOADS / build.name)
    baseurl = app.config.html_baseurl or ""
    # Making a notebook (read, merge from the cache, validate, write) takes ~0.1 s; a
    # stamp per page skips the pages whose inputs have not changed since the last build.
    # myst-nb rewrites the executed notebook whenever it reads the page, so its mtime
    # changes whenever its outputs can have.
    stamps_file = Path(app.doctreedir) / "notebook-downloads.json"
    try:
        stamps = json.loads(stamps_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stamps = {}
    fresh = {}
    for docname in sorted(app.env.found_docs):
        source = executed_notebook(app, docname)
        if source is None:
            continue
        title = app.env.titles[docname].astext() if docname in app.env.titles else docname
        target = outdir / "_sources" / f"{docname}.ipynb"
        info = source.stat()
        stamp = repr(
            (VERSION, str(source), info.st_mtime_ns, info.st_size, build.name, title, baseurl,
             app.env.mystnb_config.execution_cache_path)
        )  # fmt: skip
        fresh[docname] = stamp
        if stamps.get(docname) == stamp and target.is_file():
            continue
        executed = with_outputs(app, nbformat.read(source, as_version=4))
        notebook = download_notebook(executed, build.name, title, baseurl)
        text = nbformat.writes(notebook) + "\n"
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    stamps_file.write_text(json.dumps(fresh, indent=1), encoding="utf-8")


# ----- role and directive -------------------------------------------------------------------
class WheelRole(SphinxRole):
    """``{wheel}`text``` links the site's wheel; ``{wheel}`file``` shows its file name."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        root = repository_root(self.env.app)
        self.env.note_dependency(str(root / "pyproject.toml"))  # the name holds the version
        name = wheel_name(root)
        uri = "../" * self.env.docname.count("/") + f"{DOWNLOADS}/{name}"
        if self.text.strip() == "file":
            content: nodes.Node = nodes.literal(name, name)
        else:
            content = nodes.Text(self.text)
        node = nodes.reference(self.rawtext, "", content, refuri=uri, classes=["wheel"])
        return [node], []


class WheelCommands(SphinxDirective):
    """A shell code block in which ``{wheel}`` stands for the wheel's file name."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        root = repository_root(self.env.app)
        self.env.note_dependency(str(root / "pyproject.toml"))
        name = wheel_name(root)
        text = "\n".join(self.content).replace("{wheel}", name)
        block = nodes.literal_block(text, text, language="bash")
        self.set_source_info(block)
        return [block]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the handlers (the menu link before sphinx-book-theme's, at 501)."""
    app.add_role("wheel", WheelRole())
    app.add_directive("wheel-commands", WheelCommands)
    app.connect("builder-inited", start_wheel)
    app.connect("html-page-context", link_notebook, priority=450)
    app.connect("build-finished", write_downloads)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
