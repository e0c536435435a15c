"""Parsing query text into the syntax tree, and the errors a monitor sees for a mistyped query."""

from __future__ import annotations

import pytest

from newsmon.query import (
    AliasRef,
    And,
    Filter,
    Near,
    Not,
    Or,
    Phrase,
    QuerySyntaxError,
    Word,
    format_query,
    parse_alias_definitions,
    parse_query,
    walk,
)


def test_adjacent_words_are_anded_and_or_binds_looser():
    assert parse_query("Тараз акимат OR Шу") == Or((And((Word("Тараз"), Word("акимат"))), Word("Шу")))


@pytest.mark.parametrize("operator", ["OR", "ИЛИ", "НЕМЕСЕ", "|"])
def test_or_in_every_language(operator):
    assert parse_query(f"Тараз {operator} Шу") == Or((Word("Тараз"), Word("Шу")))


@pytest.mark.parametrize("operator", ["AND", "И", "ЖӘНЕ"])
def test_and_in_every_language(operator):
    assert parse_query(f"Тараз {operator} Шу") == And((Word("Тараз"), Word("Шу")))


@pytest.mark.parametrize("query", ["Тараз NOT Шу", "Тараз НЕ Шу", "Тараз ЕМЕС Шу", "Тараз -Шу"])
def test_not_in_every_language(query):
    assert parse_query(query) == And((Word("Тараз"), Not(Word("Шу"))))


def test_lowercase_operator_words_are_ordinary_words():
    assert parse_query('"мир и согласие" и or') == And(
        (Phrase(("мир", "и", "согласие")), Word("и"), Word("or"))
    )


@pytest.mark.parametrize(
    "query",
    [
        '"Бейбітшілік пен келісім"',
        "«Бейбітшілік пен келісім»",
        "“Бейбітшілік пен келісім”",
        "„Бейбітшілік пен келісім“",
    ],
)
def test_phrases_in_every_quote_style(query):
    assert parse_query(query) == Phrase(("Бейбітшілік", "пен", "келісім"))


def test_one_word_in_quotes_is_a_word():
    assert parse_query("«Тараз»") == Word("Тараз")


def test_exact_prefix_and_near():
    assert parse_query('=Тараз Тараз* "аким области" NEAR/3 =«Жамбыл»') == And(
        (
            Word("Тараз", exact=True),
            Word("Тараз", prefix=True),
            Near(Phrase(("аким", "области")), Word("Жамбыл", exact=True), 3),
        )
    )


def test_near_without_a_number_means_five_words():
    assert parse_query("аким NEAR Тараз") == Near(Word("аким"), Word("Тараз"), 5)


def test_fields_apply_to_groups_and_metadata_fields_become_filters():
    tree = parse_query("title:(Тараз OR «Жамбыл облысы») source:zakon.kz lang:kk")
    assert tree == And(
        (
            Or((Word("Тараз", field="title"), Phrase(("Жамбыл", "облысы"), field="title"))),
            Filter("source", "zakon.kz"),
            Filter("lang", "kk"),
        )
    )


def test_alternatives_in_braces_are_one_entity_usable_with_near():
    tree = parse_query("{Жамбыл | Jambyl Zhambyl} NEAR/3 аким")
    assert tree == Near(Or((Word("Жамбыл"), Word("Jambyl"), Word("Zhambyl"))), Word("аким"), 3)


def test_alias_references():
    assert parse_query("title:@zhambyl -@sport") == And(
        (AliasRef("zhambyl", field="title"), Not(AliasRef("sport")))
    )


def test_printing_gives_a_query_that_parses_back():
    tree = parse_query('title:(a OR "b c") -=d e* source:"x y" {f | g} NEAR/2 @h')
    assert format_query(tree) == (
        '(title:a OR title:"b c") AND NOT =d AND e* AND source:"x y" AND ((f OR g) NEAR/2 @h)'
    )
    assert parse_query(format_query(tree)) == tree


def test_walk_visits_every_node():
    kinds = [type(node).__name__ for node in walk(parse_query("a (b OR -c)"))]
    assert kinds == ["And", "Word", "Or", "Word", "Not", "Word"]


def test_unclosed_parenthesis_points_at_the_end():
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query("(Тараз OR Шу")
    error = caught.value
    assert error.position == 12
    assert str(error).splitlines()[:3] == [
        'expected ")" at 12: "(Тараз OR Шу"',
        "  (Тараз OR Шу",
        "              ^",
    ]


def test_unknown_field_lists_the_fields():
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query("Тараз author:Иванов")
    assert caught.value.position == 6
    assert 'unknown field "author"; fields are title, text, source, lang' in str(caught.value)


@pytest.mark.parametrize(
    ("query", "position", "expected"),
    [
        ("Тараз AND", 9, 'expected a word, phrase or "(" after AND'),
        ("OR Тараз", 0, 'expected a word, phrase or "("'),
        ("«Бейбітшілік пен", 16, "expected »"),
        ("Тараз)", 5, 'unexpected ")"'),
        ("()", 1, "empty parentheses"),
        ("a NEAR/3 (b c)", 2, "NEAR joins words, phrases"),
        ("a NEAR/3 b NEAR/3 c", 11, "combine several NEAR conditions with AND"),
        ("a NEAR/x b", 2, "expected a number of words"),
        ("=Тараз*", 1, "=word* is not allowed"),
        ("@ Тараз", 1, "expected an alias name"),
        ("source:@zhambyl", 7, "not an alias"),
        ("", 0, "empty query"),
        ("Тараз »", 6, "unexpected »"),
        ("{Тараз", 6, 'expected "}"'),
    ],
)
def test_errors_say_what_was_expected_where(query, position, expected):
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(query)
    assert caught.value.position == position
    assert expected in str(caught.value)


def test_alias_definitions_one_per_line():
    text = "# places\n@zhambyl = Жамбыл | Jambyl | Zhambyl | Жамбылская\n\n@taraz=Тараз OR Taraz\n"
    assert parse_alias_definitions(text) == {
        "zhambyl": "Жамбыл | Jambyl | Zhambyl | Жамбылская",
        "taraz": "Тараз OR Taraz",
    }


def test_a_bad_alias_definition_names_its_line():
    with pytest.raises(QuerySyntaxError) as caught:
        parse_alias_definitions("@a = Тараз\n@b = (Шу")
    assert caught.value.message.startswith('line 2 (@b): expected ")"')
    assert caught.value.position == 8
