"""Print each deck to a PDF handout: ``_build/html/slides/<deck>.pdf`` (``nox -s build``).

reveal.js lays a deck out for print when its address ends in ``?print-pdf``: one slide
per page, fragments shown (``pdfSeparateFragments`` is off in conf.py), speaker notes
left out. Debian's Chromium (the browser the tests use) prints that layout, driven by
Playwright; no browser is downloaded.

A PDF is printed again only when its deck's page or a style sheet changed (a stamp of
them in ``_build/pdf-stamps/``), so a rebuild with nothing changed costs nothing. Without
Chromium the PDFs are skipped with a message (the tests need Chromium and check them).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLIDES = ROOT / "_build" / "html" / "slides"
STAMPS = ROOT / "_build" / "pdf-stamps"  # outside the served site
DECKS = ("derivatives", "autodiff", "networks")
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
WIDTH, HEIGHT = 1280, 720  # conf.py's revealjs_script_conf


def stamp(deck: str) -> str:
    """What the PDF is printed from: the deck's page and the site's style sheets (the
    images are named by their content, so a new figure changes the page)."""
    digest = hashlib.sha256()
    static = SLIDES / "_static"
    styles = sorted([*static.glob("*.css"), *static.glob("interactive/*.css")])
    for path in (SLIDES / f"{deck}.html", *styles):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def print_deck(browser: object, deck: str) -> int:
    """Print one deck; the number of pages."""
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})  # type: ignore[attr-defined]
    try:
        page.goto((SLIDES / f"{deck}.html").as_uri() + "?print-pdf")
        page.wait_for_function("() => window.Reveal && Reveal.isReady()")
        # reveal.js builds the print layout (.pdf-page) after it is ready.
        page.wait_for_function("() => document.querySelectorAll('.pdf-page').length > 0")
        page.wait_for_load_state("networkidle")
        pages = page.evaluate("() => document.querySelectorAll('.pdf-page').length")
        page.pdf(
            path=str(SLIDES / f"{deck}.pdf"),
            width=f"{WIDTH}px",
            height=f"{HEIGHT}px",
            print_background=True,
            prefer_css_page_size=True,
        )
        return int(pages)
    finally:
        page.close()


def main() -> int:
    if not CHROMIUM.is_file():
        print(
            f"print_pdf: {CHROMIUM} not found, so the decks' PDF handouts are not printed "
            "(install Debian's chromium: apt-get install chromium).",
            file=sys.stderr,
        )
        return 0
    stale = [d for d in DECKS if not (STAMPS / d).is_file()
             or (STAMPS / d).read_text() != stamp(d)
             or not (SLIDES / f"{d}.pdf").is_file()]  # fmt: skip
    if not stale:
        return 0
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
        )
        try:
            for deck in stale:
                start = time.monotonic()
                pages = print_deck(browser, deck)
                STAMPS.mkdir(parents=True, exist_ok=True)
                (STAMPS / deck).write_text(stamp(deck))
                print(
                    f"print_pdf: slides/{deck}.pdf, {pages} pages, "
                    f"{time.monotonic() - start:.1f} s"
                )
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
