"""Print each deck to a PDF handout, ``_build/html/slides/<deck>.pdf``, and the whole book
to ``_build/html/minitorch_lite_book.pdf`` (``nox -s build``).

reveal.js lays a deck out for print when its address ends in ``?print-pdf``: one slide
per page, fragments shown (``pdfSeparateFragments`` is off in conf.py), speaker notes
left out. Debian's Chromium (the browser the tests use) prints that layout, driven by
Playwright; no browser is downloaded.

The book is printed from its single-page build (``_build/singlehtml/``, see
tools/book_pdf.py) with the print rules of ``_static/book.css``; this script puts a title
page and the contents in front and numbers the pages.

A PDF is printed again only when its page or a style sheet changed (a stamp of
them in ``_build/pdf-stamps/``), so a rebuild with nothing changed costs nothing. Without
Chromium the PDFs are skipped with a message (the tests need Chromium and check them).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SLIDES = ROOT / "_build" / "html" / "slides"
STAMPS = ROOT / "_build" / "pdf-stamps"  # outside the served site
DECKS = ("derivatives", "autodiff", "networks")
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
WIDTH, HEIGHT = 1280, 720  # conf.py's revealjs_script_conf
SINGLE = ROOT / "_build" / "singlehtml"
PDF_NAME = "minitorch_lite_book.pdf"  # at the root of the site (tools/book_pdf.py links it)
BOOK_PDF = ROOT / "_build" / "html" / PDF_NAME


def stamp(deck: str) -> str:
    """What the PDF is printed from: the deck's page and the site's style sheets (the
    images are named by their content, so a new figure changes the page)."""
    digest = hashlib.sha256()
    static = SLIDES / "_static"
    styles = sorted([*static.glob("*.css"), *static.glob("interactive/*.css")])
    for path in (SLIDES / f"{deck}.html", *styles):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def book_stamp() -> str:
    """What the book's PDF is printed from: the single page and its style sheets."""
    digest = hashlib.sha256(FRONT_MATTER.encode())
    static = SINGLE / "_static"
    styles = sorted([*static.glob("*.css"), *static.glob("styles/*.css")])
    for path in (SINGLE / "index.html", *styles):
        digest.update(path.read_bytes())
    return digest.hexdigest()


# Put in front of the single page before printing: a title page, then the contents (each
# part, chapter and page of the book, linked to where it starts in the PDF).
FRONT_MATTER = """
() => {
  const article = document.querySelector("article.bd-article") || document.body;
  const first = article.querySelector("h1");
  const title = first ? first.textContent.replace(/#$/, "") : document.title;
  const [name, ...rest] = title.split(":");
  const front = document.createElement("div");
  front.className = "pdf-front";
  front.innerHTML = `<section class="pdf-title-page"><p class="pdf-book-title"></p>
    <p class="pdf-subtitle"></p>
    <p class="pdf-note">Every output, number and figure in this book was computed by
    running the minitorch_lite library when the book was built.</p></section>
    <nav class="pdf-contents"><h2>Contents</h2><ol></ol></nav>`;
  front.querySelector(".pdf-book-title").textContent = name.trim();
  front.querySelector(".pdf-subtitle").textContent = rest.join(":").trim();
  // Solutions and hidden code are folded on the page; on paper they are shown (as
  // sphinx-togglebutton does when a reader prints a page).
  window.dispatchEvent(new Event("beforeprint"));
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  const list = front.querySelector("ol");
  for (const mark of document.querySelectorAll('span[id^="document-"]')) {
    // A part's "Chapters" heading is followed by the chapters themselves: on paper it
    // would stand alone at the foot of a page.
    let first = mark;
    while (!first.previousElementSibling && first.parentElement) first = first.parentElement;
    const before = first.previousElementSibling;
    if (before && /^H[1-6]$/.test(before.tagName)) before.remove();
    const section = mark.nextElementSibling;
    const heading = section && section.querySelector("h1, h2, h3, h4");
    if (!heading || !section.id) continue;
    const doc = mark.id.slice("document-".length);
    const item = document.createElement("li");
    item.className = doc.includes("/") && !doc.endsWith("/index") ? "chapter" : "part";
    const link = document.createElement("a");
    // Section ids repeat across documents ("exercises"): a target of its own.
    const target = document.createElement("span");
    target.id = "pdf-" + doc.replace(/[^a-z0-9]+/gi, "-");
    section.prepend(target);
    link.href = "#" + target.id;
    link.textContent = heading.textContent.replace(/#$/, "");
    item.append(link);
    list.append(item);
  }
  const style = document.createElement("style");
  style.textContent = `
    .pdf-title-page { break-after: page; padding-top: 30vh; text-align: center; }
    .pdf-book-title { font-size: 2.8rem; font-weight: 700; margin-bottom: 0.5rem; }
    .pdf-subtitle { font-size: 1.4rem; }
    .pdf-note { margin-top: 30vh; font-size: 0.9rem; color: #444; }
    .pdf-contents { break-after: page; }
    .pdf-contents ol { list-style: none; padding-left: 0; }
    .pdf-contents li.part { font-weight: 600; margin-top: 0.6rem; }
    .pdf-contents li.chapter { margin-left: 1.5rem; }
    .onlyprint, .bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer {
      display: none !important;
    }
  `;
  document.head.append(style);
  article.prepend(front);
  return list.children.length;
}
"""


async def print_book(browser: Any) -> str:
    """Print the single-page build of the book; what was printed, for the log."""
    page = await browser.new_page()
    try:
        await page.goto((SINGLE / "index.html").as_uri())
        await page.wait_for_load_state("networkidle")
        await page.emulate_media(media="print")
        entries = await page.evaluate(FRONT_MATTER)
        if entries < 10:
            raise RuntimeError(f"the book's contents list {entries} documents: is the build whole?")
        # Figures load lazily on the site: load them all, and wait until they are decoded.
        await page.evaluate(
            "() => document.querySelectorAll('img').forEach(i => i.loading = 'eager')"
        )
        await page.wait_for_load_state("networkidle")
        await page.evaluate(
            "() => Promise.all([...document.images].map(i => i.decode().catch(() => 0)))"
        )
        await page.pdf(
            path=str(BOOK_PDF),
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=(
                '<div style="width:100%;text-align:center;font-size:8px;color:#555">'
                '<span class="pageNumber"></span></div>'
            ),
            margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"},
            outline=True,  # PDF bookmarks from the headings
        )
    finally:
        await page.close()
    (STAMPS / "book").write_text(book_stamp())
    from pypdf import PdfReader  # noqa: PLC0415 (pinned with the site tests)

    pages = len(PdfReader(BOOK_PDF).pages)
    return f"{BOOK_PDF.name}, {pages} pages, {BOOK_PDF.stat().st_size / 1e6:.1f} MB"


async def print_deck(browser: Any, deck: str) -> str:
    """Print one deck; what was printed, for the log."""
    page = await browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    try:
        await page.goto((SLIDES / f"{deck}.html").as_uri() + "?print-pdf")
        await page.wait_for_function("() => window.Reveal && Reveal.isReady()")
        # reveal.js builds the print layout (.pdf-page) after it is ready.
        await page.wait_for_function("() => document.querySelectorAll('.pdf-page').length > 0")
        await page.wait_for_load_state("networkidle")
        pages = await page.evaluate("() => document.querySelectorAll('.pdf-page').length")
        await page.pdf(
            path=str(SLIDES / f"{deck}.pdf"),
            width=f"{WIDTH}px",
            height=f"{HEIGHT}px",
            print_background=True,
            prefer_css_page_size=True,
        )
    finally:
        await page.close()
    (STAMPS / deck).write_text(stamp(deck))
    return f"slides/{deck}.pdf, {pages} pages"


async def print_all(decks: list[str], book: bool) -> None:
    """Print the stale PDFs side by side, each in its own tab of one Chromium."""
    from playwright.async_api import async_playwright  # noqa: PLC0415

    async def timed(job: Any) -> None:
        start = time.monotonic()
        done = await job
        print(f"print_pdf: {done}, {time.monotonic() - start:.1f} s")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
        )
        try:
            jobs = [print_deck(browser, deck) for deck in decks]
            if book:
                jobs.insert(0, print_book(browser))  # the longest first
            await asyncio.gather(*(timed(job) for job in jobs))
        finally:
            await browser.close()


def main(argv: list[str]) -> int:
    """``print_pdf.py [decks|book]``: print the stale PDFs (of the decks, of the book, or
    by default of both)."""
    which = set(argv) or {"decks", "book"}
    if not which <= {"decks", "book"}:
        print(f"print_pdf: unknown argument(s) {sorted(which)}: use decks or book", file=sys.stderr)
        return 2
    if not CHROMIUM.is_file():
        print(
            f"print_pdf: {CHROMIUM} not found, so the decks' PDF handouts are not printed "
            "(install Debian's chromium: apt-get install chromium).",
            file=sys.stderr,
        )
        return 0
    stale = [d for d in DECKS if "decks" in which and (not (STAMPS / d).is_file()
             or (STAMPS / d).read_text() != stamp(d)
             or not (SLIDES / f"{d}.pdf").is_file())]  # fmt: skip
    book = "book" in which and (SINGLE / "index.html").is_file() and (
        not (STAMPS / "book").is_file() or (STAMPS / "book").read_text() != book_stamp()
        or not BOOK_PDF.is_file())  # fmt: skip
    if stale or book:
        STAMPS.mkdir(parents=True, exist_ok=True)
        asyncio.run(print_all(stale, book))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
