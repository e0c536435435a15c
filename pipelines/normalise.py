"""Normalise an article before deduplication: clean text, UTC dates with sanity flags, language, title.

The same function serves crawled and imported articles (`normalise_article`); the Scrapy pipeline is a thin
wrapper that counts what it saw.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from newsmon.models import Article, Source
from newsmon.text import clean_text, detect_language

log = logging.getLogger(__name__)

# « | Знамя труда», « — Kazinform», « - Новости Казахстана»: a short tail after a separator.
TITLE_SUFFIX = re.compile(r"\s+[|–—\-:•·]\s+[^|–—\-:•·]{2,60}$")
FUTURE_TOLERANCE = timedelta(days=1)


def strip_site_suffix(title: str, site_names: tuple[str, ...] = ()) -> str:
    """Drop a trailing site name from a title, keeping titles that merely contain a dash."""
    for name in site_names:
        for sep in (" | ", " - ", " — ", " – ", " :: "):
            if title.endswith(sep + name):
                return title[: -len(sep + name)].strip()
    match = TITLE_SUFFIX.search(title)
    if match and "|" in match.group(0) and len(title) - len(match.group(0)) >= 15:
        return title[: match.start()].strip()
    return title.strip()


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()} reached normalisation")
    return value.astimezone(UTC)


def normalise_article(
    article: Article, source: Source | None = None, *, now: datetime | None = None
) -> Article:
    """Return a cleaned copy; problems are added to `warnings`, never fixed by guessing."""
    now = now or datetime.now(UTC)
    warnings = list(article.warnings)
    text = clean_text(article.text or "")
    title = clean_text(article.title) if article.title else None
    if title:
        names = tuple(n for n in ((source.title if source else None), (source.name if source else None)) if n)
        title = strip_site_suffix(title, names)
    published = _as_utc(article.published)
    updated = _as_utc(article.updated)
    if published is None and "no_date" not in warnings:
        warnings.append("no_date")
    if published is not None and published > now + FUTURE_TOLERANCE:
        warnings.append("future_date")
    founded = source.founded if source else None
    if published is not None and founded is not None and published.date() < founded:
        warnings.append("before_founded")
    language = article.language or (detect_language(f"{title or ''}\n{text}") if text else None)
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
    """Scrapy item pipeline: normalise every Article; warnings become `newsmon/normalise/<warning>` stats."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> NormalisePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        source = getattr(self.crawler.spider, "source", None)
        result = normalise_article(item, source if isinstance(source, Source) else None)
        for warning in result.warnings:
            self.crawler.stats.inc_value(f"newsmon/normalise/{warning}")
        return result
