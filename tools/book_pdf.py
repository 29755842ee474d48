"""The book as one PDF: a single-page build of the book, printed by Chromium.

``nox -s build`` builds the book a second time with Sphinx's ``singlehtml`` builder into
``_build/singlehtml/`` (the notebooks come from the execution cache, so this costs seconds),
and ``tools/print_pdf.py`` prints that page to ``_build/html/minitorch_lite_book.pdf``,
with a title page, the contents and page numbers. This extension

* gives the single page the theme's stylesheet (the site's pages get it inside their CSS
  bundle, tools/page_weight.py, which the single page does not use);
* adds "book (.pdf)" to the download menu of every page of the site.

The print rules (no buttons, each chapter on a new page) are in ``_static/book.css``,
under ``@media print``: printing any page from the browser uses them too.
"""

from __future__ import annotations

from typing import Any

from page_weight import THEME_STYLESHEETS
from print_pdf import PDF_NAME  # the file it prints, at the root of the site
from sphinx.application import Sphinx
from sphinx.builders.html._assets import _CascadingStyleSheet

THEME_STYLESHEET = THEME_STYLESHEETS[-1]  # the theme's own; the other is its base


def theme_styles(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Link the theme's stylesheet on the single page. The theme takes it out of the
    page's list (it links it from a template macro, which this site empties because the
    stylesheet opens each page's CSS bundle)."""
    if app.builder.name == "singlehtml" and isinstance(context.get("css_files"), list):
        context["css_files"].insert(0, _CascadingStyleSheet(THEME_STYLESHEET, priority=0))


def offer_book_pdf(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Add the whole book's PDF to the theme's download menu (after the theme built it)."""
    if app.builder.name != "html":
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].append({
                "type": "link",
                "url": context["pathto"](PDF_NAME, 1),
                "text": "book (.pdf)",
                "tooltip": "The whole book as one PDF",
                "icon": "fas fa-book",
                "label": "download-book-pdf-button",
            })


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", theme_styles, priority=900)  # after the theme's
    app.connect("html-page-context", offer_book_pdf, priority=502)  # the theme's is 501
    return {"parallel_read_safe": True, "parallel_write_safe": True}
