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
  download menu links it (``.ipynb``), next to the ``.md`` source. The download runs in
  a plain Jupyter with only the wheel installed: its Markdown holds no MyST (roles and
  directives become Markdown, links and glued values, see notebook_markdown.py), ``from
  myst_nb import glue`` becomes a small local ``glue``, glue's hidden outputs go, and
  the cells the page hides open collapsed (:func:`code_cell`).
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
import posixpath
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
import notebook_markdown
from docutils import nodes
from jupyter_cache import get_cache
from sphinx.application import Sphinx
from sphinx.directives.code import LiteralIncludeReader
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

logger = logging.getLogger(__name__)

#: bump when the download notebook's making changes (its stamps then expire)
VERSION = "2"
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
        "messages. Collapsed cells are the ones the book's page hides (the code behind some "
        "figures, and checks that what the text says about the results holds): they run "
        "with the rest. The outputs saved in this notebook are the ones the book printed."
    )
    markdown = nbformat.v4.new_markdown_cell(text)
    markdown.metadata["tags"] = ["install"]
    code = nbformat.v4.new_code_cell(f'%pip install "{requirement}"')
    code.metadata["tags"] = ["install"]
    return [markdown, code]


#: tags that hide a code cell's parts on the web page: (hide its source, hide its outputs)
HIDDEN = {
    "remove-cell": (True, True), "hide-cell": (True, True),
    "remove-input": (True, False), "hide-input": (True, False),
    "remove-output": (False, True), "hide-output": (False, True),
}  # fmt: skip
#: ``from myst_nb import glue`` (the build's glue), at any indentation
GLUE_IMPORT = re.compile(r"^(?P<indent>[ \t]*)from myst_nb import glue[ \t]*$", re.M)
OTHER_MYST_NB = re.compile(r"^[ \t]*(from|import)[ \t]+myst_nb\b", re.M)
#: what stands in for myst-nb's glue in a download: it shows, and stores nothing
GLUE_FALLBACK = """\
# The book's build glues values into its text (myst-nb's glue); this stands in for it.
def glue(name, value, display=True):
    \"\"\"The book's build stores `value` under `name` for its text; here it just shows it.\"\"\"
    if display:
        from IPython.display import display as show

        show(value)
"""


def code_cell(cell: nbformat.NotebookNode, where: str) -> nbformat.NotebookNode:
    """A code cell as a Jupyter reader gets it.

    ``from myst_nb import glue`` becomes a small local ``glue`` that shows its value when
    asked to (``display=True``), as myst-nb's does, and stores nothing; the saved outputs
    lose the glue store's hidden copies (mime types that no Jupyter renders). Cells the page
    hides (``remove-cell``, ``remove-input``, ``hide-*``...) keep their code, since later
    cells may need it, and open collapsed (Jupyter's ``source_hidden`` and
    ``outputs_hidden``); their tags stay.
    """
    source = GLUE_IMPORT.sub(
        lambda m: "\n".join(m["indent"] + line if line else line
                            for line in GLUE_FALLBACK.split("\n")),
        cell.source,
    )  # fmt: skip
    if OTHER_MYST_NB.search(source):
        logger.warning(
            "notebook_download: %s imports myst_nb other than `from myst_nb import glue`; "
            "the downloaded notebook cannot run it outside the build",
            where,
            type="notebook_download",
        )
    cell.source = source
    outputs = []
    for output in cell.get("outputs", []):
        metadata = output.get("metadata", {})
        if "scrapbook" in metadata:
            prefix = metadata["scrapbook"].get("mime_prefix", "")
            if prefix:  # glue(..., display=False): nothing was shown
                continue
            del metadata["scrapbook"]
        outputs.append(output)
    cell.outputs = outputs
    tags = cell.metadata.get("tags", [])
    for tag in tags:
        if tag in HIDDEN:
            source_hidden, outputs_hidden = HIDDEN[tag]
            jupyter = cell.metadata.setdefault("jupyter", {})
            if source_hidden:
                jupyter["source_hidden"] = True
            if outputs_hidden:
                jupyter["outputs_hidden"] = True
    return cell


def markdown_cell(
    cell: nbformat.NotebookNode, context: notebook_markdown.Context | None
) -> nbformat.NotebookNode | None:
    """A markdown cell in plain Markdown (None if the page removes it)."""
    if "remove-cell" in cell.metadata.get("tags", []):
        return None
    if context is None:
        return cell
    context.attachments = {}
    cell.source = notebook_markdown.convert_markdown(cell.source, context)
    if context.attachments:
        cell["attachments"] = dict(context.attachments)
    return cell


def download_notebook(
    executed: nbformat.NotebookNode,
    wheel: str,
    title: str,
    baseurl: str = "",
    context: notebook_markdown.Context | None = None,
) -> nbformat.NotebookNode:
    """The executed notebook as a reader runs it, with the install cells first.

    Build-only metadata goes; Markdown cells become plain Markdown (with ``context``, see
    notebook_markdown.py); code cells run without myst-nb (see :func:`code_cell`).
    """
    notebook = copy.deepcopy(executed)
    for key in DROPPED_METADATA:
        notebook.metadata.pop(key, None)
    cells = []
    where = context.docname if context else title
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            cells.append(code_cell(cell, f"{where}, cell {index + 1}"))
        elif cell.cell_type == "markdown":
            converted = markdown_cell(cell, context)
            if converted is not None:
                cells.append(converted)
        else:
            cells.append(cell)
    notebook.cells = [*install_cells(wheel, title, baseurl), *cells]
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


class PageLinks:
    """What the Markdown of the downloads needs from the build: link targets, glued values.

    Every role's target is looked up where Sphinx keeps it (page titles, glossary terms,
    labels, Python objects, the crosslinks' pages), so a notebook links what the page links.
    """

    def __init__(self, app: Sphinx, wheel: str, baseurl: str) -> None:
        self.app = app
        self.env = app.env
        self.wheel = wheel
        self.baseurl = baseurl
        self.glued: dict[str, dict[str, dict[str, Any]]] = {}

    def context(self, docname: str) -> notebook_markdown.Context:
        return notebook_markdown.Context(
            docname=docname,
            href=lambda name, target: self.href(docname, name, target),
            glue=self.glue,
            literalinclude=lambda path, options: self.literalinclude(docname, path, options),
            source_dir=Path(self.env.doc2path(docname)).parent,
        )

    def url(self, docname: str, target: str) -> str:
        return notebook_markdown.site_href(docname, target, self.baseurl)

    def _doc(self, docname: str, target: str) -> str:
        target = target.removesuffix(".md").removesuffix(".ipynb")
        if target.startswith("/"):
            return target.strip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(docname), target))

    def _page(self, docname: str, target: str, anchor: str = "") -> str:
        return self.url(docname, f"{target}.html" + (f"#{anchor}" if anchor else ""))

    def href(self, docname: str, name: str, target: str) -> tuple[str, str] | None:
        """(url, link text) for a role's target, or None if the build does not know it."""
        std = self.env.get_domain("std")
        if name == "doc":
            page = self._doc(docname, target)
            if page not in self.env.titles:
                return None
            return self._page(docname, page), self.env.titles[page].astext()
        if name in ("chapter", "deck"):
            page, _, anchor = target.partition("#")
            page = page.removesuffix(".md").removesuffix(".ipynb").strip("/")
            prefix = "slides/" if name == "deck" else ""
            return self._page(docname, prefix + page, anchor), page
        if name == "term":
            found = std.data.get("terms", {}).get(target.lower()) or std.data.get(
                "objects", {}
            ).get(("term", target))
            if found is None:
                return None
            return self._page(docname, found[0], found[1]), target
        if name in ("ref", "numref"):
            labels = std.data.get("labels", {})
            if target in labels and labels[target][0]:
                page, labelid, title = labels[target]
                return self._page(docname, page, labelid), title or target
            anonymous = std.data.get("anonlabels", {})
            if target in anonymous:
                page, labelid = anonymous[target]
                return self._page(docname, page, labelid), target
            return None
        if name == "eq":
            return "", f"({target})"
        if name.startswith("py:"):
            shown = target.lstrip("~")
            objects = self.env.get_domain("py").data.get("objects", {})
            full = next(
                (key for key in (shown, f"minitorch_lite.{shown}") if key in objects), None
            ) or next((key for key in objects if key.endswith(f".{shown}")), None)
            if full is None:
                return None
            text = shown.rsplit(".", 1)[-1] if target.startswith("~") else shown
            entry = objects[full]
            return self._page(docname, entry[0], entry[1]), f"`{text}`"
        if name == "wheel":
            url = self.url(docname, f"{DOWNLOADS}/{self.wheel}")
            return url, f"`{self.wheel}`" if target == "file" else target
        return None

    def glue(self, docname: str, key: str) -> dict[str, Any] | None:
        """A glued value's mime bundle, from the page's executed notebook."""
        if docname not in self.glued:
            self.glued[docname] = {}
            source = executed_notebook(self.app, docname)
            if source is not None:
                executed = with_outputs(self.app, nbformat.read(source, as_version=4))
                for cell in executed.cells:
                    for output in cell.get("outputs", []):
                        scrapbook = output.get("metadata", {}).get("scrapbook")
                        if scrapbook:
                            cut = len(scrapbook.get("mime_prefix", ""))
                            data = {k[cut:]: v for k, v in output.get("data", {}).items()}
                            self.glued[docname][scrapbook["name"]] = data
        return self.glued[docname].get(key)

    def literalinclude(self, docname: str, path: str, options: dict[str, str]) -> str:
        """What ``{literalinclude}`` shows: Sphinx's own reader on the same options."""
        _, filename = self.env.relfn2path(path, docname)
        parsed: dict[str, Any] = {}
        for key, value in options.items():
            if key in ("dedent", "lineno-start", "tab-width"):
                parsed[key] = int(value) if value.strip() else None
            elif key in ("prepend", "append", "pyobject", "lines", "start-after", "end-before",
                         "start-at", "end-at", "encoding", "diff"):  # fmt: skip
                parsed[key] = value
        text, _ = LiteralIncludeReader(filename, parsed, self.app.config).read()
        return text


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
    links = PageLinks(app, build.name, baseurl)
    # Making a notebook (read, merge from the cache, convert, validate, write) takes
    # ~0.1 s; a stamp per page skips the pages whose inputs have not changed since the
    # last build. myst-nb rewrites the executed notebook whenever it reads the page, so
    # its mtime changes whenever its outputs can have; a notebook's Markdown also shows
    # other pages' titles, terms and glued values, hence the read times of every page.
    stamps_file = Path(app.doctreedir) / "notebook-downloads.json"
    try:
        stamps = json.loads(stamps_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stamps = {}
    all_read = hashlib.sha256(repr(sorted(app.env.all_docs.items())).encode()).hexdigest()
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
             app.env.mystnb_config.execution_cache_path, all_read)
        )  # fmt: skip
        fresh[docname] = stamp
        if stamps.get(docname) == stamp and target.is_file():
            continue
        context = links.context(docname)
        executed = with_outputs(app, nbformat.read(source, as_version=4))
        notebook = download_notebook(executed, build.name, title, baseurl, context)
        if context.unknown:
            logger.warning(
                "notebook_download: the download of %s cannot resolve %s",
                docname,
                ", ".join(sorted(set(context.unknown))),
                type="notebook_download",
            )
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
