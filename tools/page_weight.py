"""Sphinx extension for the book: lighter, faster first paint.

- Script files in the page head load with ``defer``: they run in the same order, after
  the page is parsed and before ``DOMContentLoaded``, so they no longer block the first
  paint. ``documentation_options.js`` and ``doctools.js`` stay synchronous (inline
  scripts use ``DOCUMENTATION_OPTIONS`` and ``_ready``), and so does the search page.
- Figures load lazily (``loading="lazy"``): images below the fold no longer share the
  slow connection with the stylesheet and fonts that the first paint waits for.
- ``_static/scripts/fontawesome.js`` (1.5 MB) is deleted after the build: no page loads
  it (``_templates/static/webpack-macros.html`` drops its script tag).
- The theme's stylesheet carries a rule for each of Font Awesome's ~2,000 icons (a
  third of its gzipped size, render-blocking on every page). The rules of icons that no
  page and no script of the site names are dropped.
- A page's dozen stylesheets (theme, extensions, ours) are served as one file,
  ``_static/bundle-<hash>.css``: on a slow connection each render-blocking request costs
  a round trip. Relative ``url()``s are rewritten and ``@import`` inlined. Pages name
  their bundle while they are written; the bundle files are (re)written when the build
  finishes, from the files Sphinx copied, with the icon rules trimmed.
- Each bundle then goes through PurgeCSS (npm, pinned in package-lock.json): rules whose
  classes, ids and tags appear in no page and no script of the site are dropped (Bootstrap
  and the theme style far more than the book uses; 73 KiB gzipped became 32).
- Font Awesome's webfonts (fa-solid-900.woff2 alone is 112 KiB) are subset with fontTools
  to the icons the bundle still draws, written as ``<font>.<hash>.woff2``; the bundle
  points at the subsets.
- ``documentation_options.js`` (a dozen settings that the page's inline scripts extend)
  is inlined, so no request blocks the first paint; ``doctools.js`` loads with ``defer``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import posixpath
import re
import subprocess
from pathlib import Path
from typing import Any

from katex_prerender import find_node
from sphinx.application import Sphinx
from sphinx.builders.html._assets import _CascadingStyleSheet, _JavaScript
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

# Inlined: the page's inline scripts set DOCUMENTATION_OPTIONS.pagename right after it.
INLINE = "documentation_options.js"
UNUSED = (
    "scripts/fontawesome.js",
    "scripts/fontawesome.js.map",
    "scripts/fontawesome.js.LICENSE.txt",
)


def defer_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Give every external, synchronous script of the page the ``defer`` attribute."""
    if app.builder.name != "html" or pagename == "search":  # search.html: Sphinx's own scripts
        return
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    for index, script in enumerate(scripts):
        if not isinstance(script, _JavaScript) or not script.filename:
            continue
        attributes = dict(script.attributes)
        if "body" in attributes or {"async", "defer"} & attributes.keys():
            continue
        if str(script.filename).endswith(INLINE):
            body = (Path(app.builder.outdir) / str(script.filename)).read_text(encoding="utf-8")
            scripts[index] = _JavaScript(None, priority=script.priority, body=body.strip())
            continue
        attributes["defer"] = "defer"
        scripts[index] = _JavaScript(script.filename, priority=script.priority, **attributes)


# One icon rule, e.g. `.fa-magnifying-glass,.fa-search{--fa:"\f002"}`.
_ICON_RULE = re.compile(r'(?<=[}\n])(\.fa-[a-z0-9-]+(?:,\.fa-[a-z0-9-]+)*)\{--fa:"[^"]*"\}')
_ICON_NAME = re.compile(r"\bfa-[a-z0-9-]+")


_IMG = re.compile(r"<img (?![^>]*\bloading=)")


def lazy_images(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Mark the page's images ``loading="lazy" decoding="async"``."""
    if app.builder.name == "html" and isinstance(context.get("body"), str):
        context["body"] = _IMG.sub('<img loading="lazy" decoding="async" ', context["body"])


def used_icons(outdir: Path) -> set[str]:
    """Every ``fa-*`` name in the site's pages and scripts."""
    names: set[str] = set()
    files = [*outdir.rglob("*.html"), *(outdir / "_static").rglob("*.js")]
    for path in files:
        names.update(_ICON_NAME.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


def strip_icon_rules(css: str, keep: set[str]) -> str:
    """Drop the icon rules none of whose class names is in ``keep``."""

    def replace(match: re.Match[str]) -> str:
        classes = {name.lstrip(".") for name in match[1].split(",")}
        return match[0] if classes & keep else ""

    return _ICON_RULE.sub(replace, css)


def remove_unused(app: Sphinx, exception: Exception | None) -> None:
    """Delete theme files that no page loads."""
    if exception is not None or app.builder.name != "html":
        return
    static = Path(app.builder.outdir) / "_static"
    for name in UNUSED:
        (static / name).unlink(missing_ok=True)


# The theme's own stylesheets, written by its template macro before the others
# (_templates/static/webpack-macros.html leaves them to this bundle instead).
THEME_STYLESHEETS = ("_static/styles/theme.css", "_static/styles/pydata-sphinx-theme.css")
BUNDLE_VERSION = "1"  # bump when the bundling itself changes
_URL = re.compile(r"""url\(\s*(["']?)(?!data:|[a-z]+://|/|#)([^"')]+)\1\s*\)""")
_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']([^"']+)["']\s*\)?\s*;""")
_PLAIN = {"rel": "stylesheet", "type": "text/css"}


def _bundles_dir(app: Sphinx) -> Path:
    return Path(app.doctreedir) / "css-bundles"


def bundle_css(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Replace the page's plain local stylesheets by one bundle (written at the end)."""
    if app.builder.name != "html":
        return
    css_files = context.get("css_files")
    if not isinstance(css_files, list):
        return
    files = list(THEME_STYLESHEETS)
    rest = []
    # Sphinx sorts by priority after this event; the bundle needs that order now.
    for css in sorted(css_files, key=lambda css: getattr(css, "priority", 500)):
        name = str(getattr(css, "filename", css))
        attributes = getattr(css, "attributes", _PLAIN)
        if "://" not in name and attributes == _PLAIN and name.startswith("_static/"):
            files.append(name)
        else:
            rest.append(css)
    outdir = Path(app.builder.outdir)
    key = [BUNDLE_VERSION, *(f"{name}:{_file_digest(outdir / name)}" for name in files)]
    digest = hashlib.sha256("\n".join(key).encode()).hexdigest()[:12]
    # Pages may be written in worker processes (-j): record the bundle in a file.
    record = _bundles_dir(app) / f"{digest}.json"
    if not record.is_file():
        record.parent.mkdir(parents=True, exist_ok=True)
        temporary = record.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(files), encoding="utf-8")
        temporary.replace(record)
    css_files[:] = [_CascadingStyleSheet(f"_static/bundle-{digest}.css", priority=0), *rest]


_digests: dict[tuple[Path, int, int], str] = {}


def _file_digest(path: Path) -> str:
    if not path.is_file():
        return "missing"
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _digests:
        _digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return _digests[key]


def inline_css(path: Path, static: Path, seen: frozenset[Path] = frozenset()) -> str:
    """The stylesheet at ``path`` for a bundle in ``static``: imports inlined, urls fixed."""
    if path in seen or not path.is_file():
        return ""
    css = path.read_text(encoding="utf-8")
    folder = path.parent.relative_to(static).as_posix()

    def fix_url(match: re.Match[str]) -> str:
        url = posixpath.normpath(posixpath.join(folder, match[2]))
        return f'url("{url}")'

    def inline(match: re.Match[str]) -> str:
        return inline_css((path.parent / match[1]).resolve(), static, seen | {path})

    return _URL.sub(fix_url, _IMPORT.sub(inline, css))


def write_bundles(app: Sphinx, exception: Exception | None) -> None:
    """Write every bundle a page of the site names; delete bundles none names."""
    if exception is not None or app.builder.name != "html":
        return
    outdir = Path(app.builder.outdir)
    static = (outdir / "_static").resolve()
    named = set()
    for page in outdir.rglob("*.html"):
        named.update(re.findall(r"_static/bundle-([0-9a-f]+)\.css", page.read_text("utf-8")))
    icons = used_icons(outdir)
    bundles: dict[str, str] = {}
    for digest in sorted(named):
        record = _bundles_dir(app) / f"{digest}.json"
        if not record.is_file():
            logger.warning("CSS bundle %s: no record of its files; rebuild with -E", digest)
            continue
        files = json.loads(record.read_text(encoding="utf-8"))
        parts = [inline_css((outdir / name).resolve(), static) for name in files]
        bundles[digest] = strip_icon_rules("\n".join(parts), icons)
    bundles = purge_css(app, bundles, outdir)
    fonts: set[str] = set()
    for digest, css in bundles.items():
        css = subset_icon_fonts(css, static)
        target = outdir / "_static" / f"bundle-{digest}.css"
        if not target.is_file() or target.read_text(encoding="utf-8") != css:
            target.write_text(css, encoding="utf-8")
        fonts.update(_SUBSET_URL.findall(css))
    for stale in (static / "vendor" / "fontawesome" / "webfonts").glob("*.*.woff2"):
        if stale.relative_to(static).as_posix() not in fonts:
            stale.unlink()
    for stale in (outdir / "_static").glob("bundle-*.css"):
        if stale.stem.removeprefix("bundle-") not in named:
            stale.unlink()


PURGE_SCRIPT = Path(__file__).with_name("purge_css.cjs")
# Attributes that scripts set after load (theme switcher, sidebar toggles): PurgeCSS keeps
# every selector on them. Classes that scripts set are kept because the scripts are content.
DYNAMIC_ATTRIBUTES = ["data-theme", "data-mode", "data-bs-theme", "aria-expanded", "open"]
# Classes that Bootstrap builds by concatenation (`bs-tooltip-${placement}`).
SAFELIST_GREEDY = [r"bs-tooltip", r"bs-popover", r"tooltip", r"popover"]


def site_content(outdir: Path) -> list[str]:
    """The book's pages and scripts (not the decks, not Pyodide's runtime)."""
    pages = [p for p in outdir.rglob("*.html") if p.relative_to(outdir).parts[0] != "slides"]
    scripts = [p for p in (outdir / "_static").rglob("*.js") if "pyodide" not in p.parts]
    return [str(p) for p in sorted(pages + scripts)]


def purge_css(app: Sphinx, bundles: dict[str, str], outdir: Path) -> dict[str, str]:
    """Every bundle without the rules the site's pages and scripts cannot use (PurgeCSS)."""
    if not bundles:
        return bundles
    purgecss = Path(app.confdir) / "node_modules" / "purgecss"
    if not purgecss.is_dir():
        raise ExtensionError(f"{purgecss} is missing: `npm ci` (package-lock.json) installs it")
    request = {
        "css": bundles,
        "content": site_content(outdir),
        "safelist": {"greedy": SAFELIST_GREEDY},
        "dynamicAttributes": DYNAMIC_ATTRIBUTES,
    }
    done = subprocess.run(
        [find_node(), str(PURGE_SCRIPT), str(purgecss.resolve())],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ExtensionError(f"PurgeCSS failed ({done.returncode}):\n{done.stderr[-3000:]}")
    purged: dict[str, str] = json.loads(done.stdout)
    return purged


_FONT_URL = re.compile(r'url\("(vendor/fontawesome/webfonts/([a-z0-9-]+))\.woff2"\)')
_SUBSET_URL = re.compile(r'url\("(vendor/fontawesome/webfonts/[a-z0-9-]+\.[0-9a-f]+\.woff2)"\)')
_ESCAPED_GLYPH = re.compile(r"\\([ef][0-9a-fA-F]{3})(?![0-9a-fA-F])")


def icon_codepoints(css: str) -> set[int]:
    """The private-use code points (Font Awesome's icons) a stylesheet draws."""
    literal = {ord(c) for c in css if 0xE000 <= ord(c) <= 0xF8FF}
    return literal | {int(h, 16) for h in _ESCAPED_GLYPH.findall(css)}


def subset_icon_fonts(css: str, static: Path) -> str:
    """Point the bundle's Font Awesome webfonts at subsets holding only its icons."""
    from fontTools import subset  # noqa: PLC0415 (docs dependency, only at build end)

    codepoints = sorted(icon_codepoints(css))

    def replace(match: re.Match[str]) -> str:
        source = static / f"{match[1]}.woff2"
        if not source.is_file():
            return match[0]
        original = source.read_bytes()
        key = hashlib.sha256(original + repr(codepoints).encode()).hexdigest()[:10]
        name = f"{match[1]}.{key}.woff2"
        target = static / name
        if not target.is_file():
            options = subset.Options()
            options.flavor = "woff2"
            options.layout_features = ["*"]
            font = subset.load_font(io.BytesIO(original), options)
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=codepoints)
            subsetter.subset(font)
            buffer = io.BytesIO()
            subset.save_font(font, buffer, options)
            target.write_bytes(buffer.getvalue())
        return f'url("{name}")'

    return _FONT_URL.sub(replace, css)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the handlers (after other extensions have added their scripts)."""
    app.connect("html-page-context", defer_scripts, priority=900)
    app.connect("html-page-context", bundle_css, priority=950)
    app.connect("html-page-context", lazy_images)
    app.connect("build-finished", remove_unused)
    app.connect("build-finished", write_bundles, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
