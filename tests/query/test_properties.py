"""Property checks: any text typed into the query box fails cleanly or round-trips through printing."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsmon.query import QuerySyntaxError, WatchMatcher, compile_query, format_query, parse_query

# Pieces that hit the grammar's corners more often than uniformly random characters would.
PIECES = [
    "Тараз", "Шу", "облыс", "Jambyl", " ", " ", "  ", "\n", "(", ")", "{", "}", "|", '"', "«", "»", "“", "”", "„",
    "-", "=", "*", "@", "@z", ":", "/", "OR", "AND", "NOT", "ИЛИ", "И", "НЕ", "ЖӘНЕ", "НЕМЕСЕ", "ЕМЕС",
    "NEAR", "NEAR/3", "NEAR/x", "РЯДОМ/2", "title:", "text:", "source:", "lang:", "foo:", "zakon.kz", "kk", "—", "5",
]  # fmt: skip
QUERY_TEXT = st.one_of(st.text(max_size=60), st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(QUERY_TEXT)
def test_parsing_anything_raises_nothing_but_query_syntax_error(text):
    try:
        parse_query(text)
    except QuerySyntaxError as error:
        assert 0 <= error.position <= len(text)


@FAST
@given(QUERY_TEXT)
def test_compiling_anything_raises_nothing_but_query_syntax_error(text):
    try:
        query = compile_query(text, aliases={"z": "Жамбыл | Jambyl"})
    except QuerySyntaxError:
        return
    query.matches("Жамбыл облысы, Тараз қаласы. Шу ауданы, zakon.kz", "kk", title="Тараз", source="zakon.kz")
    query.highlight("Тараз - Jambyl")


@FAST
@given(QUERY_TEXT)
def test_printing_a_parsed_query_and_parsing_it_again_gives_the_same_tree(text):
    try:
        tree = parse_query(text)
    except QuerySyntaxError:
        return
    assert parse_query(format_query(tree)) == tree


@settings(max_examples=60, deadline=None)
@given(st.lists(QUERY_TEXT, min_size=1, max_size=6))
def test_a_matcher_builds_from_any_watch_queries(queries):
    matcher = WatchMatcher.build(list(enumerate(queries)), aliases={"z": "Жамбыл"})
    assert set(matcher.rules) | set(matcher.errors) == set(range(len(queries)))
    matcher.match("Жамбыл облысы. Тараз, Шу", lang="kk")
