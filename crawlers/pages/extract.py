"""html + url -> Article: the generic article page.

Order of evidence per field: the source's own selectors, then JSON-LD, OpenGraph and meta tags, then
what the page shows (headline, byline, main text). Never raises on bad input: an empty, binary or broken
page yields an Article with warnings that say what was wrong.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree
from lxml import html as lxml_html
from trafilatura.utils import DOCTYPE_TAG, load_html

from crawlers.pages.content import clean_paragraphs, drop_heading_lines, main_text
from crawlers.pages.dates import parse_date, parse_date_by_rules, parse_iso
from crawlers.pages.encoding import decode_html
from crawlers.pages.fields import (
    clean_authors,
    find_authors,
    find_canonical,
    find_description,
    find_image,
    find_section,
    find_tags,
    find_title,
    site_keys,
    strip_site_name,
)
from crawlers.pages.kind import binary_kind, kind_of_page
from crawlers.pages.language import find_language
from crawlers.pages.metadata import PageMetadata, read_metadata
from crawlers.pages.page_dates import PageDates, find_dates
from crawlers.pages.selectors import remove_elements, select_fields
from crawlers.pages.zones import zone_for_url
from newsmon.models import Article, Source

logger = logging.getLogger(__name__)
# load_html logs an ERROR for input that is not HTML (a PDF, random bytes); such a page comes out empty
# and flagged (warnings `binary` / `empty`), so the log line only alarms whoever reads it.
logging.getLogger("trafilatura.utils").addFilter(lambda record: "parsed tree length" not in str(record.msg))

SHORT_TEXT_CHARS = 200
# What trafilatura's `load_html` removes before parsing (XML forbids them); a page holding any takes its path.
CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
# trafilatura's parser settings, told the encoding: a UTF-8 page is parsed from its bytes.
UTF8_PARSER = lxml_html.HTMLParser(
    collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
)
FUTURE_TOLERANCE_SECONDS = 2 * 86400


@dataclass(frozen=True)
class ParsedPage:
    """A decoded, parsed page and what it says about itself."""

    text: str
    tree: lxml_html.HtmlElement | None
    meta: PageMetadata | None
    binary: bool = False


def parse_page(html: str | bytes, headers_charset: str | None = None) -> ParsedPage:
    """Decode and parse once; every later step reads the same tree."""
    if not html or binary_kind(html):
        return ParsedPage("", None, None, binary=bool(html))
    codec = None
    if isinstance(html, str):
        text = html
    else:
        text, codec = decode_html(html, headers_charset)
    text = text.replace("\x00", "")
    try:
        tree = _parse_utf8(html, text) if codec == "utf-8" else None
        if tree is None:
            tree = load_html(text) if text.strip() else None
    except Exception:  # lxml raises several types on garbage; the page is then simply empty
        logger.debug("unparseable page", exc_info=True)
        tree = None
    if tree is None or not isinstance(tree, lxml_html.HtmlElement):
        return ParsedPage(text, None, None)
    return ParsedPage(text, tree, None)


def _parse_utf8(data: bytes, text: str) -> lxml_html.HtmlElement | None:
    """The tree trafilatura's `load_html` makes of `text`, parsed from its UTF-8 bytes: libxml2 reads those
    in half the time it takes over a Python string. None where `load_html` would first repair the markup
    (control characters, an XHTML doctype, a self-closing <html/>), reject it, or libxml2 refuses the bytes:
    `load_html` then parses `text`."""
    if (
        len(data.translate(None, CONTROL_BYTES)) != len(data)
        or b"\xef\xbf\xbe" in data
        or b"\xef\xbf\xbf" in data
    ):
        return None
    head = text[:4096]
    beginning = head[:50].lower()
    if "html" not in beginning or ("doctype" in beginning and DOCTYPE_TAG.match(head.partition("\n")[0])):
        return None
    if any("<html" in line and line.endswith("/>") for line in head.splitlines()[:4]):
        return None
    try:
        tree = lxml_html.fromstring(data, parser=UTF8_PARSER)
    except (etree.LxmlError, ValueError):  # `load_html` has fallbacks of its own for what libxml2 refuses
        return None
    return tree if tree is not None and len(tree) else None


def extract_article(
    html: str | bytes,
    url: str,
    *,
    source: Source | None = None,
    headers_charset: str | None = None,
    now: datetime | None = None,
) -> Article:
    """Extract one article from a page; problems are reported in `Article.warnings`, never raised."""
    page = parse_page(html, headers_charset)
    if page.tree is None:
        reason = "binary" if page.binary else "empty"
        return Article(
            url=url,
            text="",
            source=source.name if source else None,
            warnings=(reason, "not_article", "no_title", "no_date", "short_text"),
        )
    try:
        return _extract_from_tree(page.tree, url, source, now, page.text)
    except Exception:  # one bad page must never stop a crawl; say so and keep the URL
        logger.exception("extraction failed on %s", url)
        return Article(
            url=url,
            text="",
            source=source.name if source else None,
            warnings=("extract_failed", "no_title", "no_date", "short_text"),
        )


def _extract_from_tree(
    tree: lxml_html.HtmlElement, url: str, source: Source | None, now: datetime | None, markup: str
) -> Article:
    selectors = source.selector_map if source else {}
    tz = source.timezone if source else zone_for_url(url)
    languages = tuple(source.languages) if source and source.languages else ("ru", "kk")
    meta = read_metadata(tree, url, markup)
    selector_errors: list[str] = []
    picked = select_fields(tree, selectors, selector_errors)
    for error in selector_errors:
        logger.error("source %s: %s", source.name if source else "-", error)
    remove_elements(tree, selectors)
    text = clean_paragraphs("\n".join(picked["text"])) if "text" in picked else main_text(tree, url, meta)
    title = _first(picked, "title") or find_title(tree, meta, url)
    if title and "title" not in picked:
        title = (
            strip_site_name(title, meta.first("og:site_name") or "", url)
            if title == meta.title_tag
            else title
        )
    text = drop_heading_lines(text, title, lambda line: parse_date_by_rules(line, tz=tz, now=now) is not None)
    dates = _selected_dates(picked, tz, now, languages) or find_dates(
        tree, url, meta, tz=tz, now=now, languages=(*languages, _lang_hint(meta))
    )
    language = find_language(text, title, meta)
    kind = kind_of_page(tree, url, meta, text)
    warnings = _warnings(title, text, dates, kind, now) + (("bad_selector",) if selector_errors else ())
    return Article(
        url=url,
        text=text,
        title=title,
        canonical_url=find_canonical(meta, url),
        description=_first(picked, "description") or find_description(meta),
        authors=(
            clean_authors(picked["authors"], site_keys(meta, url))
            if "authors" in picked
            else find_authors(tree, meta, url, text)
        ),
        published=dates.published,
        updated=dates.updated,
        language=language,
        image=_first(picked, "image") or find_image(meta, url),
        tags=tuple(picked["tags"]) if "tags" in picked else find_tags(tree, meta),
        section=_first(picked, "section") or find_section(meta),
        source=source.name if source else None,
        alternates=tuple(meta.alternates),
        date_source=dates.source,
        warnings=warnings,
    )


def _first(picked: dict[str, list[str]], field: str) -> str | None:
    values = picked.get(field)
    return values[0] if values else None


def _lang_hint(meta: PageMetadata) -> str:
    return (meta.html_lang or "en").split("-")[0].lower()


def _selected_dates(
    picked: dict[str, list[str]], tz: str, now: datetime | None, languages: tuple[str, ...]
) -> PageDates | None:
    def parse(field: str) -> datetime | None:
        for value in picked.get(field, ()):
            found = parse_iso(value, tz) or parse_date(value, tz=tz, now=now, languages=languages)
            if found:
                return found
        return None

    published = parse("published")
    return PageDates(published, parse("updated"), "selector") if published else None


def _warnings(
    title: str | None, text: str, dates: PageDates, kind: str, now: datetime | None
) -> tuple[str, ...]:
    warnings = []
    if kind != "article":
        warnings.append("not_article")
    if not title:
        warnings.append("no_title")
    if dates.published is None:
        warnings.append("no_date")
    elif (dates.published - (now or datetime.now(UTC))).total_seconds() > FUTURE_TOLERANCE_SECONDS:
        warnings.append("future_date")
    if len(text) < SHORT_TEXT_CHARS:
        warnings.append("short_text")
    return tuple(warnings)


def page_kind(html: str | bytes, url: str) -> str:
    """ "article", or why the page is not one: "index", "tag", "contacts", "search", "empty", "binary"."""
    page = parse_page(html)
    if page.binary:
        return "binary"
    if page.tree is None:
        return "empty"
    try:
        meta = read_metadata(page.tree, url, page.text)
        return kind_of_page(page.tree, url, meta, main_text(page.tree, url, meta))
    except Exception:  # a broken page is no article, and classifying it must not raise
        logger.exception("classifying failed on %s", url)
        return "empty"
