"""Publication and update dates of a page, by order of evidence.

JSON-LD, then meta tags, then <time datetime> and byline text near the headline, then htmldate on the
page and its URL. Nothing found means None: the fetch time is never used as a publication date.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from lxml import html as lxml_html

from crawlers.pages.dates import (
    is_date_only,
    names_its_year,
    parse_date,
    parse_iso,
    split_iso,
    to_utc,
    zone,
)
from crawlers.pages.metadata import PageMetadata, jsonld_text
from crawlers.pages.xpath import xpath

logger = logging.getLogger(__name__)

PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "published_time",
    "datepublished",
    "article.published",
    "article_date_original",
    "publication_date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "date_published",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "citation_publication_date",
    "citation_date",
    "parsely-pub-date",
    "sailthru.date",
    "cxenseparse:recs:publishtime",
    "vr:published_time",
    "mediator_published_time",
    "dateCreated".lower(),
    "date",
    "created",
    "og:pubdate",
    "article:published",
)
UPDATED_META = (
    "article:modified_time",
    "og:updated_time",
    "og:article:modified_time",
    "datemodified",
    "modified_time",
    "dc.date.modified",
    "dcterms.modified",
    "last-modified",
)
BYLINE_CLASS_RE = re.compile(
    r"date|time|publish|posted|created|byline|meta|info|stamp|когда|data|kun|uaqyt", re.IGNORECASE
)
ISO_START_RE = re.compile(r"\s*\d{4}-\d{2}-\d{2}")
MODIFIED_WORDS_RE = re.compile(r"обновлен|изменен|жаңартыл|updated|modified|aktualisiert|mis à jour", re.I)


@dataclass(frozen=True)
class PageDates:
    published: datetime | None
    updated: datetime | None
    source: (
        str | None
    )  # "jsonld", "meta", "time", "text", "htmldate", "selector"; "jsonld+text": the day from
    # the machine-readable date, the time of day from the byline


def find_dates(
    tree: lxml_html.HtmlElement,
    url: str,
    meta: PageMetadata,
    *,
    tz: str,
    now: datetime | None,
    languages: tuple[str, ...],
) -> PageDates:
    """Published and updated instants (UTC) with where the published one came from."""
    iso_tz = page_zone(tree, meta, tz)
    updated = _metadata_date(meta, UPDATED_META, "dateModified", iso_tz)
    jsonld_value = jsonld_text(meta.jsonld.get("datePublished") or meta.jsonld.get("dateCreated"))
    machine = None
    if jsonld_value and (
        found := parse_iso(jsonld_value, iso_tz) or parse_date(jsonld_value, tz=tz, now=now)
    ):
        machine = PageDates(found, updated, "jsonld")
    elif found := _metadata_date(meta, PUBLISHED_META, None, iso_tz):
        machine = PageDates(found, updated, "meta")
    elif meta.mentions("datetime", any_case=True) and (found := _time_element(tree, iso_tz)):
        machine = PageDates(found, updated, "time")
    if machine is not None:
        return _with_time_of_day(machine, tree, iso_tz, now, languages)
    if byline := _byline(tree, tz=tz, now=now, languages=languages):
        found, text = byline
        if not names_its_year(text):
            reference = updated or url_date(url, tz) or _htmldate(tree, url, tz, True)
            found = with_nearest_year(found, reference, tz)
        return PageDates(found, updated, "text")
    if found := url_date(url, tz):
        return PageDates(found, updated, "url")
    if found := _htmldate(tree, url, tz):
        return PageDates(found, updated, "htmldate")
    return PageDates(None, updated, None)


def _with_time_of_day(
    dates: PageDates, tree: lxml_html.HtmlElement, tz: str, now: datetime | None, languages: tuple[str, ...]
) -> PageDates:
    """A machine-readable date that gives only the day («2020-10-15», read as local midnight) takes its time
    from the byline when the byline prints the same day with one («15.10.2020 21:55»)."""
    assert dates.published is not None
    local = dates.published.astimezone(zone(tz))
    if (local.hour, local.minute, local.second) != (0, 0, 0):
        return dates
    byline = _byline(tree, tz=tz, now=now, languages=languages)
    if byline is None or byline[0].astimezone(zone(tz)).date() != local.date():
        return dates
    return PageDates(byline[0], dates.updated, f"{dates.source}+text")


def page_zone(tree: lxml_html.HtmlElement, meta: PageMetadata, tz: str) -> str:
    """The zone for ISO dates the page writes without an offset.

    The page's other machine-readable dates show the publisher's offset. When they agree with the
    source's zone, that zone is kept (it knows past offset changes); when they do not (a foreign portal
    read with the default zone), the offset the page writes most often is used.
    """
    offsets: Counter[timedelta] = Counter()
    consistent = True
    for value in _machine_dates(tree, meta):
        found = split_iso(value)
        if found is None or found[1] is None:
            continue
        written = found[0].utcoffset()
        if written is None:
            continue
        offsets[written] += 1
        consistent = consistent and zone(tz).utcoffset(found[0].replace(tzinfo=None)) == written
    if not offsets or consistent:
        return tz
    offset = offsets.most_common(1)[0][0]
    minutes = int(offset.total_seconds()) // 60
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _machine_dates(tree: lxml_html.HtmlElement, meta: PageMetadata) -> list[str]:
    values = [
        text
        for key in ("datePublished", "dateModified", "dateCreated")
        if (text := jsonld_text(meta.jsonld.get(key)))
    ]
    values += [value for value in meta.all(*PUBLISHED_META, *UPDATED_META) if ISO_START_RE.match(value)]
    if not meta.mentions("datetime", any_case=True):
        return values
    return values + [str(value) for value in xpath("//time/@datetime")(tree)[:20]]


def with_nearest_year(found: datetime, reference: datetime | None, tz: str) -> datetime:
    """A date printed without its year («24 June»), moved to the year that puts it nearest to the
    page's other evidence of its age (a modified date, a date in the URL or elsewhere on the page).
    The year changes on the local wall clock, so the zone's offset of that year applies."""
    if reference is None:
        return found
    local = found.astimezone(zone(tz)).replace(tzinfo=None)
    candidates = []
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidates.append(to_utc(local.replace(year=year), tz))
        except ValueError:  # 29 February
            continue
    return min(candidates, key=lambda value: abs(value - reference), default=found)


def _metadata_date(
    meta: PageMetadata, keys: tuple[str, ...], jsonld_key: str | None, tz: str
) -> datetime | None:
    if jsonld_key and (value := jsonld_text(meta.jsonld.get(jsonld_key))):
        found = parse_iso(value, tz)
        if found:
            return found
    for value in meta.all(*keys):
        found = parse_iso(value, tz) if ISO_START_RE.match(value) else parse_date(value, tz=tz)
        if found:
            return found
    return None


def _time_element(tree: lxml_html.HtmlElement, tz: str) -> datetime | None:
    """A <time datetime> in the article header (the first one near the headline, else a pubdate one)."""
    for element in _near_headline(tree, "time[@datetime]") + xpath(
        "//time[@pubdate][@datetime]|//time[@itemprop='datePublished'][@datetime]"
    )(tree):
        if MODIFIED_WORDS_RE.search(_context_of(element)):
            continue
        value = element.get("datetime", "")
        found = parse_iso(value, tz)
        if found:
            return found
    return None


def byline_date(
    tree: lxml_html.HtmlElement, *, tz: str, now: datetime | None, languages: tuple[str, ...]
) -> datetime | None:
    """A date printed in a byline block near the headline («10 декабря 2024, 13:02», «Бүгін, 13:51»)."""
    found = _byline(tree, tz=tz, now=now, languages=languages)
    return found[0] if found else None


def _byline(
    tree: lxml_html.HtmlElement, *, tz: str, now: datetime | None, languages: tuple[str, ...]
) -> tuple[datetime, str] | None:
    for element in _near_headline(tree, "*[@class or @id]"):
        if not BYLINE_CLASS_RE.search(f"{element.get('class', '')} {element.get('id', '')}"):
            continue
        text = " ".join(element.text_content().split())
        if not 4 <= len(text) <= 120 or not re.search(r"\d", text):
            continue
        if MODIFIED_WORDS_RE.search(text) and not re.search(r"опубликован|жарияланды|published", text, re.I):
            continue
        found = parse_date(text, tz=tz, now=now, languages=languages)
        if found:
            return found, text
    return None


def _near_headline(tree: lxml_html.HtmlElement, path: str) -> list[lxml_html.HtmlElement]:
    """Elements matching the XPath step `path` inside the nearest few ancestors of the first h1, nearest first."""
    headlines = xpath("//h1")(tree)
    if not headlines:
        return xpath(f"//article//{path}")(tree)[:20]
    found: list[lxml_html.HtmlElement] = []
    node = headlines[0]
    for _level in range(5):
        parent = node.getparent()
        if parent is None or parent.tag in {"html"}:
            break
        for element in xpath(f".//{path}")(parent):
            if element not in found and not _in_other_item(element, parent) and not _in_teaser(element):
                found.append(element)
        node = parent
        if len(found) > 40:
            break
    return found


def _in_other_item(element: lxml_html.HtmlElement, stop: lxml_html.HtmlElement) -> bool:
    """True inside related-news lists, sidebars and comments (their dates are not the article's)."""
    node = element.getparent()
    while node is not None and node is not stop:
        marks = f"{node.tag} {node.get('class', '')} {node.get('id', '')}".lower()
        if re.search(
            r"related|aside|sidebar|comment|popular|latest|recommend|teaser|widget|footer|\bnav", marks
        ):
            return True
        node = node.getparent()
    return False


def _in_teaser(element: lxml_html.HtmlElement) -> bool:
    """True when a nearby ancestor holds a headline link of another article (a teaser card)."""
    node = element
    for _level in range(3):
        node = node.getparent()
        if node is None or xpath(".//h1")(node):
            return False
        if xpath(".//a[string-length(normalize-space()) > 30]")(node):
            return True
    return False


def _context_of(element: lxml_html.HtmlElement) -> str:
    parent = element.getparent()
    text = parent.text_content() if parent is not None else ""
    return " ".join(text.split())[:80]


URL_DATE_RE = re.compile(r"/((?:19|20)\d\d)[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|\D)")


def url_date(url: str, tz: str) -> datetime | None:
    """A day in the URL path (/2024/05/14/, /20110410/), as local midnight."""
    match = URL_DATE_RE.search(url)
    if not match:
        return None
    try:
        return to_utc(datetime(int(match.group(1)), int(match.group(2)), int(match.group(3))), tz)
    except ValueError:
        return None


def _htmldate(tree: lxml_html.HtmlElement, url: str, tz: str, extensive: bool = False) -> datetime | None:
    """htmldate's best original date (day level) as local midnight; None when it finds nothing."""
    from copy import copy

    from htmldate import find_date

    try:
        value = find_date(copy(tree), url=url, original_date=True, extensive_search=extensive)
    except Exception:  # htmldate may fail on odd trees; the date just stays unknown
        logger.debug("htmldate failed on %s", url, exc_info=True)
        return None
    if not value:
        return None
    return to_utc(datetime.fromisoformat(value), tz) if is_date_only(value) else parse_iso(value, tz)
