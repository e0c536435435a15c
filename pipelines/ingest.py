"""Import archived articles (JSONL or CSV) through the same normalise, dedupe and store stages as a crawl.

Each input line gets a report line: url, article id, story id and what happened (new, copy, version,
unchanged, rejected with the reason). A bad line is rejected and counted; the rest goes on.
"""

from __future__ import annotations

import csv
import json
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from newsmon.models import Article
from pipelines.dedupe import Deduplicator
from pipelines.normalise import normalise_article
from pipelines.store import Storer

log = logging.getLogger(__name__)
FIELDS = ("url", "title", "text", "published", "source", "language")


class RejectedLine(ValueError):
    """An archive line that cannot become an article; the message says why."""


@dataclass
class IngestSummary:
    counts: Counter[str] = field(default_factory=Counter)
    stories: set[int] = field(default_factory=set)


def read_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | Exception]]:
    """(line number, record or the parse error) for each JSONL line or CSV row."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if path.suffix.lower() == ".csv":
            yield from _csv_records(handle)
            return
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise RejectedLine("not a JSON object")
                yield number, record
            except (ValueError, RejectedLine) as exc:
                yield number, RejectedLine(f"invalid JSON: {exc}")


def _csv_records(handle: TextIO) -> Iterator[tuple[int, dict[str, Any] | Exception]]:
    reader = csv.DictReader(handle)
    missing = {"url", "text"} - set(reader.fieldnames or ())
    if missing:
        yield 1, RejectedLine(f"CSV header lacks column(s): {', '.join(sorted(missing))}")
        return
    yield from enumerate(reader, 2)


def parse_published(value: Any, tz: str = "Asia/Almaty") -> datetime | None:
    """ISO 8601 values; a value without an offset is local time of the source's zone."""
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise RejectedLine(f"published {value!r} is not an ISO 8601 date") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed.astimezone(UTC)


def to_article(record: dict[str, Any], default_source: str | None) -> Article:
    url, text = (record.get("url") or "").strip(), record.get("text") or ""
    if not url.startswith(("http://", "https://")):
        raise RejectedLine(f"url {url!r} is not an http(s) URL")
    if not str(text).strip():
        raise RejectedLine("text is empty")
    tags = record.get("tags") or ()
    return Article(
        url=url,
        text=str(text),
        title=record.get("title") or None,
        published=parse_published(record.get("published")),
        source=record.get("source") or default_source,
        language=record.get("language") or record.get("lang") or None,
        authors=tuple(record.get("authors") or ()),
        tags=tuple(tags) if isinstance(tags, list) else (),
        discovered_by="archive",
        date_source="archive" if record.get("published") else None,
    )


class Ingester:
    """Runs archive lines through normalise -> dedupe -> store and writes the report."""

    def __init__(self, deduplicator: Deduplicator, storer: Storer) -> None:
        self.deduplicator = deduplicator
        self.storer = storer

    def ingest_one(
        self, number: int, record: dict[str, Any] | Exception, source: str | None
    ) -> dict[str, Any]:
        url = record.get("url") if isinstance(record, dict) else None
        try:
            if isinstance(record, Exception):
                raise record
            article = normalise_article(to_article(record, source))
            decision = self.deduplicator.decide(article)
            if decision.reason == "known_url":
                stored = self.storer.repo.article_by_url(decision.item.canonical_url)
                return {
                    "line": number,
                    "url": url,
                    "article_id": stored.id if stored else None,
                    "story_id": stored.story_id if stored else None,
                    "result": "unchanged",
                }
            result = self.storer.store(decision)
        except RejectedLine as exc:
            return {
                "line": number,
                "url": url,
                "article_id": None,
                "story_id": None,
                "result": "rejected",
                "reason": str(exc),
            }
        except Exception as exc:
            log.exception("line %d (%s) could not be stored", number, url)
            return {
                "line": number,
                "url": url,
                "article_id": None,
                "story_id": None,
                "result": "rejected",
                "reason": f"could not store: {exc}",
            }
        return {
            "line": number,
            "url": url,
            "article_id": result.article_id,
            "story_id": result.story_id,
            "result": result.outcome,
            "reason": decision.reason,
        }
