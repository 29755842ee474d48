"""A reader downloads every chapter's notebook and the wheel from the built site, and runs them.

Everything comes from the built site (``_build/html``, or ``SITE_DIR``): each chapter
page's ``.ipynb`` download link, the notebook it points to, and the wheel the landing page
links. The chapters are the book's notebook pages (``book/**/*.md`` with a kernelspec), so
a chapter without a download fails. Once per test session, a fresh virtual environment
gets what the notebooks' first cell says (``pip install "<wheel>[plots]"``, with the wheel
next to the notebook) plus nbclient and ipykernel (pinned in pyproject.toml), and nothing
else: no myst-nb, no Sphinx, not this checkout. Every chapter then runs top to bottom in
that environment's kernel; only cells tagged ``raises-exception`` may raise. A last cell,
added by the test, checks that the kernel imported ``minitorch_lite`` from the wheel.

The Markdown a Jupyter reader sees holds no MyST: no ``{role}`...``` and no directive
fences, outside code. The converter (tools/notebook_markdown.py) is also tested on small
notebooks, without the site.

Running the chapters installs from PyPI and takes about two minutes (the venv about 30 s,
the twelve chapters about 95 s); it runs in every ``nox -s test`` and so in .ci/run. It
is marked ``notebooks``: ``-m "not notebooks"`` leaves it out of a quick local run.
"""

from __future__ import annotations

import base64
import html.parser
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))
import notebook_download  # noqa: E402 (tools/ is not a package)
import notebook_markdown  # noqa: E402

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PIN_GROUPS = ("plots", "docs")  # matplotlib, nbclient and ipykernel are pinned there
PROBE = (
    "import sys, minitorch_lite, matplotlib\n"
    "print(sys.prefix)\nprint(minitorch_lite.__file__)\nprint(matplotlib.__version__)"
)


def chapters() -> list[str]:
    """Every notebook page of the book (a jupytext header with a kernelspec)."""
    found = []
    for path in sorted((REPO / "book").rglob("*.md")):
        head = path.read_text(encoding="utf-8").split("\n---", 1)[0]
        if head.startswith("---") and "kernelspec:" in head:
            found.append(path.relative_to(REPO / "book").with_suffix("").as_posix())
    return found


CHAPTERS = chapters()


class Links(html.parser.HTMLParser):
    """Every ``<a>``'s href and class attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            found = dict(attrs)
            if found.get("href"):
                self.links.append((found["href"] or "", found.get("class") or ""))


def links_of(page: Path) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def resolve(root: Path, page: Path, href: str) -> Path:
    """The file a relative link of ``page`` points to (the site is served from anywhere)."""
    assert "://" not in href and not href.startswith("/"), f"{href!r} is not relative"
    relative = posixpath.normpath(posixpath.join(page.parent.relative_to(root).as_posix(), href))
    assert not relative.startswith(".."), f"{href!r} leaves the site"
    return root / relative


def pins(*groups: str) -> list[str]:
    return [pin for group in groups for pin in PYPROJECT["dependency-groups"][group]]


def pin_of(name: str) -> str:
    (pin,) = [p for p in pins(*PIN_GROUPS) if re.split(r"[=<>~!]", p)[0] == name]
    return pin


@pytest.fixture(scope="session")
def wheel(site_dir: Path) -> Path:
    """The wheel the landing page links."""
    page = site_dir / "index.html"
    hrefs = [href for href, _ in links_of(page) if href.split("#")[0].endswith(".whl")]
    assert hrefs, "the landing page links no wheel"
    path = resolve(site_dir, page, hrefs[0])
    assert path.is_file(), f"the landing page links {hrefs[0]}, which the site lacks"
    return path


def notebook_of(site_dir: Path, chapter: str) -> Path:
    """The chapter's notebook, found through its page's download menu."""
    page = site_dir / f"{chapter}.html"
    assert page.is_file(), f"the site has no page {chapter}.html"
    hrefs = [href for href, cls in links_of(page) if href.endswith(".ipynb")]
    assert len(hrefs) == 1, f"{page.name}: expected one .ipynb download link, got {hrefs}"
    classes = dict(links_of(page))[hrefs[0]]
    assert "download-notebook-button" in classes, "the .ipynb link is not in the download menu"
    path = resolve(site_dir, page, hrefs[0])
    assert path.is_file(), f"the download link {hrefs[0]} points to a missing file"
    return path


def cells_of(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source_of(cell: dict[str, Any]) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def test_every_chapter_is_found() -> None:
    """The chapter list is the book's notebooks: all three parts, exercises included."""
    assert len(CHAPTERS) >= 12, CHAPTERS
    for part in ("derivatives", "autodiff", "networks"):
        assert f"{part}/exercises" in CHAPTERS


def test_wheel_holds_the_whole_library(wheel: Path) -> None:
    """Every module of minitorch_lite/ is in the wheel, and the plots extra is declared."""
    version = PYPROJECT["project"]["version"]
    assert wheel.name == f"minitorch_lite-{version}-py3-none-any.whl"
    modules = {p.relative_to(REPO).as_posix() for p in (REPO / "minitorch_lite").rglob("*.py")}
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        text = archive.read(metadata).decode("utf-8")
    assert modules <= names, f"the wheel lacks {sorted(modules - names)}"
    assert "Provides-Extra: plots" in text
    assert re.search(r"^Requires-Dist: matplotlib\b.*extra == \"plots\"", text, re.M)
    for line in text.splitlines():  # the core library depends on nothing
        if line.startswith("Requires-Dist:"):
            assert "extra ==" in line, f"the core library depends on something: {line}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_first_cell_says_how_to_install(chapter: str, site_dir: Path, wheel: Path) -> None:
    cells = cells_of(notebook_of(site_dir, chapter))
    text = source_of(cells[0])
    assert cells[0]["cell_type"] == "markdown"
    assert wheel.name in text, "the first cell does not name the wheel"
    assert f'pip install "{wheel.name}[plots]"' in text
    assert source_of(cells[1]) == f'%pip install "{wheel.name}[plots]"'
    code = [c for c in cells if c["cell_type"] == "code"]
    assert any(c["outputs"] for c in code), "the notebook has none of the book's outputs"


# ----- no MyST for a Jupyter reader ---------------------------------------------------------
#: a role (with its content), or a code span: whichever starts first
ROLE_OR_CODE = re.compile(
    r"(?P<role>\{[A-Za-z][\w:.+-]*\}(?P<rt>`+).+?(?P=rt))|(?P<ct>`+).+?(?P=ct)", re.DOTALL
)
DIRECTIVE = re.compile(r"^[ \t]*(`{3,}|~{3,}|:{3,})[ \t]*\{")
MYST_TARGET = re.compile(r"^[ \t]*\([\w:.-]+\)=[ \t]*$")
CODE_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")


def myst_left_in(markdown: str) -> list[str]:
    """Raw MyST a Jupyter reader would see: roles, directive fences, ``(label)=`` lines."""
    found: list[str] = []
    prose: list[str] = []
    fence = ""
    for line in markdown.split("\n"):
        if DIRECTIVE.match(line) or MYST_TARGET.match(line):
            found.append(line.strip())
        opening = CODE_FENCE.match(line)
        if fence:
            if line.strip() and set(line.strip()) == {fence[0]} and len(line.strip()) >= len(fence):
                fence = ""
            continue
        if opening:
            fence = opening[1]
            continue
        prose.append(line)
    text = "\n".join(prose)
    found += [m["role"] for m in ROLE_OR_CODE.finditer(text) if m["role"]]
    return found


def test_the_myst_check_finds_roles_and_directives() -> None:
    assert myst_left_in("see {doc}`x` and {term}`leaf <Leaf>`")
    assert myst_left_in("```{note}\nhi\n```")
    assert myst_left_in(":::{dropdown} Answer\nhi\n:::")
    assert myst_left_in("(my-label)=\n# Title")
    assert myst_left_in("a {glue:text}`loss:.3f` b")
    assert not myst_left_in("names `weight_{i}_{j}` and `bias_{j}`, and $x_{j}$")
    assert not myst_left_in("```python\nprint(f'{x}`')\n```")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_markdown_holds_no_myst(chapter: str, site_dir: Path) -> None:
    """No role, directive or target syntax outside code; images travel as attachments."""
    problems = []
    for index, cell in enumerate(cells_of(notebook_of(site_dir, chapter))):
        if cell["cell_type"] != "markdown":
            continue
        text = source_of(cell)
        problems += [f"cell {index}: {found!r}" for found in myst_left_in(text)]
        for name in re.findall(r"\]\(attachment:([^)]+)\)", text):
            if name not in cell.get("attachments", {}):
                problems.append(f"cell {index}: attachment {name} missing")
    assert not problems, f"{chapter}.ipynb shows raw MyST:\n" + "\n".join(problems)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_code_runs_without_the_build(chapter: str, site_dir: Path) -> None:
    """No myst_nb import left; glue's hidden store is gone; hidden cells open collapsed."""
    for index, cell in enumerate(cells_of(notebook_of(site_dir, chapter))):
        if cell["cell_type"] != "code":
            continue
        where = f"{chapter}.ipynb cell {index}"
        assert not re.search(r"^\s*(from|import)\s+myst_nb\b", source_of(cell), re.M), where
        for output in cell["outputs"]:
            assert not any(k.startswith("application/papermill") for k in output.get("data", {}))
            assert "scrapbook" not in output.get("metadata", {}), where
        tags = cell["metadata"].get("tags", [])
        jupyter = cell["metadata"].get("jupyter", {})
        if {"remove-cell", "remove-input", "hide-input", "hide-cell"} & set(tags):
            assert jupyter.get("source_hidden") is True, where
        if {"remove-cell", "remove-output", "hide-output", "hide-cell"} & set(tags):
            assert jupyter.get("outputs_hidden") is True, where


# ----- every chapter runs in a fresh environment ---------------------------------------------
# The driver runs inside the fresh environment, so the kernel is that environment's.
DRIVER = """
import sys
import nbformat
from nbclient import NotebookClient

source, target, probe = sys.argv[1:]
notebook = nbformat.read(source, as_version=4)
notebook.cells.append(nbformat.v4.new_code_cell(probe))
client = NotebookClient(
    notebook, kernel_name="python3", timeout=600,
    resources={"metadata": {"path": str(__import__("pathlib").Path(source).parent)}},
)
client.execute()  # raises CellExecutionError unless the cell is tagged raises-exception
nbformat.write(notebook, target)
"""


def text_of(output: dict[str, Any]) -> str:
    text = output.get("text", "")
    return "".join(text) if isinstance(text, list) else text


def install_command(notebook: Path) -> list[str]:
    """The pip arguments the notebook's first cell gives, e.g. ``install "x.whl[plots]"``."""
    match = re.search(r'pip install "([^"]+)"', source_of(cells_of(notebook)[0]))
    assert match, "no pip install command in the first cell"
    return ["install", match[1]]


class Reader:
    """A fresh venv with the wheel[plots], nbclient and ipykernel, and a folder to work in."""

    def __init__(self, root: Path, wheel: Path, notebook: Path) -> None:
        self.root = root
        self.work = root / "reader"
        self.work.mkdir()
        shutil.copy2(wheel, self.work / wheel.name)  # next to the notebooks, as they say
        self.venv = root / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True)
        self.python = self.venv / "bin" / "python"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "JUPYTER_PATH", "MPLBACKEND"}
        }
        self.env["PATH"] = os.pathsep.join([str(self.venv / "bin"), self.env.get("PATH", "")])
        self.env["JUPYTER_DATA_DIR"] = str(root / "jupyter-data")  # no kernels of this machine
        self.env["JUPYTER_PLATFORM_DIRS"] = "1"
        constraints = root / "constraints.txt"
        constraints.write_text("\n".join(pins(*PIN_GROUPS)) + "\n", encoding="utf-8")
        self.run(self.python, "-m", "pip", "--disable-pip-version-check", "-q",
                 *install_command(notebook), pin_of("nbclient"), pin_of("ipykernel"),
                 "-c", constraints)  # fmt: skip
        self.driver = root / "driver.py"
        self.driver.write_text(DRIVER, encoding="utf-8")

    def run(self, *command: str | Path) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(part) for part in command], cwd=self.work, env=self.env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{result.stdout}"
        return result

    def execute(self, notebook: Path) -> list[dict[str, Any]]:
        """Run the notebook, as downloaded, in the venv's kernel; the executed cells."""
        name = notebook.name.replace(".ipynb", f"-{notebook.parent.name}.ipynb")
        downloaded = self.work / name
        shutil.copy2(notebook, downloaded)
        executed = self.root / f"executed-{name}"
        self.run(self.python, self.driver, downloaded, executed, PROBE)
        return cells_of(executed)


@pytest.fixture(scope="session")
def reader(tmp_path_factory: pytest.TempPathFactory, site_dir: Path, wheel: Path) -> Reader:
    """One fresh environment per test session, made the way the first cell says."""
    return Reader(tmp_path_factory.mktemp("notebooks"), wheel, notebook_of(site_dir, CHAPTERS[0]))


@pytest.mark.notebooks
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_downloaded_notebook_runs_in_a_fresh_venv(
    chapter: str, site_dir: Path, reader: Reader, record_property: Any
) -> None:
    started = time.monotonic()
    cells = reader.execute(notebook_of(site_dir, chapter))
    record_property("seconds", round(time.monotonic() - started, 1))
    probe = "".join(text_of(o) for o in cells[-1]["outputs"] if o["output_type"] == "stream")
    prefix, module, _ = probe.splitlines()
    venv = reader.venv.resolve()
    assert Path(prefix).resolve() == venv, f"the kernel ran in {prefix}, not the venv"
    assert Path(module).resolve().is_relative_to(venv), (
        f"minitorch_lite came from {module}, not from the wheel installed in the venv"
    )
    for index, cell in enumerate(cells):
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        if errors and "raises-exception" not in cell["metadata"].get("tags", []):
            pytest.fail(f"{chapter}.ipynb cell {index} raised {errors[0]['ename']}")


# ----- the converter on small notebooks (no site needed) -------------------------------------
WHEEL = "minitorch_lite-0.1.0-py3-none-any.whl"
TARGETS = {
    ("doc", "autodiff/scalars"): ("autodiff/scalars.html", "Scalars"),
    ("term", "leaf"): ("glossary.html#term-leaf", "leaf"),
    ("ref", "my-label"): ("autodiff/scalars.html#my-label", "A section"),
    ("py:class", "minitorch_lite.Scalar"): ("api.html#minitorch_lite.Scalar", "`Scalar`"),
}


def context(
    glued: dict[str, dict[str, Any]] | None = None, docname: str = "autodiff/chain-rule"
) -> notebook_markdown.Context:
    """A page's conversion context with a few known targets and glued values."""
    folder = docname.rpartition("/")[0]

    def href(name: str, target: str) -> tuple[str, str] | None:
        if name == "doc":
            target = posixpath.normpath(posixpath.join(folder, target))
        if name in ("deck", "chapter"):
            path = ("slides/" if name == "deck" else "") + f"{target}.html"
            return notebook_markdown.site_href(docname, path), target
        if name == "wheel":
            url = notebook_markdown.site_href(docname, f"_downloads/{WHEEL}")
            return url, f"`{WHEEL}`" if target == "file" else target
        if name == "eq":
            return "", f"({target})"
        found = TARGETS.get((name, target))
        if found is None:
            return None
        return notebook_markdown.site_href(docname, found[0]), found[1]

    return notebook_markdown.Context(
        docname=docname,
        href=href,
        glue=lambda doc, key: (glued or {}).get(f"{doc}::{key}"),
        literalinclude=lambda path, options: f"# {path} {options.get('pyobject', '')}",
        source_dir=REPO / "book" / folder,
    )


def convert(text: str, **kwargs: Any) -> str:
    return notebook_markdown.convert_markdown(text, context(**kwargs))


def test_roles_become_links_to_the_hosted_pages() -> None:
    text = convert(
        "See {doc}`scalars`, a {term}`leaf`, {term}`leaves <leaf>`, {ref}`my-label`, "
        "{py:class}`minitorch_lite.Scalar`, {deck}`the deck <autodiff>` and "
        "{chapter}`autodiff/scalars`; the wheel {wheel}`file`; $x$ and {math}`y^2`."
    )
    assert text == (
        "See [Scalars](../../autodiff/scalars.html), a [leaf](../../glossary.html#term-leaf), "
        "[leaves](../../glossary.html#term-leaf), [A section](../../autodiff/scalars.html"
        "#my-label), [`Scalar`](../../api.html#minitorch_lite.Scalar), [the deck]"
        "(../../slides/autodiff.html) and [autodiff/scalars](../../autodiff/scalars.html); "
        f"the wheel [`{WHEEL}`](../../_downloads/{WHEEL}); $x$ and $y^2$."
    )


def test_unknown_targets_are_reported_and_shown_as_text() -> None:
    ctx = context()
    text = notebook_markdown.convert_markdown("a {term}`nothing` and {abbr}`CPU (x)`", ctx)
    assert text == "a nothing and CPU"
    assert ctx.unknown == ["{term}`nothing`"]


def test_glue_roles_become_the_computed_values() -> None:
    glued = {
        "autodiff/chain-rule::loss": {"text/plain": "0.6931471805599453"},
        "autodiff/chain-rule::name": {"text/plain": "'Mul'"},
        "autodiff/chain-rule::caption": {
            "text/markdown": "It sends {term}`leaf` $d$",
            "text/plain": "<Markdown>",
        },
        "derivatives/numerical::eps": {"text/plain": "1e-06"},
    }
    text = convert(
        "loss {glue:text}`loss:.3f`, {glue:text}`loss`, {glue}`name`, {glue:}`name`; "
        "{glue:md}`caption`; {glue:text}`../derivatives/numerical::eps:g`; "
        "code `{glue:text}`x`` stays.",
        glued=glued,
    )
    assert text == (
        "loss 0.693, 0.6931471805599453, Mul, Mul; It sends "
        "[leaf](../../glossary.html#term-leaf) $d$; 1e-06; code `{glue:text}`x`` stays."
    )


def test_directives_become_markdown() -> None:
    png = "iVBORw0KGgo="
    ctx = context(glued={"autodiff/chain-rule::fig": {"image/png": png, "text/plain": "<F>"}})
    text = notebook_markdown.convert_markdown(
        "(my-label)=\n"
        "```{tip}\nA {term}`leaf`.\n```\n\n"
        ":::{dropdown} Answer\n:color: info\nIt is **3**.\n:::\n\n"
        "::::{tab-set}\n:::{tab-item} One\nfirst\n:::\n:::{tab-item} Two\nsecond\n:::\n::::\n\n"
        '```{glue:figure} fig\n:alt: "A figure"\n\nIts caption.\n```\n\n'
        '1. Run\n\n   ```{wheel-commands}\n   pip install "{wheel}[plots]"\n   ```\n\n'
        "```{literalinclude} ../../minitorch_lite/autodiff.py\n:pyobject: backpropagate\n```\n\n"
        "```{math}\na = b\n```\n\n"
        "```{toctree}\nscalars\n```\n"
        "```python\n{doc}`kept in code`\n```",
        ctx,
    )
    assert text == (
        "> **Tip**\n>\n> A [leaf](../../glossary.html#term-leaf).\n\n"
        "<details>\n<summary>Answer</summary>\n\nIt is **3**.\n\n</details>\n\n"
        "**One**\n\nfirst\n\n**Two**\n\nsecond\n\n"
        "![A figure](attachment:fig.png)\n\nIts caption.\n\n"
        f'1. Run\n\n   ```sh\n   pip install "{WHEEL}[plots]"\n   ```\n\n'
        "```python\n# ../../minitorch_lite/autodiff.py backpropagate\n```\n\n"
        "$$\na = b\n$$\n\n"
        "```python\n{doc}`kept in code`\n```"
    )
    assert ctx.attachments == {"fig.png": {"image/png": png}}
    assert not myst_left_in(text)


def test_glue_and_hidden_cells_in_a_notebook() -> None:
    """glue runs without myst-nb; hidden cells stay (later cells may need them), collapsed."""
    glue_cell = nbformat.v4.new_code_cell(
        "if True:\n    from myst_nb import glue\n    glue('a', 1)"
    )
    glue_cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"application/papermill.record/text/plain": "1"},
            metadata={"scrapbook": {"name": "a", "mime_prefix": "application/papermill.record/"}},
        ),
        nbformat.v4.new_output(
            "display_data",
            data={"text/plain": "2"},
            metadata={"scrapbook": {"name": "b", "mime_prefix": ""}},
        ),
    ]
    glue_cell.metadata["tags"] = ["remove-cell"]
    shown = nbformat.v4.new_code_cell("plot()")
    shown.metadata["tags"] = ["remove-input"]
    removed_text = nbformat.v4.new_markdown_cell("Only for the build")
    removed_text.metadata["tags"] = ["remove-cell"]
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("{doc}`scalars`"), glue_cell, shown, removed_text]
    )
    result = notebook_download.download_notebook(notebook, WHEEL, "T", "", context())
    _, _, text, code, plot = result.cells
    assert text.source == "[Scalars](../../autodiff/scalars.html)"
    assert "myst_nb" not in code.source and "    def glue(name, value, display=True):" in (
        code.source
    )
    assert [o.data for o in code.outputs] == [{"text/plain": "2"}]
    assert code.metadata.jupyter == {"source_hidden": True, "outputs_hidden": True}
    assert plot.metadata.jupyter == {"source_hidden": True}
    namespace: dict[str, Any] = {}
    shown_values: list[Any] = []
    fallback = notebook_download.GLUE_FALLBACK.replace(
        "from IPython.display import display as show", "show = shown_values.append"
    )
    exec(fallback, {"shown_values": shown_values}, namespace)  # noqa: S102
    namespace["glue"]("a", 1, display=False)
    namespace["glue"]("b", 2)
    assert shown_values == [2]


def test_a_figure_travels_with_the_notebook() -> None:
    """A ``{figure}`` from the book's folder becomes an attachment: a download has no site."""
    ctx = context()
    text = notebook_markdown.convert_markdown(
        "```{figure} ../../_static/favicon.svg\n:alt: The icon\n\nThe site's {term}`leaf`.\n```",
        ctx,
    )
    assert text == (
        "![The icon](attachment:favicon.svg)\n\nThe site's [leaf](../../glossary.html#term-leaf)."
    )
    data = (REPO / "_static" / "favicon.svg").read_bytes()
    assert ctx.attachments == {"favicon.svg": {"image/svg+xml": base64.b64encode(data).decode()}}
