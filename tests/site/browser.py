"""Opening pages of the served site in chromium and collecting everything that went wrong.

Every check returns a list of readable problems (empty when the page is fine), so a
failing test lists every bad image, link, message and request at once.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from .static_server import Site

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1"}
IDLE_TIMEOUT_MS = 10_000


def is_local(url: str) -> bool:
    """Requests the site may make: to the local server, or data:/blob: URLs."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname in LOCAL_HOSTS


@dataclass
class Visit:
    """What happened while a page loaded."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    pending: set[str] = field(default_factory=set)
    not_idle: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Every recorded problem, one line each."""
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"uncaught exception: {m}" for m in self.page_errors]
            + [f"HTTP {m}" for m in self.bad_responses]
            + [f"request failed: {m}" for m in self.failed_requests]
            + [
                f"outside request (blocked; the site must be self-contained): {m}"
                for m in self.blocked
            ]
            + [
                f"network still busy {IDLE_TIMEOUT_MS / 1000:g} s after load; pending: {m}"
                for m in self.not_idle
            ]
        )


class Recorder:
    """Blocks every request that is not local, and remembers them for the open visit."""

    def __init__(self) -> None:
        self.blocked: list[str] = []

    def install(self, context: BrowserContext) -> None:
        def route(route, request: Request) -> None:  # noqa: ANN001 (playwright's Route)
            if is_local(request.url):
                route.continue_()
            else:
                self.blocked.append(f"{request.method} {request.url}")
                route.abort("blockedbyclient")

        context.route("**/*", route)


@contextmanager
def open_page(
    context: BrowserContext, recorder: Recorder, url: str, settle: bool = True
) -> Iterator[tuple[Page, Visit]]:
    """Open ``url`` in a new tab of ``context``, recording errors until the block ends."""
    visit = Visit(url)
    recorder.blocked = visit.blocked
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location or {}
            visit.console_errors.append(
                f"{message.text} [{where.get('url', '?')}:{where.get('lineNumber', '?')}]"
            )

    def on_response(response: Response) -> None:
        if response.status >= 400:
            visit.bad_responses.append(f"{response.status} {response.url}")

    def on_failed(request: Request) -> None:
        if is_local(request.url):
            visit.failed_requests.append(f"{request.url} ({request.failure})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    page.on("request", lambda request: visit.pending.add(request.url))
    page.on("requestfinished", lambda request: visit.pending.discard(request.url))
    page.on("requestfailed", lambda request: visit.pending.discard(request.url))
    try:
        page.goto(url, wait_until="load")
        if settle:
            try:
                page.wait_for_load_state("networkidle", timeout=IDLE_TIMEOUT_MS)
            except PlaywrightTimeoutError:
                visit.not_idle.append(", ".join(sorted(visit.pending)) or "(none seen)")
        yield page, visit
    finally:
        page.close()
        recorder.blocked = []


# One round trip: images (loaded, alt text), math (typeset by KaTeX, no raw TeX left),
# and every link's resolved href.
PAGE_PROBE = r"""
async () => {
  const withTimeout = (p, ms) => Promise.race([p, new Promise(r => setTimeout(r, ms))]);
  const out = {images: [], alts: [], math: [], links: [], ids: [], mathCount: 0};
  const imgs = [...document.images];
  imgs.forEach(img => { img.loading = 'eager'; });
  await withTimeout(Promise.all(imgs.map(img => img.decode().catch(() => null))), 10000);
  for (const img of imgs) {
    const src = img.getAttribute('src') || '(no src)';
    if (!img.complete || img.naturalWidth === 0) out.images.push(src);
    const alt = img.getAttribute('alt');
    if (alt === null || alt.trim() === '') out.alts.push(src);
  }
  // Math: every Sphinx math node holds KaTeX output, styled by KaTeX's stylesheet.
  const mathNodes = [...document.querySelectorAll('span.math, div.math')];
  out.mathCount = mathNodes.length + document.querySelectorAll('.katex').length;
  for (const node of mathNodes) {
    if (!node.querySelector('.katex')) {
      out.math.push('not typeset: ' + node.textContent.trim().slice(0, 80));
    }
  }
  for (const node of document.querySelectorAll('.katex-error')) {
    out.math.push('KaTeX error: ' + (node.getAttribute('title') || node.textContent).slice(0, 120));
  }
  const katex = document.querySelector('.katex');
  if (katex && !getComputedStyle(katex).fontFamily.includes('KaTeX')) {
    out.math.push('KaTeX stylesheet not applied (font-family: '
                  + getComputedStyle(katex).fontFamily + ')');
  }
  await withTimeout(document.fonts.ready, 10000);
  for (const font of document.fonts) {
    if (font.status === 'error') out.math.push('font failed to load: ' + font.family);
  }
  // Raw TeX left in the text (outside code, API signatures, scripts and KaTeX's MathML).
  const skip = 'script, style, pre, code, kbd, samp, textarea, .katex, .highlight, .notes, .sig';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const rawTex = /\$[^$\n]+\$|\\\(|\\\[|\\begin\{|\\frac\{/;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement && n.parentElement.closest(skip)) continue;
    const m = n.textContent.match(rawTex);
    if (m) out.math.push('raw TeX in text: ' + n.textContent.trim().slice(0, 100));
  }
  // Without <link rel=icon> browsers fetch /favicon.ico from the host's root: outside
  // the sub-path, a 404 (and a console error) on a real project-site host.
  out.favicon = !!document.querySelector('link[rel~="icon"]');
  for (const a of document.querySelectorAll('a[href]')) {
    out.links.push([a.getAttribute('href'), a.href]);
  }
  return out;
}
"""


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is not None and (name == "id" or (tag == "a" and name == "name")):
                self.ids.add(value)


@cache
def ids_of(path: Path) -> frozenset[str]:
    """Every ``id`` (and ``<a name>``) in an HTML file."""
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


def check_link(site: Site, page_url: str, raw: str, resolved: str, deck: bool) -> str | None:
    """A problem with one link, or None. External links are not followed (offline)."""
    parts = urlsplit(resolved)
    if parts.scheme not in ("http", "https"):
        return None  # mailto:, javascript:, data:
    base = urlsplit(site.base_url)
    if parts.netloc != base.netloc:
        return None
    if not parts.path.startswith(base.path):
        return f"link {raw!r} leaves the sub-path {base.path} (resolves to {parts.path})"
    relative = unquote(parts.path[len(base.path) :])
    target = site.root / posixpath.normpath(relative) if relative else site.root
    if relative.endswith("/") or target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"broken link {raw!r}: no file {target.relative_to(site.root)}"
    fragment = unquote(parts.fragment)
    if not fragment or (deck and fragment.startswith("/")):  # reveal.js #/3/1 slide anchors
        return None
    if target.suffix == ".html" and fragment not in ids_of(target):
        return f"broken anchor {raw!r}: no id {fragment!r} in {target.relative_to(site.root)}"
    return None


def probe(page: Page, site: Site, deck: bool = False) -> tuple[list[str], dict]:
    """Images, alt text, math and internal links of the open page: problems and raw data."""
    data = page.evaluate(PAGE_PROBE)
    problems = [f"image not loaded: {src}" for src in data["images"]]
    problems += [f"image without alt text: {src}" for src in data["alts"]]
    problems += [f"math: {m}" for m in data["math"]]
    if not data["favicon"]:
        problems.append(
            "no <link rel=icon>: the browser requests /favicon.ico at the host root,"
            " outside the sub-path (404); set html_favicon"
        )
    seen: set[str] = set()
    for raw, resolved in data["links"]:
        if resolved in seen:
            continue
        seen.add(resolved)
        problem = check_link(site, page.url, raw, resolved, deck)
        if problem:
            problems.append(problem)
    return problems, data


def report(title: str, problems: list[str]) -> str:
    """A readable failure message."""
    return f"{title}: {len(problems)} problem(s)\n  " + "\n  ".join(problems)


def figure_text(path: Path) -> tuple[float, float] | None:
    """What a ``minitorch_lite.plots`` PNG records (``BookFigure.png``): the CSS width it is
    drawn for and its smallest text at that width, in CSS pixels; None for another image."""
    from PIL import Image  # noqa: PLC0415 (matplotlib's dependency, in the test session)

    with Image.open(path) as image:
        info = getattr(image, "text", {})
    if "minitorch_lite:smallest-text-px" not in info:
        return None
    return float(info["minitorch_lite:css-width"]), float(info["minitorch_lite:smallest-text-px"])
