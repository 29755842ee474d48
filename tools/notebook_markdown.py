"""MyST to plain Markdown for the downloaded notebooks (used by notebook_download.py).

Jupyter renders CommonMark with a little HTML; it knows no MyST roles or directives. A
chapter's Markdown cells are rewritten so that a Jupyter reader sees what the web page
shows:

- **roles** become links or text: ``{doc}``, ``{chapter}``, ``{deck}``, ``{term}``,
  ``{ref}``, ``{numref}``, ``{py:*}`` become links to the hosted pages (resolved through
  the Sphinx environment, so the link text is the page's title or the glossary term);
  ``{glue}``, ``{glue:text}``, ``{glue:md}``... become the values the build computed;
  ``{math}`` becomes ``$...$``; ``{wheel}`` links the wheel; any other role becomes its
  text (``title <target>`` gives ``title``);
- **directives** become Markdown: admonitions a quote with a bold title, dropdowns an
  HTML ``<details>`` block (still folded), tab sets their tabs one after the other with a
  bold title each, ``{figure}`` and ``{glue:figure}`` an image (a cell attachment) followed by
  its caption, ``{literalinclude}`` the code it includes (Sphinx's own reader), ``{code-block}``
  and ``{math}`` fenced blocks; ``{toctree}`` is dropped; any other directive becomes its
  title in bold and its body;
- MyST-only lines (``(label)=`` targets, ``%`` comments) are dropped.

Code spans, fenced code and math are left alone. Links are relative to the notebook's
place in the site (``_sources/<page>.ipynb``), or absolute when a base URL is given.
"""

from __future__ import annotations

import base64
import mimetypes
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from myst_nb.core.variables import format_plain_text

#: what the notebook's page prefix is inside the site
SOURCES = "_sources"
#: a role, or a code span (matched first when it starts earlier)
INLINE = re.compile(
    r"(?P<code>(?P<ticks>`+).+?(?P=ticks))"
    r"|\{(?P<name>[A-Za-z][\w:.+-]*)\}(?P<rticks>`+)(?P<content>.+?)(?P=rticks)",
    re.DOTALL,
)
#: a fence that opens a directive, or any code fence
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[A-Za-z][\w:.+-]*)\}\s*(?P<argument>.*)$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
TITLE_TARGET = re.compile(r"^(?P<title>.+?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
MYST_ONLY_LINE = re.compile(r"^\s*(\([\w:.-]+\)=|%.*)\s*$")
ADMONITIONS = {
    "note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important",
    "warning": "Warning", "caution": "Caution", "attention": "Attention",
    "danger": "Danger", "error": "Error", "seealso": "See also", "admonition": "",
}  # fmt: skip
CODE_DIRECTIVES = {"code-block", "code", "sourcecode", "code-cell"}
DROPPED_DIRECTIVES = {"toctree", "index", "highlight", "currentmodule", "py:currentmodule"}
GLUE_ROLES = {"glue", "glue:", "glue:any", "glue:text", "glue:md"}
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


@dataclass
class Context:
    """What a page's conversion needs from the build.

    ``href(kind, target)`` gives the link for a cross-reference target (``doc``, ``term``,
    ``ref``, ``py``, ``deck``, ``chapter``, ``wheel``) as ``(url, text)``, or None when
    the target is unknown. ``glue(docname, key)`` gives a glued output's mime bundle.
    ``literalinclude(path, options)`` gives the included text.
    """

    docname: str
    href: Callable[[str, str], tuple[str, str] | None]
    glue: Callable[[str, str], dict[str, Any] | None]
    literalinclude: Callable[[str, dict[str, Any]], str]
    source_dir: Path
    attachments: dict[str, dict[str, str]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)

    def attach(self, mime: str, data: str, stem: str) -> str:
        """Add an attachment (base64 data); its ``attachment:`` URL."""
        suffix = mimetypes.guess_extension(mime) or ".bin"
        name = f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', stem)}{suffix}"
        self.attachments[name] = {mime: data}
        return f"attachment:{name}"


def site_href(docname: str, target: str, baseurl: str = "") -> str:
    """A site path (``autodiff/scalars.html#x``) as seen from ``_sources/<docname>.ipynb``."""
    if baseurl:
        return f"{baseurl.rstrip('/')}/{target}"
    depth = docname.count("/") + 1  # the notebook sits in _sources/<folders>
    return "../" * depth + target


# ----- inline -----------------------------------------------------------------------------
def _split_title(content: str) -> tuple[str | None, str]:
    match = TITLE_TARGET.match(content.strip())
    if match:
        return match["title"], match["target"].strip()
    return None, content.strip()


def _link(text: str, url: str) -> str:
    return f"[{text}]({url.replace(' ', '%20').replace(')', '%29')})"


def glue_text(bundle: dict[str, Any] | None, role: str, fmt: str, ctx: Context) -> str:
    """A glued value as inline Markdown, the way myst-nb's role shows it."""
    if bundle is None:
        ctx.unknown.append(f"glue value for {role}")
        return "?"
    if role == "glue:md" or (role != "glue:text" and "text/markdown" in bundle):
        if "text/markdown" in bundle:
            return convert_inline(_text(bundle["text/markdown"]).strip(), ctx)
    if role not in ("glue:text", "glue:md"):
        for mime in IMAGE_TYPES:
            if mime in bundle:
                data = _text(bundle[mime])
                if mime == "image/svg+xml":
                    data = base64.b64encode(data.encode()).decode()
                return f"![]({ctx.attach(mime, data, 'glue')})"
    if "text/plain" in bundle:
        return format_plain_text(_text(bundle["text/plain"]), fmt)
    ctx.unknown.append(f"glue value without text/plain for {role}")
    return "?"


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _glue_key(content: str, with_format: bool) -> tuple[str, str, str]:
    """``doc::key:fmt`` → (doc, key, fmt); doc is empty for the page itself."""
    doc, _, rest = content.strip().rpartition("::")
    fmt = ""
    if with_format and ":" in rest:
        rest, fmt = rest.rsplit(":", 1)
    return doc, rest, fmt


def convert_role(name: str, content: str, ctx: Context) -> str:
    """One role as Markdown."""
    if name in GLUE_ROLES:
        doc, key, fmt = _glue_key(content, with_format=name == "glue:text")
        if name == "glue:md" and ":" in key:
            key = key.rsplit(":", 1)[0]  # {glue:md}`key:myst`: the format is the parser
        docname = ctx.docname
        if doc:
            docname = posixpath.normpath(posixpath.join(posixpath.dirname(ctx.docname), doc))
            docname = docname.removesuffix(".md").removesuffix(".ipynb").lstrip("/")
        return glue_text(ctx.glue(docname, key), name, fmt, ctx)
    if name == "math":
        return f"${content}$"
    if name in ("sub", "sup"):
        return f"<{name}>{content}</{name}>"
    if name == "kbd":
        return f"<kbd>{content}</kbd>"
    title, target = _split_title(content)
    kind = name.split(":", 1)[0] if name.startswith("py:") else name
    if kind in ("doc", "chapter", "deck", "term", "ref", "numref", "py", "wheel", "eq"):
        found = ctx.href(name, target)
        if found is not None:
            url, text = found
            if title:
                text = title
            return _link(convert_inline(text, ctx), url) if url else text
        if kind != "py":  # an unknown Python name is still its name
            ctx.unknown.append(f"{{{name}}}`{content}`")
    if kind == "py":
        shown = target.lstrip("~")
        if target.startswith("~"):
            shown = shown.rsplit(".", 1)[-1]
        return title or f"`{shown}`"
    if name == "abbr":
        return re.sub(r"\s*\([^()]*\)\s*$", "", content)
    return title or target


def convert_inline(text: str, ctx: Context) -> str:
    """Every role in ``text`` as Markdown; code spans stay as they are."""

    def replace(match: re.Match[str]) -> str:
        if match["code"]:
            return match["code"]
        return convert_role(match["name"], match["content"], ctx)

    return INLINE.sub(replace, text)


# ----- blocks -----------------------------------------------------------------------------
def _options(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """A directive body's leading ``:key: value`` lines or ``---`` YAML block, and the rest."""
    options: dict[str, str] = {}
    rest = list(lines)
    if rest and rest[0].strip() == "---":
        end = next((i for i in range(1, len(rest)) if rest[i].strip() == "---"), None)
        if end is not None:
            for line in rest[1:end]:
                key, _, value = line.partition(":")
                if key.strip():
                    options[key.strip()] = value.strip().strip("\"'")
            return options, rest[end + 1 :]
    while rest:
        match = OPTION.match(rest[0].strip())
        if not match:
            break
        value = match["value"].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        options[match["key"]] = value
        rest.pop(0)
    return options, rest


def _fenced(body: str, info: str = "") -> str:
    ticks = "`" * max(3, max((len(m) + 1 for m in re.findall(r"`{3,}", body)), default=3))
    return f"{ticks}{info}\n{body.rstrip()}\n{ticks}"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.strip().split("\n"))


def _image(ctx: Context, src: str, alt: str) -> str:
    """An image from the page's folder, attached to the cell (a notebook travels alone)."""
    if "://" in src:
        return f"![{alt}]({src})"
    path = (ctx.source_dir / src).resolve()
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if not path.is_file():
        ctx.unknown.append(f"image {src}")
        return alt
    data = base64.b64encode(path.read_bytes()).decode()
    return f"![{alt}]({ctx.attach(mime, data, path.stem)})"


def convert_directive(
    name: str, argument: str, options: dict[str, str], body: str, ctx: Context
) -> str:
    """One directive as Markdown (``body`` still MyST)."""
    if name in DROPPED_DIRECTIVES:
        return ""
    if name in CODE_DIRECTIVES:
        return _fenced(body, argument.split()[0] if argument.split() else "")
    if name == "math":
        return f"$$\n{body.strip()}\n$$"
    if name == "literalinclude":
        text = ctx.literalinclude(argument.strip(), options)
        language = options.get("language") or ("python" if argument.strip().endswith(".py") else "")
        return _fenced(text, language)
    if name == "wheel-commands":
        found = ctx.href("wheel", "file")
        name_shown = found[1].strip("`") if found else "{wheel}"
        return _fenced(body.replace("{wheel}", name_shown), "sh")
    if name == "raw":
        return body if argument.strip() == "html" else ""
    if name == "eval-rst":
        return _fenced(body, "rst")
    inner = convert_markdown(body, ctx).strip()
    if name in ("figure", "image"):
        alt = convert_inline(options.get("alt", ""), ctx).replace("\n", " ")
        image = _image(ctx, argument.strip(), alt)
        return f"{image}\n\n{inner}" if inner else image
    if name == "glue:figure":
        doc, key, _ = _glue_key(argument, with_format=False)
        docname = ctx.docname if not doc else posixpath.normpath(
            posixpath.join(posixpath.dirname(ctx.docname), doc)
        ).removesuffix(".md")  # fmt: skip
        bundle = ctx.glue(docname, key) or {}
        alt = convert_inline(options.get("alt", ""), ctx).replace("\n", " ").replace("]", ")")
        image = ""
        for mime in IMAGE_TYPES:
            if mime in bundle:
                data = _text(bundle[mime])
                if mime == "image/svg+xml":
                    data = base64.b64encode(data.encode()).decode()
                image = f"![{alt}]({ctx.attach(mime, data, key)})"
                break
        if not image:
            ctx.unknown.append(f"glue figure {key}")
            image = alt
        return f"{image}\n\n{inner}" if inner else image
    if name in ("glue", "glue:", "glue:any", "glue:md", "glue:math"):
        doc, key, _ = _glue_key(argument, with_format=False)
        value = glue_text(ctx.glue(doc or ctx.docname, key), "glue:md", "", ctx)
        if name == "glue:math":
            return f"$$\n{value}\n$$"
        return value
    title = convert_inline(argument.strip(), ctx)
    if name == "dropdown" or "dropdown" in options.get("class", "").split():
        if name in ADMONITIONS and not title:
            title = ADMONITIONS[name]
        return f"<details>\n<summary>{title}</summary>\n\n{inner}\n\n</details>"
    if name in ADMONITIONS:
        heading = title or ADMONITIONS[name]
        return _quote(f"**{heading}**\n\n{inner}" if heading else inner)
    if name in ("tab-set", "grid", "card-carousel", "div", "container"):
        return inner
    if name in ("tab-item", "grid-item", "grid-item-card", "card", "topic", "sidebar"):
        return f"**{title}**\n\n{inner}" if title else inner
    if name == "glossary":
        return inner
    if name == "epigraph" or name == "pull-quote":
        return _quote(inner)
    return f"**{title}**\n\n{inner}" if title else inner


def convert_markdown(text: str, ctx: Context) -> str:
    """A Markdown cell's MyST source as plain Markdown."""
    lines = text.split("\n")
    out: list[str] = []  # lines; every converted block has a blank line on either side
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            converted = convert_inline("\n".join(paragraph), ctx).split("\n")
            while converted and not converted[0].strip() and (not out or out[-1] == ""):
                converted.pop(0)
            out.extend(converted)
            paragraph.clear()

    def emit(block: list[str]) -> None:
        if out and out[-1].strip():
            out.append("")
        out.extend(block)
        out.append("")

    i = 0
    while i < len(lines):
        line = lines[i]
        match = FENCE.match(line)
        if match is None:
            if not MYST_ONLY_LINE.match(line):
                paragraph.append(line)
            i += 1
            continue
        flush()
        indent, fence, info = match["indent"], match["fence"], match["info"].strip()
        end = i + 1
        while end < len(lines):
            closing = lines[end].strip()
            if closing and set(closing) == {fence[0]} and len(closing) >= len(fence):
                break
            end += 1
        directive = DIRECTIVE_INFO.match(info)
        if directive is None:  # plain code (or a colon fence without a name): as it is
            emit(lines[i : end + 1])
        else:
            body = [
                line[len(indent) :] if line.startswith(indent) else line.lstrip()
                for line in lines[i + 1 : end]
            ]
            options, rest = _options(body)
            block = convert_directive(
                directive["name"], directive["argument"], options, "\n".join(rest), ctx
            ).strip("\n")
            if block:
                emit([f"{indent}{b}" if b else b for b in block.split("\n")])
        i = end + 1
    flush()
    return "\n".join(out).strip("\n")
