"""Where a crawl runs the work on each article alone (normalising; canonical URL, hash, index terms and
fingerprint).

A crawl of ours does it where the page was extracted (`analyse_extracted`, named to the spiders by the
`NEWSMON_ANALYSE_EXTRACTED` setting): in the extraction process, beside the work that already has a core
of its own, so the crawl process hands each article over once and keeps its core for Scrapy and storing.
The article arrives as an `AnalysedArticle`, and the normalise and dedupe stages take its analysis.

An article that arrives without one (from another spider, or changed by a pipeline on the way) is analysed
by those stages: in a thread for a small crawl, in another process once the crawl is big
(`newsmon.offload`). `NEWSMON_PREPARE_PROCESSES` (Scrapy setting) sets the processes: 0 keeps the work in
threads, "auto" (the default) starts one only on a host with three cores or more.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Any

from newsmon.models import Article, Source
from newsmon.offload import Offloader

START_AFTER = 20  # articles a crawl analyses in threads before it starts the processes
ARTICLE_FIELDS = tuple(f.name for f in fields(Article))


@dataclass(frozen=True, slots=True, repr=False)
class AnalysedArticle(Article):
    """An article as extracted, with what the normalise and dedupe stages would make of it (`Prepared`).

    Any change makes a plain `Article` again, analysed anew by those stages: the analysis is only ever
    that of the fields it travels with."""

    prepared: Any = None  # pipelines.dedupe.Prepared

    @classmethod
    def of(cls, article: Article, prepared: Any) -> AnalysedArticle:
        """Texts equal to the normalised article's are taken from it: one object each, which a pickle
        holds once on the way back from the extraction process (a fifth of its size). Only texts: equal
        datetimes may differ in their zone, which the extracted article keeps."""
        normalised = prepared.item.article
        values = {}
        for name in ARTICLE_FIELDS:
            value, kept = getattr(article, name), getattr(normalised, name)
            values[name] = kept if isinstance(value, str) and value == kept else value
        return cls(**values, prepared=prepared)

    def plain(self) -> Article:
        return Article(**{name: getattr(self, name) for name in ARTICLE_FIELDS})

    def with_changes(self, **changes: Any) -> Article:
        return replace(self.plain(), **changes)

    def to_dict(self) -> dict[str, Any]:
        return self.plain().to_dict()


def analyse_extracted(article: Article, source: Source | None) -> AnalysedArticle:
    """Normalise an extracted article and compute what deduplication compares (in the extraction process)."""
    from pipelines.dedupe import Deduplicator, Prepared
    from pipelines.normalise import normalise_article

    item, fingerprint = Deduplicator.prepare(normalise_article(article, source))
    return AnalysedArticle.of(article, Prepared(item, fingerprint))


def analysis_of(item: object) -> Any:
    """The `Prepared` an analysed article carries, else None."""
    return item.prepared if isinstance(item, AnalysedArticle) else None


def _warm_up() -> None:
    """Load the analysers' dictionaries in a new process before its first article.

    The articles carry their language, as extracted ones do: the language model (~70 MB) is then only
    loaded here if an article comes without one."""
    from pipelines.dedupe import Deduplicator
    from pipelines.normalise import normalise_article

    for text, language in (
        ("Аким Тараза встретился с фермерами.", "ru"),
        ("Тараз қаласының әкімі шаруалармен кездесті.", "kk"),
    ):
        article = Article(url="https://example.invalid/warm-up", text=text, language=language)
        Deduplicator.prepare(normalise_article(article))


def _release() -> None:
    """The workers analyse from now on: the dictionaries and caches the first articles loaded here go."""
    from newsmon.text import release_models

    release_models()


@lru_cache(maxsize=1)
def _offloader(processes: int) -> Offloader:
    return Offloader(
        "article analysis",
        processes,
        preload=["pipelines.normalise", "pipelines.dedupe"],
        start_after=START_AFTER,
        warm_up=_warm_up,
        release=_release,
    )


def prepare_processes(scrapy_settings: Any, cores: int | None = None) -> int:
    """NEWSMON_PREPARE_PROCESSES as a number; "auto" (the default) is 1 on a host with three cores or more
    and 0 on fewer. The crawl process and extraction's process keep two cores busy, so on two cores an
    analysis process adds no speed (measured in docs/pipelines.md), only its memory."""
    value = scrapy_settings.get("NEWSMON_PREPARE_PROCESSES", "auto")
    if str(value).strip().lower() == "auto":
        cores = _usable_cores() if cores is None else cores
        return 1 if cores >= 3 else 0
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"NEWSMON_PREPARE_PROCESSES must be a number or 'auto', not {value!r}") from None


def _usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):  # the cores this process may run on (Linux)
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def preparing(scrapy_settings: Any) -> Offloader:
    """The one offloader of this crawl process, shared by the normalise and dedupe stages."""
    return _offloader(prepare_processes(scrapy_settings))
