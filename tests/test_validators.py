"""The validator store: per source and URL, with the since-window of the crawl that saved them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsmon.validators import ValidatorStore, covers

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
FEED = "http://127.0.0.1:8854/rss.xml"


def test_validators_belong_to_the_source_that_saved_them(tmp_path: Path) -> None:
    store = ValidatorStore(tmp_path / "state.sqlite3")
    store.save("d1", {FEED: ('"one"', None)}, window_start=None)

    assert store.load("d1", window_start=None) == {FEED: ('"one"', None)}
    assert store.load("d2", window_start=None) == {}
    assert store.load("d2", [FEED], window_start=None) == {}

    store.save("d2", {FEED: ('"two"', "Sun, 01 Mar 2026 10:00:00 GMT")}, window_start=None)
    assert store.load("d1", [FEED], window_start=None) == {FEED: ('"one"', None)}
    assert store.load("d2", [FEED], window_start=None) == {FEED: ('"two"', "Sun, 01 Mar 2026 10:00:00 GMT")}


def test_validators_hold_only_for_a_window_reaching_no_further_back(tmp_path: Path) -> None:
    store = ValidatorStore(tmp_path / "state.sqlite3")
    saved_at = NOW - timedelta(days=2)
    store.save("d1", {FEED: ('"one"', None)}, window_start=saved_at)

    assert store.load("d1", window_start=saved_at + timedelta(hours=1)) == {FEED: ('"one"', None)}
    assert store.load("d1", window_start=saved_at) == {FEED: ('"one"', None)}
    assert store.load("d1", window_start=saved_at - timedelta(days=5)) == {}
    assert store.load("d1", window_start=None) == {}  # no bound reaches further than any window
    assert store.records("d1")[FEED].window_start == saved_at


def test_covers() -> None:
    assert covers(None, None) and covers(None, NOW)
    assert covers(NOW, NOW) and covers(NOW, NOW + timedelta(seconds=1))
    assert not covers(NOW, NOW - timedelta(seconds=1)) and not covers(NOW, None)


def test_validators_kept_by_url_alone_are_not_used(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE http_validators (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, seen_at TEXT)"
        )
        conn.execute("INSERT INTO http_validators VALUES (?, '\"old\"', NULL, '2026-01-01')", (FEED,))
    conn.close()

    assert ValidatorStore(path).load("d1", window_start=None) == {}
