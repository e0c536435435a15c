"""Matches and alerts: the outbox that delivery works from, and its one-per-key guarantees."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from newsmon.models import Alert, Channel, ListedAlert, Watch, deleted_suffix
from newsmon.storage import convert
from newsmon.storage.records import NewAlert, WatchHit, utcnow
from newsmon.storage.tables import (
    AlertRow,
    ArticleRow,
    ChannelRow,
    MatchRow,
    WatchAliasRow,
    WatchRow,
)


class AlertPage(NamedTuple):
    """Alerts newest first, and the `before` that lists the ones older than these (None: no older ones)."""

    alerts: list[ListedAlert]
    next_before: int | None


def _listed_alerts() -> Select[Any]:
    """Alerts with their watch's name and their article's source, URL and title, joined in the one query so a
    page of alerts costs one round trip (only the article's short columns, never its text)."""
    return (
        select(AlertRow, WatchRow.name, ArticleRow.source, ArticleRow.url, ArticleRow.title)
        .outerjoin(WatchRow, WatchRow.id == AlertRow.watch_id)
        .outerjoin(ArticleRow, ArticleRow.id == AlertRow.article_id)
    )


class AlertQueries:
    """Mixin of Repository: matching outcome, alerts, watches and channels."""

    session: Any
    _insert_ignore: Any

    # --- the matching outbox ---------------------------------------------------------------------
    def unmatched_article_ids(self, limit: int = 500, older_than: timedelta | None = None) -> list[int]:
        with self.session() as s:
            query = (
                select(ArticleRow.id)
                .where(ArticleRow.matched_at.is_(None))
                .order_by(ArticleRow.id)
                .limit(limit)
            )
            if older_than is not None:
                query = query.where(ArticleRow.stored_at <= utcnow() - older_than)
            return list(s.scalars(query))

    def record_matching(self, article_id: int, hits: Sequence[WatchHit]) -> list[int]:
        """Write matches and their alerts and mark the article matched, in one transaction.

        A (watch, story) pair already matched creates nothing: copies of a story alert once. Returns the ids
        of the alerts created, for the caller to enqueue after commit.
        """
        created: list[int] = []
        with self.session() as s:
            row = s.get(ArticleRow, article_id, with_for_update=True)
            if row is None or row.matched_at is not None:
                return []
            assert row.story_id is not None
            now = utcnow()
            for hit in hits:
                insert = self._insert_ignore(MatchRow).values(
                    watch_id=hit.watch_id,
                    story_id=row.story_id,
                    article_id=article_id,
                    matched_at=now,
                    terms=list(hit.terms),
                )
                statement = insert.on_conflict_do_nothing(index_elements=["watch_id", "story_id"])
                if s.execute(statement.returning(MatchRow.id)).scalar_one_or_none() is None:
                    continue
                for new in hit.alerts:
                    created.extend(self._add_alert(s, new, hit.watch_id, row.story_id, article_id, "match"))
            row.matched_at = now
        return created

    def _add_alert(
        self,
        s: Session,
        new: NewAlert,
        watch_id: int | None,
        story_id: int | None,
        article_id: int | None,
        kind: str,
    ) -> list[int]:
        insert = self._insert_ignore(AlertRow).values(
            watch_id=watch_id,
            channel_id=new.channel_id,
            story_id=story_id,
            article_id=article_id,
            kind=kind,
            status=new.status,
            idempotency_key=new.idempotency_key,
            payload=new.payload,
            attempts=0,
            next_attempt_at=new.next_attempt_at or utcnow(),
            created_at=utcnow(),
        )
        statement = insert.on_conflict_do_nothing(index_elements=["idempotency_key"])
        alert_id = s.execute(statement.returning(AlertRow.id)).scalar_one_or_none()
        return [alert_id] if alert_id is not None else []

    def add_alert(self, new: NewAlert, *, kind: str, watch_id: int | None = None) -> int | None:
        """Create an alert that belongs to no article match (ops, digest, spike); None if the key exists."""
        with self.session() as s:
            ids = self._add_alert(s, new, watch_id, None, None, kind)
            return ids[0] if ids else None

    def story_matched_by(self, story_id: int) -> set[int]:
        with self.session() as s:
            return set(s.scalars(select(MatchRow.watch_id).where(MatchRow.story_id == story_id)))

    def count_matches(self, watch_id: int | None = None) -> int:
        with self.session() as s:
            query = select(func.count()).select_from(MatchRow)
            if watch_id is not None:
                query = query.where(MatchRow.watch_id == watch_id)
            return int(s.scalar(query) or 0)

    # --- alerts ----------------------------------------------------------------------------------
    def get_alert(self, alert_id: int) -> ListedAlert | None:
        with self.session() as s:
            row = s.execute(_listed_alerts().where(AlertRow.id == alert_id)).one_or_none()
            return convert.listed_alert(*row) if row else None

    def claim_alert(
        self, alert_id: int, lease: timedelta = timedelta(minutes=5), *, now: datetime | None = None
    ) -> Alert | None:
        """Take a due pending alert for sending; None when it is sent, dead, held or leased by another."""
        with self.session() as s:
            query = select(AlertRow).where(AlertRow.id == alert_id).with_for_update(skip_locked=True)
            row = s.scalar(query)
            now = now or utcnow()
            if row is None or row.status not in {"pending", "sending"}:
                return None
            if row.next_attempt_at is not None and row.next_attempt_at > now:
                return None
            row.status = "sending"
            row.attempts += 1
            row.next_attempt_at = now + lease  # if this worker dies, the sweeper retries after the lease
            return convert.alert(row)

    def mark_alert_sent(self, alert_id: int) -> None:
        with self.session() as s:
            s.execute(
                update(AlertRow)
                .where(AlertRow.id == alert_id)
                .values(status="sent", sent_at=utcnow(), last_error=None, next_attempt_at=None)
            )

    def mark_alert_failed(self, alert_id: int, error: str, *, retry_at: datetime | None) -> None:
        """Schedule the next attempt, or mark the alert dead when retry_at is None."""
        status = "pending" if retry_at is not None else "dead"
        with self.session() as s:
            s.execute(
                update(AlertRow)
                .where(AlertRow.id == alert_id)
                .values(status=status, last_error=error[:2000], next_attempt_at=retry_at)
            )

    def due_alert_ids(self, limit: int = 500, *, now: datetime | None = None) -> list[int]:
        """Pending alerts whose time has come (retries, quiet hours over), and sends whose lease ran out
        (a worker died mid-send)."""
        with self.session() as s:
            query = (
                select(AlertRow.id)
                .where(
                    AlertRow.status.in_(["pending", "sending"]),
                    AlertRow.next_attempt_at <= (now or utcnow()),
                )
                .order_by(AlertRow.next_attempt_at)
                .limit(limit)
            )
            return list(s.scalars(query))

    def list_alerts(
        self, status: str | None = None, limit: int = 100, before: int | None = None
    ) -> list[ListedAlert]:
        """The newest `limit` alerts, by id descending; with `before`, only those older than that id."""
        with self.session() as s:
            query = _listed_alerts().order_by(AlertRow.id.desc()).limit(limit)
            if status:
                query = query.where(AlertRow.status == status)
            if before is not None:
                query = query.where(AlertRow.id < before)
            return [convert.listed_alert(*row) for row in s.execute(query)]

    def alert_page(self, status: str | None = None, limit: int = 100, before: int | None = None) -> AlertPage:
        """A page of `list_alerts` and the `before` that gives the next one (None when none is older)."""
        rows = self.list_alerts(status, limit + 1, before)
        older = len(rows) > limit
        rows = rows[:limit]
        return AlertPage(rows, rows[-1].id if older else None)

    def retry_alert(self, alert_id: int) -> bool:
        """Put a dead alert back in the queue with a fresh attempt count (same idempotency key)."""
        with self.session() as s:
            result = s.execute(
                update(AlertRow)
                .where(AlertRow.id == alert_id, AlertRow.status == "dead")
                .values(status="pending", attempts=0, next_attempt_at=utcnow(), last_error=None)
            )
            return result.rowcount == 1

    def release_held_alerts(self, alert_ids: Sequence[int]) -> None:
        with self.session() as s:
            s.execute(
                update(AlertRow)
                .where(AlertRow.id.in_(list(alert_ids)), AlertRow.status == "held")
                .values(status="pending", next_attempt_at=utcnow())
            )

    def held_alerts(self, channel_ids: Sequence[int] | None = None) -> list[Alert]:
        with self.session() as s:
            query = select(AlertRow).where(AlertRow.status == "held").order_by(AlertRow.id)
            if channel_ids is not None:
                query = query.where(AlertRow.channel_id.in_(list(channel_ids)))
            return [convert.alert(r) for r in s.scalars(query)]

    def count_alerts(self, status: str | None = None, before: int | None = None) -> int:
        """How many alerts (of a status); with `before`, only those older than that id."""
        with self.session() as s:
            query = select(func.count()).select_from(AlertRow)
            if status:
                query = query.where(AlertRow.status == status)
            if before is not None:
                query = query.where(AlertRow.id < before)
            return int(s.scalar(query) or 0)

    # --- watches and channels --------------------------------------------------------------------
    def add_watch(self, item: Watch) -> Watch:
        with self.session() as s:
            row = WatchRow(**convert.watch_values(item), updated_at=utcnow())
            s.add(row)
            s.flush()
            return convert.watch(row)

    def update_watch(self, item: Watch) -> Watch:
        with self.session() as s:
            row = s.get(WatchRow, item.id)
            if row is None:
                raise KeyError(f"no watch with id {item.id}")
            for key, value in convert.watch_values(item).items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            return convert.watch(row)

    def delete_watch(self, watch_id: int) -> bool:
        with self.session() as s:
            row = s.get(WatchRow, watch_id, with_for_update=True)
            if row is None or convert.watch(row).deleted:
                return False
            row.enabled = False  # matches and alerts keep pointing at it
            row.name = row.name + deleted_suffix(watch_id)
            row.updated_at = utcnow()
            return True

    def get_watch(self, key: int | str) -> Watch | None:
        with self.session() as s:
            column = WatchRow.id if isinstance(key, int) else WatchRow.name
            row = s.scalar(select(WatchRow).where(column == key))
            return convert.watch(row) if row else None

    def list_watches(self, *, enabled_only: bool = False) -> list[Watch]:
        with self.session() as s:
            query = select(WatchRow).order_by(WatchRow.id)
            if enabled_only:
                query = query.where(WatchRow.enabled.is_(True))
            return [convert.watch(r) for r in s.scalars(query)]

    def watches_version(self) -> str:
        """Changes whenever a watch or an alias is added, edited or removed: workers rebuild their matcher."""
        with self.session() as s:
            count, latest = s.execute(select(func.count(WatchRow.id), func.max(WatchRow.updated_at))).one()
            aliases, changed = s.execute(
                select(func.count(WatchAliasRow.name), func.max(WatchAliasRow.updated_at))
            ).one()
            stamps = [v.isoformat() if v else "-" for v in (latest, changed)]
            return f"{count}:{stamps[0]}:{aliases}:{stamps[1]}"

    # --- aliases shared by every watch ---------------------------------------------------------------
    def list_aliases(self) -> dict[str, str]:
        """Alias name (without @) -> its definition, for compile_query(..., aliases=) and WatchMatcher."""
        with self.session() as s:
            rows = s.execute(
                select(WatchAliasRow.name, WatchAliasRow.definition).order_by(WatchAliasRow.name)
            )
            return {name: definition for name, definition in rows}

    def set_alias(self, name: str, definition: str) -> None:
        with self.session() as s:
            row = s.get(WatchAliasRow, name)
            if row is None:
                s.add(WatchAliasRow(name=name, definition=definition, updated_at=utcnow()))
            else:
                row.definition, row.updated_at = definition, utcnow()

    def delete_alias(self, name: str) -> bool:
        with self.session() as s:
            return s.execute(delete(WatchAliasRow).where(WatchAliasRow.name == name)).rowcount == 1

    # --- digests and spikes --------------------------------------------------------------------------
    def digest_held_alerts(
        self, alert_ids: Sequence[int], digest: Callable[[list[Alert]], NewAlert]
    ) -> int | None:
        """Turn held alerts into one digest alert and mark them digested, in one transaction.

        `digest` builds the digest from the alerts still held (another tick may have taken some). None when
        none are left or the digest's idempotency key exists already (that period was digested).
        """
        with self.session() as s:
            rows = list(
                s.scalars(
                    select(AlertRow)
                    .where(AlertRow.id.in_(list(alert_ids)), AlertRow.status == "held")
                    .order_by(AlertRow.id)
                    .with_for_update()
                )
            )
            if not rows:
                return None
            new = digest([convert.alert(r) for r in rows])
            ids = self._add_alert(s, new, None, None, None, "digest")
            if not ids:
                return None
            for row in rows:
                row.status, row.next_attempt_at = "digested", None
            return ids[0]

    def match_times(self, watch_ids: Sequence[int], since: datetime) -> list[tuple[int, datetime, int]]:
        """(watch id, matched at, article id) of every match of these watches since a time (spikes)."""
        with self.session() as s:
            rows = s.execute(
                select(MatchRow.watch_id, MatchRow.matched_at, MatchRow.article_id)
                .where(MatchRow.watch_id.in_(list(watch_ids)), MatchRow.matched_at >= since)
                .order_by(MatchRow.matched_at)
            )
            return [(w, at, a) for w, at, a in rows]

    def upsert_channel(self, item: Channel) -> Channel:
        with self.session() as s:
            row = s.scalar(select(ChannelRow).where(ChannelRow.name == item.name))
            if row is None:
                row = ChannelRow(name=item.name)
                s.add(row)
            row.kind, row.target, row.secret = item.kind, item.target, item.secret
            row.rate_limit_per_minute, row.enabled, row.options = (
                item.rate_limit_per_minute,
                item.enabled,
                dict(item.options),
            )
            s.flush()
            return convert.channel(row)

    def list_channels(self) -> list[Channel]:
        with self.session() as s:
            return [convert.channel(r) for r in s.scalars(select(ChannelRow).order_by(ChannelRow.id))]

    def get_channel(self, key: int | str) -> Channel | None:
        with self.session() as s:
            column = ChannelRow.id if isinstance(key, int) else ChannelRow.name
            row = s.scalar(select(ChannelRow).where(column == key))
            return convert.channel(row) if row else None

    def delete_channel(self, name: str) -> bool:
        with self.session() as s:
            return s.execute(delete(ChannelRow).where(ChannelRow.name == name)).rowcount == 1
