"""Running the book's code in the page, and the training playground, in chromium, offline.

The Python runs in the browser (Pyodide, served by the site itself; every outside
request is blocked by the ``context`` fixture). Loading Python takes seconds and
training takes longer: the time-outs are generous, and the measured times are printed
(``pytest -s`` or ``-rP`` shows them), never asserted.

Also here: CPython checks of ``tools/book_runtime.py``, the runner's Python half, which
must show cells the way Jupyter showed them at build time.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from .browser import Recorder, Visit, open_page, report
from .conftest import REPO
from .static_server import Site

sys.path.insert(0, str(REPO / "tools"))
import book_runtime  # noqa: E402
import interactive  # noqa: E402

TAG = "scalar-history"
LOAD_TIMEOUT_MS = 300_000  # first Run: Pyodide (about 20 MB) and the page's earlier cells
PLAYGROUND_EPOCHS = 30  # the networks issue: with its defaults, 95% on Simple within 30
PLAYGROUND_TIMEOUT_MS = 600_000


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


# -- the runner's Python half, in CPython ------------------------------------------------


def test_runtime_runs_cells_like_jupyter() -> None:
    namespace: dict = {"__name__": "__main__"}
    first = book_runtime.run_cell("class Square:\n    pass\nprint('hi')\nSquare", 1, namespace)
    assert first == {
        "output": "hi\n",
        "display": "<class '__main__.Square'>",
        "error": None,
        "error_type": None,
    }
    # One namespace: a later cell sees the earlier cell's names; `;` hides the value.
    assert book_runtime.run_cell("Square.__name__", 2, namespace)["display"] == "'Square'"
    assert book_runtime.run_cell("Square.__name__;", 3, namespace)["display"] is None
    # Long builtin containers wrap at 79 columns as IPython's display does.
    shown = book_runtime.run_cell("list(range(40))", 4, namespace)["display"]
    assert shown.startswith("[0,\n 1,\n")
    # IPython magics are not Python; the build's IPython ran them, here they are skipped.
    assert book_runtime.run_cell("%matplotlib inline\n1 + 1", 5, namespace)["display"] == "2"


def test_runtime_error_is_a_traceback_from_the_cell() -> None:
    namespace: dict = {"__name__": "__main__"}
    result = book_runtime.run_cell("print('before')\n1 / 0", 7, namespace)
    assert result["output"] == "before\n"
    assert result["error_type"] == "ZeroDivisionError"
    assert result["error"].startswith("Traceback (most recent call last):\n")
    assert 'File "<cell 7>", line 2' in result["error"]
    assert "1 / 0" in result["error"]  # the cell's line is quoted
    assert "book_runtime" not in result["error"]  # no frame of the runner itself
    # An error raised inside the library shows the reader's lines, not the library's.
    library = book_runtime.run_cell(
        "import minitorch_lite as m\ndef f(v):\n    return m.Scalar(v)\nf('two')", 9, namespace
    )
    assert library["error_type"] == "TypeError"
    assert 'File "<cell 9>", line 4' in library["error"] and "line 3, in f" in library["error"]
    assert "scalar.py" not in library["error"], library["error"]
    assert library["error"].rstrip().endswith("inside minitorch_lite not shown)"), library["error"]
    assert "Scalar expects a number" in library["error"]
    syntax = book_runtime.run_cell("def f(:\n    pass", 8, namespace)
    assert syntax["error_type"] == "SyntaxError"
    assert '"<cell 8>", line 1' in syntax["error"]
    # Only the error, its line and caret, as Jupyter shows it: no frame of the parser.
    assert "Traceback" not in syntax["error"] and "ast.py" not in syntax["error"], syntax
    assert "def f(:" in syntax["error"] and "^" in syntax["error"], syntax["error"]


def test_input_says_why_it_cannot_read_in_the_page() -> None:
    import builtins

    original = builtins.input
    try:
        book_runtime.install_input_stand_in()
        result = book_runtime.run_cell("n = input('n? ')", 3, {"__name__": "__main__"})
    finally:
        builtins.input = original
    assert result["error_type"] == "InputUnavailable", result
    assert "write the value into the code" in result["error"], result["error"]


def test_plots_stand_in_lets_imports_work_and_figures_fail_clearly() -> None:
    """Pyodide has no matplotlib: importing plots works, drawing raises FigureUnavailable."""
    plots = book_runtime.plots_stand_in()
    namespace: dict = {"__name__": "__main__", "plots": plots}
    result = book_runtime.run_cell("x = 3\nplots.draw_boxes(['$x$'])\ny = 4", 1, namespace)
    assert result["error_type"] == "FigureUnavailable"
    assert "plots.draw_boxes draws with matplotlib" in result["error"]
    assert namespace["x"] == 3 and "y" not in namespace


def test_playground_model_is_minitorch_lite() -> None:
    sys.path.insert(0, str(REPO))
    playground = book_runtime.Playground("Simple", 20, 3, 0.2)
    assert type(playground.model).__module__ == "minitorch_lite.nn"
    assert playground.points()["y"] == list(playground.data.y)
    record = playground.step()
    assert record["epoch"] == 1 and 0 <= record["accuracy"] <= 1 and record["loss"] > 0
    assert playground.test.N == playground.TEST_POINTS and playground.test.X != playground.data.X
    # Measured before the step, like the training accuracy: an untouched twin agrees.
    twin = book_runtime.Playground("Simple", 20, 3, 0.2)
    assert record["test_accuracy"] == twin.minitorch.accuracy(twin.model, twin.test)
    assert record["accuracy"] == twin.minitorch.accuracy(twin.model, twin.data)
    grid = playground.grid(5)
    assert len(grid) == 25 and all(0 < p < 1 for p in grid)


# -- Run in the page ------------------------------------------------------------------


def tagged_chapter(site: Site) -> str:
    """The autodiff chapter with the cell tagged ``scalar-history``."""
    for path in sorted((site.root / "autodiff").rglob("*.html")):
        if f"tag_{TAG}" in path.read_text(encoding="utf-8"):
            return path.relative_to(site.root).as_posix()
    pytest.fail(f"no autodiff chapter has a cell tagged `{TAG}`", pytrace=False)


@pytest.fixture(scope="module")
def chapter(
    site: Site, context: BrowserContext, recorder: Recorder
) -> Iterator[tuple[Page, Visit]]:
    """The chapter with the ScalarHistory cell, open once for the tests of this module."""
    with open_page(context, recorder, site.url(tagged_chapter(site)), settle=False) as opened:
        yield opened


def run_and_wait(page: Page, cell_selector: str, click: bool = True) -> str:
    """Run a cell (click Run, or Ctrl+Enter in its code); its in-browser output's text."""
    cell = page.locator(cell_selector)
    # Two runs can end with the same status text ("Done in 0.1 s."): clear it first.
    cell.locator(".run-status").evaluate("(node) => { node.textContent = ''; }")
    before = ""
    if click:
        cell.get_by_role("button", name="Run").click()
    else:
        cell.get_by_role("textbox").press("Control+Enter")
    page.wait_for_function(
        """([selector, before]) => {
            const status = document.querySelector(selector + ' .run-status');
            return status && status.textContent !== before && /^(Done|Failed|Stopped)/.test(
                status.textContent);
        }""",
        arg=[cell_selector, before],
        timeout=LOAD_TIMEOUT_MS,
        polling=200,
    )
    status = cell.locator(".run-status").text_content() or ""
    assert status.startswith("Done"), f"the run ended with: {status}"
    return status


def browser_output(page: Page, cell_selector: str) -> str:
    """What the run printed and displayed (not the notes, not the caption)."""
    shown = page.locator(f"{cell_selector} .run-output").locator("pre.run-stream, pre.run-display")
    return "\n".join(text or "" for text in shown.all_text_contents())


def test_run_shows_what_the_build_printed(chapter: tuple[Page, Visit]) -> None:
    page, visit = chapter
    selector = f".cell.tag_{TAG}"
    built = "\n".join(page.locator(f"{selector} .cell_output pre").all_text_contents())
    assert "ScalarHistory(" in built
    assert page.locator(".run-output").count() == 0, "output before any Run"
    start = time.monotonic()
    status = run_and_wait(page, selector)
    seconds = time.monotonic() - start
    print(f"\nfirst click to first output: {seconds:.1f} s ({status})")
    # Python started from the build's snapshot of Pyodide's memory, not from scratch.
    assert page.evaluate("document.documentElement.dataset.pythonStart") == "snapshot"
    assert page.locator(f"{selector} .run-error").count() == 0, page.locator(
        f"{selector} .run-output"
    ).text_content()
    assert normalise(browser_output(page, selector)) == normalise(built)
    # One answer per cell: the browser's output takes the built one's place.
    assert not page.locator(f"{selector} > .cell_output").is_visible(), "two outputs shown"
    caption = page.locator(f"{selector} .run-caption").text_content() or ""
    assert "in place of the output the page was built with" in caption, caption
    # The earlier cells ran first. Figure cells drew nothing (Pyodide has no matplotlib):
    # each says so in a note, and the summary counts them. No earlier cell failed.
    summary = page.locator(f"{selector} .run-note").first.text_content() or ""
    assert re.match(r"First ran the \d+ earlier cells", summary), summary
    notes = page.locator(".cell.run-figure .run-skipped").count()
    assert notes >= 1, "no figure cell before the ScalarHistory cell showed its note"
    assert f"{notes} figure cell" in summary, summary
    errors = page.locator(".run-output .run-error").all_text_contents()
    assert not errors, "earlier cells failed in the browser:\n" + "\n".join(errors)
    assert not visit.problems(), report("problems while running", visit.problems())


def test_run_works_without_the_snapshot(
    site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """A host that lost the snapshot (or a browser that cannot unpack it): Python starts
    the long way, and the cell still shows what the build printed."""
    url = site.url(tagged_chapter(site))
    with open_page(context, recorder, url, settle=False) as (page, visit):
        page.route("**/snapshot.bin.gz*", lambda route: route.fulfill(status=404, body=""))
        selector = f".cell.tag_{TAG}"
        built = "\n".join(page.locator(f"{selector} .cell_output pre").all_text_contents())
        status = run_and_wait(page, selector)
        assert page.evaluate("document.documentElement.dataset.pythonStart") == "fresh", status
        assert normalise(browser_output(page, selector)) == normalise(built)
        # The only problems: the snapshot's own request (the 404, or the fetch it ends);
        # the worker's note about it is a warning, and nothing goes uncaught.
        itself = re.compile(r"(HTTP 404|request failed:) \S*/snapshot\.bin\.gz\b")
        others = [p for p in visit.problems() if not itself.match(p)]
    assert not others, report("problems besides the missing snapshot", others)


def test_each_page_draws_its_own_random_numbers(
    site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """Two pages that start Python from the same snapshot do not share the state of
    ``random`` saved in it (the worker seeds it afresh)."""
    selector = f".cell.tag_{TAG}"
    drawn = []
    for _ in range(2):
        with open_page(context, recorder, site.url(tagged_chapter(site)), settle=False) as (
            page,
            visit,
        ):
            page.locator(f"{selector} .cell_input pre").fill(
                "import random\nprint(random.random())"
            )
            run_and_wait(page, selector)
            assert page.evaluate("document.documentElement.dataset.pythonStart") == "snapshot"
            drawn.append(browser_output(page, selector).strip())
            assert not visit.problems(), report("problems while running", visit.problems())
    assert all(re.fullmatch(r"0\.\d+", d) for d in drawn), drawn
    assert drawn[0] != drawn[1], f"both pages drew {drawn[0]}"


def test_edited_cell_shows_the_new_result(chapter: tuple[Page, Visit]) -> None:
    page, visit = chapter
    selector = f".cell.tag_{TAG}"
    code = page.locator(f"{selector} .cell_input pre")
    original = code.text_content() or ""
    assert "Scalar(10)" in original
    assert code.get_attribute("contenteditable") in ("plaintext-only", "true")
    edited = original.replace("Scalar(10)", "Scalar(7)")
    code.fill(edited.replace("x_2.history", "print(x_2)\nx_2.history"))
    # Keyboard: Ctrl+Enter in the code runs it.
    run_and_wait(page, selector, click=False)
    shown = browser_output(page, selector)
    assert "saved_values=(7.0,)" in shown and "inputs=[Scalar(7.0)]" in shown, shown
    assert "Scalar(49.0)" in shown, shown  # the new print: Square of 7
    assert "<class '__main__.Square'>" in shown
    # "Undo edits" puts back the book's code and the book's output.
    page.locator(selector).get_by_role("button", name="Undo edits").click()
    assert normalise(code.text_content() or "") == normalise(original)
    assert page.locator(f"{selector} > .cell_output").is_visible(), "built output not back"
    assert page.locator(f"{selector} .run-output").count() == 0, "browser output left over"
    assert not visit.problems(), report("problems while running", visit.problems())


def test_every_key_types_into_the_editor(chapter: tuple[Page, Visit]) -> None:
    """A reader types real code: ``/`` and Ctrl+K stay in the editor (Sphinx binds both to
    its search box on the document), Tab indents, and the typed code runs."""
    page, visit = chapter
    selector = f".cell.tag_{TAG}"
    code = page.locator(f"{selector} .cell_input pre")
    original = code.text_content() or ""
    code.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    # Typed key by key, as a reader does: "/" twice, Tab for the indent, Enter for lines.
    page.keyboard.type("def half(n):")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("return n / 2")
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Tab")
    page.keyboard.type("print(half(7), 9 // 2)")
    page.keyboard.press("Control+k")
    typed = code.evaluate("(pre) => pre.innerText")
    active = page.evaluate(
        f"() => document.activeElement === document.querySelector('{selector} .cell_input pre')"
    )
    search_open = page.evaluate(
        "() => !!document.querySelector('.search-button__wrapper.show, "
        "dialog.search-dialog[open], #pst-search-dialog[open]')"
    )
    assert "n / 2" in typed and "9 // 2" in typed, f"'/' was lost while typing: {typed!r}"
    assert "\n    return n / 2" in typed, f"Tab did not indent: {typed!r}"
    assert "\nprint(" in typed, f"Shift+Tab did not remove the indent: {typed!r}"
    assert active, "a key moved the focus out of the editor (Sphinx's search shortcut?)"
    assert not search_open, "Ctrl+K in the editor opened the page's search"
    run_and_wait(page, selector, click=False)
    assert browser_output(page, selector).strip() == "3.5 4"
    page.locator(selector).get_by_role("button", name="Undo edits").click()
    assert normalise(code.text_content() or "") == normalise(original)
    assert not visit.problems(), report("problems while typing", visit.problems())


# -- the playground ---------------------------------------------------------------------


def test_playground_trains_simple(site: Site, context: BrowserContext, recorder: Recorder) -> None:
    with open_page(context, recorder, site.url("playground.html"), settle=False) as (page, visit):
        # The page's defaults, untouched: what a reader gets by pressing Train.
        settings = page.evaluate(
            """() => { const f = document.querySelector('.playground form');
                return [f.elements.dataset.value, f.elements.points.value,
                        f.elements.hidden.value, f.elements.rate.value]; }"""
        )
        assert settings == ["Simple", "50", "8", "0.5"], settings
        start = time.monotonic()
        page.get_by_role("button", name="Train").click()
        page.wait_for_function(
            """(limit) => {
                const epoch = Number(document.querySelector('.pg-epoch').textContent);
                const accuracy = parseFloat(document.querySelector('.pg-accuracy').textContent);
                return accuracy >= 95 || epoch >= limit;
            }""",
            arg=PLAYGROUND_EPOCHS,
            timeout=PLAYGROUND_TIMEOUT_MS,
            polling=100,
        )
        epoch = int(page.locator(".pg-epoch").text_content() or 0)
        accuracy = page.locator(".pg-accuracy").text_content()
        tested = page.locator(".pg-test").text_content()
        speed = page.locator(".pg-speed").text_content()
        print(
            f"\nplayground: Simple, 50 points, MLP(8), rate 0.5: {accuracy} at epoch {epoch} "
            f"(test {tested}), {speed}, {time.monotonic() - start:.1f} s from the first click"
        )
        assert re.fullmatch(r"\d+%", tested or ""), f"test accuracy shows {tested!r}"
        assert float((accuracy or "0").rstrip("%")) >= 95, (
            f"accuracy {accuracy} after {epoch} epochs (limit {PLAYGROUND_EPOCHS})"
        )
        # The boundary and the curve are drawn: coloured pixels, not a blank canvas.
        for canvas in (".pg-map", ".pg-curve"):
            colours = page.locator(canvas).evaluate(
                """(c) => {
                    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                    const seen = new Set();
                    for (let i = 0; i < d.length; i += 4 * 97) {
                        seen.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);
                    }
                    return seen.size;
                }"""
            )
            assert colours > 20, f"{canvas} looks blank ({colours} colours)"
        # Stop stops: the status says so and the epoch count stays put.
        page.get_by_role("button", name="Stop").click()
        page.locator(".pg-status", has_text="Stopped after epoch").wait_for(timeout=60_000)
        stopped_at = page.locator(".pg-epoch").text_content()
        page.wait_for_timeout(1000)
        assert page.locator(".pg-epoch").text_content() == stopped_at
        assert page.get_by_role("button", name="Train").is_enabled()
        # Stop, and Train again 30 ms later: the worker has seen the Stop and is still
        # sending its last map when the new Train starts. The training goes on, the page
        # says so, and one Stop still stops it.
        page.get_by_role("button", name="Train").click()
        epoch_after = "(n) => Number(document.querySelector('.pg-epoch').textContent) > n"
        page.wait_for_function(epoch_after, arg=int(stopped_at or 0) + 5, timeout=60_000)
        page.evaluate(
            """async () => { const root = document.querySelector('.playground');
                root.querySelector('.pg-stop').click();
                await new Promise((resolve) => setTimeout(resolve, 30));
                root.querySelector('.pg-train').click(); }"""
        )
        page.wait_for_timeout(1000)
        going = int(page.locator(".pg-epoch").text_content() or 0)
        page.wait_for_function(epoch_after, arg=going, timeout=60_000)
        status = page.locator(".pg-status").text_content() or ""
        assert "Stopped" not in status, f"the page says {status!r} while it trains"
        assert page.get_by_role("button", name="Stop").is_enabled()
        page.get_by_role("button", name="Stop").click()
        page.locator(".pg-status", has_text="Stopped after epoch").wait_for(timeout=60_000)
        stopped_at = page.locator(".pg-epoch").text_content()
        page.wait_for_timeout(1000)
        assert page.locator(".pg-epoch").text_content() == stopped_at, "training went on"
        assert not visit.problems(), report("problems in the playground", visit.problems())


SPIRAL_EPOCHS = 600  # MLP(16) at rate 0.5 on 50 Spiral points: 90% in about 400 here


def test_playground_learns_the_spiral(
    site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """The hardest dataset: a reader sets Spiral, 16 hidden units, and presses Train; the
    network fits 90% of the points within SPIRAL_EPOCHS epochs (the seconds it took are
    printed: speed is measured, not asserted)."""
    with open_page(context, recorder, site.url("playground.html"), settle=False) as (page, visit):
        page.select_option("select[name=dataset]", "Spiral")
        page.fill("input[name=hidden]", "16")
        start = time.monotonic()
        page.get_by_role("button", name="Train").click()
        reached = page.wait_for_function(
            """(limit) => {
                const epoch = Number(document.querySelector('.pg-epoch').textContent);
                const accuracy = parseFloat(document.querySelector('.pg-accuracy').textContent);
                return (accuracy >= 90 || epoch >= limit) && [epoch, accuracy];
            }""",
            arg=SPIRAL_EPOCHS,
            timeout=PLAYGROUND_TIMEOUT_MS,
            polling=100,
        ).json_value()  # read where it stopped: accuracy moves a little from epoch to epoch
        seconds = time.monotonic() - start
        epoch, accuracy = reached
        print(f"\nplayground: Spiral, MLP(16): {accuracy}% at epoch {epoch}, {seconds:.1f} s")
        page.get_by_role("button", name="Stop").click()
        problems = visit.problems()
    assert accuracy >= 90, f"{accuracy}% after {epoch} epochs"
    assert not problems, report("problems in the playground", problems)


def test_pyodide_is_served_by_the_site(site_dir: Path) -> None:
    """The runtime is the pinned npm package's, copied by the build; the library is ours."""
    pinned = json.loads((REPO / "package-lock.json").read_text())["packages"][
        "node_modules/pyodide"
    ]["version"]
    installed = json.loads((REPO / "node_modules" / "pyodide" / "package.json").read_text())
    assert installed["version"] == pinned, "node_modules is not package-lock.json's: npm ci"
    served = site_dir / "_static" / "pyodide"
    for name in (
        "pyodide.mjs",
        "pyodide.asm.mjs",
        "pyodide.asm.wasm",
        "python_stdlib.zip",
        "pyodide-lock.json",
    ):
        copied, source = served / name, REPO / "node_modules" / "pyodide" / name
        assert copied.read_bytes() == source.read_bytes(), f"{name} differs from node_modules"
    # The start-up snapshot (a gzipped copy of Pyodide's memory), and the pages ask for
    # the one made from these very files (its version is their digest).
    memory = gzip.decompress((served / interactive.SNAPSHOT_NAME).read_bytes())
    assert len(memory) > 1e6, f"a snapshot of {len(memory)} bytes"
    version = interactive.pyodide_key(REPO / "node_modules" / "pyodide")
    page = (site_dir / "autodiff" / "scalars.html").read_text(encoding="utf-8")
    assert f'data-snapshot="{interactive.SNAPSHOT_NAME}?v={version}"' in page
    with zipfile.ZipFile(site_dir / "_static" / "interactive" / "python.zip") as archive:
        for path in (REPO / "minitorch_lite").glob("*.py"):
            shipped = archive.read(f"minitorch_lite/{path.name}")
            assert shipped == path.read_bytes(), f"the site ships a stale {path.name}"


# -- an exercise checked in the page -------------------------------------------------------


def type_code(page: Page, code: str) -> None:
    """Type ``code`` key by key into the focused editor, as a reader does: the editor does
    not indent by itself, so each level of indentation is one Tab."""
    for line in code.strip("\n").splitlines():
        stripped = line.lstrip(" ")
        for _ in range((len(line) - len(stripped)) // 4):
            page.keyboard.press("Tab")
        page.keyboard.type(stripped)
        page.keyboard.press("Enter")


CENTRAL_DIFFERENCE = """
from minitorch_lite import checks
def mine(f, *vals, arg=0, epsilon=1e-6):
    up, down = list(vals), list(vals)
    up[arg] += epsilon
    down[arg] -= epsilon
    return (f(*up) - f(*down)) / (2 * epsilon)
checks.check_central_difference(mine)
"""


def test_reader_writes_central_difference_and_the_page_checks_it(
    site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """Part 1's exercise: the unfinished starter fails its check in the browser; the
    reader types a central difference (with `/` and Tab) and the same check passes."""
    selector = ".cell.tag_starter-central-difference"
    url = site.url("derivatives/exercises.html")
    with open_page(context, recorder, url, settle=False) as (page, visit):
        cell = page.locator(selector)
        run_and_wait(page, selector)  # "Done": a cell that raised shows its error below
        failed = cell.locator(".run-output").inner_text()
        error = cell.locator(".run-output pre.run-error").inner_text()
        assert "FAILED" in failed, failed  # the checker's line for the first case
        assert "AssertionError" in error and "Hint:" in error, error
        code = cell.locator(".cell_input pre")
        code.click()
        page.keyboard.press("Control+a")
        page.keyboard.press("Delete")
        type_code(page, CENTRAL_DIFFERENCE)
        typed = code.evaluate("(pre) => pre.innerText")
        assert "    return (f(*up) - f(*down)) / (2 * epsilon)" in typed, typed
        run_and_wait(page, selector)
        shown = browser_output(page, selector)
        assert "all 5 cases passed" in shown, shown
        assert not visit.problems(), report("problems in the exercise", visit.problems())


RECURSIVE_SORT = """
def mine(variable):
    order, seen = [], set()
    def visit(node):
        if node.is_constant() or node in seen:
            return
        seen.add(node)
        for parent in node.parents:
            visit(parent)
        order.append(node)
    visit(variable)
    return order[::-1]
checks.check_topological_sort(mine)
"""

ITERATIVE_SORT = """
def mine(variable):
    order, seen, stack = [], set(), [(variable, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif not (node.is_constant() or node in seen):
            seen.add(node)
            stack.append((node, True))
            stack.extend((parent, False) for parent in node.parents)
    return order[::-1]
checks.check_topological_sort(mine)
"""


def test_reader_writes_topological_sort_and_the_page_checks_it(
    site: Site, context: BrowserContext, recorder: Recorder
) -> None:
    """Part 2's exercise in the page: a recursive sort typed into the starter fails on the
    deep chain with the hint about the recursion limit; an iterative one passes."""
    selector = ".cell.tag_starter-topological-sort"
    url = site.url("autodiff/exercises.html")
    with open_page(context, recorder, url, settle=False) as (page, visit):
        code = page.locator(f"{selector} .cell_input pre")
        for attempt, expected in ((RECURSIVE_SORT, "RecursionError"), (ITERATIVE_SORT, None)):
            code.click()
            page.keyboard.press("Control+a")
            page.keyboard.press("Delete")
            type_code(page, "from minitorch_lite import checks\n" + attempt)
            run_and_wait(page, selector)
            shown = page.locator(f"{selector} .run-output").inner_text()
            if expected:
                error = page.locator(f"{selector} .run-output pre.run-error").inner_text()
                assert "FAILED" in shown and expected in error, shown
                assert "Hint:" in error and "stack" in error, error
            else:
                assert "all 4 cases passed" in browser_output(page, selector), shown
        assert not visit.problems(), report("problems in the exercise", visit.problems())
