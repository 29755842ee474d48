"""Execute every stale notebook of the site (book and decks) in parallel, before Sphinx reads.

Sphinx runs a notebook while it reads the page, and how well that spreads over the cores
depends on how Sphinx cuts the pages into batches: here one batch held the slowest chapter
and most of the other slow ones, and the decks' builder reads one page at a time. So at
``env-before-read-docs`` of the book build this extension finds each page (``book/`` and
``slides/``) whose notebook is not in the execution cache, and runs them all in a pool of
one process per core, slowest first (by the seconds the last run took). Each worker goes
through myst-nb's own code (its reader and its caching client, with this build's
configuration), so the cache entries are exactly the ones myst-nb looks up when it reads
the page a moment later.

Nothing is skipped or trusted: a notebook that fails here is simply not cached, so Sphinx
runs it again while reading and reports the error as usual (the build fails).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("book", "slides")  # both builds' pages: one pool for all of them
SECONDS = ROOT / "_build" / "execution-seconds.json"  # how long each page took last time


class _QuietLogger:
    """The logger myst-nb's execution client expects, keeping only warnings (errors are
    reported again, with the page, when Sphinx reads it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.warnings: list[str] = []

    def info(self, msg: str, *args: Any, **kwargs: Any) -> None:
        pass

    debug = info

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self.warnings.append(msg)

    error = warning


def _read(path: Path, env: BuildEnvironment) -> Any:
    """The notebook of ``path`` as myst-nb's Sphinx parser makes it (None: not a notebook),
    with the notebook's own configuration."""
    from myst_nb.core.config import NbParserConfig
    from myst_nb.core.read import create_nb_reader

    text = path.read_text(encoding="utf-8")
    nb_config: NbParserConfig = env.mystnb_config
    reader = create_nb_reader(str(path), env.myst_config, nb_config, text)
    if reader is None:
        return None
    notebook = reader.read(text)
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    if kernel is not None and nb_config.kernel_rgx_aliases:
        import re

        for pattern, alias in nb_config.kernel_rgx_aliases.items():
            if re.fullmatch(pattern, kernel):
                notebook.metadata["kernelspec"]["name"] = alias
                break
    if nb_config.metadata_key in notebook.metadata:
        from myst_nb.core.utils import nb_node_to_dict

        overrides = nb_node_to_dict(notebook.metadata[nb_config.metadata_key])
        overrides.pop("output_folder", None)
        nb_config = nb_config.copy(**overrides)
    return notebook, nb_config, reader.read_fmt


def _is_cached(notebook: Any, nb_config: Any) -> bool:
    from jupyter_cache import get_cache

    try:
        get_cache(nb_config.execution_cache_path).match_cache_notebook(notebook)
    except KeyError:
        return False
    return True


_ENV: BuildEnvironment | None = None  # the workers' copy (they are forked)


def _execute(path: Path) -> tuple[str, float, list[str]]:
    """Worker: run one notebook through myst-nb's caching client (which caches it)."""
    from myst_nb.core.execute import create_client

    assert _ENV is not None
    notebook, nb_config, read_fmt = _read(path, _ENV)
    log = _QuietLogger(path)
    start = time.monotonic()
    try:
        with create_client(notebook, str(path), nb_config, log, read_fmt):
            pass
    except Exception as error:  # reported when Sphinx reads the page
        log.warnings.append(f"{type(error).__name__}: {error}")
    return str(path), time.monotonic() - start, log.warnings


def preexecute(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Execute the stale notebooks in a process pool, slowest first."""
    global _ENV
    if env.mystnb_config.execution_mode != "cache":
        return
    stale = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.md")):
            if any(part.startswith((".", "_")) for part in path.relative_to(ROOT).parts):
                continue
            read = _read(path, env)
            if read is not None and not _is_cached(read[0], read[1]):
                stale.append(path)
    if len(stale) < 2:
        return  # Sphinx runs a single page just as fast
    try:
        seconds = json.loads(SECONDS.read_text())
    except (OSError, ValueError):
        seconds = {}

    def last_time(path: Path) -> float:  # unknown pages: by size
        return seconds.get(path.relative_to(ROOT).as_posix(), path.stat().st_size / 1e4)

    stale.sort(key=last_time, reverse=True)
    workers = min(len(stale), os.cpu_count() or 1)
    logger.info(f"[preexecute] {len(stale)} notebooks in {workers} processes")
    start = time.monotonic()
    _ENV = env
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for path, took, warnings in pool.imap_unordered(_execute, stale):
            name = Path(path).relative_to(ROOT).as_posix()
            seconds[name] = round(took, 2)
            state = "failed (Sphinx reruns it and reports why)" if warnings else "done"
            logger.info(f"[preexecute] {name}: {took:.1f} s, {state}")
    _ENV = None
    logger.info(f"[preexecute] all in {time.monotonic() - start:.1f} s")
    SECONDS.parent.mkdir(parents=True, exist_ok=True)
    SECONDS.write_text(json.dumps(seconds, indent=1, sort_keys=True))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("env-before-read-docs", preexecute)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
