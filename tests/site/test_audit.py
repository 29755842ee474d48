"""Lighthouse audit (marker ``audit``): landing page and the heaviest chapter of each part.

The site is served the way a static host serves it (gzip, under a sub-path). Lighthouse
(npm, pinned in package-lock.json) runs with its default settings, simulated throttling
included, against the system chromium, and must score at least 0.9 for accessibility,
best practices and performance (the median of ``LIGHTHOUSE_RUNS`` runs, default 3).
"Heaviest" is measured: the bytes a first visit transfers for the page and everything it
loads. Scores, timings, weights and the main costs are printed and written to
``<site>/../audit/``.
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
from .conftest import PARTS, REPO
from .static_server import Site

pytestmark = pytest.mark.audit

THRESHOLD = 0.9
CATEGORIES = ("performance", "accessibility", "best-practices")
LIGHTHOUSE = REPO / "node_modules" / "lighthouse" / "cli" / "index.js"
TARGETS = ["landing", *PARTS]
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


@pytest.fixture(scope="session")
def weights(browser: Browser, site: Site) -> dict[str, dict[str, int]]:
    """The weight of the landing page and of every page of every part."""
    pages = ["index.html"] + sorted(
        p.relative_to(site.root).as_posix()
        for part in PARTS
        if (site.root / part).is_dir()
        for p in (site.root / part).rglob("*.html")
    )
    return {page: weigh(browser, site, page) for page in pages}


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


@pytest.mark.parametrize("target", TARGETS)
def test_lighthouse(
    target: str, site: Site, weights: dict[str, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    if target == "landing":
        page, url = "index.html", site.base_url
    else:
        candidates = {p: w for p, w in weights.items() if p.startswith(f"{target}/")}
        assert candidates, f"part {target!r} has no pages under {target}/"
        page = max(candidates, key=lambda p: candidates[p]["transfer"])
        url = site.url(page)
    out_dir = site.root.parent / "audit"
    out_dir.mkdir(exist_ok=True)
    runs = [lighthouse(url, out_dir / f"lighthouse-{target}-{i}.json") for i in range(RUNS)]
    runs.sort(key=lambda r: r["categories"]["performance"]["score"] or 0)
    result = runs[len(runs) // 2]
    text = summary(target, page, weights[page], result)
    text += "\n   performance of each run: " + ", ".join(
        str(r["categories"]["performance"]["score"]) for r in runs
    )
    if target == "landing":
        text += "\n   all page weights (KiB transferred): " + ", ".join(
            f"{p} {w['transfer'] / 1024:.0f}" for p, w in weights.items()
        )
    (out_dir / f"lighthouse-{target}.txt").write_text(text + "\n", encoding="utf-8")
    with capsys.disabled():
        print("\n" + text)
    outside = [
        i["url"]
        for r in runs
        for i in r["audits"]["network-requests"]["details"]["items"]
        if not is_local(i["url"])
    ]
    low = {
        c: result["categories"][c]["score"]
        for c in CATEGORIES
        if (result["categories"][c]["score"] or 0) < THRESHOLD
    }
    assert not outside, f"{page} requested outside URLs under Lighthouse: {outside}"
    assert not low, f"{page}: Lighthouse below {THRESHOLD}: {low}\n{text}"
