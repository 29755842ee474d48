"""The reveal.js decks in chromium (issue 4): offline, 20-40 slides, keyboard, notes, math.

Decks are expected at ``slides/<topic>.html`` for every topic and ``slides/index.html``;
a missing deck fails. Marked ``decks`` (deselect with ``-m "not decks"`` until they land).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import BrowserContext, Locator, Page
from pypdf import PdfReader

from .browser import Recorder, Visit, figure_text, open_page, probe, report
from .conftest import DECKS
from .static_server import Site

pytestmark = pytest.mark.decks

MIN_SLIDES, MAX_SLIDES = 20, 40
ALL_DECKS = [*DECKS, "index"]

# The leaf <section>s: every horizontal and vertical slide (an expression, not a function).
LEAVES = (
    "[...document.querySelectorAll('.reveal .slides section')]"
    ".filter(s => !s.querySelector('section'))"
)
STATE = (
    "() => ({h: Reveal.getIndices().h, v: Reveal.getIndices().v,"
    " f: Reveal.getIndices().f ?? -1, last: Reveal.isLastSlide(),"
    " more: Reveal.availableFragments().next})"
)


@contextmanager
def open_deck(
    site: Site, context: BrowserContext, recorder: Recorder, name: str
) -> Iterator[tuple[Page, Visit]]:
    path = site.root / "slides" / f"{name}.html"
    if not path.is_file():
        pytest.fail(
            f"deck missing: slides/{name}.html (expected one deck per topic: "
            f"{', '.join(DECKS)}, and slides/index.html)",
            pytrace=False,
        )
    with open_page(context, recorder, site.url(f"slides/{name}.html")) as (page, visit):
        page.wait_for_function("() => window.Reveal && Reveal.isReady && Reveal.isReady()")
        yield page, visit


@pytest.mark.parametrize("deck", ALL_DECKS)
def test_deck_loads_cleanly(
    deck: str, site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """No errors or outside requests; images load with alt text; math typeset; links resolve;
    the notes plugin is loaded; a topic deck has 20 to 40 slides (vertical ones counted)."""
    with open_deck(site, context, recorder, deck) as (page, visit):
        problems, _ = probe(page, site, deck=True)
        has_notes = page.evaluate("() => !!Reveal.getPlugin('notes')")
        slides = page.evaluate(f"() => ({LEAVES}).length")
        problems = visit.problems() + problems
    if not has_notes:
        problems.append("the notes plugin is not loaded (Reveal.getPlugin('notes'))")
    if deck != "index" and not MIN_SLIDES <= slides <= MAX_SLIDES:
        problems.append(f"{slides} slides; a deck has {MIN_SLIDES} to {MAX_SLIDES}")
    assert not problems, report(f"slides/{deck}.html", problems)


def step_through(page: Page, key: str, total: int, forward: bool = True) -> tuple[list, object]:
    """Press ``key`` until the deck's end (or start): the states seen, in order, and where
    it got stuck (None if it reached the end)."""
    page.locator("body").focus()
    states = [page.evaluate(STATE)]

    def done(s: dict) -> bool:
        if forward:
            return s["last"] and not s["more"]
        return s["h"] == 0 and s["v"] == 0 and s["f"] == -1

    while not done(states[-1]):
        page.keyboard.press(key)
        after = page.evaluate(STATE)
        if after == states[-1] or len(states) > 20 * max(total, 1):
            return states, states[-1]
        states.append(after)
    return states, None


def in_order(states: list[dict]) -> bool:
    """Each state comes after the one before: (h, v, fragment) only ever increases."""
    keys = [(s["h"], s["v"], s["f"]) for s in states]
    return all(a < b for a, b in zip(keys, keys[1:], strict=False))


# A presenter's "next" keys: the arrow keys, Space, Page Down (what a clicker sends).
NEXT_KEYS = ["ArrowRight", "Space", "PageDown"]
PREVIOUS_KEYS = ["ArrowLeft", "PageUp"]


@pytest.mark.parametrize("key", NEXT_KEYS)
@pytest.mark.parametrize("deck", ALL_DECKS)
def test_next_keys_step_through_every_slide_and_fragment(
    deck: str, key: str, site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """From the title, ``key`` pressed repeatedly shows every slide and every fragment, in
    order, down to the last (a clicker that sends Right or Page Down misses nothing)."""
    with open_deck(site, context, recorder, deck) as (page, visit):
        total = page.evaluate(f"() => ({LEAVES}).length")
        fragments = page.evaluate("() => document.querySelectorAll('.reveal .fragment').length")
        states, stuck = step_through(page, key, total)
        errors = visit.problems()
    visited = {(s["h"], s["v"]) for s in states}
    assert stuck is None, f"slides/{deck}.html: {key} does not advance past {stuck}"
    assert len(visited) == total, (
        f"slides/{deck}.html: {key} from the title reached {len(visited)} of {total} slides"
    )
    assert in_order(states), f"slides/{deck}.html: {key} does not step in order"
    shown = sum(1 for s in states if s["f"] >= 0)
    assert shown >= fragments, (
        f"slides/{deck}.html: {key} showed {shown} fragment steps of {fragments} fragments"
    )
    assert not errors, report(f"slides/{deck}.html while stepping", errors)


@pytest.mark.parametrize("key", PREVIOUS_KEYS)
@pytest.mark.parametrize("deck", DECKS)
def test_previous_keys_step_back_through_every_slide(
    deck: str, key: str, site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """From the last slide, ``key`` steps back through every slide to the title."""
    with open_deck(site, context, recorder, deck) as (page, _):
        total = page.evaluate(f"() => ({LEAVES}).length")
        page.evaluate(
            f"() => {{ const s = ({LEAVES}); const i = Reveal.getIndices(s[s.length - 1]);"
            " Reveal.slide(i.h, i.v); }"
        )
        states, stuck = step_through(page, key, total, forward=False)
    visited = {(s["h"], s["v"]) for s in states}
    assert stuck is None, f"slides/{deck}.html: {key} does not go back past {stuck}"
    assert len(visited) == total, (
        f"slides/{deck}.html: {key} from the end reached {len(visited)} of {total} slides"
    )
    assert in_order(states[::-1]), f"slides/{deck}.html: {key} does not step back in order"


@pytest.mark.parametrize("deck", DECKS)
def test_every_content_slide_has_speaker_notes(
    deck: str, site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """Every slide after the title slide carries ``aside.notes``."""
    with open_deck(site, context, recorder, deck) as (page, _):
        missing = page.evaluate(
            f"() => ({LEAVES}).slice(1).filter(s => !s.querySelector('aside.notes'))"
            ".map(s => (s.querySelector('h1,h2,h3,h4')?.textContent || s.textContent)"
            ".trim().slice(0, 60))"
        )
    assert not missing, report(f"slides/{deck}.html: slides without notes", missing)


@pytest.mark.parametrize("deck", DECKS)
def test_speaker_view_shows_notes(
    deck: str, site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """Pressing ``s`` on a content slide opens the speaker view showing that slide's notes."""
    with open_deck(site, context, recorder, deck) as (page, visit):
        expected = page.evaluate(
            f"() => {{ const s = ({LEAVES}).find(s => s.querySelector('aside.notes'));"
            " if (!s) return null; const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v);"
            " return s.querySelector('aside.notes').textContent.trim(); }"
        )
        assert expected, f"slides/{deck}.html has no slide with speaker notes"
        with page.expect_popup() as popup_info:
            page.keyboard.press("s")
        speaker = popup_info.value
        try:
            speaker.wait_for_function(
                "() => document.querySelector('.speaker-controls-notes .value')"
                "?.textContent.trim().length > 0",
                timeout=15_000,
            )
            shown = speaker.evaluate(
                "() => document.querySelector('.speaker-controls-notes .value').textContent"
            )
            upcoming = speaker.locator("#upcoming-slide iframe").count()
        finally:
            speaker.close()
        errors = visit.problems()
    assert " ".join(shown.split()) == " ".join(expected.split())
    assert upcoming == 1, "the speaker view shows no upcoming slide"
    assert not errors, report(f"slides/{deck}.html speaker view", errors)


@pytest.mark.parametrize("deck", DECKS)
def test_code_is_highlighted_as_python(
    deck: str, site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """Code cells are highlighted by highlight.js as Python, not a guessed language."""
    with open_deck(site, context, recorder, deck) as (page, _):
        blocks = page.evaluate(
            "() => [...document.querySelectorAll('.reveal pre code')].map(c => c.className)"
        )
    code = [c for c in blocks if "plaintext" not in c.split()]
    assert code, f"slides/{deck}.html shows no code"
    wrong = [c for c in code if "hljs" not in c.split() or "language-python" not in c.split()]
    assert not wrong, report(f"slides/{deck}.html: code not highlighted as Python", wrong)


def test_deck_index_lists_every_deck(
    site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    with open_deck(site, context, recorder, "index") as (page, _):
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href.split('#')[0])")
    missing = [d for d in DECKS if site.url(f"slides/{d}.html") not in hrefs]
    assert not missing, report("slides/index.html does not link to", missing)


@pytest.mark.book_parts
@pytest.mark.parametrize("topic", DECKS)
def test_part_and_deck_link_to_each_other(
    topic: str, site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """The part's index page links to its deck; the deck links back into the part."""
    problems = []
    part_index = site.root / topic / "index.html"
    if not part_index.is_file():
        problems.append(f"part index page missing: {topic}/index.html")
    else:
        with open_page(context, recorder, site.url(f"{topic}/index.html"), settle=False) as (
            page,
            _,
        ):
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
        if not any(h.split("#")[0] == site.url(f"slides/{topic}.html") for h in hrefs):
            problems.append(f"{topic}/index.html has no link to slides/{topic}.html")
    with open_deck(site, context, recorder, topic) as (page, _):
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    if not any(h.startswith(site.url(f"{topic}/")) for h in hrefs):
        problems.append(f"slides/{topic}.html has no link back into {topic}/")
    assert not problems, report(f"{topic}: part <-> deck links", problems)


def go_to_live_slide(page: Page, last: bool = False) -> None:
    """Go to the deck's first slide with a Run bar (or its last), past the transition."""
    page.evaluate(
        """(last) => {
            const bars = document.querySelectorAll('.reveal .cell.run-cell .run-bar');
            const i = Reveal.getIndices(bars[last ? bars.length - 1 : 0].closest('section'));
            Reveal.slide(i.h, i.v);
        }""",
        last,
    )
    page.wait_for_timeout(800)  # the slide transition


def wait_for_run(status: Locator) -> str:
    """Wait until a Run's status says Done or Failed (Python may be loading): its text."""
    status.page.wait_for_function(
        "(node) => /^(Done|Failed)/.test(node.textContent)",
        arg=status.element_handle(),
        timeout=300_000,
        polling=200,
    )
    return status.text_content() or ""


def test_live_code_on_a_slide(site: Site, context: BrowserContext, recorder: Recorder) -> None:
    """A presenter clicks into a slide's code, types an edit with `/` (and Space and the
    arrow keys, which move slides elsewhere), runs it with Ctrl+Enter and sees the output
    on the slide, in place of the built one, inside 1280 x 720; the slide never moved.
    Escape gives the keys back to the deck: Right then steps on."""
    with open_deck(site, context, recorder, "autodiff") as (page, visit):
        page.set_viewport_size({"width": 1280, "height": 720})
        go_to_live_slide(page)
        before = page.evaluate(STATE)
        cell = page.locator(".reveal section.present .cell.run-cell").first
        editor = cell.get_by_role("textbox")
        editor.click()
        page.keyboard.press("Control+End")
        page.keyboard.press("Enter")
        page.keyboard.type("print(7 / 2, x.data / 4)")
        for key in ("ArrowLeft", "ArrowRight", "Space", "PageDown", "n"):
            page.keyboard.press(key)  # deck keys, typed into the editor
        page.keyboard.press("Backspace")  # the "n"
        page.keyboard.press("Backspace")  # the space
        page.keyboard.press("Control+Enter")
        wait_for_run(page.locator(".reveal section.present .run-status").first)
        output = cell.locator(".run-output").inner_text()
        during = page.evaluate(STATE)
        built_shown = cell.locator(":scope > .cell_output").is_visible()
        box = cell.locator(".run-output").bounding_box()
        page.keyboard.press("Escape")
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)
        after = page.evaluate(STATE)
        problems = visit.problems()
    assert "3.5 2.5" in output, f"the edited cell's output: {output!r}"
    assert "Scalar(10.0) 10.0 x True" in output, output
    assert during == before, f"typing and running moved the deck: {before} -> {during}"
    assert not built_shown, "the built output still shows beside the browser's"
    assert box is not None and box["y"] + box["height"] <= 720, f"output leaves the slide: {box}"
    assert (after["h"], after["v"], after["f"]) > (before["h"], before["v"], before["f"]), (
        f"after Escape, Right did not step on: {before} -> {after}"
    )
    assert not problems, report("slides/autodiff.html live code", problems)


def test_pasted_lines_run_as_they_show(
    site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """Text with a line break put in as one input (dictation, an input method, a paste
    the browser turns into an insertion) splits a deck's <code> block in two: Python gets
    the two lines it shows, not one joined line."""
    with open_deck(site, context, recorder, "autodiff") as (page, visit):
        go_to_live_slide(page)
        cell = page.locator(".reveal section.present .cell.run-cell").first
        cell.get_by_role("textbox").click()
        page.keyboard.press("Control+a")
        page.keyboard.press("Delete")
        page.keyboard.insert_text("a = 1\nprint(a / 2)")
        page.keyboard.press("Control+Enter")
        wait_for_run(page.locator(".reveal section.present .run-status").first)
        shown = cell.get_by_role("textbox").inner_text()
        output = cell.locator(".run-output").inner_text()
        problems = visit.problems()
    assert shown.strip().splitlines() == ["a = 1", "print(a / 2)"], shown
    assert "0.5" in output and "SyntaxError" not in output, output
    assert not problems, report("slides/autodiff.html pasted lines", problems)


@pytest.mark.parametrize("deck", DECKS)
def test_every_code_cell_of_a_deck_runs_live(
    deck: str, site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """Running a deck's last code cell runs every cell before it, the hidden set-up cells
    included, in the page's Python: none raises (figure cells only note that the browser
    does not draw)."""
    with open_deck(site, context, recorder, deck) as (page, visit):
        go_to_live_slide(page, last=True)
        page.locator(".reveal section.present .run-button").last.click()
        final = wait_for_run(page.locator(".reveal section.present .run-status").last)
        errors = page.locator(".run-output .run-error").all_text_contents()
        notes = page.locator(".reveal section.present .run-note").all_text_contents()
        problems = visit.problems()
    assert final.startswith("Done"), final
    assert not errors, "cells failed in the browser:\n" + "\n".join(errors)
    setup = [n for n in notes if "set-up cell" in n]
    assert not setup, "\n".join(setup)
    assert not problems, report(f"slides/{deck}.html live", problems)


@pytest.mark.parametrize("deck", DECKS)
def test_deck_pdf_has_one_page_per_slide(
    deck: str, site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """The build prints each deck's handout (tools/print_pdf.py): slides/<deck>.pdf, linked
    from slides/index.html, one page per slide (fragments shown, so no extra pages)."""
    pdf = site.root / "slides" / f"{deck}.pdf"
    assert pdf.is_file(), f"slides/{deck}.pdf was not printed by the build"
    index = (site.root / "slides" / "index.html").read_text(encoding="utf-8")
    assert f'href="{deck}.pdf"' in index, f"slides/index.html does not link {deck}.pdf"
    pages = len(PdfReader(pdf).pages)
    with open_deck(site, context, recorder, deck) as (page, _):
        slides = page.evaluate(f"() => ({LEAVES}).length")
    assert pages == slides, f"{deck}.pdf has {pages} pages for {slides} slides"


SLIDE_MIN_PX = 18.0  # figure text on a 1280 x 720 slide


@pytest.mark.parametrize("deck", DECKS)
def test_slide_figures_are_readable_from_the_back(
    deck: str, site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """On every slide at 1280 x 720, each figure's smallest text renders at 18 px or more
    (computed from the figure's own font sizes, as tests/site/test_figures.py does for the
    book), and its PNG has at least twice the pixels of the width it is shown at."""
    problems = []
    with open_deck(site, context, recorder, deck) as (page, _):
        page.set_viewport_size({"width": 1280, "height": 720})
        page.evaluate("() => Reveal.configure({transition: 'none', backgroundTransition: 'none'})")
        count = page.evaluate(f"() => ({LEAVES}).length")
        for i in range(count):
            figures = page.evaluate(
                f"""(i) => {{
                    const leaf = ({LEAVES})[i];
                    const at = Reveal.getIndices(leaf);
                    Reveal.slide(at.h, at.v);
                    return [...leaf.querySelectorAll('img')].map(img => ({{
                        src: img.getAttribute('src'), shown: img.getBoundingClientRect().width,
                        natural: img.naturalWidth, alt: (img.alt || '').slice(0, 50)}}));
                }}""",
                i,
            )
            for figure in figures:
                recorded = figure_text(site.root / "slides" / figure["src"])
                if recorded is None:
                    continue  # not a figure of minitorch_lite.plots (no text size)
                drawn, smallest = recorded
                px = smallest * figure["shown"] / drawn
                if figure["shown"] > 0 and figure["natural"] < 2 * figure["shown"]:
                    problems.append(
                        f"slide {i + 1}: {figure['alt']!r}: {figure['natural']} pixels shown "
                        f"{figure['shown']:.0f} px wide (less than 2x)"
                    )
                if px < SLIDE_MIN_PX:
                    problems.append(
                        f"slide {i + 1}: {figure['alt']!r}: smallest text {px:.1f} px "
                        f"(shown {figure['shown']:.0f} px wide)"
                    )
    assert not problems, report(f"slides/{deck}.html figures", problems)
