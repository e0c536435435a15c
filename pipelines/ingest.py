"""Import archived articles (JSONL or CSV) through the same normalise, dedupe and store stages as a crawl.

Each input line gets a report line: url, article id, story id and what happened (new, copy, version,
unchanged, rejected with the reason). A bad line is rejected and counted; the rest goes on.
"""

from __future__ import annotations

import csv
import json
import logging
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote
from zoneinfo import ZoneInfo

from newsmon.models import Article
from newsmon.storage import ArticleToStore, Repository
from pipelines.batch import BatchStorer
from pipelines.dedupe import Deduplicator
from pipelines.near_duplicate import Fingerprint
from pipelines.normalise import normalise_article
from pipelines.store import Storer

if TYPE_CHECKING:
    from pipelines.resources import PipelineResources

log = logging.getLogger(__name__)
FIELDS = ("url", "title", "text", "published", "source", "language")
ARCHIVE_HOST = "archive.invalid"
BATCH_SIZE = 200
AHEAD_BATCHES = 2  # batches prepared ahead of the one being stored (bounds memory)
Record = tuple[int, "dict[str, Any] | Exception"]


class RejectedLine(ValueError):
    """An archive line that cannot become an article; the message says why."""


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


def record_url(record: dict[str, Any], default_source: str | None) -> str:
    """The line's URL; a line with only an `id` (an export without links) gets a stable archive URL under
    the reserved .invalid domain, so it is stored once and never fetched."""
    url = str(record.get("url") or "").strip()
    if url:
        if not url.lower().startswith(("http://", "https://")):
            raise RejectedLine(f"url {url!r} is not an http(s) URL")
        return url
    key = str(record.get("id") or "").strip()
    if not key:
        raise RejectedLine("url is missing (and there is no id to name the article by)")
    source = str(record.get("source") or default_source or "archive")
    return f"https://{ARCHIVE_HOST}/{quote(source, safe='')}/{quote(key, safe='')}"


def to_article(record: dict[str, Any], default_source: str | None) -> Article:
    url, text = record_url(record, default_source), record.get("text") or ""
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


Prepared = tuple[dict[str, Any], "tuple[ArticleToStore, Fingerprint] | None"]


def prepare_record(record: Record, source: str | None) -> Prepared:
    """The report line of one input line and, unless rejected, what the dedupe checks compare.

    Pure work on the line alone (normalising, language, index terms, fingerprint), so it can run in
    another process."""
    number, data = record
    line = _line(number, data)
    try:
        if isinstance(data, Exception):
            raise data
        article = normalise_article(to_article(data, source))
        if not article.text.strip():
            raise RejectedLine("text is empty once cleaned")
        line["url"] = article.url
        return line, Deduplicator.prepare(article)
    except RejectedLine as exc:
        line.update(result="rejected", reason=str(exc))
    except Exception as exc:  # a line the analysers choke on is rejected, never the whole file
        log.exception("line %d (%s) could not be prepared", number, line.get("url"))
        line.update(result="rejected", reason=f"could not be analysed: {exc}")
    return line, None


def _prepare_chunk(records: Sequence[Record], source: str | None) -> list[Prepared]:
    return [prepare_record(record, source) for record in records]


def _warm_up() -> None:
    """Load the analysers' dictionaries in a preparing process before its first batch."""
    record = {"url": "https://archive.invalid/warm-up", "text": "Аким Тараза встретился с фермерами."}
    prepare_record((0, record), None)
    prepare_record((0, {**record, "text": "Тараз қаласының әкімі шаруалармен кездесті."}), None)


class Ingester:
    """Runs archive lines through normalise -> dedupe -> store, a batch at a time, and says what happened to
    each line (the report).

    With `workers` > 1 the pure preparation of each line runs in that many worker processes, a batch or
    two ahead of this process, which alone does the dedupe decisions and the stores, in input order.
    """

    def __init__(
        self,
        deduplicator: Deduplicator,
        storer: Storer,
        batch_size: int | None = None,
        workers: int = 1,
        resources: PipelineResources | None = None,
    ) -> None:
        self.deduplicator = deduplicator
        self.storer = storer
        # With the process's resources, a batch sees what crawls running meanwhile stored, as a crawl does.
        refresh, lock = (resources.refresh_index, resources.deciding) if resources else (None, None)
        self.batches = BatchStorer(deduplicator, storer, refresh, lock)
        self.batch_size = batch_size or BATCH_SIZE
        self.workers = max(1, workers)

    def ingest(self, records: Iterable[Record], source: str | None = None) -> Iterator[list[dict[str, Any]]]:
        """Report lines, one list per batch, in input order."""
        batches = _batched(records, self.batch_size)
        if self.workers == 1:
            for batch in batches:
                yield self.store_prepared(_prepare_chunk(batch, source))
            return
        # Workers come from a fork server that has imported this module but runs no threads of ours (a
        # progress bar's refresh thread, say), so forking cannot copy a lock some thread holds.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        with ProcessPoolExecutor(self.workers, mp_context=context, initializer=_warm_up) as pool:
            ahead: deque[list[Future[list[Prepared]]]] = deque()
            for batch in batches:
                size = -(-len(batch) // self.workers)
                chunks = [batch[i : i + size] for i in range(0, len(batch), size)]
                ahead.append([pool.submit(_prepare_chunk, chunk, source) for chunk in chunks])
                if len(ahead) > AHEAD_BATCHES:
                    yield self.store_prepared(_gathered(ahead.popleft()))
            while ahead:
                yield self.store_prepared(_gathered(ahead.popleft()))

    def store_prepared(self, prepared: Sequence[Prepared]) -> list[dict[str, Any]]:
        """Dedupe and store the prepared lines of one batch; fills in each report line."""
        lines = [line for line, _ in prepared]
        kept = [(line, item) for line, item in prepared if item is not None]
        for (line, _), stored in zip(kept, self.batches.store([item for _, item in kept]), strict=True):
            if stored.result is None:
                line.update(result="rejected", reason=f"could not store: {stored.error}")
                continue
            result = stored.result
            line.update(
                article_id=result.article_id,
                story_id=result.story_id,
                result=result.outcome,
                reason=stored.reason,
            )
        return lines


def _batched(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _gathered(futures: list[Future[list[Prepared]]]) -> list[Prepared]:
    return [item for future in futures for item in future.result()]


def _line(number: int, record: dict[str, Any] | Exception) -> dict[str, Any]:
    line: dict[str, Any] = {"line": number}
    if isinstance(record, dict):
        if record.get("id") not in (None, ""):
            line["id"] = record["id"]
        line["url"] = record.get("url") or None
    else:
        line["url"] = None
    line.update(article_id=None, story_id=None, result=None)
    return line


def final_stories(repo: Repository, lines: list[dict[str, Any]]) -> None:
    """Point each report line at the story its article is in now: stories merged later in the run moved."""
    ids = [line["article_id"] for line in lines if line.get("article_id")]
    current: dict[int, int] = {}
    for i in range(0, len(ids), 500):
        current.update(repo.story_of_articles(ids[i : i + 500]))
    for line in lines:
        if line.get("article_id") in current:
            line["story_id"] = current[line["article_id"]]
