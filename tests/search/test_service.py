"""Search on SQLite and PostgreSQL: morphology across Russian and Kazakh, collapsing, snippets, filters, pages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsmon.models import Article
from newsmon.query import compile_query
from newsmon.search import (
    ExportRequest,
    SearchError,
    SearchRequest,
    build_filters,
    export,
    get_article,
    get_story,
    search,
    trends,
)
from newsmon.search.options import decode_cursor
from newsmon.search.service import QueryCache
from newsmon.storage import ArticleToStore
from pipelines.dedupe import content_hash, search_terms
from tests.search.conftest import StoredArchive


def _search(archive: StoredArchive, query: str, **kw: object) -> list:
    results, _ = search(archive.repo, SearchRequest(query, **kw))  # type: ignore[arg-type]
    return results


def _ids(results: list) -> set[int]:
    return {r.article_id for r in results}


def test_russian_region_name_finds_russian_and_kazakh_articles(archive: StoredArchive) -> None:
    results = _search(archive, "Жамбылская область", limit=50)
    stories = {r.story_id for r in results}
    assert archive.stories["school"] in stories  # «Жамбыл облысында жаңа мектеп»
    assert archive.stories["akim"] in stories  # «Аким Жамбылской области»
    assert archive.stories["latin"] in stories  # «Jambyl oblysynda»
    assert archive.stories["almaty"] not in stories
    school = next(r for r in results if r.story_id == archive.stories["school"])
    assert "«[[Жамбыл облысында]]»" in school.snippet or "«[[Жамбыл]]» «[[облысында]]»" in school.snippet


def test_kazakh_phrase_finds_russian_forms(archive: StoredArchive) -> None:
    results = _search(archive, "«Жамбыл облысы»", limit=50)
    assert archive.ids["akim-kazpravda"] in _ids(results)
    assert archive.ids["school-kk"] in _ids(results)


def test_copies_of_a_story_are_one_result_with_a_count(archive: StoredArchive) -> None:
    results = _search(archive, "Бейбітшілік пен келісім", limit=50)
    assert len(results) == 1
    (result,) = results
    assert result.story_id == archive.stories["conf"]
    assert result.copies == 3
    assert result.article_id in {
        archive.ids["conf-akimat"],
        archive.ids["conf-ztgzt"],
        archive.ids["conf-kk"],
    }
    assert "«[[" in result.snippet


def test_verification_applies_exact_near_not_and_fields(archive: StoredArchive) -> None:
    exact = _search(archive, "=Таразе")
    assert {r.story_id for r in exact} == {archive.stories["conf"]}
    assert exact[0].copies == 2  # the Kazakh copy says «Тараз қаласында»
    assert archive.stories["football"] not in {r.story_id for r in _search(archive, "Тараз -чемпионат")}
    near = _search(archive, "Тараз NEAR/3 конференция")
    assert {r.story_id for r in near} == {archive.stories["conf"]}
    title = _search(archive, "title:Тараз")
    assert {r.article_id for r in title} == {archive.ids["football-zakon"]}


def test_filters_from_options_and_from_the_query(archive: StoredArchive) -> None:
    kazakh = _search(archive, "Жамбыл", filters=build_filters(lang="kk"), limit=50)
    assert kazakh and all(r.language == "kk" for r in kazakh)
    inform = _search(archive, "source:inform.kz Жамбыл", limit=50)
    assert {r.source for r in inform} == {"inform.kz", "qz.inform.kz"}
    zakon = _search(archive, "Тараз", filters=build_filters(source="zakon.kz"))
    assert _ids(zakon) == {archive.ids["football-zakon"]}
    march = _search(archive, "Жамбыл", filters=build_filters(since="2025-03-05", until="2025-03-05"))
    assert _ids(march) == {archive.ids["school-kk"]}


def test_a_source_filter_no_stored_article_carries_is_refused_with_the_closest_names(
    archive: StoredArchive, tmp_path: Path
) -> None:
    with pytest.raises(SearchError) as caught:
        _search(archive, "Тараз", filters=build_filters(source="zakon"))
    assert caught.value.field == "source"
    assert (
        str(caught.value) == "source: no article in the archive comes from 'zakon'; did you mean 'zakon.kz'?"
    )
    with pytest.raises(
        SearchError, match=r"comes from 'nowhere' or 'xyz'; sources with articles: .*inform\.kz"
    ):
        _search(archive, "Тараз", filters=build_filters(source="nowhere,xyz"))
    # among several names, one with articles is enough (the others may not have been crawled yet)
    assert _ids(_search(archive, "Тараз", filters=build_filters(source="zakon.kz,nowhere")))
    with pytest.raises(SearchError, match="comes from 'zakon'"):
        trends(archive.repo, "Тараз", filters=build_filters(source="zakon"))
    target = tmp_path / "out.csv"
    with pytest.raises(SearchError, match="comes from 'zakon'"):
        export(archive.repo, ExportRequest("Тараз", target, filters=build_filters(source="zakon")))
    assert not target.exists()


def test_date_sort_is_newest_first(archive: StoredArchive) -> None:
    results = _search(archive, "Жамбыл", sort="date", limit=50)
    dates = [r.published for r in results]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == datetime(2025, 3, 6, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_cursor_pages_through_every_result_once(archive: StoredArchive, sort: str) -> None:
    whole = _search(archive, "Жамбыл OR Тараз", sort=sort, limit=100)
    seen, cursor, pages = [], None, 0
    while True:
        page, cursor = search(
            archive.repo, SearchRequest("Жамбыл OR Тараз", sort=sort, limit=2, cursor=cursor)
        )
        seen.extend(r.article_id for r in page)
        pages += 1
        if cursor is None:
            break
    assert seen == [r.article_id for r in whole]
    assert pages >= 3
    assert len({r.story_id for r in whole}) == len(whole)


def test_every_result_carries_its_story(archive: StoredArchive) -> None:
    for result in _search(archive, "Жамбыл", limit=50):
        assert result.story_id is not None
        story = get_story(archive.repo, result.story_id)
        assert story is not None and result.article_id in {c.article.id for c in story.copies}


def test_search_shows_what_a_watch_with_the_same_query_matches(archive: StoredArchive) -> None:
    text = "Президент Қасым-Жомарт Тоқаев Тараз қаласына келді. Сапар барысында ол фермерлермен кездесті."
    article = Article(url="https://kaz.kz/visit", text=text, title="Сапар", source="kaz.kz", language="kk")
    archive.repo.store_article(
        ArticleToStore(article, article.url, content_hash(text), search_terms(article), story_id=None)
    )
    # The index also holds the parts of «Қасым-Жомарт»; the query, as a watch reads it, does not match them.
    assert compile_query("Жомарт").match(text, "kk") is None
    found, _ = search(archive.repo, SearchRequest("Жомарт"))
    assert found == []
    found, _ = search(archive.repo, SearchRequest("Қасым-Жомарт"))
    assert [r.url for r in found] == ["https://kaz.kz/visit"] and found[0].terms


def test_story_view_has_every_copy_and_its_versions(archive: StoredArchive) -> None:
    first = get_article(archive.repo, archive.ids["conf-akimat"])
    assert first is not None and first.title
    changed = Article(url=first.url, text=first.text + " Дополнено резолюцией.", title=first.title)
    archive.repo.store_article(
        ArticleToStore(changed, first.canonical_url, "changed-hash", "", story_id=first.story_id)
    )
    story = get_story(archive.repo, archive.stories["conf"])
    assert story is not None
    assert [c.article.id for c in story.copies] == sorted(
        [archive.ids["conf-akimat"], archive.ids["conf-ztgzt"], archive.ids["conf-kk"]]
    )
    versions = {c.article.id: [v["version"] for v in c.versions] for c in story.copies}
    assert versions[archive.ids["conf-akimat"]] == [1, 2]
    assert get_story(archive.repo, 999_999) is None


@pytest.mark.parametrize(
    ("request_kw", "field"),
    [
        ({"query": "Тараз AND"}, "query"),
        ({"query": "author:Иванов"}, "query"),
        ({"query": "   "}, "query"),
        ({"query": "Тараз", "limit": 0}, "limit"),
        ({"query": "Тараз", "limit": 100_000}, "limit"),
        ({"query": "Тараз", "sort": "popular"}, "sort"),
        ({"query": "Тараз", "cursor": "not-a-cursor"}, "cursor"),
        # a cursor made by hand whose date has no time zone
        (
            {"query": "Тараз", "sort": "date", "cursor": "eyJzIjoiZGF0ZSIsImsiOlsiMjAyNC0wMS0wMSIsMV19"},
            "cursor",
        ),
    ],
)
def test_bad_input_names_the_parameter(archive: StoredArchive, request_kw: dict, field: str) -> None:
    with pytest.raises(SearchError) as caught:
        search(archive.repo, SearchRequest(**request_kw))
    assert caught.value.field == field
    assert caught.value.message


def test_syntax_error_carries_the_position(archive: StoredArchive) -> None:
    with pytest.raises(SearchError) as caught:
        search(archive.repo, SearchRequest('Тараз "конференция'))
    assert caught.value.position == len('Тараз "конференция')


def test_language_filters_take_any_language_code_and_kz_for_kk() -> None:
    assert build_filters(lang="kz,RU,de").languages == ("kk", "ru", "de")


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"since": "last week"}, "since"),
        ({"until": "03/05/2025"}, "until"),
        ({"until": "9999-12-31"}, "until"),  # its end is past the last moment a date can hold
        ({"lang": "russian"}, "lang"),
    ],
)
def test_bad_filters_name_the_parameter(kw: dict, field: str) -> None:
    with pytest.raises(SearchError) as caught:
        build_filters(**kw)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("kw", "field"),
    [({"since": "1990-01-01"}, "since"), ({"until": "9000-01-01"}, "until")],
)
def test_a_trend_of_too_many_periods_is_refused_naming_the_end_at_fault(
    archive: StoredArchive, kw: dict, field: str
) -> None:
    with pytest.raises(SearchError, match="narrow the since/until range or count by week") as caught:
        trends(archive.repo, "Тараз", filters=build_filters(**kw))
    assert caught.value.field == field
    by_week = trends(archive.repo, "Тараз", by="week", filters=build_filters(since="1990-01-01"))
    assert sum(by_week.series()[None]) == by_week.total() > 0


def test_cursor_of_one_sort_is_refused_by_the_other(archive: StoredArchive) -> None:
    _, cursor = search(archive.repo, SearchRequest("Жамбыл OR Тараз", sort="date", limit=1))
    assert cursor is not None and decode_cursor(cursor, "date")
    with pytest.raises(SearchError, match="sort=date"):
        search(archive.repo, SearchRequest("Жамбыл", sort="relevance", cursor=cursor))


# --- a server's cache of compiled queries -------------------------------------------------------
QUERIES = ["Жамбылская область", "«Жамбыл облысы»", "=Таразе", "Тараз NEAR/3 конференция", "Жамбыл OR Тараз"]


def _pages(archive: StoredArchive, query: str, sort: str, queries: QueryCache | None) -> list[tuple]:
    """Every page of a search, two results at a time, as comparable tuples."""
    pages, cursor = [], None
    while True:
        found, cursor = search(archive.repo, SearchRequest(query, sort=sort, limit=2, cursor=cursor), queries)
        pages.append(([r.to_dict() for r in found], cursor))
        if cursor is None:
            return pages


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_cached_queries_give_the_same_pages_cold_and_warm(archive: StoredArchive, sort: str) -> None:
    queries = QueryCache()
    for query in QUERIES:
        fresh = _pages(archive, query, sort, None)
        assert _pages(archive, query, sort, queries) == fresh  # compiled into the cache
        assert _pages(archive, query, sort, queries) == fresh  # from the cache, its word forms known


def test_the_cache_shares_one_compiled_query_per_text() -> None:
    queries = QueryCache()
    first = queries.prepare("Жамбыл")
    assert queries.prepare("Жамбыл") is first
    assert queries.prepare("Жамбыл", equivalents=False) is not first
    aliased = {"region": "Жамбыл | Тараз"}
    assert queries.prepare("@region", aliased) is not queries.prepare("@region", aliased)
    assert len(queries) == 2  # queries with aliases are never kept
    with pytest.raises(SearchError):
        queries.prepare("Тараз AND")
    assert len(queries) == 2


def test_the_cache_drops_the_least_recently_used_past_its_size() -> None:
    queries = QueryCache(size=2)
    first = queries.prepare("Жамбыл")
    queries.prepare("Тараз")
    queries.prepare("Жамбыл")
    queries.prepare("Алматы")  # "Тараз" was used least recently
    assert len(queries) == 2 and queries.prepare("Жамбыл") is first


def test_the_cache_forgets_queries_once_they_have_read_its_text_budget(archive: StoredArchive) -> None:
    roomy = QueryCache()
    search(archive.repo, SearchRequest("Жамбыл"), roomy)
    read = roomy.text_read
    assert read > 0
    search(archive.repo, SearchRequest("Жамбыл"), roomy)
    assert roomy.text_read == read  # the same articles again: nothing new learned, no budget used
    exact = QueryCache(text_budget=read)
    search(archive.repo, SearchRequest("Жамбыл"), exact)
    assert len(exact) == 1
    search(archive.repo, SearchRequest("Тараз"), exact)  # new articles: over budget, the oldest goes
    assert len(exact) <= 1 and exact.text_read <= read
    tight = QueryCache(text_budget=read - 1)
    search(archive.repo, SearchRequest("Жамбыл"), tight)
    assert len(tight) == 0 and tight.text_read == 0
