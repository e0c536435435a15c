"""What the links on a portal's page are: feeds, next pages, article pages.

Pure functions over parsel selectors and URLs, shared by the spiders and by `crawlers.discovery`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

from parsel import Selector
from w3lib.url import canonicalize_url

from newsmon.models import Source

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+xml"}
)
# Tried in this order when a home page names no feed.
COMMON_FEED_PATHS = ("/rss", "/feed/", "/rss.xml", "/feed")
LANGUAGE_SEGMENTS = frozenset({"ru", "kz", "kk", "en", "qz", "kaz", "rus", "eng"})
NOT_ARTICLE_SEGMENTS = frozenset(
    {
        "tag", "tags", "category", "categories", "rubric", "rubrics", "section", "author", "authors",
        "search", "contacts", "contact", "about", "page", "login", "register", "feed", "rss", "wp-admin",
        "wp-content", "wp-json", "wp-login.php", "subscribe", "advertising", "reklama", "privacy", "archive",
        "video-archive", "cdn-cgi", "static", "media", "upload", "uploads", "files", "sitemap",
    }
)  # fmt: skip
NOT_HTML_SUFFIXES = (
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".zip",
    ".rar", ".mp3", ".mp4", ".avi", ".xml", ".rss", ".css", ".js", ".json", ".ico",
)  # fmt: skip
# Section pages (category, rubric ...) are listings; contacts, tags, search and pagination are not.
LISTING_SEGMENTS = frozenset({"category", "categories", "rubric", "rubrics", "section", "archive"})
_DATE_IN_PATH = re.compile(r"/(19|20)\d\d[/-](0?[1-9]|1[0-2])([/-]|$)")
# A path that ends in a year, month or day is a date archive (/news/2026/, /news/2026/11/27/), not an article.
_DATE_ARCHIVE = re.compile(r"/(?:19|20)\d\d(?:[/-](?:0?[1-9]|1[0-2])(?:[/-](?:0?[1-9]|[12]\d|3[01]))?)?/?$")
_LONG_NUMBER = re.compile(r"\d{4,}")
_SLUG_WORD = re.compile(r"[-_]")
_PAGE_NUMBER = re.compile(r"(?:[?&](?:page|p|PAGEN_\d+)=(\d+))|(?:/page/(\d+)/?)")
_ID_QUERY = re.compile(r"^(p|id|news_id|article|nid)$")


def same_site(url: str, home: str) -> bool:
    """Same host as the home page, ignoring `www.`."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host == (urlsplit(home).hostname or "").removeprefix("www.")


def url_key(url: str) -> str:
    """The form in which two URLs of one page compare equal (fragment dropped, query sorted)."""
    return canonicalize_url(url)


def feed_links(selector: Selector, base_url: str) -> list[str]:
    """Feeds a page announces with <link rel="alternate" type="application/rss+xml">."""
    found: list[str] = []
    for link in selector.css("link[href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES:
            url = urljoin(base_url, link.attrib["href"].strip())
            if url not in found:
                found.append(url)
    return found


def page_number(url: str) -> int | None:
    """The page number a listing URL names (`?page=3`, `/page/3/`), if any."""
    match = _PAGE_NUMBER.search(url)
    if not match:
        return None
    return int(match.group(1) or match.group(2))


def next_page_link(selector: Selector, page_url: str) -> str | None:
    """The next listing page: rel=next first, else a link to page N+1 of this listing."""
    for href in selector.css("link[rel~=next]::attr(href), a[rel~=next]::attr(href)").getall():
        return urljoin(page_url, href.strip())
    current = page_number(page_url) or 1
    for href in selector.css("a::attr(href)").getall():
        url = urljoin(page_url, href.strip())
        if page_number(url) == current + 1 and same_site(url, page_url):
            return url
    return None


def looks_like_article(url: str) -> bool:
    """Guess from the URL alone whether it is an article page (no patterns defined for the source)."""
    parts = urlsplit(url)
    path = parts.path
    if path.lower().endswith(NOT_HTML_SUFFIXES):
        return False
    segments = [s for s in path.split("/") if s]
    if segments and segments[0].lower() in LANGUAGE_SEGMENTS:
        segments = segments[1:]
    if any(s.lower() in NOT_ARTICLE_SEGMENTS for s in segments):
        return False
    if any(_ID_QUERY.match(k) and v.isdigit() for k, v in parse_qsl(parts.query)):
        return True
    if not segments or _DATE_ARCHIVE.search(path):
        return False
    last = segments[-1].rsplit(".", 1)[0]
    if _DATE_IN_PATH.search(path) and len(segments) >= 3:
        return True
    if _LONG_NUMBER.search(last):
        return True
    return len(_SLUG_WORD.split(last)) >= 3 and len(last) >= 16


@dataclass(frozen=True, slots=True)
class ArticleLinkRule:
    """Which links of a source are article pages: its patterns, else the URL heuristics."""

    home: str
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def for_source(cls, source: Source) -> ArticleLinkRule:
        return cls(
            home=source.home,
            include=tuple(re.compile(p) for p in source.article_patterns),
            exclude=tuple(re.compile(p) for p in source.exclude_patterns),
        )

    def matches(self, url: str) -> bool:
        if not url.startswith(("http://", "https://")) or not same_site(url, self.home):
            return False
        if any(p.search(url) for p in self.exclude):
            return False
        if self.include:
            return any(p.search(url) for p in self.include)
        return looks_like_article(url)

    def links(self, selector: Selector, page_url: str) -> list[str]:
        """Article links on a page, in page order, each once."""
        seen: set[str] = set()
        found: list[str] = []
        for href in selector.css("a::attr(href)").getall():
            url = urljoin(page_url, href.strip()).split("#", 1)[0]
            key = url_key(url)
            if key not in seen and self.matches(url):
                seen.add(key)
                found.append(url)
        return found


def listing_candidates(selector: Selector, page_url: str, rule: ArticleLinkRule) -> list[str]:
    """Same-site section pages on a home page that link to articles: likely listing pages."""
    found: list[str] = []
    for href in selector.css("nav a::attr(href), header a::attr(href), .menu a::attr(href)").getall():
        url = urljoin(page_url, href.strip()).split("#", 1)[0]
        if url in found or not same_site(url, page_url) or rule.matches(url):
            continue
        path = urlsplit(url).path.lower()
        if url.rstrip("/") == page_url.rstrip("/") or path.endswith(NOT_HTML_SUFFIXES) or page_number(url):
            continue
        if any(s in NOT_ARTICLE_SEGMENTS - LISTING_SEGMENTS for s in path.split("/")):
            continue
        found.append(url)
    return found
