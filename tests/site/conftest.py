"""Fixtures for the site tests: the built site served under a sub-path, and one chromium.

The site is ``_build/html`` (``nox -s build`` writes it; ``nox -s test`` builds it first),
or the folder named by the ``SITE_DIR`` environment variable. A missing site fails the
tests, loudly: they never pass by testing nothing. The browser is the system's chromium
(``/usr/bin/chromium``), driven by Playwright with ``executable_path``; a missing
chromium fails too (``playwright install`` downloads a browser, which these tests never do).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from .browser import CHROMIUM, CHROMIUM_ARGS, Recorder
from .static_server import Site, serve

REPO = Path(__file__).resolve().parents[2]
PARTS = ("derivatives", "autodiff", "networks")
DECKS = PARTS
# Not book pages: the decks (their own tests), static assets, page sources.
NOT_PAGES = ("slides", "_static", "_sources", "_images", "_downloads")


def site_root() -> Path:
    """The built site's folder (``SITE_DIR`` or ``_build/html``)."""
    configured = os.environ.get("SITE_DIR")
    return Path(configured).resolve() if configured else REPO / "_build" / "html"


def book_pages() -> list[str]:
    """Every HTML page of the book, relative to the site root, landing page first."""
    root = site_root()
    if not (root / "index.html").is_file():
        return ["index.html"]  # the site fixture fails with the reason
    pages = sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*.html")
        if path.relative_to(root).parts[0] not in NOT_PAGES
    )
    pages.remove("index.html")
    return ["index.html", *pages]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``book_page``: every page of the book, computed from the built site."""
    if "book_page" in metafunc.fixturenames:
        metafunc.parametrize("book_page", book_pages())


@pytest.fixture(scope="session")
def site_dir() -> Path:
    root = site_root()
    if not (root / "index.html").is_file():
        pytest.fail(
            f"The site is not built: {root / 'index.html'} is missing. Run `nox -s build` "
            "(`nox -s test` builds it first), or point SITE_DIR at a built site.",
            pytrace=False,
        )
    return root


@pytest.fixture(scope="session")
def site(site_dir: Path) -> Iterator[Site]:
    """The site served gzipped under ``/minitorch-lite/`` on 127.0.0.1 and a free port."""
    with serve(site_dir) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing. The browser tests never skip: install Debian's chromium "
            "(`apt-get install chromium`; .ci/run does). Never `playwright install`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="session")
def context(browser: Browser, recorder: Recorder) -> Iterator[BrowserContext]:
    """One desktop context for every page; outside requests are aborted and recorded."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(20_000)
    recorder.install(ctx)
    try:
        yield ctx
    finally:
        ctx.close()
