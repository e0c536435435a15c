"""Deduplicate and store articles a batch at a time: the same decisions as one by one, fewer transactions.

Each article is decided in order against the database *and* the articles before it in the batch (their
URLs, content hashes and fingerprints), so a copy that follows its original in the same batch joins it.
Lookups are made in bulk per batch; new articles and copies are written in one transaction
(`Repository.store_articles`); versions of stored URLs go one by one, as they must read the stored text.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from newsmon.models import StoredArticle
from newsmon.storage import ArticleToStore, Repository, StoreResult
from pipelines.dedupe import Decision, Deduplicator, is_material_change, translation_urls
from pipelines.near_duplicate import Fingerprint

if TYPE_CHECKING:
    from pipelines.store import Storer

log = logging.getLogger(__name__)
REMEMBERED_URLS = 500_000


@dataclass(frozen=True, slots=True)
class Stored:
    """What happened to one article of a batch: the stored result (or the error) and the dedupe reason."""

    result: StoreResult | None
    reason: str
    error: Exception | None = None


@dataclass
class _Pending:
    """The articles of a batch decided so far and not yet written, and the stories they join."""

    decisions: list[Decision] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)  # index of each decision in the caller's batch
    parent: list[int] = field(default_factory=list)  # union-find over pending articles sharing a story
    stored_story: dict[int, int] = field(default_factory=dict)  # root -> stored story it joins
    by_url: dict[str, int] = field(default_factory=dict)
    by_hash: dict[str, int] = field(default_factory=dict)

    def root(self, k: int) -> int:
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def story_of(self, k: int) -> tuple[int | None, int]:
        """(stored story, pending root) of pending article k."""
        root = self.root(k)
        return self.stored_story.get(root), root


class BatchStorer:
    """Decides and stores batches; the near-duplicate index sees each article as soon as it is decided."""

    def __init__(
        self,
        deduplicator: Deduplicator,
        storer: Storer,
        refresh: Callable[[], object] | None = None,
        lock: Callable[[], AbstractContextManager[object]] | None = None,
    ) -> None:
        self.dedupe = deduplicator
        self.storer = storer
        self.refresh = refresh  # brings the near-duplicate index up to what other processes stored
        self.lock = lock  # held from the refresh to the commit: one process decides at a time (deciding.py)
        self.repo: Repository = deduplicator.repo
        # Stories of the articles this importer stored (near-duplicate hits are mostly among them), and the
        # merges it made: saves a database lookup per hit.
        self._story_of_url: dict[str, int] = {}
        self._merged: dict[int, int] = {}

    def store(self, items: Sequence[tuple[ArticleToStore, Fingerprint]]) -> list[Stored]:
        """Store `items` (articles with canonical URL, hash, terms and fingerprint) in order."""
        with self.lock() if self.lock is not None else contextlib.nullcontext():
            return self._store(items)

    def _store(self, items: Sequence[tuple[ArticleToStore, Fingerprint]]) -> list[Stored]:
        out: list[Stored | None] = [None] * len(items)
        if self.refresh is not None:
            self.refresh()
        known = self.repo.articles_by_urls([item.canonical_url for item, _ in items])
        contents = self.repo.stories_of_contents([item.content_hash for item, _ in items])
        alternates = {i: translation_urls(item.article) for i, (item, _) in enumerate(items)}
        translated = self.repo.stories_of_urls([u for urls in alternates.values() for u in urls])
        pending = _Pending()
        for i, (item, fp) in enumerate(items):
            url = item.canonical_url
            if url in pending.by_url:  # the same URL twice in one batch: write what is pending first
                self._flush(pending, out)
                pending = _Pending()
                known.update(self.repo.articles_by_urls([url]))
            if url in known:
                out[i] = self._store_known(known[url], item, fp)
                continue
            decision = self._decide(pending, item, fp, contents, alternates[i], translated)
            self._add(pending, decision, i)
        self._flush(pending, out)
        return [s if s is not None else Stored(None, "error", RuntimeError("not stored")) for s in out]

    def _store_known(self, known: StoredArticle, item: ArticleToStore, fp: Fingerprint) -> Stored:
        if known.content_hash == item.content_hash:
            unchanged = StoreResult("unchanged", known.id, known.story_id or 0, known.version, material=False)
            fetched = item.article.fetched_at
            if fetched is not None and (known.fetched_at is None or fetched > known.fetched_at):
                self.repo.mark_fetched(known.id, fetched)  # an entry said modified; the text was not
            return Stored(unchanged, "known_url")
        decision = Decision(item, "version", fp, material=is_material_change(known.text, item.article.text))
        try:
            return Stored(self.storer.store(decision), "version")
        except Exception as exc:
            log.exception("could not store a new version of %s", item.article.url)
            return Stored(None, "version", exc)

    def _decide(
        self,
        pending: _Pending,
        item: ArticleToStore,
        fp: Fingerprint,
        contents: dict[str, int],
        alternates: list[str],
        translated: dict[str, int],
    ) -> tuple[Decision, list[int]]:
        """The decision, and the pending articles whose stories it joins (merged into one)."""
        if item.content_hash in pending.by_hash:
            return Decision(item, "exact_copy", fp), [pending.by_hash[item.content_hash]]
        if item.content_hash in contents:
            return Decision(_with_story(item, contents[item.content_hash]), "exact_copy", fp), []
        for url in alternates:
            if url in pending.by_url:
                return Decision(item, "translation", fp), [pending.by_url[url]]
            if url in translated:
                return Decision(_with_story(item, translated[url]), "translation", fp), []
        verdicts = self.dedupe.detector.find_all(fp)
        if not verdicts:
            return Decision(item, "new", fp), []
        stories = set(self._stories_of([v.key for v in verdicts if v.key not in pending.by_url]).values())
        joined = [pending.by_url[v.key] for v in verdicts if v.key in pending.by_url]
        for k in joined:
            story, _ = pending.story_of(k)
            if story is not None:
                stories.add(story)
        if not stories and not joined:
            return Decision(item, "new", fp), []
        score = max(v.score for v in verdicts)
        if not stories:
            return Decision(item, "near_duplicate", fp, score=score), joined
        keep = min(stories)
        decision = Decision(
            _with_story(item, keep), "near_duplicate", fp, score=score, merges=tuple(sorted(stories - {keep}))
        )
        return decision, joined

    def _stories_of(self, urls: list[str]) -> dict[str, int]:
        found = {url: self._final(self._story_of_url[url]) for url in urls if url in self._story_of_url}
        missing = [url for url in urls if url not in found]
        if missing:
            found.update(self.repo.stories_of_urls(missing))
        return found

    def _final(self, story: int) -> int:
        while story in self._merged:
            story = self._merged[story]
        return story

    def _remember(self, url: str, story: int) -> None:
        if len(self._story_of_url) >= REMEMBERED_URLS:
            self._story_of_url.clear()
        self._story_of_url[url] = story

    def _add(self, pending: _Pending, decided: tuple[Decision, list[int]], position: int) -> None:
        decision, joined = decided
        k = len(pending.decisions)
        pending.decisions.append(decision)
        pending.positions.append(position)
        pending.parent.append(k)
        roots = {pending.root(j) for j in joined}
        stored = {pending.stored_story[r] for r in roots if r in pending.stored_story}
        if decision.item.story_id is not None:
            stored.add(decision.item.story_id)
        first = min(roots | {k})
        for root in roots:
            pending.parent[root] = first
        pending.parent[k] = first
        if stored:
            keep = min(stored)
            pending.stored_story[first] = keep
            if len(stored) > 1:  # pending copies of two stored stories: the later one is merged
                merges = tuple(sorted((set(decision.merges) | stored) - {keep}))
                decision = replace(decision, item=_with_story(decision.item, keep), merges=merges)
                pending.decisions[k] = decision
        url, digest = decision.item.canonical_url, decision.item.content_hash
        pending.by_url[url] = k
        pending.by_hash.setdefault(digest, k)
        self.dedupe.detector.index.add(url, decision.fingerprint)

    def _flush(self, pending: _Pending, out: list[Stored | None]) -> None:
        if not pending.decisions:
            return
        items, joins = [], []
        for k, decision in enumerate(pending.decisions):
            story, root = pending.story_of(k)
            item = decision.item if story is None else _with_story(decision.item, story)
            items.append(item)
            joins.append(root if story is None and root != k else None)
        results = self.repo.store_articles(items, joins)
        merges: dict[int, set[int]] = {}
        for decision, position, result in zip(pending.decisions, pending.positions, results, strict=True):
            if isinstance(result, Exception):
                log.error("could not store %s: %s", decision.item.article.url, result)
                self.dedupe.detector.index.remove(decision.item.canonical_url)
                out[position] = Stored(None, decision.reason, result)
                continue
            out[position] = Stored(result, decision.reason)
            self._remember(decision.item.canonical_url, result.story_id)
            if decision.merges:
                merges.setdefault(result.story_id, set()).update(decision.merges)
        for keep, others in merges.items():
            self.storer.merge(keep, tuple(sorted(others)))
            final = self._final(keep)
            for other in {self._final(o) for o in others} - {final}:
                self._merged[other] = final
        stored = [r.article_id for r in results if isinstance(r, StoreResult)]
        if self.storer.queue is not None and stored:
            self.storer.queue.enqueue(stored)


def _with_story(item: ArticleToStore, story_id: int) -> ArticleToStore:
    return ArticleToStore(item.article, item.canonical_url, item.content_hash, item.search_terms, story_id)
