"""What a monitor expects a query to find (and not find) in Russian and Kazakh news text."""

from __future__ import annotations

import pytest

from newsmon.query import QuerySyntaxError, compile_query
from tests.conftest import FIXTURES, SAMPLES

KK_ARTICLE = (FIXTURES / "query" / "kk-peace-project.txt").read_text(encoding="utf-8")
RU_ARTICLE = (SAMPLES / "zhambyl-conference.ru.txt").read_text(encoding="utf-8")


def finds(query: str, text: str, lang: str | None = None, **metadata: str) -> bool:
    return compile_query(query).matches(text, lang, **metadata)


def test_kazakh_phrase_matches_its_inflected_form():
    assert "«Бейбітшілік пен келісімге»" in KK_ARTICLE
    assert finds("«Бейбітшілік пен келісім»", "Жамбыл облысында «Бейбітшілік пен келісімге» арналған форум")


def test_russian_phrase_matches_its_inflected_form():
    assert finds('"Жамбылская область"', RU_ARTICLE, "ru")
    assert finds("«Жамбылская область»", "опыт Жамбылской области по реализации")


def test_phrase_words_must_be_consecutive_including_short_function_words():
    assert not finds('"Бейбітшілік келісім"', "Бейбітшілік пен келісім")
    assert not finds('"Бейбітшілік пен келісім"', "Бейбітшілік және келісім")
    assert not finds('"Жамбылская область"', "Жамбылская и Алматинская область")


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("Мексика", "В Мексике прошли выборы", True),
        ("Мексика", "мексиканцы вышли на улицы", False),
        ("аға", "Ағасы келді", True),
        ("аға", "Жиын соңында қатысушылар бірлесіп ағаш отырғызды.", False),
        ("ағаш", "ағаштар отырғызылды", True),
        ("облыс", "Облыстың әкімі", True),
    ],
)
def test_inflections_match_and_look_alike_words_of_another_lemma_do_not(query, text, expected):
    assert finds(query, text) is expected


def test_case_yo_and_quote_style_do_not_matter():
    assert finds("ЁЛКА", "новогодние елки на площади")
    assert finds("«Бейбітшілік пен келісім»", 'проект "БЕЙБІТШІЛІК ПЕН КЕЛІСІМ"')
    assert finds('"Бейбітшілік пен келісім"', "проект “Бейбітшілік пен келісім”")


def test_latin_look_alike_letters_inside_cyrillic_words():
    homoglyphs = (FIXTURES / "query" / "kk-peace-project-homoglyphs.txt").read_text(encoding="utf-8")
    assert "Тaрaз" in homoglyphs
    assert finds('"Тараз қаласы"', homoglyphs)
    assert finds('"Жамбыл облысы"', homoglyphs)


def test_latin_kazakh_and_cyrillic_find_each_other():
    assert finds("Jambyl", "Жамбыл облысының әкімі")
    assert finds("Taraz", "Таразда форум өтті")
    assert finds("Жамбыл", "Jambyl oblysynyń ákimi", "kk")
    assert finds('"Жамбыл облысы"', "Jambyl oblysynda forým ótti", "kk")


def test_exact_forms():
    assert finds("=Тараз", "Тараз қаласы")
    assert not finds("=Тараз", "Таразда форум өтті")
    assert not finds('="Жамбыл облысы"', "Жамбыл облысының әкімі")
    assert finds('="Жамбыл облысының"', "ЖАМБЫЛ ОБЛЫСЫНЫҢ әкімі")


def test_prefix():
    assert finds("Тараз*", "Тараздағы жиын")
    assert finds("Тараз*", "Таразда")
    assert not finds("Тараз*", "Тар жол")
    assert finds("Taraz*", "Тараздағы жиын")


def test_prefix_needs_two_letters():
    with pytest.raises(QuerySyntaxError, match="at least 2 letters"):
        compile_query("Т*")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("аким города Тараз", True),
        ("Тараз посетил аким", True),
        ("аким вчера вечером посетил город Тараз", False),
        ("аким посетил город Тараз", True),
    ],
)
def test_near_counts_words_between_in_either_order(text, expected):
    assert finds("аким NEAR/2 Тараз", text) is expected


def test_near_with_phrases_and_alternatives():
    assert finds('{Жамбыл | Jambyl} NEAR/3 "аким области"', "Жамбыл облысы, аким области Сапарбаев")
    assert finds('"Жамбылская область" NEAR/5 аким', RU_ARTICLE)
    assert not finds('"Жамбылская область" NEAR/0 Тараз', RU_ARTICLE)


def test_fields_title_and_text():
    title, body = "Новости Жамбылской области", "В Таразе прошла конференция"
    assert finds("title:Жамбылская", body, title=title)
    assert not finds("text:Жамбылская", body, title=title)
    assert finds("Жамбылская", body, title=title)
    assert finds("title:новости text:Тараз", body, title=title)
    assert not finds("title:Тараз", body, title=title)


def test_source_and_language_filters():
    assert finds("Тараз source:zakon.kz", "В Таразе", source="www.zakon.kz")
    assert finds("Тараз source:zakon", "В Таразе", source="zakon.kz")
    assert not finds("Тараз source:zakon.kz", "В Таразе", source="tengrinews.kz")
    assert not finds("Тараз source:zakon.kz", "В Таразе")
    assert finds("Тараз lang:kk", "Таразда форум өтті", "kk")
    assert finds("Тараз lang:kz", "Таразда форум өтті", "kk")
    assert not finds("Тараз lang:kk", "В Таразе прошла конференция", "ru")
    assert finds("Тараз -lang:ru", KK_ARTICLE)


def test_not_excludes():
    assert finds("Тараз -футбол", "В Таразе прошла конференция")
    assert not finds("Тараз NOT футбол", "В Таразе прошел футбольный матч, футбол собрал тысячи")
    assert finds("Тараз ЕМЕС Алматы", KK_ARTICLE)


def test_operators_in_russian_and_kazakh():
    assert finds("Тараз ЖӘНЕ Мерке", KK_ARTICLE)
    assert finds("Астана НЕМЕСЕ Мерке", KK_ARTICLE)
    assert not finds("Тараз И Астана", KK_ARTICLE)
    assert finds("(Астана ИЛИ Тараз) И НЕ футбол", KK_ARTICLE)


@pytest.mark.parametrize(
    "query", ["NOT Тараз", "-Тараз", "Тараз OR NOT Шу", "source:zakon.kz", "lang:kk -Шу"]
)
def test_a_query_needs_a_positive_term(query):
    with pytest.raises(QuerySyntaxError, match="at least one positive term"):
        compile_query(query)


def test_words_without_letters_are_rejected():
    with pytest.raises(QuerySyntaxError, match="no letters or digits"):
        compile_query("Тараз —")


def test_aliases_track_every_spelling():
    aliases = {"zhambyl": "Жамбыл | Jambyl | Zhambyl | Жамбылская", "@Taraz": "Тараз OR Taraz"}
    query = compile_query("@zhambyl NEAR/3 @taraz", aliases=aliases)
    assert query.matches("Zhambyl region, Taraz city")
    assert query.matches("Жамбылской области, город Тараз")
    assert not query.matches("Жамбылской области, город Шу")
    assert query.terms() == ["Жамбыл", "Jambyl", "Zhambyl", "Жамбылская", "Тараз", "Taraz"]


def test_alias_errors():
    with pytest.raises(QuerySyntaxError, match="unknown alias @shu; known aliases: @zhambyl") as caught:
        compile_query("Тараз @shu", aliases={"zhambyl": "Жамбыл"})
    assert caught.value.position == 6
    with pytest.raises(QuerySyntaxError, match="refers to itself"):
        compile_query("@a", aliases={"a": "Тараз OR @b", "b": "@a"})
    with pytest.raises(QuerySyntaxError, match=r"in @a: expected \"\)\""):
        compile_query("@a", aliases={"a": "(Тараз"})


def test_terms_lists_positive_words_and_phrases():
    query = compile_query('title:Тараз "Жамбыл облысы" -футбол (Шу OR Мерке*) source:zakon.kz')
    assert query.terms() == ["title:Тараз", '"Жамбыл облысы"', "Шу", "Мерке*"]


def test_match_says_which_terms_were_found():
    result = compile_query('"Жамбылская область" OR Алматы OR Тараз').match(RU_ARTICLE, "ru")
    assert result is not None
    assert result.terms == ('"Жамбылская область"', "Тараз")
    assert compile_query("Алматы").match(RU_ARTICLE) is None
