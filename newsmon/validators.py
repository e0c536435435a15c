"""ETag and Last-Modified per URL, remembered between crawls in a small SQLite file under the data directory.

The crawl's conditional-GET middleware reads and writes them; the crawl task reads them for its cheap poll
(`tasks.poll`). SQLite, so crawls of different sources on one machine can share the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

Validators = tuple[str | None, str | None]  # (ETag, Last-Modified)
STATE_FILE = "crawl-state.sqlite3"


class ValidatorStore:
    """ETag and Last-Modified per URL, in SQLite (safe when several crawls of different sources run)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS http_validators (url TEXT PRIMARY KEY, etag TEXT,"
            " last_modified TEXT, seen_at TEXT NOT NULL)"
        )
        return conn

    def load(self, urls: Sequence[str] | None = None) -> dict[str, Validators]:
        """Every remembered URL's validators, or those of `urls` only."""
        with self._connect() as conn:
            if urls is None:
                rows = conn.execute("SELECT url, etag, last_modified FROM http_validators").fetchall()
            else:
                marks = ",".join("?" * len(urls))
                query = f"SELECT url, etag, last_modified FROM http_validators WHERE url IN ({marks})"
                rows = conn.execute(query, list(urls)).fetchall()
        conn.close()
        return {url: (etag, modified) for url, etag, modified in rows}

    def save(self, validators: dict[str, Validators]) -> None:
        now = datetime.now(UTC).isoformat()
        with self._connect() as conn:
            conn.executemany(
                "INSERT INTO http_validators (url, etag, last_modified, seen_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(url) DO UPDATE SET etag=excluded.etag,"
                " last_modified=excluded.last_modified, seen_at=excluded.seen_at",
                [(url, etag, modified, now) for url, (etag, modified) in validators.items()],
            )
        conn.close()
