"""Sources, crawl runs and leases: what operations read and write."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from newsmon.models import CrawlRun, Source
from newsmon.storage import convert
from newsmon.storage.records import utcnow
from newsmon.storage.tables import (
    ArticleRow,
    CrawlRunRow,
    LockRow,
    SourceRow,
)


class OpsQueries:
    """Mixin of Repository: sources, crawl runs, named leases."""

    session: Any

    # --- sources -------------------------------------------------------------------------------
    def upsert_source(self, source: Source) -> None:
        """Register or update a source definition (the files stay the truth; this is what tasks read)."""
        definition = convert.source_values(source)
        with self.session() as s:
            row = s.scalar(select(SourceRow).where(SourceRow.name == source.name))
            if row is None:
                s.add(
                    SourceRow(
                        name=source.name,
                        home=source.home,
                        definition=definition,
                        enabled=source.enabled,
                        created_at=utcnow(),
                    )
                )
            else:
                row.home, row.definition, row.enabled = source.home, definition, source.enabled

    def list_sources(self) -> list[Source]:
        with self.session() as s:
            return [convert.source(r) for r in s.scalars(select(SourceRow).order_by(SourceRow.name))]

    def get_source(self, name: str) -> Source | None:
        with self.session() as s:
            row = s.scalar(select(SourceRow).where(SourceRow.name == name))
            return convert.source(row) if row else None

    # --- crawl runs ------------------------------------------------------------------------------
    def start_run(self, source: str) -> int:
        with self.session() as s:
            row = CrawlRunRow(source=source, started_at=utcnow(), status="running", stats={})
            s.add(row)
            s.flush()
            return row.id

    def finish_run(self, run_id: int, status: str, reason: str | None, stats: dict[str, Any]) -> None:
        with self.session() as s:
            s.execute(
                update(CrawlRunRow)
                .where(CrawlRunRow.id == run_id)
                .values(status=status, finish_reason=reason, stats=stats, finished_at=utcnow())
            )

    def recent_runs(self, source: str | None = None, limit: int = 20) -> list[CrawlRun]:
        with self.session() as s:
            query = select(CrawlRunRow).order_by(CrawlRunRow.id.desc()).limit(limit)
            if source:
                query = query.where(CrawlRunRow.source == source)
            return [convert.crawl_run(r) for r in s.scalars(query)]

    # --- leases ----------------------------------------------------------------------------------
    def acquire_lock(self, name: str, owner: str, ttl: timedelta) -> bool:
        """Take a named lease unless someone else holds an unexpired one."""
        now = utcnow()
        with self.session() as s:
            row = s.get(LockRow, name, with_for_update=True)
            if row is not None and row.owner != owner and row.expires_at > now:
                return False
            if row is None:
                try:
                    with s.begin_nested():
                        s.add(LockRow(name=name, owner=owner, expires_at=now + ttl))
                except IntegrityError:
                    return False
            else:
                row.owner, row.expires_at = owner, now + ttl
            return True

    def release_lock(self, name: str, owner: str) -> None:
        with self.session() as s:
            s.execute(delete(LockRow).where(LockRow.name == name, LockRow.owner == owner))

    def source_activity(self, since: datetime) -> dict[str, dict[str, Any]]:
        """Per source: articles stored since a time and the latest stored article's time."""
        with self.session() as s:
            recent = dict(
                s.execute(
                    select(ArticleRow.source, func.count())
                    .where(ArticleRow.stored_at >= since)
                    .group_by(ArticleRow.source)
                ).all()
            )
            latest = dict(
                s.execute(
                    select(ArticleRow.source, func.max(ArticleRow.stored_at)).group_by(ArticleRow.source)
                ).all()
            )
            total = dict(s.execute(select(ArticleRow.source, func.count()).group_by(ArticleRow.source)).all())
        return {
            name: {"recent": recent.get(name, 0), "latest": latest.get(name), "total": total.get(name, 0)}
            for name in set(total) | set(recent)
            if name
        }
