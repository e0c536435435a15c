"""Query -> full-text translation: what it keeps, and that no parsable query makes either backend raise."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsmon.query import QuerySyntaxError, compile_query
from newsmon.search.fts import AllOf, AnyOf, TermGroup, to_fts5, to_tsquery, translate
from newsmon.storage import Repository
from newsmon.storage.migrate import upgrade
from newsmon.storage.search import ArticleSelection, MetaFilter
from tests.search.conftest import store_fixture_articles


def _translate(text: str):
    return translate(compile_query(text).tree)


def test_a_word_becomes_the_or_of_its_terms() -> None:
    translation = _translate("Жамбылской")
    assert translation.expr == TermGroup(("жамбылский", "жамбылской"))
    assert translation.exact


def test_a_phrase_is_the_and_of_its_words_and_needs_verification() -> None:
    translation = _translate("«Бейбітшілік пен келісім»")
    assert isinstance(translation.expr, AllOf) and len(translation.expr.items) == 3
    assert not translation.exact


def test_not_near_and_fields_are_left_to_verification() -> None:
    assert _translate("Тараз -спорт").expr == _translate("Тараз").expr
    assert not _translate("Тараз -спорт").exact
    assert isinstance(_translate("аким NEAR/3 Тараз").expr, AllOf)
    assert not _translate("title:Тараз").exact


def test_or_of_words_stays_an_or_and_stays_exact() -> None:
    translation = _translate("Тараз OR Мерке")
    assert isinstance(translation.expr, AnyOf) and translation.exact


def test_top_level_source_and_lang_become_sql_filters() -> None:
    translation = _translate("Тараз source:zakon.kz lang:kz")
    assert translation.meta == (MetaFilter("source", "zakon.kz"), MetaFilter("lang", "kk"))
    assert translation.expr == _translate("Тараз").expr


def test_prefix_is_shortened_towards_the_stem() -> None:
    translation = _translate("облысын*")
    assert translation.expr == TermGroup(("облыс",), prefix=True)
    assert to_fts5(translation.expr) == '"облыс"*'
    assert to_tsquery(translation.expr) == "'облыс':*"


def test_quotes_and_backslashes_are_escaped() -> None:
    group = TermGroup(('a"b', "c'd\\e"))
    assert to_fts5(group) == '("a""b" OR "c\'d\\e")'
    assert to_tsquery(group) == "('a\"b' | 'c''d\\\\e')"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def small_archive(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Repository]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fts') / 'newsmon.db'}"
        yield from _stored(url)
    else:
        from tests.conftest import _fresh_postgres_database

        for url in _fresh_postgres_database():
            yield from _stored(url)


def _stored(url: str) -> Iterator[Repository]:
    repo = Repository.from_url(url)
    upgrade(repo.engine)
    store_fixture_articles(repo)
    yield repo
    repo.dispose()


WORDS = st.text(
    alphabet=st.sampled_from(list("жамбылқңәіөүұһaqzOR*=\"'\\%_:.-^()@{}|«»“„ 0123456789ёЁ\u0301\u00ad\t")),
    min_size=1,
    max_size=14,
)
QUERIES = st.lists(WORDS, min_size=1, max_size=5).map(lambda words: " ".join(words)) | st.builds(
    lambda a, op, b: f"{a} {op} {b}",
    WORDS,
    st.sampled_from(["AND", "OR", "NOT", "NEAR/2", "-", "|", "title:", "source:", "lang:"]),
    WORDS,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=QUERIES)
def test_no_parsable_query_makes_the_backend_raise(small_archive: Repository, text: str) -> None:
    try:
        tree = compile_query(text).tree
    except QuerySyntaxError:
        return
    translation = translate(tree)
    if translation.expr is None:
        return
    match = (
        to_tsquery(translation.expr)
        if small_archive.full_text_dialect == "postgresql"
        else to_fts5(translation.expr)
    )
    selection = ArticleSelection(match=match, meta=translation.meta)
    small_archive.search_candidates(selection, "relevance", None, 5)
    assert small_archive.count_selected(selection) >= 0
