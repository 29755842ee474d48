"""Sphinx extension: links between the book and the slide decks.

The book (``book/`` → ``_build/html/``) and the decks (``slides/`` →
``_build/html/slides/``) are two Sphinx builds of one site, so a plain ``{doc}`` cannot
cross between them. Two roles write relative URLs (so the site works under any
sub-path) and check that the target source file exists (else a warning, which fails a
``-W`` build):

- ``{deck}`autodiff``` or ``{deck}`the autodiff deck <autodiff>``` links to the deck
  ``slides/autodiff.md``;
- ``{chapter}`autodiff/scalars``` or ``{chapter}`Scalars <autodiff/scalars>``` links to
  the chapter ``book/autodiff/scalars.md`` (an optional ``#anchor`` is kept).

Config: ``crosslinks_site_prefix`` is where this build's output sits inside the site
(``""`` for the book, ``"slides"`` for the decks).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

logger = logging.getLogger(__name__)

_TITLE_TARGET = re.compile(r"^(?P<title>.+?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
SOURCE_SUFFIXES = (".md", ".ipynb", ".rst")


class _CrossLink(SphinxRole):
    """Link to a page of the other build (or of this one) by its source name."""

    #: source folder of the target build, relative to the repository root
    source_dir = ""
    #: output folder of the target build inside the site
    site_dir = ""
    kind = ""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        match = _TITLE_TARGET.match(self.text)
        title, target = (match["title"], match["target"]) if match else (None, self.text)
        target = target.strip()
        page, _, anchor = target.partition("#")
        page = page.removesuffix(".md").removesuffix(".ipynb").strip("/")
        root = Path(self.config.crosslinks_root or self.env.app.confdir)
        if not any((root / self.source_dir / f"{page}{sfx}").is_file() for sfx in SOURCE_SUFFIXES):
            logger.warning(
                "%s link target %r not found: no %s/%s.md",
                self.kind,
                target,
                self.source_dir,
                page,
                location=self.get_location(),
                type="crosslinks",
            )
        depth = self.env.docname.count("/")
        prefix = self.config.crosslinks_site_prefix.strip("/")
        if prefix:
            depth += prefix.count("/") + 1
        path = "/".join(part for part in (self.site_dir, f"{page}.html") if part)
        uri = "../" * depth + path + (f"#{anchor}" if anchor else "")
        text = title or page
        node = nodes.reference(self.rawtext, text, refuri=uri, classes=["crosslink", self.kind])
        return [node], []


class DeckRole(_CrossLink):
    """``{deck}`topic``` → ``slides/topic.html``."""

    source_dir = "slides"
    site_dir = "slides"
    kind = "deck"


class ChapterRole(_CrossLink):
    """``{chapter}`part/page``` → the book page ``part/page.html``."""

    source_dir = "book"
    site_dir = ""
    kind = "chapter"


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``deck`` and ``chapter`` roles."""
    app.add_config_value("crosslinks_site_prefix", "", "env", types=frozenset({str}))
    app.add_config_value("crosslinks_root", "", "env", types=frozenset({str}))
    app.add_role("deck", DeckRole())
    app.add_role("chapter", ChapterRole())
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
