"""Render a demo portal (HTML pages, RSS feeds, news sitemap, robots.txt) from its YAML data and templates.

Articles are data (`<portal>.yaml`) and each portal has one Jinja2 layout (`<portal>.html`). Pages carry absolute
URLs (canonical, hreflang, og:url, feed and sitemap links), so a site is rendered once its server knows its
address. Everything is rendered into memory; the server only looks resources up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2
import yaml

from newsmon.demo.portals.datelines import format_dateline, iso_local, parse_local, rfc822

PORTALS_DIR = Path(__file__).resolve().parent
PORTAL_NAMES = ("akimat", "gazeta", "agency")

HTML_UTF8 = "text/html; charset=utf-8"
# Legacy pages are sent as bare text/html: the <meta charset> in the page is the only declaration.
HTML_LEGACY = "text/html"
RSS = "application/rss+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Resource:
    """One response body with the validators conditional GET needs."""

    body: bytes
    content_type: str
    last_modified: datetime
    etag: str


@dataclass(frozen=True, slots=True)
class PortalSite:
    """A rendered portal: path -> resource, plus redirects (path -> target path)."""

    name: str
    base: str
    resources: Mapping[str, Resource]
    redirects: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class DemoArticle:
    """What a demo article page says, for tests and for the expected demo outcome."""

    portal: str
    id: str
    story: str
    lang: str
    path: str
    title: str
    paragraphs: tuple[str, ...]
    published: datetime | None
    encoding: str
    alternate: str | None
    # watch name -> word forms the body must contain
    mentions: Mapping[str, tuple[str, ...]]


def make_resource(body: bytes, content_type: str, last_modified: datetime) -> Resource:
    etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20] + '"'
    return Resource(body, content_type, last_modified, etag)


def read_portal(name: str) -> dict[str, Any]:
    """The portal's YAML data; a missing portal or a missing key is reported by name."""
    path = PORTALS_DIR / f"{name}.yaml"
    if name not in PORTAL_NAMES or not path.is_file():
        raise ValueError(f"unknown demo portal {name!r}; known: {', '.join(PORTAL_NAMES)}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("title", "dateline_style", "updated", "listings", "labels", "articles"):
        if key not in data:
            raise ValueError(f"{path.name}: missing key {key!r}")
    for entry in data["articles"]:
        for key in ("id", "story", "lang", "path", "title"):
            if key not in entry:
                raise ValueError(f"{path.name}: article {entry.get('id', '?')!r} has no {key!r}")
    return data


@lru_cache(maxsize=8)
def _text_file(name: str) -> tuple[str, ...]:
    text = (PORTALS_DIR / name).read_text(encoding="utf-8")
    return tuple(block.strip() for block in text.split("\n\n") if block.strip())


def article_paragraphs(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """Body paragraphs: inline, or a shared text file with an added intro and/or the last ones cut."""
    if "text_file" in entry:
        paragraphs = list(_text_file(entry["text_file"]))
        if entry.get("drop_last"):
            paragraphs = paragraphs[: -int(entry["drop_last"])]
    else:
        paragraphs = [str(p).strip() for p in entry.get("paragraphs", ())]
    if entry.get("intro"):
        paragraphs.insert(0, str(entry["intro"]).strip())
    if not paragraphs:
        raise ValueError(f"article {entry['id']!r} has no text")
    return tuple(paragraphs)


def demo_articles(portals: tuple[str, ...] = PORTAL_NAMES) -> list[DemoArticle]:
    """Every article of the demo portals, in listing order (newest first)."""
    found = []
    for name in portals:
        for entry in read_portal(name)["articles"]:
            published = entry.get("published")
            found.append(
                DemoArticle(
                    portal=name,
                    id=entry["id"],
                    story=entry["story"],
                    lang=entry["lang"],
                    path=entry["path"],
                    title=entry["title"],
                    paragraphs=article_paragraphs(entry),
                    published=parse_local(published) if published else None,
                    encoding=entry.get("encoding", "utf-8"),
                    alternate=entry.get("alternate"),
                    mentions=MappingProxyType(
                        {watch: tuple(forms) for watch, forms in (entry.get("mentions") or {}).items()}
                    ),
                )
            )
    return found


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PORTALS_DIR),
        autoescape=jinja2.select_autoescape(("html", "xml")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class _SiteBuilder:
    """Renders one portal for one base URL."""

    def __init__(self, name: str, base: str) -> None:
        self.name = name
        self.base = base.rstrip("/")
        self.data = read_portal(name)
        self.entries = {entry["id"]: entry for entry in self.data["articles"]}
        self.updated = parse_local(self.data["updated"])
        self.resources: dict[str, Resource] = {}

    def build(self) -> PortalSite:
        for entry in self.data["articles"]:
            self._add_article(entry)
        for listing in self.data["listings"]:
            self._add_listing(listing)
        for page in self.data.get("pages") or ():
            self._add_static_page(page)
        for feed in self.data.get("feeds") or ():
            self._add_feed(feed)
        if self.data.get("sitemap"):
            self._add_sitemap(self.data["sitemap"])
        self._add_robots()
        return PortalSite(
            name=self.name,
            base=self.base,
            resources=MappingProxyType(dict(self.resources)),
            redirects=MappingProxyType(dict(self.data.get("redirects") or {})),
        )

    # -- shared pieces -------------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base + path

    def published(self, entry: Mapping[str, Any]) -> datetime | None:
        return parse_local(entry["published"]) if entry.get("published") else None

    def dateline(self, entry: Mapping[str, Any]) -> str | None:
        moment = self.published(entry)
        if moment is None:
            return None
        style = entry.get("dateline") or self.data["dateline_style"][entry["lang"]]
        return format_dateline(moment, style)

    def site_title(self, lang: str) -> str:
        return self.data["title"].get(lang) or next(iter(self.data["title"].values()))

    def other_home(self, lang: str) -> str | None:
        """The home listing of the portal's other language, for the language switch."""
        for listing in self.data["listings"]:
            if listing["lang"] != lang:
                return listing["path"]
        return None

    def frame(self, lang: str, path: str, title: str) -> dict[str, Any]:
        """Context every page shares: head tags, labels, language switch."""
        return {
            "lang": lang,
            "encoding": "utf-8",
            "site_title": self.site_title(lang),
            "title_tag": f"{title} — {self.site_title(lang)}",
            "canonical": self.url(path),
            "alternates": [],
            "og": None,
            "description": None,
            "published_iso": None,
            "rel_prev": None,
            "rel_next": None,
            "switch_url": self.other_home(lang),
            "labels": self.data["labels"][lang],
            "feed": next((f["path"] for f in self.data.get("feeds") or () if f["lang"] == lang), None),
        }

    def render_html(self, page: dict[str, Any], last_modified: datetime) -> Resource:
        html = _environment().get_template(f"{self.name}.html").render(page=page)
        encoding = page["encoding"]
        content_type = HTML_UTF8 if encoding == "utf-8" else HTML_LEGACY
        return make_resource(html.encode(encoding), content_type, last_modified)

    def link(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        """How a listing, a related block or a feed shows an article."""
        return {
            "title": entry["title"],
            "href": entry["path"] + entry.get("link_query", ""),
            "url": self.url(entry["path"]),
            "dateline": self.dateline(entry),
            "teaser": entry.get("description"),
            "section": entry.get("section"),
            "published": self.published(entry),
        }

    # -- pages ---------------------------------------------------------------------------------------------

    def _add_article(self, entry: Mapping[str, Any]) -> None:
        lang = entry["lang"]
        page = self.frame(lang, entry["path"], entry["title"])
        published = self.published(entry)
        page.update(
            kind="article",
            encoding=entry.get("encoding", "utf-8"),
            description=entry.get("description"),
            headline=entry["title"],
            dateline=self.dateline(entry),
            author=entry.get("author"),
            section=entry.get("section"),
            paragraphs=article_paragraphs(entry),
            source_note=entry.get("source_note"),
            related=[self.link(self.entries[key]) for key in entry.get("related") or ()],
            comments=list(entry.get("comments") or ()),
        )
        if entry.get("alternate"):
            other = self.entries[entry["alternate"]]
            page["alternates"] = [(lang, self.url(entry["path"])), (other["lang"], self.url(other["path"]))]
            page["switch_url"] = other["path"]
        if entry.get("og", True):
            image = entry.get("image")
            page["og"] = {
                "type": "article",
                "title": entry.get("og_title", entry["title"]),
                "description": entry.get("description") or page["paragraphs"][0][:200],
                "image": self.url(image) if image else None,
            }
        if entry.get("meta_date") and published:
            page["published_iso"] = iso_local(published)
        self.resources[entry["path"]] = self.render_html(page, published or self.updated)

    def _listing_entries(self, listing: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        return [
            entry
            for entry in self.data["articles"]
            if entry["lang"] == listing["lang"]
            and ("section" not in listing or entry.get("section") == listing["section"])
        ]

    def _add_listing(self, listing: Mapping[str, Any]) -> None:
        entries = self._listing_entries(listing)
        per_page = int(listing.get("per_page", 10))
        chunks = [entries[i : i + per_page] for i in range(0, len(entries), per_page)] or [[]]
        if not listing.get("paginate"):
            chunks = chunks[:1]
        paths = [listing["path"]] + [f"{listing['path']}page/{n}/" for n in range(2, len(chunks) + 1)]
        for index, chunk in enumerate(chunks):
            title = listing["title"] if index == 0 else f"{listing['title']} — страница {index + 1}"
            page = self.frame(listing["lang"], paths[index], title)
            items = [self.link(entry) for entry in chunk]
            page.update(
                kind="listing",
                headline=listing["title"],
                entries=items,
                pages=[(n + 1, path, n == index) for n, path in enumerate(paths)] if len(paths) > 1 else [],
                rel_prev=paths[index - 1] if index > 0 else None,
                rel_next=paths[index + 1] if index + 1 < len(paths) else None,
            )
            dates = [item["published"] for item in items if item["published"]]
            self.resources[paths[index]] = self.render_html(page, max(dates, default=self.updated))

    def _add_static_page(self, spec: Mapping[str, Any]) -> None:
        page = self.frame(spec["lang"], spec["path"], spec["title"])
        page.update(kind="page", headline=spec["title"], paragraphs=list(spec["paragraphs"]))
        self.resources[spec["path"]] = self.render_html(page, self.updated)

    # -- machine-readable files ----------------------------------------------------------------------------

    def _dated(self) -> list[Mapping[str, Any]]:
        """Feeds and sitemaps list only articles with a date (they need one for every entry)."""
        return [entry for entry in self.data["articles"] if entry.get("published")]

    def _add_feed(self, feed: Mapping[str, Any]) -> None:
        entries = [entry for entry in self._dated() if entry["lang"] == feed["lang"]]
        items = [dict(self.link(entry), pub_date=rfc822(self.published(entry))) for entry in entries]
        newest = max((item["published"] for item in items), default=self.updated)
        template = _environment().get_template("rss.xml")
        xml = template.render(
            title=self.site_title(feed["lang"]),
            link=self.url(feed["home"]),
            self_url=self.url(feed["path"]),
            lang=feed["lang"],
            build_date=rfc822(newest),
            items=items,
        )
        self.resources[feed["path"]] = make_resource(xml.encode("utf-8"), RSS, newest)

    def _add_sitemap(self, path: str) -> None:
        items = [
            dict(self.link(entry), lang=entry["lang"], iso=iso_local(self.published(entry)))
            for entry in self._dated()
        ]
        newest = max((item["published"] for item in items), default=self.updated)
        xml = (
            _environment()
            .get_template("news-sitemap.xml")
            .render(publication=self.data["publication"], items=items)
        )
        self.resources[path] = make_resource(xml.encode("utf-8"), XML, newest)

    def _add_robots(self) -> None:
        lines = ["User-agent: *", "Allow: /", ""]
        if self.data.get("sitemap"):
            lines.append(f"Sitemap: {self.url(self.data['sitemap'])}")
        body = "\n".join(lines).rstrip("\n") + "\n"
        self.resources["/robots.txt"] = make_resource(body.encode("utf-8"), TEXT, self.updated)


def build_site(name: str, base: str) -> PortalSite:
    """Render portal `name` for the server at `base` (e.g. http://127.0.0.1:8123)."""
    return _SiteBuilder(name, base).build()
