"""Kept trend counts: per-day article counts for query words too common to count match by match.

Counting a word found in half of a million articles means reading half a million rows (1-3 s); its kept
counts are a few thousand rows. A key is a set of index terms (what one query word, or an OR of words,
looks up); once kept, triggers on `articles` (migration 0005) add and remove its counts in the same
transaction as the article, so the counts are always those the index would give.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, literal, select, text

from newsmon.storage.records import utcnow
from newsmon.storage.search import ArticleSelection
from newsmon.storage.tables import ArticleRow, TrendCountRow, TrendKeyRow, TrendKeyTermRow

MAX_KEPT_KEYS = 200  # every kept key costs each stored article a lookup; the oldest go beyond this
ARTICLES = ArticleRow.__table__


def key_text(terms: Sequence[str]) -> str:
    return " ".join(sorted(set(terms)))


class TrendCountQueries:
    """Repository mixin: find, keep and read kept trend counts."""

    engine: Any
    reading: Any
    session: Any
    full_text_dialect: str
    _base: Any
    period_start: Any

    def trend_key(self, terms: Sequence[str]) -> int | None:
        """The id of the kept key for exactly these terms, or None."""
        with self.reading() as s:
            return s.scalar(select(TrendKeyRow.id).where(TrendKeyRow.terms == key_text(terms)))

    def estimate_matches(self, match: str) -> int:
        """About how many articles a full-text expression matches, without counting them one by one."""
        if self.full_text_dialect == "postgresql":
            plan = text(
                "EXPLAIN (FORMAT JSON) SELECT 1 FROM articles "
                "WHERE search_vector @@ to_tsquery('simple'::regconfig, :match)"
            )
            with self.reading() as s:
                found = s.execute(plan, {"match": match}).scalar()
            found = json.loads(found) if isinstance(found, str) else found
            return int(found[0]["Plan"]["Plan Rows"])
        with self.reading() as s:
            count = text("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH :match")
            return int(s.execute(count, {"match": match}).scalar() or 0)

    def keep_trend_counts(self, terms: Sequence[str], match: str) -> int:
        """Start keeping counts for `terms` (their full-text expression is `match`): count what is stored
        now, in a transaction that holds stores back so none is counted twice or missed; returns the key."""
        key = key_text(terms)
        with self.session() as s:
            if self.full_text_dialect == "postgresql":
                s.execute(text("LOCK TABLE articles IN SHARE MODE"))
            existing = s.scalar(select(TrendKeyRow.id).where(TrendKeyRow.terms == key))
            if existing is not None:
                return int(existing)
            self._drop_oldest_keys(s, MAX_KEPT_KEYS - 1)
            key_id = int(
                s.scalar(insert(TrendKeyRow).values(terms=key, created_at=utcnow()).returning(TrendKeyRow.id))
            )
            s.execute(insert(TrendKeyTermRow), [{"term": t, "key_id": key_id} for t in key.split()])
            cell = (
                self.period_start("day"),
                func.coalesce(ARTICLES.c.source, ""),
                func.lower(func.coalesce(ARTICLES.c.language, "")),
            )
            counted, _ = self._base(
                ArticleSelection(match=match), literal(key_id), *cell, func.count(), scored=False
            )
            columns = ["key_id", "day", "source", "language", "n"]
            s.execute(insert(TrendCountRow).from_select(columns, counted.group_by(*cell)))
            return key_id

    def _drop_oldest_keys(self, s: Any, keep: int) -> None:
        ids = s.scalars(select(TrendKeyRow.id).order_by(TrendKeyRow.created_at.desc(), TrendKeyRow.id.desc()))
        for key_id in list(ids)[keep:]:
            self._drop_key(s, key_id)

    @staticmethod
    def _drop_key(s: Any, key_id: int) -> None:
        for table in (TrendCountRow, TrendKeyTermRow):
            s.execute(delete(table).where(table.key_id == key_id))
        s.execute(delete(TrendKeyRow).where(TrendKeyRow.id == key_id))

    def forget_trend_counts(self) -> int:
        """Stop keeping every key (they are kept again when next asked for); returns how many there were."""
        with self.session() as s:
            ids = list(s.scalars(select(TrendKeyRow.id)))
            for key_id in ids:
                self._drop_key(s, key_id)
        return len(ids)

    def kept_counts(
        self,
        key_id: int,
        first: date | None,
        end: date | None,
        sources: Sequence[str] = (),
        languages: Sequence[str] | None = None,
        per_source: bool = False,
    ) -> list[tuple[date, str | None, int]]:
        """(UTC day, source or None, articles) from `first` up to `end` (exclusive), days with articles only.

        `languages` None means any language; an empty sequence means none."""
        if languages is not None and not languages:
            return []
        keys = (TrendCountRow.day, TrendCountRow.source) if per_source else (TrendCountRow.day,)
        query = select(*keys, func.sum(TrendCountRow.n)).where(TrendCountRow.key_id == key_id)
        if first is not None:
            query = query.where(TrendCountRow.day >= first)
        if end is not None:
            query = query.where(TrendCountRow.day < end)
        if sources:
            query = query.where(TrendCountRow.source.in_(sources))
        if languages is not None:
            query = query.where(TrendCountRow.language.in_([lang.lower() for lang in languages]))
        query = query.group_by(*keys).order_by(*keys)
        with self.reading() as s:
            rows = s.execute(query).all()
        return [(row[0], (row[1] or None) if per_source else None, int(row[-1])) for row in rows if row[-1]]


__all__ = ["MAX_KEPT_KEYS", "TrendCountQueries", "key_text"]
