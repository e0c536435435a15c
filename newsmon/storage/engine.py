"""Database engines: one per URL, SQLite tuned for a single busy process (WAL), PostgreSQL pooled."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class DatabaseURLError(ValueError):
    """The database URL cannot be used; the message says why."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite files get WAL, a busy timeout and foreign keys."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseURLError(f"NEWSMON_DATABASE_URL {url!r} is not a database URL") from None
    if parsed.get_backend_name() == "sqlite":
        # A file URI (`file:/path?mode=ro&uri=true`) names an existing file: nothing to create for it.
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


READ_ONLY = "newsmon_read_only"  # execution option of read-only sessions
# Execution option of read-only connections whose statements each read on their own (no BEGIN on SQLite).
SINGLE_READS = "newsmon_single_reads"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy issue BEGIN itself so writers take the lock up front (no upgrade deadlocks).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # A sort too big for the cache (a common word's matches grouped per day) merges in a second thread:
    # 0.66 -> 0.45-0.47 s for half a million rows on 2 cores.
    cursor.execute("PRAGMA threads=2")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    """Writers take the write lock up front; read-only sessions (`Repository.reading`) do not wait for it;
    single reads (`Repository.reading_rows`) begin nothing: each SELECT is a transaction of its own, and
    the BEGIN statement cost a tenth of a search."""
    options = conn.get_execution_options()
    if options.get(SINGLE_READS, False):
        return
    conn.exec_driver_sql("BEGIN" if options.get(READ_ONLY, False) else "BEGIN IMMEDIATE")
