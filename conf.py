"""Sphinx configuration for the whole site: the book, and with ``-t slides`` the decks.

Book:  sphinx-build -c . book   _build/html        -d _build/doctrees/book
Decks: sphinx-build -c . -t slides -b revealjs slides _build/html/slides -d _build/doctrees/slides

``nox -s build`` runs both (see noxfile.py). Every code cell runs against the working
tree's ``minitorch_lite`` at build time; outputs are cached by jupyter-cache in a folder
keyed on a hash of the library's files, so changing the library re-executes every page.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

from myst_nb.core.render import base_render_priority

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT))  # autodoc imports the working tree's minitorch_lite

SLIDES = tags.has("slides")  # noqa: F821 (Sphinx injects `tags` into conf.py)

# -- Project -------------------------------------------------------------------------------
project = "minitorch_lite"
author = "the minitorch_lite book authors"
copyright = "2026, the minitorch_lite book authors"  # noqa: A001 (Sphinx's name)
language = "en"

# -- Fresh outputs: execution cache keyed on the library ------------------------------------
LIBRARY = ROOT / "minitorch_lite"
CACHE_ROOT = ROOT / "_build" / ".jupyter_cache"


def library_hash() -> str:
    """Hash of every file of minitorch_lite/ (names and bytes; bytecode excluded)."""
    digest = hashlib.sha256()
    if LIBRARY.is_dir():
        for path in sorted(LIBRARY.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def remove_old_caches(keep: str, idle_seconds: float = 600) -> None:
    """Delete the caches of older library versions once unused for ``idle_seconds``.

    The grace period spares a build that is still running on another version (two
    authors building one work tree while the library changes).
    """
    if not CACHE_ROOT.is_dir():
        return
    now = time.time()
    for old in CACHE_ROOT.iterdir():
        if old.is_dir() and old.name != keep:
            last_used = max((p.stat().st_mtime for p in old.rglob("*")), default=0.0)
            if now - max(last_used, old.stat().st_mtime) > idle_seconds:
                shutil.rmtree(old, ignore_errors=True)


def tools_hash() -> str:
    """Hash of this project's Sphinx extensions: a change re-reads and rewrites every page."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "tools").glob("*")):
        if path.is_file() and path.suffix in {".py", ".cjs"}:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


tools_hash = tools_hash()  # registered in setup() below, as an "env" config value
LIBRARY_HASH = library_hash()
CACHE_PATH = CACHE_ROOT / LIBRARY_HASH
remove_old_caches(keep=LIBRARY_HASH)

# Kernels run in this interpreter's environment and import the working tree's library.


def _prepend(variable: str, path: Path) -> None:
    os.environ[variable] = os.pathsep.join(p for p in (str(path), os.environ.get(variable)) if p)


_prepend("PYTHONPATH", ROOT)
_prepend("JUPYTER_PATH", Path(sys.prefix) / "share" / "jupyter")  # this env's kernel first
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

# -- General --------------------------------------------------------------------------------
extensions = [
    "myst_nb",
    "sphinx_design",
    "katex_prerender",
    "crosslinks",
    "cell_errors",
    "stale_pages",
    "preexecute",  # every stale notebook, book and decks, in a process pool first
]
if SLIDES:
    extensions += [
        "sphinx_revealjs",
        "revealjs_support",
        "interactive",  # live code: the book's Run button on the decks' code cells
    ]
else:
    extensions += [
        "sphinx_togglebutton",
        "sphinx_copybutton",
        "sphinx.ext.autodoc",
        "sphinx.ext.napoleon",
        "page_weight",
        "notebook_download",  # .ipynb downloads and the wheel (tools/notebook_download.py)
        "interactive",  # Run buttons and the playground (tools/interactive.py)
        "book_pdf",  # the book as one PDF: single-page build's styles, download menu entry
    ]

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["**/.ipynb_checkpoints", "**/_build", "**/.*"]
# Theme template overrides (page weight; see the files). The decks use their own theme.
templates_path = [] if SLIDES else ["_templates"]
nitpicky = False
html_math_renderer = "katex_prerender"
katex_options = {"strict": "ignore", "macros": {}}
crosslinks_site_prefix = "slides" if SLIDES else ""
crosslinks_root = str(ROOT)

# -- MyST and myst-nb --------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
# Figures with a name (a cell's mystnb.figure.name, glue:figure's :name:) are numbered, and
# the prose refers to them with {numref}.
# No "Python Module Index" page: the API has one package (the API reference lists it), and
# the page's 9-pixel toggle images fail Lighthouse's image-resolution audit.
html_domain_indices = False
numfig = True
numfig_format = {"figure": "Figure %s", "table": "Table %s", "code-block": "Listing %s"}
myst_update_mathjax = False  # math is KaTeX, rendered at build time

nb_execution_mode = "cache"
nb_execution_cache_path = str(CACHE_PATH)
nb_execution_raise_on_error = True  # a cell that raises fails the build...
nb_execution_allow_errors = False  # ...unless it is tagged `raises-exception`
nb_execution_show_tb = True
nb_execution_timeout = 600
nb_merge_streams = True
# Markdown outputs (IPython.display.Markdown, {glue:md}) are parsed as MyST, so $math$ in
# them is typeset like the page's own.
nb_render_markdown_format = "myst"
# myst-nb has no output priority for the revealjs builders: give them the html one.
nb_mime_priority_overrides = [
    (builder, mime, priority)
    for builder in ("revealjs", "dirrevealjs")
    for mime, priority in base_render_priority()["html"].items()
]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True

# -- Book: sphinx-book-theme ----------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "minitorch_lite"
html_favicon = "_static/favicon.svg"  # else browsers ask the host's root for /favicon.ico
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_copy_source = True
html_show_sourcelink = False
html_last_updated_fmt = None
html_permalinks_icon = "#"
html_theme_options = {
    "home_page_in_toc": True,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "use_source_button": False,
    "use_edit_page_button": False,
    "use_issues_button": False,
    "show_toc_level": 2,
    "show_navbar_depth": 1,
}
# One search box: the theme puts a search field in the header and another at the top of
# the sidebar; keep the header's (it has the Ctrl+K hint and stays on phones).
html_sidebars = {"**": ["navbar-logo.html", "icon-links.html", "sbt-sidebar-nav.html"]}
# pydata-sphinx-theme reads the mode from here; left empty it logs a console error
# ("Got invalid theme mode: . Resetting to auto.") on every page.
html_context = {"default_mode": "auto"}

# -- Decks: sphinx-revealjs ---------------------------------------------------------------------
revealjs_style_theme = "white"
revealjs_static_path = ["_static"]
if SLIDES:
    # The revealjs builder appends its own static folder to revealjs_static_path and
    # makes html_static_path that same list. Spelling out the result here (and undoing
    # the append in _stable_deck_config) keeps the saved config equal to conf.py's, so
    # a rebuild with no change re-reads nothing.
    from sphinx_revealjs.utils import get_internal_static_path

    html_static_path = ["_static", str(get_internal_static_path())]
revealjs_css_files = ["revealjs/plugin/highlight/monokai.css", "deck.css"]
revealjs_script_conf = {
    "hash": True,
    "slideNumber": "c/t",
    "width": 1280,
    "height": 720,
    "margin": 0.04,
    "transition": "slide",
    # Right/Left (and a clicker's next/previous) step through every slide and fragment in
    # order, vertical slides included, as Space and Page Down/Up do; Down/Up too.
    "navigationMode": "linear",
    "pdfSeparateFragments": False,
    "scrollActivationWidth": None,  # the builder sets it; say it here to keep config stable
}
revealjs_script_plugins = [
    {"name": "RevealNotes", "src": "revealjs/plugin/notes/notes.js"},
    {"name": "RevealHighlight", "src": "revealjs/plugin/highlight/highlight.js"},
    {"name": "RevealZoom", "src": "revealjs/plugin/zoom/zoom.js"},
    {"name": "RevealSearch", "src": "revealjs/plugin/search/search.js"},
]


def _deck_output_folder(app) -> None:
    """Keep the decks' executed notebooks and images out of the served site.

    myst-nb writes them next to the output folder (``_build/html/jupyter_execute`` for
    decks built into ``_build/html/slides``); move them under ``_build/``.
    """
    folder = ROOT / "_build" / "jupyter_execute" / "slides"
    app.env.mystnb_config = app.env.mystnb_config.copy(output_folder=str(folder))


def _stable_deck_config(app) -> None:
    app.config.revealjs_static_path = ["_static"]


def setup(app) -> None:
    """conf.py-local hooks."""
    app.add_config_value("tools_hash", "", "env", types=frozenset({str}))
    if SLIDES:
        app.connect("builder-inited", _deck_output_folder, priority=900)
        app.connect("builder-inited", _stable_deck_config)
