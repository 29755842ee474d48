"""Figures a reader can read: sharp on high-density screens, text large enough on the page.

Each PNG of ``minitorch_lite.plots`` records (``BookFigure.png``) the width it is drawn
for, in CSS pixels, and the size of its smallest text at that width, computed from the
figure's own font sizes. The page shows the figure at some width (the content column may
be narrower); the text then renders at ``smallest × shown / drawn``. This is measured in
chromium at 1280 px and on a 390 px phone.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from PIL import Image
from playwright.sync_api import Browser, BrowserContext

from .browser import Recorder, figure_text, open_page, report
from .static_server import Site

DESKTOP_MIN_PX = 12.0  # at 1280 px
PHONE_MIN_PX = 9.0  # on a 390 px phone, unless the figure opens full size on a tap
PIXEL_DENSITY = 2  # image pixels per CSS pixel, at least

# Cell outputs, and figures glued into the text ({glue:figure}); a figure in a tab that is
# not selected is measured as it is shown when its tab is.
FIGURES = """() => [...document.querySelectorAll('.cell_output img, figure img')].map(img => {
    const link = img.closest('a');
    const tab = img.closest('.sd-tab-content');
    const hidden = tab && img.getBoundingClientRect().width === 0;
    if (hidden) tab.style.display = 'block';
    const shown = img.getBoundingClientRect().width;
    if (hidden) tab.style.display = '';
    return {src: img.currentSrc || img.src, shown, alt: (img.alt || '').slice(0, 60),
            link: link ? new URL(link.getAttribute('href'), document.baseURI).href : null};
})"""


def _file(site: Site, url: str) -> Path:
    """The file of the site behind ``url``."""
    path = unquote(urlparse(url).path)
    prefix = urlparse(site.base_url).path
    return site.root / path[len(prefix) :]


def _problems(site: Site, figures: list[dict], minimum: float, phone: bool) -> list[str]:
    problems = []
    for figure in figures:
        path = _file(site, figure["src"])
        recorded = figure_text(path)
        if recorded is None:
            problems.append(f"{figure['src']}: not a minitorch_lite.plots figure (no text size)")
            continue
        drawn, smallest = recorded
        px = smallest * min(figure["shown"], drawn) / drawn
        with Image.open(path) as image:
            pixels = image.width
        if pixels < PIXEL_DENSITY * drawn - 1:
            problems.append(f"{figure['alt']!r}: {pixels} px for {drawn:.0f} CSS px (not 2x)")
        if px >= minimum:
            continue
        opens = figure["link"] is not None and _file(site, figure["link"]) == _file(
            site, figure["src"]
        )
        if phone and opens:
            continue  # a tap opens the image at full size
        problems.append(
            f"{figure['alt']!r}: smallest text {px:.1f} px shown {figure['shown']:.0f} px wide "
            f"(at least {minimum:g} px{'' if not phone else ', or open full size on a tap'})"
        )
    return problems


def test_figure_text_is_readable_at_1280(
    book_page: str, site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """At 1280 px every figure's smallest text is at least 12 px, and every PNG has at least
    twice the pixels of the width it is drawn for."""
    with open_page(context, recorder, site.url(book_page)) as (page, _):
        page.set_viewport_size({"width": 1280, "height": 800})
        figures = page.evaluate(FIGURES)
    problems = _problems(site, figures, DESKTOP_MIN_PX, phone=False)
    assert not problems, report(f"{book_page} at 1280 px", problems)


def test_figure_text_is_readable_on_a_phone(book_page: str, site: Site, browser: Browser) -> None:
    """On a 390 px phone a figure's smallest text is at least 9 px, or a tap on the figure
    opens the image itself at full size."""
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = phone.new_page()
        page.goto(site.url(book_page))
        page.wait_for_load_state("load")
        figures = page.evaluate(FIGURES)
    finally:
        phone.close()
    problems = _problems(site, figures, PHONE_MIN_PX, phone=True)
    assert not problems, report(f"{book_page} at 390 px", problems)
