"""The whole book as one PDF (tools/book_pdf.py, tools/print_pdf.py), read back with pypdf.

The build prints the single-page build of the book with Chromium. These tests read what a
reader gets: a title page, contents whose entries jump inside the PDF, every chapter in
order, the figures embedded as images, text that can be searched and copied, page numbers,
and none of the page's controls (Run, copy buttons).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from pypdf import PdfReader

from .conftest import REPO, book_pages, site_root
from .static_server import Site

sys.path.insert(0, str(REPO / "tools"))
from print_pdf import PDF_NAME  # noqa: E402 (the file the build prints)


@cache
def reader() -> PdfReader:
    pdf = site_root() / PDF_NAME
    if not pdf.is_file():
        pytest.fail(f"{PDF_NAME} was not printed by the build (tools/print_pdf.py)")
    return PdfReader(pdf)


@cache
def page_texts() -> tuple[str, ...]:
    return tuple(page.extract_text() or "" for page in reader().pages)


def chapter_titles() -> dict[str, str]:
    """The title of every book page but the generated ones (index, search), by page."""
    titles = {}
    for page in book_pages():
        if page in {"genindex.html", "search.html", "py-modindex.html"}:
            continue
        html = (site_root() / page).read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?) &#8212; ", html)
        assert title, f"{page} has no <title>"
        titles[page] = title[1].replace("&amp;", "&")
    return titles


def squash(text: str) -> str:
    """Text without white space (the PDF breaks lines and may split words with spaces), and
    with ligatures spelt out (the PDF's "ﬀ" is "ff")."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def test_the_pdf_is_linked_from_the_landing_page_and_the_download_menu() -> None:
    root = site_root()
    assert f'href="{PDF_NAME}"' in (root / "index.html").read_text(encoding="utf-8")
    chapter = (root / "autodiff" / "scalars.html").read_text(encoding="utf-8")
    assert f'href="../{PDF_NAME}"' in chapter, "the download menu does not offer the book PDF"


def test_title_page_then_contents_with_working_links() -> None:
    texts = page_texts()
    assert "minitorch_lite" in texts[0] and "derivatives" in texts[0], texts[0][:300]
    assert "Contents" in texts[1], texts[1][:300]
    page_ids = {page.indirect_reference.idnum: i for i, page in enumerate(reader().pages)}
    targets = []
    for annotation in reader().pages[1].get("/Annots") or []:
        link = annotation.get_object()
        if link.get("/Subtype") != "/Link":
            continue
        action = link.get("/A")
        assert not (action and action.get("/S") == "/URI"), "a contents entry leaves the PDF"
        dest = link.get("/Dest")
        if dest is None and action is not None:
            dest = action.get("/D")
        if isinstance(dest, str | bytes) or hasattr(dest, "get_object"):
            resolved = reader().named_destinations.get(str(dest))
            dest = resolved.page if resolved is not None else dest
            targets.append(page_ids.get(getattr(dest, "idnum", None)))
        elif dest is not None:
            targets.append(page_ids.get(dest[0].idnum))
    titles = chapter_titles()
    assert len(targets) >= len(titles) - 1, f"{len(targets)} contents links, {len(titles)} pages"
    assert all(t is not None and t > 1 for t in targets), targets
    assert targets == sorted(targets), f"contents entries out of order: {targets}"


def test_every_chapter_is_in_the_pdf_in_order() -> None:
    """Every page of the book, in the order of the book (its single-page build)."""
    single = (site_root().parent / "singlehtml" / "index.html").read_text(encoding="utf-8")
    order = re.findall(r'<span id="document-([^"]+)"></span>', single)
    titles = chapter_titles()
    missing = set(titles) - {f"{doc}.html" for doc in order} - {"index.html"}
    assert not missing, f"book pages missing from the single-page build: {sorted(missing)}"
    body = squash("\n".join(page_texts()[2:]))
    position = 0
    for doc in order:
        title = titles[f"{doc}.html"]
        found = body.find(squash(title), position)
        assert found >= 0, f"{title!r} is missing from the PDF, or out of order"
        position = found


def test_pages_are_numbered_and_counted() -> None:
    texts = page_texts()
    n = len(texts)
    n_pages = len(chapter_titles())
    assert 4 * n_pages <= n <= 40 * n_pages, f"{n} pages for {n_pages} book pages"
    for i in (5, n // 2, n - 1):  # the footer prints the page number
        assert re.search(rf"(^|\s){i + 1}\s*$", texts[i].strip()), (i + 1, texts[i][-80:])


def test_figures_are_embedded() -> None:
    figures = sum(
        len(re.findall(r'<img [^>]*src="[^"]*_images/[^"]+\.png"',
                       (site_root() / page).read_text(encoding="utf-8")))
        for page in book_pages()
    )
    images = sum(len(page.images) for page in reader().pages)
    assert figures > 40
    assert images >= figures, f"{images} images in the PDF, {figures} figures on the pages"


def test_text_is_searchable_and_the_controls_are_not_printed() -> None:
    text = unicodedata.normalize("NFKC", "\n".join(page_texts()))
    for phrase in ("ScalarHistory", "topological", "Backpropagation", "decision boundary"):
        assert phrase in text, f"{phrase!r} cannot be found in the PDF's text"
    for control in ("Undo edits", "Copy to clipboard", "Run", "Hide the solution code"):
        assert not re.search(rf"(^|\n)\s*{control}\s*($|\n)", text), f"{control!r} was printed"


def test_printing_any_page_hides_run_and_copy_buttons(browser: Browser, site: Site) -> None:
    page = browser.new_page()
    try:
        page.goto(site.url("autodiff/scalars.html"))
        page.wait_for_selector(".run-bar button")
        page.emulate_media(media="print")
        shown = page.evaluate(
            """() => [...document.querySelectorAll('.run-bar, button.copybtn')]
                 .filter(e => getComputedStyle(e).display !== 'none').length"""
        )
        assert shown == 0, f"{shown} Run bars or copy buttons would be printed"
    finally:
        page.close()


def test_pdf_size_is_reasonable() -> None:
    size = Path(site_root() / PDF_NAME).stat().st_size
    assert size < 40e6, f"{PDF_NAME} is {size / 1e6:.1f} MB"
