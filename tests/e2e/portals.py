"""Live loopback portals whose feed, sitemap, listing or script-built list change when an article is published.

Each portal is its own HTTP server on 127.0.0.1 (its own host:port and robots.txt, as real portals have) and
serves everything from memory with ETag validators, so a repeated crawl gets 304 until something is published.
A portal discovers its articles one way only, so the discovery path of every article is known:
  feed      RSS 2.0 at /rss.xml (named in the source definition); the home page links no article
  sitemap   a sitemap at /sitemap.xml with lastmod; no feed, the home page links no article
  listing   a news list at /news/ (article links), no feed and no sitemap
  rendered  a page whose list is built by JavaScript from /api/news: only a browser sees the links
`publish` swaps the content under a lock and returns the instant the article became visible.
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

KINDS = ("feed", "sitemap", "listing", "rendered")
ALMATY = ZoneInfo("Asia/Almaty")

PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>{title} | {site}</title>
<meta property="og:title" content="{title}">
<meta property="og:type" content="article">
<meta property="article:published_time" content="{published}">
</head><body>
<header><div class="logo">{site}</div><nav>{nav}</nav></header>
<div class="cookie">{cookie} <button>OK</button></div>
<main><article><h1>{title}</h1><time datetime="{published}">{published_local}</time>
<div class="article-body">{body}</div></article>
<aside class="related"><h3>{related_title}</h3><ul>{related}</ul></aside></main>
<footer><p>{footer}</p></footer></body></html>
"""
APP_JS = """(async function () {
  const items = await (await fetch("/api/news")).json();
  const root = document.getElementById("root");
  root.innerHTML = "";
  for (const item of items) {
    const a = document.createElement("a");
    a.href = "/press/news/details/" + item.id;
    a.textContent = item.title;
    const h = document.createElement("h3");
    h.appendChild(a);
    root.appendChild(h);
  }
})();
"""
SHELL = (
    '<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>{site}</title></head>'
    '<body><div id="root"><p>Загрузка…</p></div><script src="/static/app.js"></script></body></html>'
)


@dataclass(frozen=True, slots=True)
class Look:
    """A portal's boilerplate: what surrounds every article and must not count as its text."""

    site: str
    nav: tuple[str, ...] = ("Главная", "Новости", "Общество", "Контакты")
    cookie: str = "Мы используем файлы cookie, чтобы сайт работал лучше."
    related_title: str = "Читайте также"
    footer: str = "Все права защищены. Перепечатка только со ссылкой на источник."


@dataclass(frozen=True, slots=True)
class Piece:
    """What a controller publishes: the article as its author wrote it."""

    slug: str
    title: str
    body: str  # paragraphs separated by blank lines
    lang: str = "ru"


@dataclass(frozen=True, slots=True)
class Published:
    portal: str
    kind: str
    url: str
    piece: Piece
    at: datetime  # the instant the portal's feed, sitemap or list first showed it


@dataclass
class _Resource:
    body: bytes
    content_type: str
    etag: str = field(init=False)

    def __post_init__(self) -> None:
        self.etag = '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'


@dataclass(frozen=True, slots=True)
class Hit:
    path: str
    status: int
    at: datetime


class LivePortal:
    """One portal on 127.0.0.1: starts empty (or with `history`), changes when `publish` is called."""

    def __init__(self, name: str, kind: str, look: Look, *, keep: int = 30) -> None:
        if kind not in KINDS:
            raise ValueError(f"portal kind {kind!r} is not one of {', '.join(KINDS)}")
        self.name, self.kind, self.look, self.keep = name, kind, look, keep
        self.articles: list[Published] = []
        self.hits: list[Hit] = []
        self._resources: dict[str, _Resource] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._rebuild_indexes()
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"portal-{name}", daemon=True)
        self._thread.start()

    # --- what a source definition says ----------------------------------------------------------
    def definition(self, schedule: str | None = None) -> dict[str, Any]:
        """The source definition of this portal, as a user would write it."""
        values: dict[str, Any] = {
            "name": self.name,
            "title": self.look.site,
            "home": f"{self.url}/",
            "languages": ["ru", "kk"],
            "region": "zhambyl",
        }
        if self.kind == "feed":
            values["feeds"] = [f"{self.url}/rss.xml"]
        elif self.kind == "sitemap":
            values["sitemaps"] = [f"{self.url}/sitemap.xml"]
        elif self.kind == "listing":
            values["listings"] = [f"{self.url}/news/"]
            values["article_patterns"] = ["/news/[\\w-]+\\.html$"]
        else:
            values.update(
                render=True,
                listings=[f"{self.url}/press/news"],
                article_patterns=["/press/news/details/\\d+$"],
            )
        if schedule:
            values["schedule"] = schedule
        return values

    # --- publishing -----------------------------------------------------------------------------
    def article_path(self, piece: Piece) -> str:
        if self.kind == "sitemap":
            return f"/{piece.lang}/articles/{piece.slug}"
        if self.kind == "rendered":
            return f"/press/news/details/{_numeric_id(piece.slug)}"
        return f"/news/{piece.slug}.html"

    def publish(self, piece: Piece, at: datetime | None = None) -> Published:
        """Make the article visible (page first, then the index that leads to it); returns when it was."""
        path = self.article_path(piece)
        with self._lock:  # no request sees the portal half-changed; `now` is when the change is visible
            stamp = at or datetime.now(UTC)
            self._resources[path] = _Resource(self._page(piece, stamp).encode(), "text/html; charset=utf-8")
            published = Published(self.name, self.kind, self.url + path, piece, stamp)
            self.articles.append(published)
            self._rebuild_indexes()
        return published

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # --- rendering ------------------------------------------------------------------------------
    def _page(self, piece: Piece, stamp: datetime) -> str:
        local = stamp.astimezone(ALMATY)
        related = "".join(
            f'<li><a href="{self.article_path(p.piece)}">{html.escape(p.piece.title)}</a></li>'
            for p in self.articles[-3:]
        )
        body = "".join(f"<p>{html.escape(p.strip())}</p>" for p in piece.body.split("\n\n") if p.strip())
        return PAGE.format(
            lang=piece.lang,
            title=html.escape(piece.title),
            site=html.escape(self.look.site),
            nav=" ".join(f'<a href="/">{html.escape(n)}</a>' for n in self.look.nav),
            cookie=html.escape(self.look.cookie),
            published=local.replace(microsecond=0).isoformat(),
            published_local=local.strftime("%d.%m.%Y, %H:%M"),
            body=body,
            related_title=html.escape(self.look.related_title),
            related=related,
            footer=html.escape(self.look.footer),
        )

    def _rebuild_indexes(self) -> None:
        recent = self.articles[-self.keep :][::-1]
        home = f"<!doctype html><html><head><title>{html.escape(self.look.site)}</title></head><body>"
        home += f"<h1>{html.escape(self.look.site)}</h1><p>{html.escape(self.look.footer)}</p></body></html>"
        self._resources["/"] = _Resource(home.encode(), "text/html; charset=utf-8")
        self._resources["/robots.txt"] = _Resource(b"User-agent: *\nAllow: /\n", "text/plain")
        if self.kind == "feed":
            self._resources["/rss.xml"] = _Resource(self._feed(recent).encode(), "application/rss+xml")
        elif self.kind == "sitemap":
            self._resources["/sitemap.xml"] = _Resource(self._sitemap(recent).encode(), "application/xml")
        elif self.kind == "listing":
            links = "".join(
                f'<li><a href="{self.article_path(p.piece)}">{html.escape(p.piece.title)}</a></li>'
                for p in recent
            )
            page = f"<!doctype html><html><body><h1>Новости</h1><ul class='news'>{links}</ul></body></html>"
            self._resources["/news/"] = _Resource(page.encode(), "text/html; charset=utf-8")
        else:
            items = [{"id": _numeric_id(p.piece.slug), "title": p.piece.title} for p in recent]
            self._resources["/api/news"] = _Resource(
                json.dumps(items, ensure_ascii=False).encode(), "application/json"
            )
            self._resources["/press/news"] = _Resource(
                SHELL.format(site=html.escape(self.look.site)).encode(), "text/html; charset=utf-8"
            )
            self._resources["/static/app.js"] = _Resource(APP_JS.encode(), "application/javascript")

    def _feed(self, recent: list[Published]) -> str:
        items = "".join(
            f"<item><title>{html.escape(p.piece.title)}</title><link>{p.url}</link>"
            f"<guid>{p.url}</guid><pubDate>{format_datetime(p.at.astimezone(UTC), usegmt=True)}</pubDate></item>"
            for p in recent
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{html.escape(self.look.site)}</title><link>{self.url}/</link>{items}</channel></rss>"
        )

    def _sitemap(self, recent: list[Published]) -> str:
        urls = "".join(
            f"<url><loc>{p.url}</loc><lastmod>{p.at.astimezone(UTC).replace(microsecond=0).isoformat()}"
            "</lastmod></url>"
            for p in recent
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        )

    # --- serving --------------------------------------------------------------------------------
    def answer(self, path: str, if_none_match: str | None) -> tuple[int, dict[str, str], bytes]:
        bare = path.split("?", 1)[0]
        with self._lock:
            resource = self._resources.get(bare)
            if resource is None:
                status, headers, body = 404, {"Content-Type": "text/html"}, b"<html><body>404</body></html>"
            elif if_none_match == resource.etag:
                status, headers, body = 304, {"ETag": resource.etag}, b""
            else:
                headers = {"Content-Type": resource.content_type, "ETag": resource.etag}
                status, body = 200, resource.body
            self.hits.append(Hit(bare, status, datetime.now(UTC)))
        return status, headers, body


def _numeric_id(slug: str) -> int:
    """Rendered portals name articles by number, as gov.kz does."""
    return 1000 + int(hashlib.sha1(slug.encode()).hexdigest()[:6], 16) % 900000


def _handler(portal: LivePortal) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            status, headers, body = portal.answer(self.path, self.headers.get("If-None-Match"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class PortalNetwork:
    """Several live portals; stops them all at the end."""

    def __init__(self) -> None:
        self.portals: dict[str, LivePortal] = {}

    def add(self, name: str, kind: str, look: Look) -> LivePortal:
        if name in self.portals:
            raise ValueError(f"portal {name!r} exists already")
        self.portals[name] = LivePortal(name, kind, look)
        return self.portals[name]

    def __getitem__(self, name: str) -> LivePortal:
        return self.portals[name]

    def published(self) -> list[Published]:
        return sorted((p for portal in self.portals.values() for p in portal.articles), key=lambda p: p.at)

    def seed(self, pieces: list[tuple[str, Piece]], age: timedelta = timedelta(days=1)) -> None:
        """Articles that were there before monitoring began (published `age` ago)."""
        for portal, piece in pieces:
            self.portals[portal].publish(piece, at=datetime.now(UTC) - age)

    def stop(self) -> None:
        for portal in self.portals.values():
            portal.stop()
