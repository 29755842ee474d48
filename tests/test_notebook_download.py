"""A reader downloads a chapter notebook and the wheel from the built site, and runs it.

Everything comes from the built site (``_build/html``, or ``SITE_DIR``): the chapter
page's ``.ipynb`` download link, the notebook it points to, and the wheel the landing page
links. In a fresh virtual environment, the test does what the notebook's first cell says
(``pip install "<wheel>[plots]"``, with the wheel next to the notebook), adds nbclient
and ipykernel (pinned in pyproject.toml), and executes every cell in that environment's
kernel; only cells tagged ``raises-exception`` may raise. A last cell, added by the test,
checks that the kernel imported ``minitorch_lite`` from the wheel, not from this checkout.

It installs from PyPI and runs one chapter: about a minute. One notebook only.
"""

from __future__ import annotations

import html.parser
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHAPTER = "autodiff/scalars"  # plain cells, figures (the plots extra), raises-exception cells
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PIN_GROUPS = ("plots", "docs")  # matplotlib, nbclient and ipykernel are pinned there
PROBE = (
    "import sys, minitorch_lite, matplotlib\n"
    "print(sys.prefix)\nprint(minitorch_lite.__file__)\nprint(matplotlib.__version__)"
)


def site_root() -> Path:
    configured = os.environ.get("SITE_DIR")
    return Path(configured).resolve() if configured else REPO / "_build" / "html"


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


@pytest.fixture(scope="module")
def site() -> Path:
    root = site_root()
    if not (root / "index.html").is_file():
        pytest.fail(
            f"The site is not built: {root / 'index.html'} is missing. Run `nox -s build`.",
            pytrace=False,
        )
    return root


@pytest.fixture(scope="module")
def wheel(site: Path) -> Path:
    """The wheel the landing page links."""
    page = site / "index.html"
    hrefs = [href for href, _ in links_of(page) if href.split("#")[0].endswith(".whl")]
    assert hrefs, "the landing page links no wheel"
    path = resolve(site, page, hrefs[0])
    assert path.is_file(), f"the landing page links {hrefs[0]}, which the site lacks"
    return path


@pytest.fixture(scope="module")
def notebook(site: Path) -> Path:
    """The chapter's notebook, found through its page's download menu."""
    page = site / f"{CHAPTER}.html"
    hrefs = [href for href, cls in links_of(page) if href.endswith(".ipynb")]
    assert len(hrefs) == 1, f"{page.name}: expected one .ipynb download link, got {hrefs}"
    classes = dict(links_of(page))[hrefs[0]]
    assert "download-notebook-button" in classes, "the .ipynb link is not in the download menu"
    path = resolve(site, page, hrefs[0])
    assert path.is_file(), f"the download link {hrefs[0]} points to a missing file"
    return path


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


def test_first_cell_says_how_to_install(notebook: Path, wheel: Path) -> None:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    first = cells[0]
    text = "".join(first["source"])
    assert first["cell_type"] == "markdown"
    assert wheel.name in text, "the first cell does not name the wheel"
    assert f'pip install "{wheel.name}[plots]"' in text
    assert "".join(cells[1]["source"]) == f'%pip install "{wheel.name}[plots]"'
    code = [c for c in cells if c["cell_type"] == "code"]
    assert any(c["outputs"] for c in code), "the notebook has none of the book's outputs"


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


def text_of(output: dict) -> str:
    text = output.get("text", "")
    return "".join(text) if isinstance(text, list) else text


def install_command(notebook: Path) -> list[str]:
    """The pip arguments the notebook's first cell gives, e.g. ``install "x.whl[plots]"``."""
    text = "".join(json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]["source"])
    match = re.search(r'pip install "([^"]+)"', text)
    assert match, "no pip install command in the first cell"
    return ["install", match[1]]


def test_downloaded_notebook_runs_in_a_fresh_venv(
    tmp_path: Path, notebook: Path, wheel: Path
) -> None:
    work = tmp_path / "reader"
    work.mkdir()
    shutil.copy2(notebook, work / notebook.name)  # what the reader downloaded,
    shutil.copy2(wheel, work / wheel.name)  # side by side, as the first cell says
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "JUPYTER_PATH", "MPLBACKEND"}
    }
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-data")  # no kernels of this machine
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("\n".join(pins(*PIN_GROUPS)) + "\n", encoding="utf-8")

    def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(part) for part in command], cwd=work, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{result.stdout}"
        return result

    run(python, "-m", "pip", "--disable-pip-version-check", "-q", *install_command(notebook),
        pin_of("nbclient"), pin_of("ipykernel"), "-c", constraints)  # fmt: skip
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    executed = tmp_path / "executed.ipynb"
    run(python, driver, work / notebook.name, executed, PROBE)

    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    probe = "".join(text_of(o) for o in cells[-1]["outputs"] if o["output_type"] == "stream")
    prefix, module, _ = probe.splitlines()
    assert Path(prefix).resolve() == venv.resolve(), f"the kernel ran in {prefix}, not the venv"
    assert Path(module).resolve().is_relative_to(venv.resolve()), (
        f"minitorch_lite came from {module}, not from the wheel installed in the venv"
    )
    errors = [c for c in cells if any(o["output_type"] == "error" for o in c.get("outputs", []))]
    assert all("raises-exception" in c["metadata"].get("tags", []) for c in errors)
