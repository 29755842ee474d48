"""Every slide of every deck fits its 1280x720 slide with all fragments shown (issue 8).

Each leaf slide is shown in a 1280x720 window, every fragment revealed, images loaded;
the test fails, naming deck and slide, when the slide's content is taller or wider than
the configured slide, or when a block inside it scrolls (an output box whose
``scrollHeight`` exceeds its ``clientHeight``, or the same sideways).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from .browser import Recorder, open_page, report
from .conftest import DECKS
from .static_server import Site

pytestmark = pytest.mark.decks

ALL_DECKS = [*DECKS, "index"]
SLACK = 1  # px: rounding of fractional layout sizes

# For every leaf slide: show it with all fragments, then measure it in slide pixels
# (reveal.js scales the whole deck with a transform; scroll and client sizes ignore it).
MEASURE = """
async () => {
  const cfg = Reveal.getConfig();
  const leaves = [...document.querySelectorAll('.reveal .slides section')]
    .filter(s => !s.querySelector('section'));
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const out = [];
  for (const [n, s] of leaves.entries()) {
    const i = Reveal.getIndices(s);
    Reveal.slide(i.h, i.v);
    while (Reveal.nextFragment()) {}
    await Promise.all([...s.querySelectorAll('img')].map(img => img.complete ? null :
      new Promise(r => { img.onload = img.onerror = r; })));
    await frame();
    const title = (s.querySelector('h1,h2,h3')?.textContent || s.textContent)
      .trim().replace(/\\s+/g, ' ').slice(0, 60);
    const problems = [];
    if (s.scrollHeight > cfg.height + SLACK)
      problems.push(`${s.scrollHeight}px tall (slide ${cfg.height}px)`);
    if (s.scrollWidth > cfg.width + SLACK)
      problems.push(`${s.scrollWidth}px wide (slide ${cfg.width}px)`);
    for (const el of s.querySelectorAll('*')) {
      if (el.closest('aside.notes')) continue;
      const st = getComputedStyle(el);
      const scrolls = v => v === 'auto' || v === 'scroll';
      const what = el.tagName.toLowerCase() + (el.className ? '.' +
        String(el.className).trim().split(/\\s+/).join('.') : '');
      if (scrolls(st.overflowY) && el.scrollHeight > el.clientHeight + SLACK)
        problems.push(`${what} scrolls: ${el.scrollHeight}px of content in ${el.clientHeight}px`);
      if (scrolls(st.overflowX) && el.scrollWidth > el.clientWidth + SLACK)
        problems.push(`${what} scrolls sideways: ${el.scrollWidth}px in ${el.clientWidth}px`);
    }
    out.push({n: n + 1, title, height: s.scrollHeight, width: s.scrollWidth, problems});
  }
  return out;
}
""".replace("SLACK", str(SLACK))


def measure(site: Site, browser: Browser, deck: str, inject: str | None = None) -> list[dict]:
    """Every leaf slide of ``deck``: number, title, size and problems (``inject``: a script
    run on the loaded deck first, for the self-check)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    recorder = Recorder()
    recorder.install(context)
    try:
        with open_page(context, recorder, site.url(f"slides/{deck}.html")) as (page, _):
            page.wait_for_function("() => window.Reveal && Reveal.isReady && Reveal.isReady()")
            page.evaluate("() => document.fonts.ready.then(() => null)")
            if inject:
                page.evaluate(inject)
            return page.evaluate(MEASURE)
    finally:
        context.close()


@pytest.mark.parametrize("deck", ALL_DECKS)
def test_every_slide_fits(deck: str, site: Site, browser: Browser) -> None:
    """With every fragment shown, no slide is taller or wider than 1280x720 and no block
    in it scrolls."""
    if not (site.root / "slides" / f"{deck}.html").is_file():
        pytest.fail(f"deck missing: slides/{deck}.html", pytrace=False)
    slides = measure(site, browser, deck)
    assert slides, f"slides/{deck}.html: no slides found"
    problems = [f"slide {s['n']} ({s['title']}): {p}" for s in slides for p in s["problems"]]
    tallest = max(slides, key=lambda s: s["height"])
    print(
        f"slides/{deck}.html: {len(slides)} slides, tallest {tallest['height']}px "
        f"(slide {tallest['n']}: {tallest['title']})"
    )
    assert not problems, report(f"slides/{deck}.html: slides that do not fit", problems)


# Appended to the second slide: a block taller than the slide, and an output box that
# scrolls (the way a long cell output in a fixed-height box would).
BREAK_A_SLIDE = """
() => {
  const s = [...document.querySelectorAll('.reveal .slides section')]
    .filter(s => !s.querySelector('section'))[1];
  const tall = document.createElement('div');
  tall.style.height = '900px';
  s.appendChild(tall);
  const box = document.createElement('pre');
  box.style.cssText = 'height: 40px; overflow: auto; margin: 0';
  box.textContent = 'line\\n'.repeat(30);
  s.appendChild(box);
}
"""


def test_the_fit_check_sees_a_slide_that_does_not_fit(site: Site, browser: Browser) -> None:
    """The measurement itself: a slide made too tall, with a scrolling box, is reported."""
    deck = DECKS[0]
    slides = measure(site, browser, deck, inject=BREAK_A_SLIDE)
    second = slides[1]["problems"]
    assert any("tall" in p for p in second), second
    assert any("scrolls" in p for p in second), second
    assert not slides[0]["problems"], slides[0]["problems"]
