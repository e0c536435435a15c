"""The offline demo portals: three sample sites served over HTTP on 127.0.0.1, one server (and port) per portal.

Each portal gets its own server so that it has its own host:port, its own robots.txt and its own root, as real
portals do. Pages are rendered once at start (they carry absolute URLs with the port) and served from memory
with ETag / Last-Modified validators: a repeated crawl sends If-None-Match / If-Modified-Since and gets 304.
`Cache-Control: no-cache` makes HTTP caches revalidate instead of trusting a heuristic freshness.

The windows-1251 page is sent as `Content-Type: text/html` without a charset: its `<meta charset>` decides.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from newsmon.demo.portals.site import PORTAL_NAMES, PortalSite, Resource, build_site
from newsmon.models import Source, Watch

logger = logging.getLogger(__name__)

SOURCES_FILE = Path(__file__).resolve().with_name("sources.yaml")
WATCHLIST_FILE = Path(__file__).resolve().with_name("watchlist.yaml")
LOOPBACK = "127.0.0.1"
SOURCE_PREFIX = "demo-"  # source "demo-akimat" is served by portal "akimat"
_TUPLE_FIELDS = ("languages", "feeds", "sitemaps", "listings", "article_patterns", "exclude_patterns")


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request a demo portal answered, so the demo can show what a crawl fetched (and what was a 304)."""

    portal: str
    method: str
    path: str
    status: int
    conditional: bool


class _PortalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, portal: str, journal: list[RequestRecord], lock: threading.Lock, port: int = 0
    ) -> None:
        super().__init__((LOOPBACK, port), _PortalHandler)
        self.portal = portal
        self.site: PortalSite | None = None
        self._journal = journal
        self._lock = lock

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.server_address[1]}"

    def record(self, entry: RequestRecord) -> None:
        with self._lock:
            self._journal.append(entry)


class _PortalHandler(BaseHTTPRequestHandler):
    server: _PortalServer
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 30  # an idle keep-alive connection ends its thread after this

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("demo %s: " + format, self.server.portal, *args)

    def _respond(self, send_body: bool) -> None:
        site = self.server.site
        path = unquote(urlsplit(self.path).path) or "/"
        resource = site.resources.get(path) if site else None
        target = None
        if resource is None:
            target, status = self._redirect_target(site, path)
        else:
            status = 304 if self._not_modified(resource) else 200
        # Recorded before answering, so a client that has its answer always finds the request in the journal.
        conditional = "If-None-Match" in self.headers or "If-Modified-Since" in self.headers
        self.server.record(RequestRecord(self.server.portal, self.command, path, status, conditional))
        if resource is None:
            self._send_redirect_or_404(target, status, send_body)
            return
        self.send_response(status)
        if status == 200:
            self.send_header("Content-Type", resource.content_type)
            self.send_header("Content-Length", str(len(resource.body)))
        self._send_validators(resource)
        self.end_headers()
        if status == 200 and send_body:
            self.wfile.write(resource.body)

    def _send_validators(self, resource: Resource) -> None:
        self.send_header("ETag", resource.etag)
        self.send_header(
            "Last-Modified", format_datetime(resource.last_modified.astimezone(UTC), usegmt=True)
        )
        self.send_header("Cache-Control", "no-cache")

    def _not_modified(self, resource: Resource) -> bool:
        """RFC 9110: If-None-Match wins over If-Modified-Since when both are sent."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
            return "*" in tags or resource.etag in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if not if_modified_since:
            return False
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return resource.last_modified.replace(microsecond=0) <= since

    @staticmethod
    def _redirect_target(site: PortalSite | None, path: str) -> tuple[str | None, int]:
        """Configured redirects (302), a missing trailing slash (301), else 404."""
        if site is None:
            return None, 404
        if path in site.redirects:
            return site.base + site.redirects[path], 302
        if not path.endswith("/") and path + "/" in site.resources:
            return site.base + path + "/", 301
        return None, 404

    def _send_redirect_or_404(self, target: str | None, status: int, send_body: bool) -> None:
        if target is not None:
            self.send_response(status)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = (
            b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>404</h1></body></html>"
        )
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class DemoPortals:
    """The three demo portals, each on its own free port of 127.0.0.1, served from background threads.

    Use as a context manager, or call `start()` and `stop()`. `sources()` gives the demo source definitions
    pointed at the running servers.
    """

    def __init__(self, preferred_ports: Mapping[str, int] | None = None) -> None:
        """`preferred_ports` (portal -> port) are tried first, so article URLs stay the same from run to run;
        a port that is taken falls back to a free one."""
        self._preferred = dict(preferred_ports or {})
        self._servers: dict[str, _PortalServer] = {}
        self._threads: list[threading.Thread] = []
        self._journal: list[RequestRecord] = []
        self._lock = threading.Lock()

    def start(self) -> dict[str, str]:
        """Start the servers (once) and return portal name -> base URL, e.g. {"akimat": "http://127.0.0.1:40123"}."""
        if self._servers:
            return self.urls
        try:
            for name in PORTAL_NAMES:
                server = self._bind(name)
                self._servers[name] = server
                server.site = build_site(name, server.base_url)
                thread = threading.Thread(
                    target=server.serve_forever, name=f"demo-portal-{name}", daemon=True
                )
                thread.start()
                self._threads.append(thread)
        except Exception:
            self.stop()
            raise
        logger.info("demo portals serving: %s", ", ".join(f"{k} {v}" for k, v in self.urls.items()))
        return self.urls

    def _bind(self, name: str) -> _PortalServer:
        port = self._preferred.get(name, 0)
        try:
            return _PortalServer(name, self._journal, self._lock, port)
        except OSError:
            if not port:
                raise
            logger.info("port %d for demo portal %s is taken; using a free one", port, name)
            return _PortalServer(name, self._journal, self._lock, 0)

    @property
    def ports(self) -> dict[str, int]:
        return {name: server.server_address[1] for name, server in self._servers.items()}

    def stop(self) -> None:
        """Stop every server; safe to call twice or after a failed start."""
        for server, thread in zip(list(self._servers.values()), self._threads, strict=False):
            if thread.is_alive():
                server.shutdown()
        for server in self._servers.values():
            server.server_close()
        self._servers.clear()
        self._threads.clear()

    @property
    def urls(self) -> dict[str, str]:
        return {name: server.base_url for name, server in self._servers.items()}

    @property
    def sites(self) -> dict[str, PortalSite]:
        """The rendered sites, for checks that want the served bytes without HTTP."""
        return {name: server.site for name, server in self._servers.items() if server.site}

    def requests(self) -> list[RequestRecord]:
        """Every request answered so far, oldest first."""
        with self._lock:
            return list(self._journal)

    def sources(self) -> list[Source]:
        """The three demo sources, pointed at the running servers."""
        if not self._servers:
            raise RuntimeError("the demo portals are not running: call start() first")
        return demo_sources(self.urls)

    def __enter__(self) -> DemoPortals:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _substitute(value: Any, base: str) -> Any:
    if isinstance(value, str):
        return value.replace("{base}", base)
    if isinstance(value, list):
        return [_substitute(item, base) for item in value]
    if isinstance(value, dict):
        return {key: _substitute(item, base) for key, item in value.items()}
    return value


def demo_sources(urls: Mapping[str, str], path: Path = SOURCES_FILE) -> list[Source]:
    """Source definitions from sources.yaml with `{base}` replaced by each portal's URL.

    Source "demo-<portal>" is served by portal "<portal>"; `urls` maps portal names to base URLs.
    """
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    known = {f.name for f in fields(Source)}
    found = []
    for entry in document.get("sources") or ():
        name = str(entry.get("name", ""))
        portal = name.removeprefix(SOURCE_PREFIX)
        if portal not in urls:
            raise ValueError(
                f"{path.name}: source {name!r} has no running portal {portal!r} (have {sorted(urls)})"
            )
        values = _substitute(dict(entry), urls[portal].rstrip("/"))
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"{path.name}: source {name!r} has unknown keys {sorted(unknown)}")
        for key in _TUPLE_FIELDS:
            if key in values:
                values[key] = tuple(values[key])
        if "selectors" in values:
            values["selectors"] = tuple(values["selectors"].items())
        values.setdefault("origin", str(path))
        found.append(Source(**values))
    return found


def demo_watches(path: Path = WATCHLIST_FILE) -> list[Watch]:
    """The sample watches of watchlist.yaml; ids are their position (storage assigns its own)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    known = {f.name for f in fields(Watch)} - {"id"}
    watches = []
    for number, entry in enumerate(document.get("watches") or (), start=1):
        unknown = set(entry) - known
        if unknown:
            raise ValueError(f"{path.name}: watch {entry.get('name')!r} has unknown keys {sorted(unknown)}")
        values = {key: tuple(value) if isinstance(value, list) else value for key, value in entry.items()}
        watches.append(Watch(id=number, **values))
    return watches
