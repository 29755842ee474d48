"""A small static host for the built site: a sub-path, gzip for text types, 404s.

It serves a folder the way GitHub Pages or Netlify do for a project site: under a
sub-path (``http://127.0.0.1:PORT/minitorch-lite/``), gzip-encoded when the client
accepts it (HTML, CSS, JavaScript, JSON, SVG, WebAssembly...), ``index.html`` for a
folder, a redirect for a folder named without its slash, and 404 for anything missing
or outside the sub-path.
"""

from __future__ import annotations

import gzip
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

SUB_PATH = "/minitorch-lite/"

# Explicit types for what the site ships: mimetypes' table depends on the machine.
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".cjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".ipynb": "application/x-ipynb+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".wasm": "application/wasm",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".py": "text/x-python; charset=utf-8",
    ".inv": "application/octet-stream",
}
# What hosts compress: text, scripts, JSON, SVG, WebAssembly. Not images, fonts or zips.
COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/x-ipynb+json",
    "image/svg+xml",
    "application/wasm",
)


def content_type(path: Path) -> str:
    """The Content-Type a static host sends for ``path``."""
    suffix = path.suffix.lower()
    if suffix in TYPES:
        return TYPES[suffix]
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


@lru_cache(maxsize=4096)
def _gzipped(path: Path, mtime_ns: int, size: int) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


class SiteHandler(BaseHTTPRequestHandler):
    """GET/HEAD of files under ``server.root`` at ``SUB_PATH``."""

    server: SiteServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        self.server.log.append(format % args)

    def _not_found(self, body: bool) -> None:
        payload = b"<!doctype html><title>404 Not Found</title><h1>404 Not Found</h1>\n"
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body:
            self.wfile.write(payload)

    def _resolve(self, url_path: str) -> Path | str | None:
        """A file to serve, a redirect target (str), or None for 404."""
        if url_path + "/" == SUB_PATH:
            return SUB_PATH
        if not url_path.startswith(SUB_PATH):
            return None
        relative = url_path[len(SUB_PATH) :]
        root = self.server.root
        candidate = (root / relative).resolve()
        if candidate != root and root not in candidate.parents:
            return None
        if candidate.is_dir():
            if not url_path.endswith("/"):
                return url_path + "/"
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def _serve(self, body: bool) -> None:
        url_path = unquote(urlsplit(self.path).path)
        target = self._resolve(url_path)
        if target is None:
            self._not_found(body)
            return
        if isinstance(target, str):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        ctype = content_type(target)
        stat = target.stat()
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if self.server.gzip and accepts_gzip and ctype.startswith(COMPRESSIBLE):
            payload = _gzipped(target, stat.st_mtime_ns, stat.st_size)
            encoding: str | None = "gzip"
        else:
            payload = target.read_bytes()
            encoding = None
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "max-age=600")  # what GitHub Pages sends
        self.send_header("Vary", "Accept-Encoding")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.end_headers()
        if body:
            self.wfile.write(payload)


class SiteServer(ThreadingHTTPServer):
    """Serves ``root`` at ``SUB_PATH`` on 127.0.0.1 and a free port."""

    daemon_threads = True

    def __init__(self, root: Path, use_gzip: bool = True) -> None:
        super().__init__(("127.0.0.1", 0), SiteHandler)
        self.root = root.resolve()
        self.gzip = use_gzip
        self.log: list[str] = []


@dataclass(frozen=True)
class Site:
    """A running server: where it serves from and where its pages live."""

    root: Path
    base_url: str  # ends with SUB_PATH, e.g. http://127.0.0.1:41234/minitorch-lite/

    def url(self, relative: str) -> str:
        """The URL of a file given by its path relative to the site folder."""
        return self.base_url + relative.lstrip("/")


@contextmanager
def serve(root: Path, use_gzip: bool = True) -> Iterator[Site]:
    """Serve ``root`` in a background thread for the duration of the block."""
    server = SiteServer(root, use_gzip)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield Site(root=server.root, base_url=f"http://{host}:{port}{SUB_PATH}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
