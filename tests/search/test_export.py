"""Exported files as an analyst opens them: every column in order, the stored values, text that could break a
format read back intact, times in UTC; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from newsmon.models import Article
from newsmon.search import COLUMNS, ExportRequest, build_filters, export, prepare_query
from newsmon.search.export import export_chunks
from newsmon.storage import ArticleToStore, Repository
from newsmon.storage.engine import make_engine
from newsmon.storage.migrate import upgrade
from newsmon.storage.search import ArticleSelection
from pipelines.dedupe import content_hash, search_terms

ALMATY = timezone(timedelta(hours=5))
AWKWARD = 'Тараз, «Жамбыл» "облысы"\nжәне\tбасқа \\ \x01 \u2028 😀'
ARTICLES = (
    Article(
        url="https://inform.kz/kk/taraz?a=1,2",
        title=AWKWARD,
        text='Тараз қаласында жаңа мектеп ашылды.\r\nЕкінші жол, "дәйексөз".',
        source="inform.kz",
        language="kk",
        authors=("Әлия Нұрова", 'Иван "Ваня" Петров'),
        tags=("білім", "a,b"),
        section="Аймақ",
        published=datetime(2025, 3, 4, 12, 30, 0, 250000, tzinfo=ALMATY),
    ),
    Article(url="https://zakon.kz/taraz", title="Тараз", text="В Таразе открыли школу.", language="ru"),
)


@pytest.fixture
def repo(database_url: str) -> Iterator[Repository]:
    repository = Repository.from_url(database_url)
    upgrade(repository.engine)
    for article in ARTICLES:
        item = ArticleToStore(article, article.url, content_hash(article.text), search_terms(article))
        repository.store_article(item)
    yield repository
    repository.dispose()


def _expected(repo: Repository) -> list[dict[str, Any]]:
    """What each row must say: the stored article, times as ISO 8601 UTC."""
    rows = []
    for article in ARTICLES:
        stored = repo.article_by_url(article.url)
        assert stored is not None and stored.stored_at is not None
        published = stored.published.astimezone(UTC).isoformat() if stored.published else None
        rows.append(
            {
                "id": stored.id,
                "story_id": stored.story_id,
                "published": published,
                "source": article.source,
                "language": article.language,
                "url": article.url,
                "canonical_url": article.url,
                "title": article.title,
                "description": None,
                "authors": list(article.authors),
                "tags": list(article.tags),
                "section": article.section,
                "version": 1,
                "stored_at": stored.stored_at.astimezone(UTC).isoformat(),
                "text": article.text,
            }
        )
    return rows


def test_jsonl_has_every_column_in_order_with_the_stored_values(repo: Repository, tmp_path: Path) -> None:
    target = tmp_path / "taraz.jsonl"
    written = export(repo, ExportRequest("Тараз", target))
    lines = target.read_text(encoding="utf-8").split("\n")
    assert written == 2 and lines[-1] == ""  # one line per article: the line breaks in the text are escaped
    rows = [json.loads(line) for line in lines[:-1]]
    assert [list(row) for row in rows] == [list(COLUMNS)] * 2
    assert rows == _expected(repo)
    assert rows[0]["published"] == "2025-03-04T07:30:00.250000+00:00"
    assert "Әлия Нұрова" in lines[0] and "😀" in lines[0]  # readable UTF-8, not \u escapes


def test_csv_reads_back_the_same_values(repo: Repository, tmp_path: Path) -> None:
    target = tmp_path / "taraz.csv"
    export(repo, ExportRequest("Тараз", target, "csv"))
    with target.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert tuple(reader.fieldnames or ()) == COLUMNS
    for row, expected in zip(rows, _expected(repo), strict=True):
        expected["authors"], expected["tags"] = "; ".join(expected["authors"]), "; ".join(expected["tags"])
        assert row == {name: "" if value is None else str(value) for name, value in expected.items()}
    assert rows[0]["title"] == AWKWARD and rows[0]["tags"] == "білім; a,b"
    assert rows[1]["published"] == rows[1]["section"] == ""


def test_parquet_keeps_numbers_and_lists_typed(repo: Repository, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    target = tmp_path / "taraz.parquet"
    export(repo, ExportRequest("Тараз", target, "parquet"))
    table = pq.read_table(target)
    assert tuple(table.column_names) == COLUMNS
    types = {field.name: field.type for field in table.schema}
    assert types["id"] == pa.int64() and types["version"] == pa.int32() and types["published"] == pa.string()
    assert types["authors"].value_type == types["tags"].value_type == pa.string()
    assert table.to_pylist() == _expected(repo)


def test_parquet_row_groups_keep_id_order_while_the_next_batch_is_read(
    repo: Repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    monkeypatch.setattr(sys.modules[export_chunks.__module__], "BATCH", 1)  # one row per row group
    target = tmp_path / "taraz.parquet"
    assert export(repo, ExportRequest("Тараз", target, "parquet")) == 2
    assert pq.ParquetFile(target).num_row_groups == 2
    assert pq.read_table(target).to_pylist() == _expected(repo)


def test_the_http_export_streams_what_the_file_holds(repo: Repository, tmp_path: Path) -> None:
    for fmt in ("jsonl", "csv"):
        target = tmp_path / f"taraz.{fmt}"
        export(repo, ExportRequest("Тараз", target, fmt))
        streamed = b"".join(export_chunks(repo, ExportRequest("Тараз", target, fmt)))
        assert streamed == target.read_bytes()


def test_an_empty_export_still_has_its_header(repo: Repository, tmp_path: Path) -> None:
    target = tmp_path / "none.csv"
    assert export(repo, ExportRequest("Шымкент", target, "csv")) == 0
    assert target.read_bytes().decode() == ",".join(COLUMNS) + "\r\n"


def test_batches_cover_every_match_in_id_order(repo: Repository) -> None:
    matching = prepare_query("Тараз").selection(build_filters(), repo.full_text_dialect)
    for selection in (matching, ArticleSelection(since=datetime(2000, 1, 1, tzinfo=UTC))):  # index, none
        batches = list(repo.iter_export_batches(selection, batch_size=1))
        ids = [row[0] for batch in batches for row in batch]
        assert len(batches) == 2 and ids == sorted(ids) and len(set(ids)) == 2


@pytest.mark.parametrize(
    ("filters", "urls"),
    [
        ({"source": ["inform.kz", "tengrinews.kz"]}, ["https://inform.kz/kk/taraz?a=1,2"]),
        ({"lang": "ru"}, ["https://zakon.kz/taraz"]),
        ({"since": "2025-03-04", "until": "2025-03-05"}, ["https://inform.kz/kk/taraz?a=1,2"]),
        ({"since": "2025-03-05"}, ["https://zakon.kz/taraz"]),  # no date: when it was stored
    ],
)
def test_filters_narrow_the_export(
    repo: Repository, tmp_path: Path, filters: dict[str, Any], urls: list[str]
) -> None:
    target = tmp_path / "taraz.jsonl"
    export(repo, ExportRequest("Тараз", target, filters=build_filters(**filters)))
    lines = target.read_text(encoding="utf-8").split("\n")[:-1]
    assert [json.loads(line)["url"] for line in lines] == urls


def test_times_are_utc_whatever_the_session_time_zone(postgres_url: str, tmp_path: Path) -> None:
    upgrade(make_engine(postgres_url))
    almaty = Repository(make_engine(postgres_url, connect_args={"options": "-c timezone=Asia/Almaty"}))
    article = ARTICLES[0]
    almaty.store_article(
        ArticleToStore(article, article.url, content_hash(article.text), search_terms(article))
    )
    target = tmp_path / "taraz.jsonl"
    export(almaty, ExportRequest("Тараз", target))
    row = json.loads(target.read_text(encoding="utf-8"))
    assert row["published"] == "2025-03-04T07:30:00.250000+00:00" and row["stored_at"].endswith("+00:00")
    almaty.dispose()


def test_an_abandoned_stream_leaves_the_connection_usable(postgres_url: str) -> None:
    upgrade(make_engine(postgres_url))
    one = Repository(make_engine(postgres_url, pool_size=1, max_overflow=0))
    for article in ARTICLES:
        one.store_article(
            ArticleToStore(article, article.url, content_hash(article.text), search_terms(article))
        )
    chunks = export_chunks(one, ExportRequest("Тараз", Path("x.csv"), "csv"))
    assert next(chunks).decode() == ",".join(COLUMNS) + "\r\n"
    assert next(chunks).count(b"\r\n") >= 2  # the stream is open: the connection is in use
    chunks.close()
    rows = list(
        csv.reader(
            io.StringIO(b"".join(export_chunks(one, ExportRequest("Тараз", Path("x.csv"), "csv"))).decode())
        )
    )
    assert len(rows) == 3
    one.dispose()


def test_progress_hears_the_total_and_every_row_before_the_export_returns(
    repo: Repository, tmp_path: Path
) -> None:
    heard: list[tuple[str, int]] = []  # the total is counted in a thread beside the export
    written = export(
        repo,
        ExportRequest("Тараз", tmp_path / "taraz.csv", "csv"),
        progress=lambda n: heard.append(("rows", n)),
        on_total=lambda n: heard.append(("total", n)),
    )
    assert [n for kind, n in heard if kind == "total"] == [2]
    assert sum(n for kind, n in heard if kind == "rows") == written == 2


def test_a_count_that_fails_leaves_the_export_whole(repo: Repository, tmp_path: Path) -> None:
    def refuse(total: int) -> None:
        raise RuntimeError("the progress bar is gone")

    target = tmp_path / "taraz.jsonl"
    assert export(repo, ExportRequest("Тараз", target), on_total=refuse) == 2
    assert len(target.read_text(encoding="utf-8").split("\n")) == 3


def test_a_large_progress_total_is_the_planners_estimate_on_postgresql(repo: Repository) -> None:
    """Past `exact_up_to` PostgreSQL answers with the planner's estimate; SQLite always counts."""
    selection = prepare_query("Тараз").selection(build_filters(), repo.full_text_dialect)
    assert repo.count_export(selection) == 2
    estimated = repo.count_export(selection, exact_up_to=0)
    if repo.full_text_dialect == "postgresql":
        assert estimated >= 1  # the planner never expects zero rows
    else:
        assert estimated == 2


def test_a_common_words_export_reads_the_ids_first_and_writes_the_same_rows(
    postgres_url: str, tmp_path: Path
) -> None:
    """Where the planner would test every article's vector in id order (a word in a large share of a big
    archive; forced here on a small one), the matching ids come from the index first: same file."""
    from newsmon.storage.exports import _postgresql_export

    upgrade(make_engine(postgres_url))
    plain = Repository.from_url(postgres_url)
    for article in ARTICLES:
        plain.store_article(
            ArticleToStore(article, article.url, content_hash(article.text), search_terms(article))
        )
    options = "-c enable_seqscan=off -c enable_bitmapscan=off -c enable_sort=off"
    forced = Repository(make_engine(postgres_url, connect_args={"options": options}))
    selection = prepare_query("Тараз").selection(build_filters(), "postgresql")
    with forced.engine.connect() as conn:
        assert "MATERIALIZED" in str(_postgresql_export(conn, forced._base, selection))
    with plain.engine.connect() as conn:
        assert "MATERIALIZED" not in str(_postgresql_export(conn, plain._base, selection))
    for repo, name in ((plain, "plain.jsonl"), (forced, "forced.jsonl")):
        assert export(repo, ExportRequest("Тараз", tmp_path / name)) == 2
    assert (tmp_path / "forced.jsonl").read_text(encoding="utf-8") == (tmp_path / "plain.jsonl").read_text(
        encoding="utf-8"
    )
    plain.dispose()
    forced.dispose()
