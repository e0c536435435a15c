"""Export every article matching a query to CSV, JSONL or Parquet, streaming in constant memory.

Rows come from the database in id order, a batch at a time (one streamed query on PostgreSQL, short
id-ordered chunks on SQLite), as plain tuples of the export columns with the dates already written as
ISO 8601 UTC text (`Repository.iter_export_batches`), and each batch is written as it arrives. An export
is bound by the work done per row: on SQLite a JSONL line is written by the database's json_object and
reaches the file as the bytes it returned (when the full-text index decides the query alone), elsewhere it
is one `orjson.dumps` of the columns (half the time of the json module's encoder); a CSV record is
assembled with `csv.writer`'s quoting, and Parquet gets one row group per batch. Every copy of a story is a
row of its own (`story_id` groups them). docs/search.md documents the columns.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from threading import Thread
from typing import IO, Any

import orjson

from newsmon.search.options import SearchError, SearchFilters, check_sources
from newsmon.search.service import PreparedQuery, prepare_query
from newsmon.storage import Repository
from newsmon.storage.exports import EXPORT_COLUMNS, ExportRow
from newsmon.storage.search import ArticleSelection, Document

log = logging.getLogger(__name__)

FORMATS = ("csv", "jsonl", "parquet")
STDOUT = Path("-")  # `-o -`: write to standard output (as bytes, for a pipe)
COLUMNS = EXPORT_COLUMNS
BATCH = 5000  # rows read, and for Parquet written as one row group, at a time

Batches = Iterator[Sequence[ExportRow]]
Progress = Callable[[int], None] | None


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
    if not chosen and path == STDOUT:
        raise SearchError("format: give --format csv, jsonl or parquet to write to standard output", "format")
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


def _prepared(repo: Repository, request: ExportRequest) -> tuple[PreparedQuery, ArticleSelection]:
    """The checked query and its selection; SearchError now, before any output is started."""
    prepared = prepare_query(request.query, request.aliases)
    check_sources(repo, request.filters)
    return prepared, prepared.selection(request.filters, repo.full_text_dialect)


def _batches(repo: Repository, prepared: PreparedQuery, selection: ArticleSelection) -> Batches:
    """The matching rows: the index's candidates, each read on its text when the index is not exact."""
    batches = repo.iter_export_batches(selection, BATCH)
    if prepared.translation.exact:
        yield from batches
        return
    for batch in batches:
        kept = [row for row in batch if prepared.match(_document(row)) is not None]
        if kept:
            yield kept


def _document(row: ExportRow) -> Document:
    """An export row as `PreparedQuery.match` reads it (only for queries the index cannot decide)."""
    id_, story_id, published, source, language, url, canonical_url, title, *rest = row
    description, authors, tags, section, version, stored_at, text = rest
    return Document(
        id=id_,
        story_id=story_id,
        url=url,
        canonical_url=canonical_url,
        source=source,
        language=language,
        title=title,
        text=text,
        description=description,
        authors=tuple(_strings(authors)),
        tags=tuple(_strings(tags)),
        section=section,
        published=datetime.fromisoformat(published) if published else None,
        stored_at=datetime.fromisoformat(stored_at),
        version=version,
    )


def _strings(value: str | None) -> list[str]:
    """A stored JSON list of text ('[]' for most articles, so that one is not parsed)."""
    if not value or value == "[]":
        return []
    return list(json.loads(value))


def matching_rows(repo: Repository, request: ExportRequest) -> tuple[int, Iterator[dict[str, Any]]]:
    """(how many candidates the index found — an upper bound —, the matching rows as dicts, streamed)."""
    prepared, selection = _prepared(repo, request)
    total = repo.count_selected(selection)

    def rows() -> Iterator[dict[str, Any]]:
        for batch in _batches(repo, prepared, selection):
            yield from map(_row_dict, batch)

    return total, rows()


def _row_dict(row: ExportRow) -> dict[str, Any]:
    """An export row as a dict in column order, with authors and tags as lists."""
    out = dict(zip(COLUMNS, row, strict=True))
    out["authors"], out["tags"] = _strings(out["authors"]), _strings(out["tags"])
    return out


def export_chunks(repo: Repository, request: ExportRequest) -> Iterator[bytes]:
    """JSONL or CSV of the matching rows in UTF-8, a batch per chunk (the HTTP export streams these).

    The query is checked now (SearchError), the database is read only as the chunks are taken.
    """
    prepared, selection = _prepared(repo, request)
    if request.format not in ("jsonl", "csv"):
        raise SearchError(f"format: {request.format!r} cannot be streamed; use jsonl or csv", "format")

    def chunks() -> Iterator[bytes]:
        if request.format == "csv":
            yield CSV_HEADER
        yield from (lines for _rows, lines in _line_chunks(repo, prepared, selection, request.format))

    return chunks()


def _line_chunks(
    repo: Repository, prepared: PreparedQuery, selection: ArticleSelection, format: str
) -> Iterator[tuple[int, bytes]]:
    """(rows, JSONL or CSV lines) a batch at a time: JSONL written by SQLite itself when the index decides
    the query alone (`Repository.iter_export_lines`), else encoded here from the rows."""
    if format == "jsonl" and prepared.translation.exact and repo.full_text_dialect != "postgresql":
        yield from repo.iter_export_lines(selection, BATCH)
        return
    encode = _jsonl if format == "jsonl" else _csv_utf8
    for batch in _batches(repo, prepared, selection):
        yield len(batch), encode(batch)


def export(
    repo: Repository,
    request: ExportRequest,
    progress: Progress = None,
    on_total: Progress = None,
) -> int:
    """Write the matching articles to `request.path`; returns the number of rows written.

    `on_total` hears the number of candidates (for a progress bar: an upper bound, or on PostgreSQL the
    planner's estimate past 100,000), counted only when asked for and in a thread of its own while the
    export runs: the count is a query of its own (a fifth of the export for half a million rows on
    SQLite), and the database does it without the GIL; `on_total` is called from that thread, before
    `export` returns. `progress` hears the rows written since its last call.
    """
    chosen = export_format(request.path, request.format)
    prepared, selection = _prepared(repo, request)
    counting = _count_aside(repo, selection, on_total) if on_total else None
    to_stdout = request.path == STDOUT
    log.info(
        "exporting the articles matching %r to %s",
        request.query,
        "standard output" if to_stdout else request.path,
    )
    try:
        if not to_stdout:
            request.path.parent.mkdir(parents=True, exist_ok=True)
        with _opened(request.path) as out:
            if chosen == "parquet":
                return _write_parquet(out, _batches(repo, prepared, selection), progress)
            if chosen == "csv":
                out.write(CSV_HEADER)
            return _write_chunks(out, _line_chunks(repo, prepared, selection, chosen), progress)
    finally:
        if counting is not None:
            counting.join()


@contextmanager
def _opened(path: Path) -> Iterator[IO[bytes]]:
    """The output file, or standard output's bytes for `-` (flushed, not closed)."""
    if path == STDOUT:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with path.open("wb") as out:
        yield out


def _count_aside(repo: Repository, selection: ArticleSelection, on_total: Callable[[int], None]) -> Thread:
    """Count the selection in a thread; a count that fails only leaves the progress bar without a total."""

    def count() -> None:
        try:
            on_total(repo.count_export(selection))
        except Exception:
            log.warning("could not count the articles to export; going on without a total", exc_info=True)

    thread = Thread(target=count, name="export-count", daemon=True)
    thread.start()
    return thread


def _jsonl(rows: Sequence[ExportRow]) -> bytes:
    """The rows as JSON lines of UTF-8 (orjson: compact separators, non-ASCII written as it is)."""
    dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    return b"".join([dumps(_row_dict(row), option=newline) for row in rows])


def _csv(rows: Sequence[ExportRow]) -> str:
    """The rows as `csv.writer` (default dialect) writes them; authors and tags joined by '; '."""
    f = _csv_field
    return "".join(
        [
            f"{id_},{'' if story_id is None else story_id},{published or ''},{f(source)},{f(language)},"
            f"{f(url)},{f(canonical_url)},{f(title)},{f(description)},{f(_joined(authors))},"
            f"{f(_joined(tags))},{f(section)},{version},{stored_at},{f(text)}\r\n"
            for (
                id_,
                story_id,
                published,
                source,
                language,
                url,
                canonical_url,
                title,
                description,
                authors,
                tags,
                section,
                version,
                stored_at,
                text,
            ) in rows
        ]
    )


def _csv_field(value: str | None) -> str:
    """csv.writer's minimal quoting: quoted, quotes doubled, if it holds a comma, a quote or a line break."""
    if value is None:
        return ""
    if "," in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _joined(value: str | None) -> str:
    return "" if value == "[]" else "; ".join(_strings(value))


def _csv_utf8(rows: Sequence[ExportRow]) -> bytes:
    return _csv(rows).encode("utf-8")


CSV_HEADER = (",".join(COLUMNS) + "\r\n").encode("utf-8")


def _write_chunks(out: IO[bytes], chunks: Iterator[tuple[int, bytes]], progress: Progress) -> int:
    """Write (rows, bytes) chunks; returns the rows written."""
    count = 0
    for rows, data in chunks:
        out.write(data)
        count += rows
        if progress:
            progress(rows)
    return count


def _write_parquet(out: IO[bytes], batches: Batches, progress: Progress) -> int:
    """One row group per batch. The writer thread encodes, compresses and writes a batch (pyarrow does
    that without the GIL) while this thread reads the next one and turns it into columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    string, listed = pa.string(), pa.list_(pa.string())
    types = {
        "id": pa.int64(),
        "story_id": pa.int64(),
        "version": pa.int32(),
        "authors": listed,
        "tags": listed,
    }
    schema = pa.schema([(name, types.get(name, string)) for name in COLUMNS])
    lists = {COLUMNS.index("authors"), COLUMNS.index("tags")}
    count = 0
    with (
        pq.ParquetWriter(out, schema) as writer,
        ThreadPoolExecutor(1, thread_name_prefix="parquet") as pool,
    ):
        writing: Future[None] | None = None
        for batch in batches:
            columns = zip(*batch, strict=True)
            arrays = [
                pa.array(list(map(_strings, values)) if i in lists else values, type=schema.field(i).type)
                for i, values in enumerate(columns)
            ]
            table = pa.Table.from_arrays(arrays, schema=schema)
            if writing is not None:
                writing.result()  # at most two batches in memory, row groups in order
            writing = pool.submit(writer.write_table, table)
            count += len(batch)
            if progress:
                progress(len(batch))
        if writing is not None:
            writing.result()
        if count == 0:
            writer.write_table(schema.empty_table())
    return count
