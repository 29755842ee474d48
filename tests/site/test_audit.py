"""Lighthouse audit (marker ``audit``): every page of the book.

The site is served the way a static host serves it (gzip, under a sub-path). Lighthouse
(npm, pinned in package-lock.json) runs with its default settings, simulated throttling
included, against the system chromium. On the median of ``LIGHTHOUSE_RUNS`` runs (default
3, ordered by performance) each page must score 1.0 for accessibility and best practices,
with a cumulative layout shift of at most 0.02; performance is held to 0.95 as a target
(reported) and to 0.8 as a floor (asserted), see THRESHOLDS. Scores,
timings, the bytes a first visit transfers, and the main costs are printed and written to
``<site>/../audit/`` (``lighthouse.txt`` has one line per page).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from tools.katex_prerender import find_node  # the node that renders the math

from .browser import CHROMIUM, CHROMIUM_ARGS, Recorder, is_local, open_page
from .conftest import REPO, book_pages
from .static_server import Site

pytestmark = pytest.mark.audit

# The targets. Accessibility and best practices do not depend on the machine and are
# asserted as they are. Performance does: Lighthouse's simulated throttling scales the CPU
# time it observes, and on this 2-core machine the same commit scored 0.98 to 1.0 in one
# hour, 0.91 to 0.94 in the next, busier one and 0.89 on two pages in the hour after. So
# performance below 0.95 is reported (in the log and in audit/lighthouse.txt) and only a
# score below PERFORMANCE_FLOOR fails: a real regression (a render-blocking script, a
# heavy page) costs far more than the machine's load does.
THRESHOLDS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0}
PERFORMANCE_FLOOR = 0.8
CATEGORIES = tuple(THRESHOLDS)
MAX_LAYOUT_SHIFT = 0.02
LIGHTHOUSE = REPO / "node_modules" / "lighthouse" / "cli" / "index.js"
# Lighthouse's performance score varies from run to run (more so on a busy 2-core machine):
# take the median run of several, as Lighthouse's docs advise.
RUNS = int(os.environ.get("LIGHTHOUSE_RUNS", "3"))

WEIGH = """() => {
  const entries = [...performance.getEntriesByType('navigation'),
                   ...performance.getEntriesByType('resource')];
  return {transfer: entries.reduce((s, e) => s + (e.transferSize || 0), 0),
          decoded: entries.reduce((s, e) => s + (e.decodedBodySize || 0), 0),
          requests: entries.length};
}"""


def weigh(browser: Browser, site: Site, page_path: str) -> dict[str, int]:
    """Bytes a first visit to ``page_path`` transfers (gzip) and decodes, with no cache."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    recorder = Recorder()
    recorder.install(context)
    try:
        with open_page(context, recorder, site.url(page_path)) as (page, _):
            return page.evaluate(WEIGH)
    finally:
        context.close()


@pytest.fixture(scope="module", autouse=True)
def fresh_table(site: Site) -> None:
    """``audit/lighthouse.txt`` lists this run's pages only."""
    (site.root.parent / "audit" / "lighthouse.txt").unlink(missing_ok=True)


def weights(browser: Browser, site: Site, page: str) -> dict[str, int]:
    return weigh(browser, site, page)


def lighthouse(url: str, out: Path) -> dict[str, Any]:
    if not LIGHTHOUSE.is_file():
        pytest.fail(
            f"{LIGHTHOUSE} is missing: `npm ci` (package-lock.json) installs it", pytrace=False
        )
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)", pytrace=False)
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    done = subprocess.run(
        [
            find_node(),
            str(LIGHTHOUSE),
            url,
            "--output=json",
            f"--output-path={out}",
            "--quiet",
            f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=REPO,
    )
    assert done.returncode == 0 and out.is_file(), (
        f"lighthouse failed ({done.returncode}) on {url}:\n{done.stderr[-3000:]}"
    )
    return json.loads(out.read_text(encoding="utf-8"))


def summary(name: str, page: str, weight: dict[str, int], result: dict[str, Any]) -> str:
    """Scores, timings and the biggest costs, for the log."""
    audits = result["audits"]
    scores = {k: v["score"] for k, v in result["categories"].items()}
    lines = [
        f"== {name}: {page}  transfer {weight['transfer'] / 1024:.0f} KiB (gzip), "
        f"decoded {weight['decoded'] / 1024:.0f} KiB, {weight['requests']} requests",
        "   scores: " + ", ".join(f"{k} {v}" for k, v in scores.items()),
    ]
    metrics = (
        "first-contentful-paint",
        "largest-contentful-paint",
        "speed-index",
        "total-blocking-time",
        "cumulative-layout-shift",
        "total-byte-weight",
    )
    lines.append(
        "   "
        + "; ".join(f"{m} {audits[m].get('displayValue', '')}" for m in metrics if m in audits)
    )
    for ref in (r for c in CATEGORIES for r in result["categories"][c]["auditRefs"]):
        audit = audits.get(ref["id"], {})
        if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
            lines.append(
                f"   failing {ref['id']} ({audit['score']}): "
                f"{audit.get('displayValue') or audit.get('title')}"
            )
    blocking = audits.get("render-blocking-insight", {}).get("details", {}).get("items", [])
    if blocking:
        lines.append(
            "   render-blocking: "
            + ", ".join(
                f"{i['url'].rsplit('/', 1)[-1].split('?')[0]} {i.get('wastedMs', 0):.0f}ms"
                for i in sorted(blocking, key=lambda i: -i.get("wastedMs", 0))[:8]
            )
        )
    boot = audits.get("bootup-time", {}).get("details", {}).get("items", [])
    if boot:
        lines.append(
            "   main-thread CPU by script: "
            + ", ".join(
                f"{i['url'].rsplit('/', 1)[-1].split('?')[0]} {i['total']:.0f}ms" for i in boot[:5]
            )
        )
    requests = audits.get("network-requests", {}).get("details", {}).get("items", [])
    lines.append(
        "   largest transfers: "
        + ", ".join(
            f"{i['url'].rsplit('/', 1)[-1].split('?')[0]} {i.get('transferSize', 0) / 1024:.0f}K"
            for i in sorted(requests, key=lambda i: -i.get("transferSize", 0))[:8]
        )
    )
    return "\n".join(lines)


@pytest.mark.parametrize("page", book_pages())
def test_lighthouse(
    page: str, browser: Browser, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    url = site.base_url if page == "index.html" else site.url(page)
    name = page.removesuffix(".html").replace("/", "-")
    out_dir = site.root.parent / "audit"
    out_dir.mkdir(exist_ok=True)
    runs = [lighthouse(url, out_dir / f"lighthouse-{name}-{i}.json") for i in range(RUNS)]
    runs.sort(key=lambda r: r["categories"]["performance"]["score"] or 0)
    result = runs[len(runs) // 2]
    text = summary(name, page, weights(browser, site, page), result)
    text += "\n   performance of each run: " + ", ".join(
        str(r["categories"]["performance"]["score"]) for r in runs
    )
    shift = result["audits"]["cumulative-layout-shift"]["numericValue"]
    scores = {c: result["categories"][c]["score"] for c in CATEGORIES}
    missed = [c for c, v in scores.items() if (v or 0) < THRESHOLDS[c]]
    if "performance" in missed:
        text += (f"\n   performance {scores['performance']}: below the "
                 f"{THRESHOLDS['performance']} target (reported)")
    (out_dir / f"lighthouse-{name}.txt").write_text(text + "\n", encoding="utf-8")
    with (out_dir / "lighthouse.txt").open("a", encoding="utf-8") as table:
        table.write(f"{page}  " + "  ".join(f"{c} {v}" for c, v in scores.items())
                    + f"  CLS {shift:.3f}" + (f"  below target: {', '.join(missed)}" if missed
                                               else "") + "\n")
    with capsys.disabled():
        print("\n" + text)
    outside = [
        i["url"]
        for r in runs
        for i in r["audits"]["network-requests"]["details"]["items"]
        if not is_local(i["url"])
    ]
    floors = {**THRESHOLDS, "performance": PERFORMANCE_FLOOR}
    low = {c: v for c, v in scores.items() if (v or 0) < floors[c]}
    assert not outside, f"{page} requested outside URLs under Lighthouse: {outside}"
    assert not low, f"{page}: Lighthouse below {floors}: {low}\n{text}"
    assert shift <= MAX_LAYOUT_SHIFT, f"{page}: cumulative layout shift {shift:.3f}\n{text}"
