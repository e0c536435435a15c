"""A loopback news portal for crawl tests: files from a fixture directory plus per-path behaviour.

`routes.yaml` in the portal directory maps a path (optionally with its query) to how it is served:
file, body, type, charset ("" = none), encoding (re-encode the UTF-8 fixture, e.g. cp1251), status,
redirect, delay (seconds), gzip_file (serve the gzipped bytes, as a .xml.gz file), compress
(Content-Encoding: gzip), size (pad to this many bytes), etag (default true; 304 on If-None-Match).
Paths without a route are served from files: `/` -> index.html, `/a/` -> a/index.html.
Text fixtures may use {{base}} (the server's URL) and {{rfc822:N}}, {{iso:N}}, {{date:N}}: N days ago.
Every request is recorded (path and headers) so tests can check what was and was not fetched.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

TYPES = {
    ".html": "text/html",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".txt": "text/plain",
    ".json": "application/json",
    ".js": "application/javascript",
    ".gz": "application/x-gzip",
    ".pdf": "application/pdf",
    ".png": "image/png",
}
_PLACEHOLDER = re.compile(r"\{\{(base|rfc822|iso|date)(?::(-?[\d.]+))?\}\}")


@dataclass
class Route:
    file: str | None = None
    body: str | None = None
    type: str | None = None
    charset: str | None = "utf-8"
    encoding: str = "utf-8"
    status: int = 200
    redirect: str | None = None
    delay: float = 0.0
    gzip_file: bool = False
    compress: bool = False
    size: int | None = None
    etag: bool = True
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    status: int


def _fill(text: str, base: str, now: datetime) -> str:
    def value(match: re.Match[str]) -> str:
        kind, days = match.group(1), float(match.group(2) or 0)
        when = now - timedelta(days=days)
        if kind == "base":
            return base
        if kind == "rfc822":
            return format_datetime(when)
        if kind == "iso":
            return when.replace(microsecond=0).isoformat()
        return when.date().isoformat()

    return _PLACEHOLDER.sub(value, text)


class PortalServer:
    """Serve one fixture portal on 127.0.0.1 at a free port, in a background thread."""

    def __init__(self, root: Path) -> None:
        self.root = root
        routes_file = root / "routes.yaml"
        raw = yaml.safe_load(routes_file.read_text(encoding="utf-8")) if routes_file.exists() else {}
        self.routes = {path: Route(**(spec or {})) for path, spec in (raw or {}).items()}
        self.hits: list[Hit] = []
        # One "now" per server, so that a page's bytes (and ETag) stay the same between two crawls.
        self.now = datetime.now(UTC).replace(microsecond=0)
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        # Clients that give up (timeouts, size caps) reset connections; that is expected here.
        self.httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def paths(self) -> list[str]:
        with self._lock:
            return [hit.path for hit in self.hits]

    def statuses(self, path: str) -> list[int]:
        with self._lock:
            return [hit.status for hit in self.hits if hit.path == path]

    # --- serving -------------------------------------------------------------------------------
    def _route(self, path: str) -> Route | None:
        if path in self.routes:
            return self.routes[path]
        bare = path.split("?", 1)[0]
        if bare in self.routes:
            return self.routes[bare]
        relative = bare.lstrip("/")
        candidates = [relative + "index.html"] if bare.endswith("/") else [relative, relative + ".html"]
        for candidate in candidates:
            target = (self.root / candidate).resolve()
            if target.is_file() and self.root.resolve() in target.parents and target.name != "routes.yaml":
                return Route(file=candidate)
        return None

    def _body(self, route: Route) -> bytes:
        if route.body is not None:
            text = route.body
        elif route.file:
            data = (self.root / route.file).read_bytes()
            if Path(route.file).suffix in (".pdf", ".png"):
                return data
            text = data.decode("utf-8")
        else:
            text = ""
        body = _fill(text, self.url, self.now).encode(route.encoding)
        if route.size and len(body) < route.size:
            body += b"<!-- " + b"x" * (route.size - len(body)) + b" -->"
        return gzip.compress(body) if route.gzip_file else body

    def _content_type(self, route: Route) -> str:
        kind = route.type or TYPES.get(Path(route.file or "x.html").suffix, "text/html")
        textual = kind.startswith("text/") or kind.endswith(("xml", "javascript", "json"))
        return f"{kind}; charset={route.charset}" if route.charset and textual else kind

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        route = self._route(handler.path)
        status, headers, body = self._answer(route, handler)
        with self._lock:
            self.hits.append(Hit(handler.path, dict(handler.headers.items()), status))
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)

    def _answer(
        self, route: Route | None, handler: BaseHTTPRequestHandler
    ) -> tuple[int, dict[str, str], bytes]:
        if route is None:
            return 404, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body>Not found</body></html>"
        if route.delay:
            time.sleep(route.delay)
        if route.redirect:
            return 302, {"Location": route.redirect}, b""
        body = self._body(route)
        headers = {"Content-Type": self._content_type(route), **route.headers}
        if route.etag and route.status == 200:
            tag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers["ETag"] = tag
            if handler.headers.get("If-None-Match") == tag:
                return 304, {"ETag": tag}, b""
        if route.compress:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        return route.status, headers, body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.respond(self)

            def do_HEAD(self) -> None:
                server.respond(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
