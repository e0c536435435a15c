"""Kept trend counts on both backends: the same figures as the index, kept exact as articles come and change."""

from __future__ import annotations

import importlib
import os
from datetime import datetime
from pathlib import Path

import pytest

from newsmon.models import Article
from newsmon.search import build_filters, trends
from newsmon.search.trends import Trend
from newsmon.storage import ArticleToStore, Repository
from newsmon.storage.migrate import upgrade
from newsmon.storage.trendcounts import PARALLEL_MATCHES
from pipelines.dedupe import content_hash, search_terms
from tests.search.conftest import StoredArchive, store_fixture_articles

trend_module = importlib.import_module("newsmon.search.trends")  # the package exports a function of that name


def _by_index(repo: Repository, query: str, monkeypatch: pytest.MonkeyPatch, **kwargs: object) -> Trend:
    with monkeypatch.context() as patch:
        patch.setattr(trend_module, "KEEP_MIN_MATCHES", 10**9)
        return trends(repo, query, **kwargs)  # type: ignore[arg-type]


def _kept(repo: Repository, query: str, monkeypatch: pytest.MonkeyPatch, **kwargs: object) -> Trend:
    with monkeypatch.context() as patch:
        patch.setattr(trend_module, "KEEP_MIN_MATCHES", 0)
        return trends(repo, query, **kwargs)  # type: ignore[arg-type]


def _store(
    repo: Repository,
    url: str,
    text: str,
    published: str,
    source: str | None = "taraz.kz",
    language: str | None = "ru",
) -> None:
    article = Article(
        url=url,
        text=text,
        title=None,
        source=source,
        language=language,
        published=datetime.fromisoformat(published),
    )
    item = ArticleToStore(
        article, canonical_url=url, content_hash=content_hash(text), search_terms=search_terms(article)
    )
    repo.store_article(item)


@pytest.mark.parametrize(
    ("query", "options"),
    [
        ("аким", {}),
        ("Тараз OR Мерке", {"per_source": True}),
        ("Жамбыл", {"by": "week", "per_source": True}),
        ("Жамбыл", {"filters": build_filters(since="2025-03-01", until="2025-03-06")}),
        (
            "Жамбыл",
            {"filters": build_filters(since="2025-03-02T21:00:00+05:00", until="2025-03-06T13:00:00+05:00")},
        ),
        ("Жамбыл", {"filters": build_filters(lang="kk")}),
        ("lang:ru Жамбыл", {"filters": build_filters(source=["gov.kz", "ztgzt.kz"])}),
    ],
)
def test_kept_counts_give_the_index_figures(
    archive: StoredArchive, monkeypatch: pytest.MonkeyPatch, query: str, options: dict[str, object]
) -> None:
    expected = _by_index(archive.repo, query, monkeypatch, **options)
    assert expected.total() > 0
    assert (
        archive.repo.trend_key(trend_module._countable_terms(trend_module.prepare_query(query)) or ()) is None
    )
    first = _kept(archive.repo, query, monkeypatch, **options)  # keeps the counts, then reads them
    again = _kept(archive.repo, query, monkeypatch, **options)
    assert first.points == again.points == expected.points
    assert first.periods == expected.periods


def test_counts_follow_new_changed_and_split_words(
    archive: StoredArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = archive.repo
    before = _kept(repo, "Тараз", monkeypatch).total()
    _kept(repo, "Нур", monkeypatch)  # a word that is also part of «Нур-Султан»
    _store(
        repo,
        "https://taraz.kz/1",
        "В Таразе открыли парк. Делегация из Нур-Султана.",
        "2025-03-10T10:00:00+05:00",
    )
    assert _kept(repo, "Тараз", monkeypatch).total() == before + 1
    assert _kept(repo, "Нур", monkeypatch).total() == _by_index(repo, "Нур", monkeypatch).total() >= 1
    # A new version without the word takes its count away; the day and source keep the other articles.
    _store(
        repo,
        "https://taraz.kz/1",
        "В Шымкенте открыли парк, первый в этом году.",
        "2025-03-10T10:00:00+05:00",
    )
    after = _kept(repo, "Тараз", monkeypatch)
    assert after.total() == before == _by_index(repo, "Тараз", monkeypatch).total()


def test_only_plain_words_are_kept(archive: StoredArchive, monkeypatch: pytest.MonkeyPatch) -> None:
    for query in ("аким Тараз", "Тара*", "«аким города»", "source:gov.kz Жамбыл", "Жамбыл NOT Тараз"):
        _kept(archive.repo, query, monkeypatch)
    with archive.repo.reading() as s:
        from sqlalchemy import func, select

        from newsmon.storage.tables import TrendKeyRow

        assert s.scalar(select(func.count()).select_from(TrendKeyRow)) == 0


def test_the_oldest_keys_go_beyond_the_limit(archive: StoredArchive, monkeypatch: pytest.MonkeyPatch) -> None:
    import newsmon.storage.trendcounts as kept

    monkeypatch.setattr(kept, "MAX_KEPT_KEYS", 2)
    for word in ("Тараз", "аким", "Жамбыл"):
        _kept(archive.repo, word, monkeypatch)
    assert archive.repo.trend_key(("тараз", "таразский")) is None
    assert archive.repo.trend_key(("аким",)) is not None
    assert (
        _kept(archive.repo, "Тараз", monkeypatch).total()
        == _by_index(archive.repo, "Тараз", monkeypatch).total()
    )
    assert archive.repo.forget_trend_counts() == 2


def test_the_commonest_words_are_kept_ahead(archive: StoredArchive, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = archive.repo
    common = repo.common_terms(min_articles=5, limit=10)
    assert common and all(n >= 5 for _term, n in common)
    assert [n for _term, n in common] == sorted((n for _term, n in common), reverse=True)
    kept = trend_module.keep_common_words(repo, min_articles=5, limit=10)
    assert kept and trend_module.keep_common_words(repo, min_articles=5, limit=10) == []  # once
    for word in kept:
        key = trend_module._countable_terms(trend_module.prepare_query(word))
        assert repo.trend_key(key or ()) is not None
        # Kept ahead, so even with the threshold out of reach the kept counts answer, with the index's figures.
        assert _by_index(repo, word, monkeypatch).points == _kept(repo, word, monkeypatch).points


def test_a_rare_form_of_a_common_word_is_kept_ahead(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """«нем» is rare, but it looks up «он» too: its first ask would count as many articles as «он»'s, so the
    upkeep keeps it with the common words, and its trend is the index's."""
    repo = Repository.from_url(database_url)
    upgrade(repo.engine)
    for i in range(6):
        _store(
            repo,
            f"https://taraz.kz/on/{i}",
            f"Аким сказал, что он приедет в район номер {i}.",
            "2025-03-01T10:00:00+05:00",
        )
    for i in range(2):
        _store(
            repo,
            f"https://taraz.kz/nem/{i}",
            f"О нем писали газеты района номер {i}.",
            "2025-03-02T10:00:00+05:00",
        )
    monkeypatch.setattr(trend_module, "KEEP_MIN_MATCHES", 1)  # every word in the archive is a candidate
    kept = trend_module.keep_common_words(repo, min_articles=5, limit=50)
    key = trend_module._countable_terms(trend_module.prepare_query("нем"))
    assert key is not None and "он" in key
    assert "нем" in kept and repo.trend_key(key) is not None
    expected = _by_index(repo, "нем", monkeypatch)
    asked = _kept(repo, "нем", monkeypatch)
    repo.dispose()
    assert asked.to_dicts() == expected.to_dicts()
    assert asked.total() == 8


def test_db_keep_trends_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {**os.environ, "NEWSMON_DATA_DIR": str(tmp_path / "data"), "NEWSMON_DATABASE_URL": ""}
    run = [sys.executable, "-m", "newsmon.cli", "db"]
    subprocess.run([*run, "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True, timeout=120)
    result = subprocess.run(
        [*run, "keep-trends"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("kept trend counts for 0 more words")  # an empty archive has none


def test_a_read_only_database_still_answers(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database user without write rights (here a read-only SQLite file) gets trends counted by the index."""
    writer = Repository.from_url(sqlite_url)
    upgrade(writer.engine)
    store_fixture_articles(writer)
    path = sqlite_url.removeprefix("sqlite:///")
    reader = Repository.from_url(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        assert _kept(reader, "Жамбыл", monkeypatch).points == _by_index(writer, "Жамбыл", monkeypatch).points
        terms = trend_module._countable_terms(trend_module.prepare_query("Жамбыл"))
        assert terms and writer.trend_key(terms) is None  # nothing could be kept
    finally:
        reader.dispose()
        writer.dispose()


def test_a_common_word_is_counted_from_the_trend_rows_on_sqlite(sqlite_url: str) -> None:
    """Half a million matches looked up one by one in the wide articles table took 4.5 s from disk; the
    trend rows of migration 0012 hold what the count needs. The planner must not fall back to the table."""
    from sqlalchemy import text

    from newsmon.storage.trendrows import KEEP_COUNTS

    repo = Repository.from_url(sqlite_url)
    upgrade(repo.engine)
    inserting = KEEP_COUNTS.text
    counting = inserting[inserting.index("SELECT") :]
    with repo.engine.connect() as conn:
        rows = conn.execute(text("EXPLAIN QUERY PLAN " + counting), {"key_id": 1, "match": "аким"})
        plan = " ".join(str(row[-1]) for row in rows)
    repo.dispose()
    assert "SEARCH trend_rows USING INTEGER PRIMARY KEY (rowid=?)" in plan
    assert "articles " not in plan.replace("articles_fts", "")


def test_sqlite_trend_rows_follow_stored_changed_and_migrated_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trend rows of migration 0012 are filled from the articles stored before it and kept by triggers
    after: a new article, one whose date or source is corrected, one deleted. Odd and missing sources and
    languages in any case come back as the index counts them."""
    from sqlalchemy import text

    repo = Repository.from_url(f"sqlite:///{tmp_path / 'rows.db'}")
    upgrade(repo.engine, "0011_source_claimed_at")
    sources, day = ["NULL", "a,b", " padded ", None], "2025-03-01T10:00:00+05:00"
    for i, source in enumerate(sources):
        language = None if i == 2 else ("RU" if i == 3 else "ru")
        _store(repo, f"https://e.kz/{i}", f"Аким провёл приём номер {i}.", day, source, language)
    upgrade(repo.engine)
    _store(repo, "https://e.kz/new", "Аким открыл школу.", "2025-03-02T23:30:00-01:00", "Taraz.kz", "KK")
    with repo.engine.begin() as conn:
        earlier = "UPDATE articles SET published_at = '2025-02-27 08:00:00.000000' WHERE url LIKE '%/0'"
        conn.execute(text(earlier))
        conn.execute(text("UPDATE articles SET source = 'moved.kz' WHERE url LIKE '%/1'"))
        conn.execute(text("DELETE FROM articles WHERE url LIKE '%/2'"))
    expected = _by_index(repo, "аким", monkeypatch, per_source=True)
    kept = _kept(repo, "аким", monkeypatch, per_source=True)
    kazakh = _kept(repo, "аким", monkeypatch, filters=build_filters(lang="kk"))
    repo.dispose()
    assert kept.to_dicts() == expected.to_dicts()
    assert {(p["period"], p["source"], p["count"]) for p in kept.to_dicts() if p["count"]} == {
        ("2025-02-27", "NULL", 1), ("2025-03-01", "moved.kz", 1), ("2025-03-01", None, 1),
        ("2025-03-03", "Taraz.kz", 1),
    }  # fmt: skip
    assert kazakh.total() == 1


def test_kept_days_are_utc_days_to_the_second(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite keeps counts by a day number of its own (migration 0012): articles on either side of UTC
    midnight, one of them written in +06:00, fall on the days the index counts."""
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'days.db'}")
    upgrade(repo.engine)
    for i, published in enumerate(
        ["2025-03-01T23:59:59+00:00", "2025-03-02T00:00:00+00:00", "2025-03-02T05:59:59+06:00",
         "2025-03-02T06:00:00+06:00", "2025-03-02T23:59:59.500000+00:00"]
    ):  # fmt: skip
        _store(repo, f"https://taraz.kz/{i}", f"Аким Тараза провёл приём граждан номер {i}.", published)
    expected = _by_index(repo, "аким", monkeypatch)
    kept = _kept(repo, "аким", monkeypatch)
    repo.dispose()
    assert kept.to_dicts() == expected.to_dicts()
    assert [(p["period"], p["count"]) for p in kept.to_dicts()] == [("2025-03-01", 2), ("2025-03-02", 3)]


def test_postgresql_knows_how_many_trend_groups_there_are(postgres_url: str) -> None:
    """The statistics of migration 0008 let PostgreSQL plan a common word's count for the few thousand
    (day, source, language) groups there are, hashed, instead of one group per match, sorted. They apply
    only while the count groups on the very expression they were made on."""
    from sqlalchemy import text

    from newsmon.storage.search import ArticleSelection

    repo = Repository.from_url(postgres_url)
    upgrade(repo.engine)
    counting = repo._by_day(ArticleSelection(match="'аким'"), per_language=True)
    with repo.engine.connect() as conn:
        if conn.dialect.server_version_info < (14,):
            pytest.skip("statistics on expressions need PostgreSQL 14")
        kept_on = conn.execute(
            text(
                "SELECT pg_get_statisticsobjdef_expressions(oid) FROM pg_statistic_ext "
                "WHERE stxname = 'articles_trend_cells'"
            )
        ).scalar()
        compiled = counting.compile(dialect=conn.dialect)
        plan = conn.exec_driver_sql(
            "EXPLAIN (VERBOSE, FORMAT JSON) " + compiled.string, compiled.params
        ).scalar()
    repo.dispose()

    def group_keys(node: dict) -> list[str]:
        return node.get("Group Key", []) + [
            key for child in node.get("Plans", []) for key in group_keys(child)
        ]

    grouped_on = {key.replace("articles.", "").strip("()") for key in group_keys(plan[0]["Plan"])}
    assert kept_on and kept_on[0].strip("()") in grouped_on


@pytest.mark.parametrize("matches", [0, PARALLEL_MATCHES])
def test_postgresql_keeps_the_same_counts_whichever_way_it_counts(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, matches: int
) -> None:
    """A word in a large part of the archive is counted by a SELECT that parallel workers may share and
    written back as the text of arrays: source names that array text must quote, and missing sources and
    languages, come back as the index counts them."""
    repo = Repository.from_url(postgres_url)
    upgrade(repo.engine)
    sources = ["NULL", "a,b", 'say "hi"', "{x}", "back\\slash", " padded ", None]
    for i, source in enumerate(sources):
        language = None if i == 2 else ("RU" if i == 3 else "ru")
        text = f"Аким Тараза провёл приём граждан номер {i}."
        _store(repo, f"https://e.kz/{i}", text, f"2025-03-0{i % 3 + 1}T10:00:00+05:00", source, language)
    expected = _by_index(repo, "аким", monkeypatch, per_source=True)
    terms = trend_module._countable_terms(trend_module.prepare_query("аким"))
    assert terms is not None
    repo.keep_trend_counts(terms, trend_module.render(trend_module.TermGroup(terms), "postgresql"), matches)
    kept = _kept(repo, "аким", monkeypatch, per_source=True)
    russian = _kept(repo, "аким", monkeypatch, filters=build_filters(lang="ru"))
    russian_expected = _by_index(repo, "аким", monkeypatch, filters=build_filters(lang="ru"))
    repo.dispose()
    assert kept.to_dicts() == expected.to_dicts()
    assert {point["source"] for point in kept.to_dicts()} == {*sources[:-1], None}
    assert russian.to_dicts() == russian_expected.to_dicts()
    assert russian.total() == 6  # «RU» is Russian too; the article without a language is not


def test_small_tables_read_beside_the_full_text_index_are_not_jit_compiled(postgres_url: str) -> None:
    """Counting with sequential scans priced out made a query on the few kept trend keys look like 10^10 to
    the planner, and PostgreSQL compiled it with LLVM on every first ask (8-65 ms for five rows)."""
    from sqlalchemy import select

    from newsmon.storage.search import use_full_text_index
    from newsmon.storage.tables import TrendKeyRow

    repo = Repository.from_url(postgres_url)
    upgrade(repo.engine)
    keys = select(TrendKeyRow.id).order_by(TrendKeyRow.created_at.desc(), TrendKeyRow.id.desc())
    with repo.session() as s:
        use_full_text_index(s, "postgresql")
        compiled = keys.compile(dialect=s.get_bind().dialect)
        plan = s.connection().exec_driver_sql("EXPLAIN (FORMAT JSON) " + compiled.string).scalar()
    repo.dispose()
    assert plan[0]["Plan"]["Total Cost"] > 10**9  # priced out, as the comment says
    assert "JIT" not in plan[0]


def test_article_rows_on_postgresql_keep_long_values_out_of_line(postgres_url: str) -> None:
    """A common word's trend visits every match's heap row: with bodies, index terms and vectors moved to
    TOAST (migration 0007) a row is a few hundred bytes, and the count reads an eighth of the pages."""
    from sqlalchemy import text

    repo = Repository.from_url(postgres_url)
    upgrade(repo.engine)
    body = " ".join(f"Жамбыл облысында {i}-ші жиын өтті, әкім сөз сөйледі." for i in range(120))
    _store(repo, "https://taraz.kz/long", body, "2025-03-01T10:00:00+06:00")
    with repo.engine.connect() as conn:
        options = conn.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'articles'")).scalar()
        stored = conn.execute(text("SELECT text FROM articles")).scalar()
    repo.dispose()
    assert "toast_tuple_target=256" in options
    assert stored == body
