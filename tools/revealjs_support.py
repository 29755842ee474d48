"""Sphinx extension for the deck build (``-t slides``, builder ``revealjs``).

- Figures: the width and height a book page gives them are dropped (see normalise_code).
- Code cells: myst-nb marks them ``ipython3``, a name highlight.js does not know, so it
  would guess a language; they become ``python``. Cell outputs (``myst-ansi``) become
  ``plaintext`` with ANSI colour codes removed.
- Offline: sphinx-revealjs copies all of reveal.js into ``_static/revealjs``, including
  the math plugin (MathJax/KaTeX from a CDN), the markdown plugin, SCSS sources and the
  style themes that ``@import`` Google Fonts. None is used here; they are removed after
  the build so no page or file of the site names a CDN.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

PYTHON_ALIASES = {"ipython3", "ipython", "ipython2", "python3", "py"}
OUTPUT_LANGUAGES = {"myst-ansi", "ansi", "text", "none", "default"}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
UNUSED = ("plugin/math", "plugin/markdown", "css")


def normalise_code(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Give highlight.js language names it knows; let figures size to the slide."""
    if not app.builder.name.endswith("revealjs"):
        return
    # A figure's width and height (its size on a book page) would fix its height while
    # the slide's max-width narrows it, squashing it; without them it scales to the
    # slide's limits (deck.css), keeping its shape, with pixels to spare (PNGs are 2x).
    for image in doctree.findall(nodes.image):
        image.attributes.pop("width", None)
        image.attributes.pop("height", None)
    for block in doctree.findall(nodes.literal_block):
        language = block.get("language")
        if language in PYTHON_ALIASES:
            block["language"] = "python"
        elif language in OUTPUT_LANGUAGES:
            block["language"] = "plaintext"
            text = block.astext()
            clean = _ANSI.sub("", text)
            if clean != text:
                block.children = [nodes.Text(clean)]


def prune_static(app: Sphinx, exception: Exception | None) -> None:
    """Delete the parts of the bundled reveal.js that would load from a CDN."""
    if exception is not None or not app.builder.name.endswith("revealjs"):
        return
    revealjs = Path(app.builder.outdir) / "_static" / "revealjs"
    for part in UNUSED:
        shutil.rmtree(revealjs / part, ignore_errors=True)
    for theme in (revealjs / "dist" / "theme").glob("*.css"):
        if "fonts.googleapis" in theme.read_text(encoding="utf-8"):
            theme.unlink()


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the handlers."""
    app.connect("doctree-resolved", normalise_code)
    app.connect("build-finished", prune_static)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
