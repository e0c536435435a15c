"""ETag and Last-Modified per source and URL, remembered between crawls in a small SQLite file under the data
directory.

The crawl's conditional-GET middleware reads and writes them; the crawl task reads them for its cheap poll
(`tasks.poll`). SQLite, so crawls of different sources on one machine can share the file.

Validators belong to the source whose crawl saved them: two sources that read the same feed or sitemap never
use each other's, since a 304 only says that the page did not change since *that source's* crawl read it.
Each row also keeps the start of the since-window of the crawl that saved it (None: no bound): that crawl
took only the items published after it, so a crawl that reaches further back must read the page in full.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

Validators = tuple[str | None, str | None]  # (ETag, Last-Modified)
STATE_FILE = "crawl-state.sqlite3"
# The older table `http_validators` (keyed by URL alone) is left as it is and never read: nothing is
# migrated, so each source's first crawl after the change reads its pages in full, which is harmless.
TABLE = "http_validators_by_source"


@dataclass(frozen=True, slots=True)
class Remembered:
    """The validators of one page, and the start of the since-window of the crawl that saved them."""

    validators: Validators
    window_start: datetime | None  # None: that crawl had no bound


def covers(remembered: datetime | None, window_start: datetime | None) -> bool:
    """Whether validators saved by a crawl whose window started at `remembered` hold for a crawl whose window
    starts at `window_start`: only if the new crawl reaches no further back (None: no bound)."""
    if remembered is None:
        return True
    return window_start is not None and window_start >= remembered


class ValidatorStore:
    """ETag and Last-Modified per (source, URL), in SQLite (safe when several crawls of different sources run)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (source TEXT NOT NULL, url TEXT NOT NULL, etag TEXT,"
            " last_modified TEXT, window_start TEXT, seen_at TEXT NOT NULL, PRIMARY KEY (source, url))"
        )
        return conn

    def records(self, source: str, urls: Sequence[str] | None = None) -> dict[str, Remembered]:
        """What `source`'s crawls remembered for each URL (every URL, or those of `urls` only)."""
        query = f"SELECT url, etag, last_modified, window_start FROM {TABLE} WHERE source = ?"
        params: list[str] = [source]
        if urls is not None:
            query += f" AND url IN ({','.join('?' * len(urls))})"
            params += list(urls)
        with self._connect() as conn:
            rows = conn.execute(query, params).fetchall()
        conn.close()
        return {
            url: Remembered((etag, modified), datetime.fromisoformat(start) if start else None)
            for url, etag, modified, start in rows
        }

    def load(
        self, source: str, urls: Sequence[str] | None = None, *, window_start: datetime | None
    ) -> dict[str, Validators]:
        """The validators `source` may send in a crawl whose since-window starts at `window_start` (None: no
        bound): its own, saved by a crawl that reached at least as far back."""
        found = self.records(source, urls)
        return {url: r.validators for url, r in found.items() if covers(r.window_start, window_start)}

    def save(self, source: str, validators: dict[str, Validators], window_start: datetime | None) -> None:
        """Remember `source`'s validators, read by a crawl whose since-window started at `window_start`."""
        now = datetime.now(UTC).isoformat()
        start = window_start.astimezone(UTC).isoformat() if window_start else None
        with self._connect() as conn:
            conn.executemany(
                f"INSERT INTO {TABLE} (source, url, etag, last_modified, window_start, seen_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(source, url) DO UPDATE SET etag=excluded.etag,"
                " last_modified=excluded.last_modified, window_start=excluded.window_start,"
                " seen_at=excluded.seen_at",
                [(source, url, etag, modified, start, now) for url, (etag, modified) in validators.items()],
            )
        conn.close()
