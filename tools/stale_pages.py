"""Sphinx extension: delete the output of pages whose source was removed or renamed.

Sphinx never deletes an output page, so a removed chapter stays in ``_build/html`` and in
every test that walks the site. Each build records the pages it owns (one per source
document) in its doctree folder; the next build deletes the recorded pages, and their
copied sources, that no longer have a document. Nothing it did not write is touched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)
RECORD = "pages-written.json"


def remove_stale_pages(app: Sphinx, exception: Exception | None) -> None:
    """Delete pages (and ``_sources`` copies) of documents that are gone."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.builder.outdir)
    record = Path(app.doctreedir) / RECORD
    previous: dict[str, str] = {}
    if record.is_file():
        previous = json.loads(record.read_text(encoding="utf-8"))
    current = {doc: app.builder.get_target_uri(doc) for doc in sorted(app.env.found_docs)}
    for doc, uri in previous.items():
        if doc in current or not uri:
            continue
        page = outdir / uri
        if page.is_file():
            logger.info("removing %s: its source is gone", page.relative_to(outdir))
            page.unlink()
        for source_copy in (outdir / "_sources").glob(f"{doc}.*"):
            source_copy.unlink()
    record.write_text(json.dumps(current, indent=1), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the handler."""
    app.connect("build-finished", remove_stale_pages)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
