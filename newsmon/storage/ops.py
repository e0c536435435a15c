"""Sources, crawl runs and leases: what operations read and write."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from sqlalchemy import delete, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newsmon.models import Alert, CrawlRun, Source
from newsmon.storage import convert
from newsmon.storage.records import utcnow
from newsmon.storage.tables import (
    AlertRow,
    ArticleRow,
    CrawlRunRow,
    LockRow,
    SourceRow,
)

log = logging.getLogger(__name__)
# Rows whose definition is still there: the only ones listed, shown, scheduled and claimed.
ACTIVE = SourceRow.removed_at.is_(None)


@dataclass(frozen=True, slots=True)
class SourceSchedule:
    """Where a source stands in the schedule: its own `schedule` field and the adaptive state."""

    name: str
    enabled: bool
    schedule: str | None
    timezone: str
    interval_seconds: int | None
    next_run_at: datetime | None
    last_run_at: datetime | None


@dataclass(frozen=True, slots=True)
class SourceSync:
    """What a sync changed, by source name, so that the caller can say it."""

    removed: tuple[str, ...] = ()  # definition gone: no longer listed or scheduled (history kept)
    restored: tuple[str, ...] = ()  # definition back: listed and scheduled again
    kept: tuple[str, ...] = ()  # from a file that did not load cleanly: left as they were


class OpsQueries:
    """Mixin of Repository: sources, schedules, crawl runs, named leases."""

    session: Any
    engine: Any

    # --- sources -------------------------------------------------------------------------------
    def upsert_source(self, source: Source) -> None:
        """Register or update a source definition (the files stay the truth; this is what tasks read).

        A source whose row was marked removed is active again: its definition is back.
        """
        with self.session() as s:
            _write_source(s, s.scalar(select(SourceRow).where(SourceRow.name == source.name)), source)

    def sync_sources(
        self, sources: Iterable[Source], unread: Iterable[str] = (), read: Iterable[str] | None = None
    ) -> SourceSync:
        """Make the table follow the definitions just loaded, so no row outlives its definition.

        Each source is upserted; an active row that was not loaded is marked removed (kept, since runs and
        articles name it) when its definition came from a directory in `read` (None: from anywhere), unless
        it came from a path in `unread` (files, or directories, that did not load cleanly this time): such a
        row keeps its last good definition and schedule until the file loads again, so a typo or an
        unmounted directory does not stop the monitoring of a portal. A row defined outside `read` (another
        host's directory, a source registered by code) is left as it is.
        """
        held = tuple(PurePath(path) for path in unread)
        judged = None if read is None else tuple(PurePath(path) for path in read)
        removed: list[str] = []
        restored: list[str] = []
        kept: list[str] = []
        with self.session() as s:
            rows = {row.name: row for row in s.scalars(select(SourceRow))}
            for source in sources:
                row = rows.pop(source.name, None)
                if row is not None and row.removed_at is None and _held(row, held, source.origin):
                    kept.append(source.name)  # e.g. a shipped fallback while the user's own file is broken
                    continue
                if row is not None and row.removed_at is not None:
                    restored.append(source.name)
                _write_source(s, row, source)
            for row in rows.values():
                if row.removed_at is not None or (judged is not None and not _held(row, judged)):
                    continue
                if _held(row, held):
                    kept.append(row.name)
                else:
                    row.removed_at = utcnow()
                    removed.append(row.name)
        for name in removed:
            log.info("source %s: its definition is gone; no longer listed or scheduled", name)
        for name in restored:
            log.info("source %s: its definition is back; listed and scheduled again", name)
        return SourceSync(removed=tuple(removed), restored=tuple(restored), kept=tuple(kept))

    def list_sources(self) -> list[Source]:
        """Sources with a definition; those whose definition is gone are left out."""
        with self.session() as s:
            query = select(SourceRow).where(ACTIVE).order_by(SourceRow.name)
            return [convert.source(r) for r in s.scalars(query)]

    def get_source(self, name: str) -> Source | None:
        with self.session() as s:
            row = s.scalar(select(SourceRow).where(SourceRow.name == name, ACTIVE))
            return convert.source(row) if row else None

    # --- schedules -------------------------------------------------------------------------------
    def source_schedules(self) -> list[SourceSchedule]:
        with self.session() as s:
            query = select(SourceRow).where(ACTIVE).order_by(SourceRow.name)
            return [_schedule(r) for r in s.scalars(query)]

    def source_schedule(self, name: str) -> SourceSchedule | None:
        with self.session() as s:
            row = s.scalar(select(SourceRow).where(SourceRow.name == name, ACTIVE))
            return _schedule(row) if row else None

    def claim_due_sources(self, now: datetime, hold: timedelta, limit: int = 2000) -> list[str]:
        """Claim enabled sources whose next run is due by moving it `hold` ahead; returns the names claimed.

        The claim is atomic: PostgreSQL skips rows another claimer has locked; elsewhere one UPDATE re-checks
        that each row is still due (SQLite transactions here take the write lock up front), so two schedulers
        never claim one source.
        """
        is_due = or_(SourceRow.next_run_at.is_(None), SourceRow.next_run_at <= now)
        due = (
            select(SourceRow.id, SourceRow.name)
            .where(SourceRow.enabled.is_(True), ACTIVE, is_due)
            .order_by(SourceRow.next_run_at.asc().nulls_first(), SourceRow.id)
            .limit(limit)
        )
        held_until = now + hold
        table = SourceRow.__table__
        with self.session() as s:
            if self.engine.dialect.name == "postgresql":
                rows = s.execute(due.with_for_update(skip_locked=True, of=SourceRow)).all()
                ids = [r.id for r in rows]
                if ids:
                    claimed = table.update().where(table.c.id.in_(ids))
                    s.execute(claimed.values(next_run_at=held_until, claimed_at=now))
                return [r.name for r in rows]
            ids = [r.id for r in s.execute(due)]
            claimed: list[str] = []
            for start in range(0, len(ids), 500):
                statement = (
                    table.update()
                    .where(table.c.id.in_(ids[start : start + 500]))
                    .where(or_(table.c.next_run_at.is_(None), table.c.next_run_at <= now))
                    .where(table.c.removed_at.is_(None))
                    .values(next_run_at=held_until, claimed_at=now)
                    .returning(table.c.name)
                )
                claimed.extend(s.execute(statement).scalars())
            return claimed

    def reschedule_source(
        self, name: str, interval_seconds: int, next_run_at: datetime, *, ran_at: datetime | None = None
    ) -> None:
        """Record the interval and next run a finished crawl decided (and when it ran)."""
        values: dict[str, Any] = {
            "interval_seconds": interval_seconds,
            "next_run_at": next_run_at,
            "claimed_at": None,
        }
        if ran_at is not None:
            values["last_run_at"] = ran_at
        with self.session() as s:
            s.execute(update(SourceRow).where(SourceRow.name == name).values(**values))

    def release_lost_claims(self, now: datetime) -> list[str]:
        """Make due again the claimed sources whose crawl never started (no run since the claim): their crawl
        messages are known to be lost (the broker was emptied or restarted). Returns their names."""
        started = (
            select(CrawlRunRow.id)
            .where(CrawlRunRow.source == SourceRow.name, CrawlRunRow.started_at >= SourceRow.claimed_at)
            .exists()
        )
        lost = select(SourceRow.id, SourceRow.name).where(
            SourceRow.claimed_at.is_not(None), SourceRow.next_run_at > now, ~started
        )
        with self.session() as s:
            rows = s.execute(lost).all()
            if rows:
                chosen = SourceRow.id.in_([r.id for r in rows])
                s.execute(update(SourceRow).where(chosen).values(next_run_at=now, claimed_at=None))
            return [r.name for r in rows]

    def make_due(self, names: Sequence[str], at: datetime) -> int:
        """Bring the next run of these sources forward to `at`; returns how many exist."""
        with self.session() as s:
            chosen = SourceRow.name.in_(list(names))
            statement = update(SourceRow).where(chosen, ACTIVE).values(next_run_at=at)
            return int(s.execute(statement).rowcount or 0)

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

    def close_orphaned_runs(self, now: datetime, lock_prefix: str, reason: str) -> list[tuple[str, int]]:
        """Close runs still 'running' whose crawl lease (`<lock_prefix><source>`) is gone or ran out: the worker
        that held it died. Their sources are made due now, so the same tick crawls them again."""
        lease = LockRow.name == literal(lock_prefix) + CrawlRunRow.source
        with self.session() as s:
            query = (
                select(CrawlRunRow.source, CrawlRunRow.id)
                .outerjoin(LockRow, lease)
                .where(CrawlRunRow.status == "running", or_(LockRow.name.is_(None), LockRow.expires_at < now))
            )
            lost = [(r.source, r.id) for r in s.execute(query)]
            if not lost:
                return []
            s.execute(
                update(CrawlRunRow)
                .where(CrawlRunRow.id.in_([run_id for _, run_id in lost]), CrawlRunRow.status == "running")
                .values(status="interrupted", finish_reason=reason, finished_at=utcnow())
            )
            s.execute(
                update(SourceRow)
                .where(SourceRow.name.in_({name for name, _ in lost}), SourceRow.next_run_at > now)
                .values(next_run_at=now)
            )
            return lost

    def close_lost_runs(self, started_before: datetime, reason: str) -> list[tuple[str, int]]:
        """Close runs still 'running' that started before a time no crawl outlives: their worker is gone."""
        with self.session() as s:
            query = select(CrawlRunRow.source, CrawlRunRow.id).where(
                CrawlRunRow.status == "running", CrawlRunRow.started_at < started_before
            )
            lost = [(r.source, r.id) for r in s.execute(query.with_for_update())]
            if lost:
                s.execute(
                    update(CrawlRunRow)
                    .where(
                        CrawlRunRow.id.in_([run_id for _, run_id in lost]), CrawlRunRow.status == "running"
                    )
                    .values(status="interrupted", finish_reason=reason, finished_at=utcnow())
                )
            return lost

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

    def articles_by_path(self, since: datetime) -> dict[str, dict[str, int]]:
        """Per source: articles stored since a time, by the discovery path that found them (feed, sitemap...)."""
        with self.session() as s:
            rows = s.execute(
                select(ArticleRow.source, ArticleRow.discovered_by, func.count())
                .where(ArticleRow.stored_at >= since)
                .group_by(ArticleRow.source, ArticleRow.discovered_by)
            ).all()
        out: dict[str, dict[str, int]] = {}
        for source, path, count in rows:
            if source:
                out.setdefault(source, {})[path or "unknown"] = int(count)
        return out

    def count_runs_by_status(self) -> dict[str, int]:
        with self.session() as s:
            rows = s.execute(select(CrawlRunRow.status, func.count()).group_by(CrawlRunRow.status)).all()
            return {status: int(n) for status, n in rows}

    def count_alerts_by_status(self) -> dict[tuple[str, str], int]:
        """(kind, status) -> alerts: match, digest and ops alerts pending, sent, dead..."""
        with self.session() as s:
            rows = s.execute(
                select(AlertRow.kind, AlertRow.status, func.count()).group_by(AlertRow.kind, AlertRow.status)
            ).all()
            return {(kind, status): int(n) for kind, status, n in rows}

    def delivery_latencies(self, since: datetime, limit: int = 10_000) -> list[float]:
        """Seconds from alert creation to sending, for alerts sent since a time."""
        with self.session() as s:
            rows = s.execute(
                select(AlertRow.created_at, AlertRow.sent_at)
                .where(AlertRow.status == "sent", AlertRow.sent_at >= since)
                .order_by(AlertRow.id.desc())
                .limit(limit)
            ).all()
            return [max(0.0, (sent - created).total_seconds()) for created, sent in rows if sent and created]

    def latest_ops_alert(self, key_prefix: str) -> Alert | None:
        """The newest ops alert whose idempotency key starts with a prefix: where an ops problem stands."""
        with self.session() as s:
            row = s.scalar(
                select(AlertRow)
                .where(
                    AlertRow.kind == "ops", AlertRow.idempotency_key.startswith(key_prefix, autoescape=True)
                )
                .order_by(AlertRow.id.desc())
                .limit(1)
            )
            return convert.alert(row) if row else None


def _write_source(s: Session, row: SourceRow | None, source: Source) -> None:
    """Insert or update one source's row from its definition; an update re-activates a removed row."""
    definition = convert.source_values(source)
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
        return
    if (row.definition or {}).get("schedule") != definition.get("schedule"):
        # A new schedule starts at the next tick, with its own interval (an adaptive one starts afresh).
        row.interval_seconds, row.next_run_at = _fixed_interval(definition.get("schedule")), None
    row.home, row.definition, row.enabled, row.removed_at = source.home, definition, source.enabled, None


def _fixed_interval(schedule: str | None) -> int | None:
    """The seconds of an interval schedule (`2h`), else None; a schedule that does not read is None too (the
    source loader reports it)."""
    from newsmon.schedules import ScheduleError, parse_schedule

    try:
        return parse_schedule(schedule).seconds
    except ScheduleError:
        return None


def _held(row: SourceRow, places: tuple[PurePath, ...], loaded_from: str | None = None) -> bool:
    """Whether the row's definition came from one of `places` (files or directories), and not from
    `loaded_from`."""
    origin = (row.definition or {}).get("origin")
    if not origin or origin == loaded_from:
        return False
    path = PurePath(origin)
    return any(path == place or place in path.parents for place in places)


def _schedule(row: SourceRow) -> SourceSchedule:
    definition = row.definition or {}
    return SourceSchedule(
        name=row.name,
        enabled=row.enabled,
        schedule=definition.get("schedule"),
        timezone=definition.get("timezone") or "Asia/Almaty",
        interval_seconds=row.interval_seconds,
        next_run_at=row.next_run_at,
        last_run_at=row.last_run_at,
    )
