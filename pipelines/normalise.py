"""Normalise an article before deduplication: clean text, UTC dates with sanity flags, language, title.

The same function serves crawled and imported articles (`normalise_article`); the Scrapy pipeline is a thin
wrapper that counts what it saw.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsmon.models import Article, Source
from newsmon.text import clean_text, detect_language

log = logging.getLogger(__name__)

# « | Знамя труда», « :: Zakon.kz»: a short tail after a bar is a site name wherever it occurs.
BAR_SUFFIX = re.compile(r"\s+(?:\||::|//)\s+[^|]{2,60}$")
# « - Kazinform», « — Tengrinews.kz»: a dash tail is a site name only when it is a known one or a domain;
# «Тараз — город древний» keeps its dash.
DASH_SUFFIX = re.compile(r"\s+[-–—]\s+([^-–—]{2,60})$")
DOMAIN_LIKE = re.compile(r"^[\w.-]+\.(?:kz|ru|com|org|net|info|su|qaz)$", re.IGNORECASE)
KNOWN_SITE_NAMES = frozenset(
    {
        "kazinform", "казинформ", "миа казинформ", "қазақпарат", "zakon.kz",
        "tengrinews", "tengrinews.kz", "nur.kz", "informburo.kz", "информбюро", "kazpravda.kz",
        "казахстанская правда", "знамя труда", "ақ жол", "aq jol", "egemen qazaqstan", "егемен қазақстан",
        "el.kz", "kt.kz", "kazakhstan today", "jambyltv", "jambyl tv", "новости казахстана",
        "новости", "жаңалықтар", "бас бет",
    }
)  # fmt: skip
UNQUOTE = str.maketrans("", "", "«»\"“”„'")
FUTURE_TOLERANCE = timedelta(days=1)
MIN_TITLE = 15  # a title left shorter than this after stripping was not a title with a suffix


def _site_names(source: Source | None) -> tuple[str, ...]:
    """What the source calls itself: its title, its registry name and its host (inform.kz, inform)."""
    if source is None:
        return ()
    host = (urlsplit(source.home).hostname or "").removeprefix("www.")
    names = (source.title, source.name, host, host.split(".")[0] if host else None)
    return tuple(dict.fromkeys(n for n in names if n and len(n) >= 2))


def _is_site_name(tail: str, site_names: tuple[str, ...]) -> bool:
    folded = tail.strip().strip(".").casefold().translate(UNQUOTE)
    if folded in KNOWN_SITE_NAMES or DOMAIN_LIKE.match(folded):
        return True
    return any(
        name.casefold() == folded or (len(name) >= 4 and name.casefold() in folded) for name in site_names
    )


def strip_site_suffix(title: str, site_names: tuple[str, ...] = ()) -> str:
    """Drop a trailing site name from a title, keeping titles that merely contain a dash or a bar."""
    title = title.strip()
    for pattern in (BAR_SUFFIX, DASH_SUFFIX):
        match = pattern.search(title)
        if match is None or match.start() < MIN_TITLE:
            continue
        tail = match.group(0).strip().lstrip("|:/-–— ")
        if pattern is BAR_SUFFIX or _is_site_name(tail, site_names):
            return title[: match.start()].strip()
    return title


def _as_utc(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    """UTC; a value without an offset is the source's local time (tz database: the 2024 switch counts)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _zone(source: Source | None) -> ZoneInfo:
    name = source.timezone if source else "Asia/Almaty"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning(
            "source %s: unknown time zone %r, using Asia/Almaty", source.name if source else "?", name
        )
        return ZoneInfo("Asia/Almaty")


def normalise_article(
    article: Article, source: Source | None = None, *, now: datetime | None = None
) -> Article:
    """Return a cleaned copy; problems are added to `warnings`, never fixed by guessing."""
    now = now or datetime.now(UTC)
    warnings = list(article.warnings)
    text = clean_text(article.text or "")
    title = clean_text(article.title) if article.title else None
    if title:
        title = strip_site_suffix(title, _site_names(source))
    zone = _zone(source)
    published = _as_utc(article.published, zone)
    updated = _as_utc(article.updated, zone)
    if published is None and "no_date" not in warnings:
        warnings.append("no_date")
    if published is not None and published > now + FUTURE_TOLERANCE:
        warnings.append("future_date")
    founded = source.founded if source else None
    if published is not None and founded is not None and published.date() < founded:
        warnings.append("before_founded")
    language = article.language or (detect_language(f"{title or ''}\n{text}", cleaned=True) if text else None)
    if source and source.languages and language not in (*source.languages, "mixed", None):
        warnings.append("language_mismatch")
    if len(text) < 200 and "short_text" not in warnings:
        warnings.append("short_text")
    return article.with_changes(
        text=text,
        title=title,
        description=clean_text(article.description) if article.description else None,
        published=published,
        updated=updated,
        language=language,
        source=article.source or (source.name if source else None),
        warnings=tuple(dict.fromkeys(warnings)),
    )


class NormalisePipeline:
    """Scrapy item pipeline: normalise every Article (off the reactor, see `pipelines.preparing`) that
    was not normalised where it was extracted (those are counted in `newsmon/normalise/analysed_with_extraction`);
    warnings become `newsmon/normalise/<warning>` stats."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> NormalisePipeline:
        from pipelines.preparing import prepare_processes

        prepare_processes(crawler.settings)  # a malformed value stops the crawl at once, naming the setting
        return cls(crawler)

    def close_spider(self) -> None:
        from pipelines.preparing import preparing

        preparing(self.crawler.settings).close()

    async def process_item(self, item: Any) -> Any:
        from pipelines.preparing import AnalysedArticle, analysis_of, preparing

        if not isinstance(item, Article):
            return item
        prepared = analysis_of(item)
        if prepared is not None:  # normalised where it was extracted
            result: Article = AnalysedArticle.of(prepared.item.article, prepared)
            self.crawler.stats.inc_value("newsmon/normalise/analysed_with_extraction")
        else:
            source = getattr(self.crawler.spider, "source", None)
            offloader = preparing(self.crawler.settings)
            result = await offloader.run(
                normalise_article, item, source if isinstance(source, Source) else None
            )
        for warning in result.warnings:
            self.crawler.stats.inc_value(f"newsmon/normalise/{warning}")
        return result
