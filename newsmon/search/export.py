"""Export every article matching a query to CSV, JSONL or Parquet, streaming in constant memory.

Rows come from the database in id order through a server-side cursor (PostgreSQL) or short id-ordered
chunks (SQLite) and are written as they arrive; Parquet is written one row group per batch. Every copy
of a story is a row of its own (`story_id` groups them). docs/search.md documents the columns.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from newsmon.search.options import SearchError, SearchFilters
from newsmon.search.service import prepare_query
from newsmon.storage import Repository
from newsmon.storage.search import Document

log = logging.getLogger(__name__)

FORMATS = ("csv", "jsonl", "parquet")
COLUMNS = (
    "id",
    "story_id",
    "published",
    "source",
    "language",
    "url",
    "canonical_url",
    "title",
    "description",
    "authors",
    "tags",
    "section",
    "version",
    "stored_at",
    "text",
)
PARQUET_BATCH = 5000


@dataclass(frozen=True, slots=True)
class ExportRequest:
    query: str
    path: Path
    format: str = "jsonl"
    filters: SearchFilters = field(default_factory=SearchFilters)
    aliases: Mapping[str, str] | None = None


def export_format(path: Path, format: str | None) -> str:
    """The format asked for, or guessed from the file name; SearchError when neither says."""
    chosen = (format or path.suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise SearchError(f"format: {chosen or path.name!r} is not one of {', '.join(FORMATS)}", "format")
    if chosen == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise SearchError(
                "format: parquet needs pyarrow, which is not installed (pip install pyarrow); "
                "use csv or jsonl instead",
                "format",
            ) from None
    return chosen


def row_of(doc: Document) -> dict[str, Any]:
    """One export row: plain JSON types, dates as ISO 8601 UTC, authors and tags as lists."""
    return {
        "id": doc.id,
        "story_id": doc.story_id,
        "published": doc.published.isoformat() if doc.published else None,
        "source": doc.source,
        "language": doc.language,
        "url": doc.url,
        "canonical_url": doc.canonical_url,
        "title": doc.title,
        "description": doc.description,
        "authors": list(doc.authors),
        "tags": list(doc.tags),
        "section": doc.section,
        "version": doc.version,
        "stored_at": doc.stored_at.isoformat(),
        "text": doc.text,
    }


def matching_rows(repo: Repository, request: ExportRequest) -> tuple[int, Iterator[dict[str, Any]]]:
    """(how many candidates the index found — an upper bound —, the matching rows as a stream)."""
    prepared = prepare_query(request.query, request.aliases)
    selection = prepared.selection(request.filters, repo.full_text_dialect)
    total = repo.count_selected(selection)

    def rows() -> Iterator[dict[str, Any]]:
        for doc in repo.iter_selected(selection):
            if prepared.translation.exact or prepared.match(doc) is not None:
                yield row_of(doc)

    return total, rows()


def export(
    repo: Repository,
    request: ExportRequest,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> int:
    """Write the matching articles to `request.path`; returns the number of rows written.

    `on_total` hears the number of candidates first (an upper bound for a progress bar), `progress` the
    rows written since its last call.
    """
    chosen = export_format(request.path, request.format)
    total, rows = matching_rows(repo, request)
    if on_total:
        on_total(total)
    log.info("exporting up to %d articles matching %r to %s", total, request.query, request.path)
    request.path.parent.mkdir(parents=True, exist_ok=True)
    if chosen == "parquet":
        return _write_parquet(request.path, rows, progress)
    with request.path.open("w", encoding="utf-8", newline="") as out:
        writer = _write_csv if chosen == "csv" else _write_jsonl
        return writer(out, rows, progress)


def _write_jsonl(out: IO[str], rows: Iterator[dict[str, Any]], progress: Callable[[int], None] | None) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
        if progress and count % 1000 == 0:
            progress(1000)
    if progress:
        progress(count % 1000)
    return count


def _write_csv(out: IO[str], rows: Iterator[dict[str, Any]], progress: Callable[[int], None] | None) -> int:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        row["authors"], row["tags"] = "; ".join(row["authors"]), "; ".join(row["tags"])
        writer.writerow([row[name] for name in COLUMNS])
        count += 1
        if progress and count % 1000 == 0:
            progress(1000)
    if progress:
        progress(count % 1000)
    return count


def _write_parquet(path: Path, rows: Iterator[dict[str, Any]], progress: Callable[[int], None] | None) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("story_id", pa.int64()),
            ("published", pa.string()),
            ("source", pa.string()),
            ("language", pa.string()),
            ("url", pa.string()),
            ("canonical_url", pa.string()),
            ("title", pa.string()),
            ("description", pa.string()),
            ("authors", pa.list_(pa.string())),
            ("tags", pa.list_(pa.string())),
            ("section", pa.string()),
            ("version", pa.int32()),
            ("stored_at", pa.string()),
            ("text", pa.string()),
        ]
    )
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                if progress:
                    progress(len(batch))
                batch = []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
            if progress:
                progress(len(batch))
    return count
