"""Decide what a new article is: a known URL (unchanged or a new version), an exact copy, a translation, a
near-duplicate of a stored story, or the start of a new story.

`Deduplicator.decide` is plain code shared by crawls and archive imports; `DedupePipeline` wraps it for Scrapy.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsmon.models import Article
from newsmon.storage import ArticleToStore
from newsmon.text import analysis_language, fold, index_text
from newsmon.text.normalise import fold_clean
from pipelines.canonical import canonical_url, choose_canonical
from pipelines.near_duplicate import Fingerprint, NearDuplicateDetector, fingerprint

if TYPE_CHECKING:
    from newsmon.storage import Repository

log = logging.getLogger(__name__)

LANGUAGE_SEGMENTS = (("/ru/", "/kz/"), ("/ru/", "/kk/"), ("lang=ru", "lang=kk"), ("lang=ru", "lang=kz"))
WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Decision:
    """What to store, and why; `fingerprint` goes into the near-duplicate index once stored."""

    item: ArticleToStore
    reason: str  # new | known_url | version | exact_copy | translation | near_duplicate
    fingerprint: Fingerprint
    material: bool = True
    score: float | None = None
    # Other stories the article's verified copies belong to: merged into `item.story_id` once stored.
    merges: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Prepared:
    """An article with what the checks compare (canonical URL, hash, index terms) and its fingerprint."""

    item: ArticleToStore
    fingerprint: Fingerprint


def content_hash(text: str, *, cleaned: bool = False) -> str:
    """Fingerprint of the normalised text: exact copies on other portals share it.

    `cleaned=True` skips cleaning text that `normalise_article` already cleaned (the same hash, since
    cleaning is idempotent; cleaning again costs more than the rest of the hash).
    """
    folded = fold_clean(text) if cleaned else fold(text)
    return hashlib.blake2b(" ".join(folded.split()).encode(), digest_size=16).hexdigest()


def search_terms(article: Article) -> str:
    """The analysed terms (lemmas, stems) the full-text index holds for this article."""
    return index_text(f"{article.title or ''}\n{article.text}", analysis_language(article.language))


def is_material_change(old: str, new: str) -> bool:
    """Words added or removed beyond a few typo fixes."""
    old_words, new_words = WORD.findall(fold(old)), WORD.findall(fold(new))
    changed = len(set(old_words) ^ set(new_words))
    return changed > max(3, len(set(old_words)) // 50) or abs(len(old_words) - len(new_words)) > 5


def translation_urls(article: Article) -> list[str]:
    """URLs of the same release in the other language: hreflang alternates and /ru/ <-> /kz/ patterns."""
    urls = [url for _lang, url in article.alternates]
    for a, b in LANGUAGE_SEGMENTS:
        for this, other in ((a, b), (b, a)):
            if this in article.url:
                urls.append(article.url.replace(this, other, 1))
    return [canonical_url(u) for u in urls]


class Deduplicator:
    """URL, exact-content, translation and near-duplicate checks, in that order (cheapest first)."""

    def __init__(self, repo: Repository, detector: NearDuplicateDetector) -> None:
        self.repo = repo
        self.detector = detector

    def decide(self, article: Article) -> Decision:
        return self.resolve(*self.prepare(article))

    @staticmethod
    def prepare(article: Article) -> tuple[ArticleToStore, Fingerprint]:
        """What the checks compare, computed once: canonical URL, content hash, index terms, fingerprint."""
        canon = choose_canonical(article.url, article.canonical_url)
        fp = fingerprint(
            article.text, title=article.title, lang=article.language, published=article.published
        )
        digest = content_hash(article.text, cleaned=True)
        return ArticleToStore(article, canon, digest, search_terms(article)), fp

    def resolve(self, item: ArticleToStore, fp: Fingerprint) -> Decision:
        """The storage and index lookups alone; cheap enough to repeat right before storing."""
        article, digest = item.article, item.content_hash
        alternates = [u for u in translation_urls(article) if u != item.canonical_url]
        known, same_content, translated = self.repo.dedupe_lookup(item.canonical_url, digest, alternates)
        if known is not None:
            if known.content_hash == digest:
                return Decision(item, "known_url", fp, material=False)
            return Decision(item, "version", fp, material=is_material_change(known.text, article.text))
        if same_content is not None:
            return Decision(_join(item, same_content), "exact_copy", fp)
        if translated is not None:
            return Decision(_join(item, translated), "translation", fp)
        verdicts = self.detector.find_all(fp)
        if verdicts:
            stories = self.repo.stories_of_urls([v.key for v in verdicts])
            found = [(stories[v.key], v.score) for v in verdicts if v.key in stories]
            if found:
                # Copies that arrived before their original started stories of their own: join the oldest
                # and merge the others into it.
                keep = min(story for story, _ in found)
                merges = tuple(sorted({story for story, _ in found} - {keep}))
                score = max(score for _, score in found)
                return Decision(_join(item, keep), "near_duplicate", fp, score=score, merges=merges)
        return Decision(item, "new", fp)


def _join(item: ArticleToStore, story_id: int) -> ArticleToStore:
    return ArticleToStore(item.article, item.canonical_url, item.content_hash, item.search_terms, story_id)


class DedupePipeline:
    """Scrapy item pipeline: computes what the checks compare, off the reactor (see `pipelines.preparing`);
    the store stage decides and stores a batch at a time (`pipelines.store.StorePipeline`)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupePipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        from pipelines.preparing import analysis_of, preparing

        if not isinstance(item, Article):
            return item
        prepared = analysis_of(item)
        if prepared is not None:  # analysed where it was extracted
            return prepared
        try:
            item_to_store, fp = await preparing(self.crawler.settings).run(Deduplicator.prepare, item)
        except Exception:
            self.crawler.stats.inc_value("newsmon/dedupe/error")
            raise
        return Prepared(item_to_store, fp)
