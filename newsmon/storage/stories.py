"""Story merges, and the lookups deduplication makes in bulk (a batch of imported articles at a time).

Copies that arrive before their original each start a story; when a later article turns out to copy
several of them, their stories are merged into the oldest. The merged stories stay, pointing to where
their articles went, so a story id once shown to a user (an alert, a link) still leads somewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from newsmon.models import StoredArticle
from newsmon.storage import convert
from newsmon.storage.records import utcnow
from newsmon.storage.tables import ArticleRow, MatchRow, StoryRow

CHUNK = 500  # values per IN (...) list: well under SQLite's bound-parameter limit


class StoryQueries:
    """Mixin of Repository: merging stories and following merges."""

    session: Any
    reading: Any

    def merge_stories(self, keep_id: int, other_ids: Sequence[int]) -> int:
        """Move the articles and matches of `other_ids` into story `keep_id`, in one transaction.

        A watch that matched both stories keeps one match row (the older one): matches are unique per
        (watch, story), and the watch has already alerted on this story once. Returns how many articles
        moved. Stories already merged are followed to where they went; merging a story into itself is a
        no-op.
        """
        with self.session() as s:
            keep_id = _final_story(s, keep_id)
            others = sorted({_final_story(s, o) for o in other_ids} - {keep_id})
            keep = s.get(StoryRow, keep_id)
            if keep is None:
                raise ValueError(f"no story {keep_id} to merge into")
            if not others:
                return 0
            self._merge_matches(s, keep_id, others)
            moved = s.execute(
                update(ArticleRow).where(ArticleRow.story_id.in_(others)).values(story_id=keep_id)
            ).rowcount
            now = utcnow()
            for row in s.scalars(select(StoryRow).where(StoryRow.id.in_(others))):
                if row.first_published and (
                    keep.first_published is None or row.first_published < keep.first_published
                ):
                    keep.first_published = row.first_published
                keep.article_count += row.article_count
                row.article_count, row.merged_into, row.merged_at = 0, keep_id, now
            s.execute(update(StoryRow).where(StoryRow.merged_into.in_(others)).values(merged_into=keep_id))
            return int(moved or 0)

    @staticmethod
    def _merge_matches(s: Any, keep_id: int, others: list[int]) -> None:
        rows = s.scalars(
            select(MatchRow).where(MatchRow.story_id.in_([keep_id, *others])).order_by(MatchRow.matched_at)
        )
        by_watch: dict[int, MatchRow] = {}
        for row in sorted(rows, key=lambda r: (r.story_id != keep_id, r.matched_at, r.id)):
            if row.watch_id in by_watch:
                s.delete(row)
            else:
                by_watch[row.watch_id] = row
        s.flush()
        for row in by_watch.values():
            row.story_id = keep_id

    def dedupe_lookup(
        self, canonical_url: str, content_hash: str, alternates: Sequence[str]
    ) -> tuple[StoredArticle | None, int | None, int | None]:
        """In one session: the article stored at this URL, the story of the first article with this content
        hash, and the story of the first stored alternate (translation) URL, in the given order."""
        with self.reading() as s:
            rows = s.scalars(
                select(ArticleRow).where(ArticleRow.canonical_url.in_([canonical_url, *alternates]))
            )
            by_url = {row.canonical_url: row for row in rows}
            known = by_url.get(canonical_url)
            same = s.execute(
                select(ArticleRow.id, ArticleRow.story_id).where(ArticleRow.content_hash == content_hash)
            ).all()
            content_story = min(same)[1] if same else None
            translated = next(
                (by_url[u].story_id for u in alternates if u in by_url and by_url[u].story_id), None
            )
            return (convert.article(known) if known else None), content_story, translated

    def articles_by_urls(self, canonical_urls: Sequence[str]) -> dict[str, StoredArticle]:
        """The stored articles among `canonical_urls`, by canonical URL."""
        urls = list(dict.fromkeys(canonical_urls))
        found: dict[str, StoredArticle] = {}
        with self.reading() as s:
            for i in range(0, len(urls), CHUNK):
                rows = s.scalars(select(ArticleRow).where(ArticleRow.canonical_url.in_(urls[i : i + CHUNK])))
                found.update((row.canonical_url, convert.article(row)) for row in rows)
        return found

    def stories_of_contents(self, content_hashes: Sequence[str]) -> dict[str, int]:
        """Story of the first stored article with each content hash (exact copies join it)."""
        hashes = list(dict.fromkeys(content_hashes))
        found: dict[str, int] = {}
        with self.reading() as s:
            for i in range(0, len(hashes), CHUNK):
                rows = s.execute(
                    select(ArticleRow.content_hash, ArticleRow.story_id)
                    .where(ArticleRow.content_hash.in_(hashes[i : i + CHUNK]))
                    .order_by(ArticleRow.id.desc())
                )
                found.update((digest, story) for digest, story in rows if story is not None)
        return found

    def stories_of_urls(self, canonical_urls: Sequence[str]) -> dict[str, int]:
        """Story of each stored article among `canonical_urls` (one query for a dedupe decision)."""
        urls = list(dict.fromkeys(canonical_urls))
        found: dict[str, int] = {}
        with self.reading() as s:
            for i in range(0, len(urls), CHUNK):
                rows = s.execute(
                    select(ArticleRow.canonical_url, ArticleRow.story_id).where(
                        ArticleRow.canonical_url.in_(urls[i : i + CHUNK])
                    )
                )
                found.update((url, story) for url, story in rows if story is not None)
        return found

    def story_merged_into(self, story_id: int) -> int | None:
        """The story this one was merged into (followed to the end), or None when it was not merged."""
        with self.session() as s:
            final = _final_story(s, story_id)
            return None if final == story_id else final

    def article_keys_after(self, after_id: int, since: datetime | None = None) -> list[tuple[int, str]]:
        """(id, canonical URL) of articles stored after `after_id` (and since a time), oldest first."""
        with self.session() as s:
            query = select(ArticleRow.id, ArticleRow.canonical_url).where(ArticleRow.id > after_id)
            if since is not None:
                query = query.where(ArticleRow.stored_at >= since)
            return [(i, url) for i, url in s.execute(query.order_by(ArticleRow.id))]

    def fingerprint_rows(
        self, article_ids: Sequence[int]
    ) -> list[tuple[int, str, str, str | None, str | None, datetime | None]]:
        """(id, canonical URL, text, title, language, published) of the given articles, to fingerprint them
        for a near-duplicate index."""
        ids = list(article_ids)
        out: list[tuple[int, str, str, str | None, str | None, datetime | None]] = []
        with self.session() as s:
            for i in range(0, len(ids), CHUNK):
                query = select(
                    ArticleRow.id,
                    ArticleRow.canonical_url,
                    ArticleRow.text,
                    ArticleRow.title,
                    ArticleRow.language,
                    ArticleRow.published_at,
                ).where(ArticleRow.id.in_(ids[i : i + CHUNK]))
                out.extend(tuple(row) for row in s.execute(query.order_by(ArticleRow.id)))  # type: ignore[misc]
        return out

    def last_article_id(self) -> int:
        with self.session() as s:
            return int(s.scalar(select(ArticleRow.id).order_by(ArticleRow.id.desc()).limit(1)) or 0)


def _final_story(s: Any, story_id: int) -> int:
    """Follow merged_into links (bounded, in case of a cycle written by hand)."""
    for _ in range(32):
        target = s.scalar(select(StoryRow.merged_into).where(StoryRow.id == story_id))
        if target is None or target == story_id:
            return story_id
        story_id = target
    return story_id
