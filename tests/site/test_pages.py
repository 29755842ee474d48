"""Every page of the book in chromium: no errors, no outside requests, images, math, links."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext

from .browser import Recorder, open_page, probe, report
from .conftest import PARTS
from .static_server import Site


def test_page(book_page: str, site: Site, context: BrowserContext, recorder: Recorder) -> None:
    """Loads cleanly offline; every image loads and has alt text; math is typeset; links resolve."""
    with open_page(context, recorder, site.url(book_page)) as (page, visit):
        problems, _ = probe(page, site)
        problems = visit.problems() + problems
    assert not problems, report(book_page, problems)


def test_site_is_served_under_a_sub_path(
    site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """The server itself: root outside the sub-path is 404, pages are gzipped."""
    with open_page(context, recorder, site.url("index.html")) as (page, _):
        response = page.request.get(site.url("index.html"))
        assert response.headers.get("content-encoding") == "gzip"
        outside = page.request.get(site.base_url.replace("/minitorch-lite/", "/index.html"))
        assert outside.status == 404
        missing = page.request.get(site.url("no-such-page.html"))
        assert missing.status == 404


def test_search_finds_pages(site: Site, context: BrowserContext, recorder: Recorder) -> None:
    """The search page works offline and its results link to pages that exist."""
    with open_page(context, recorder, site.url("search.html?q=derivative")) as (page, visit):
        page.wait_for_function(
            "() => document.querySelectorAll('#search-results ul.search li').length > 0"
            " || /Search finished/.test(document.querySelector('#search-results')?.textContent)",
            timeout=20_000,
        )
        results = page.locator("#search-results ul.search li a")
        count = results.count()
        problems, _ = probe(page, site)
        problems = visit.problems() + problems
    assert count > 0, "searching 'derivative' found nothing"
    assert not problems, report("search.html?q=derivative", problems)


@pytest.mark.book_parts
def test_three_parts_exist_and_are_linked(
    site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """``<part>/index.html`` exists for each part and the landing page links to it."""
    missing = [part for part in PARTS if not (site.root / part / "index.html").is_file()]
    with open_page(context, recorder, site.url("index.html")) as (page, _):
        hrefs = page.eval_on_selector_all(
            ".bd-article a[href], nav a[href]", "els => els.map(a => a.href)"
        )
    unlinked = [
        part
        for part in PARTS
        if not any(
            h.split("#")[0] in (site.url(f"{part}/index.html"), site.url(f"{part}/")) for h in hrefs
        )
    ]
    problems = [f"part index page missing: {part}/index.html" for part in missing]
    problems += [f"landing page has no link to {part}/index.html" for part in unlinked]
    assert not problems, report("book parts", problems)


def test_page_fits_a_phone(book_page: str, site: Site, browser) -> None:  # noqa: ANN001
    """At 390 px (a phone), the page is no wider than the screen: wide code and math scroll
    inside their own blocks, never the page."""
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = phone.new_page()
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if site.base_url.split("/minitorch")[0] in route.request.url
                else route.abort()
            ),
        )
        page.goto(site.url(book_page))
        page.wait_for_load_state("load")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        culprits = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 391 && !e.closest(
                    'pre, .highlight, .katex-display, .cell_output, .table-wrapper, '
                    + '.bd-sidebar-primary, .bd-sidebar-secondary, dialog'))
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ' '
                    + (e.textContent || '').trim().slice(0, 30))"""
        )
    finally:
        phone.close()
    assert width <= 390, f"{book_page} is {width} px wide on a 390 px phone: {culprits}"


def test_one_search_box_and_each_part_named_once(
    site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """A desktop page shows one search field, and the sidebar names each part once."""
    with open_page(context, recorder, site.url("autodiff/scalars.html")) as (page, _):
        boxes = page.evaluate(
            "() => [...document.querySelectorAll('.search-button-field, form.bd-search')]"
            ".filter(e => e.offsetParent !== null && e.getBoundingClientRect().width > 0).length"
        )
        sidebar = page.locator(".bd-sidebar-primary").inner_text()
    assert boxes == 1, f"{boxes} search boxes are visible"
    for part in ("Derivatives", "Autodiff", "Neural networks"):
        assert sidebar.count(part) == 1, f"the sidebar names '{part}' {sidebar.count(part)} times"


def test_sidebar_buttons_open_the_sidebars(site: Site, browser) -> None:  # noqa: ANN001
    """On a phone, the ☰ button opens the book's navigation and the contents button the page's
    table of contents; on a desktop, ☰ hides and shows the navigation column."""
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    recorder = Recorder()
    recorder.install(phone)
    try:
        with open_page(phone, recorder, site.url("autodiff/scalars.html")) as (page, _):
            for toggle, dialog, link in (
                (".primary-toggle", "#pst-primary-sidebar-modal", "Backpropagation"),
                (".secondary-toggle", "#pst-secondary-sidebar-modal", "Contents"),
            ):
                page.locator(f"{toggle}:visible").first.click()
                opened = page.locator(f"{dialog}[open]")
                opened.wait_for(state="visible", timeout=5_000)
                assert link in opened.inner_text(), f"{dialog} opened without {link!r}"
                page.keyboard.press("Escape")
                opened.wait_for(state="hidden", timeout=5_000)
    finally:
        phone.close()
    desktop = browser.new_context(viewport={"width": 1280, "height": 800})
    recorder = Recorder()
    recorder.install(desktop)
    try:
        with open_page(desktop, recorder, site.url("autodiff/scalars.html")) as (page, _):
            sidebar = page.locator("#pst-primary-sidebar")
            assert sidebar.is_visible()
            page.locator(".primary-toggle:visible").first.click()
            sidebar.wait_for(state="hidden", timeout=5_000)
            page.locator(".primary-toggle:visible").first.click()
            sidebar.wait_for(state="visible", timeout=5_000)
    finally:
        desktop.close()


def test_search_field_text_clears_its_icon(
    site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """In the Ctrl+K search dialog, the typed query starts right of the magnifying glass."""
    with open_page(context, recorder, site.url("autodiff/scalars.html")) as (page, _):
        page.keyboard.press("Control+k")
        field = page.locator("#pst-search-dialog input")
        field.wait_for(state="visible", timeout=5_000)
        page.keyboard.type("Scalar")
        text_left, icon_right = page.evaluate(
            """() => {
                const input = document.querySelector('#pst-search-dialog input');
                const icon = document.querySelector('#pst-search-dialog .fa-magnifying-glass');
                const left = input.getBoundingClientRect().left
                    + parseFloat(getComputedStyle(input).paddingLeft);
                return [left, icon.getBoundingClientRect().right];
            }"""
        )
    assert text_left >= icon_right, f"query starts at {text_left} px, icon ends at {icon_right}"
