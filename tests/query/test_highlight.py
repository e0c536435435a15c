"""Highlights land on the characters of the text as published, and snippets read well in an alert."""

from __future__ import annotations

import pytest

from newsmon.query import compile_query, highlight_snippet, snippet_with_spans, split_marked
from tests.conftest import FIXTURES, SAMPLES

RU_ARTICLE = (SAMPLES / "zhambyl-conference.ru.txt").read_text(encoding="utf-8")
HOMOGLYPHS = (FIXTURES / "query" / "kk-peace-project-homoglyphs.txt").read_text(encoding="utf-8")


def marked(query: str, text: str, lang: str | None = None) -> list[str]:
    return [text[start:end] for start, end in compile_query(query).highlight(text, lang)]


def test_spans_cover_inflected_forms_in_the_original_text():
    assert marked('"Жамбылская область"', RU_ARTICLE)[:2] == ["Жамбылской области", "Жамбылской области"]


def test_spans_with_homoglyphs_and_typographic_quotes():
    assert marked("Тараз", HOMOGLYPHS) == ["Тaрaз", "Таразда"]
    assert marked('"Жамбыл облысы"', HOMOGLYPHS) == ["Жамбыл облысында", "Жамбыл oблысының"]
    assert marked("«Бейбітшілік пен келісім»", HOMOGLYPHS) == [
        "Бейбітшілік пен келісімге",
        "Бeйбітшілік пен келісім",
    ]


def test_spans_skip_invisible_characters_and_entities_without_shifting():
    text = "Делегация &laquo;Тараза&raquo; и Та\u00adраз\u200b, затем Жам-\nбыл"
    visible = [span.replace("\u00ad", "").replace("\u200b", "") for span in marked("Тараз", text)]
    assert visible == ["Тараза", "Тараз"]
    assert marked("Тараз", text)[1].startswith("Та\u00adраз")


def test_negated_words_and_metadata_are_not_highlighted():
    assert marked("Тараз -футбол source:zakon.kz", "Тараз без футбола") == ["Тараз"]


def test_near_highlights_only_the_close_pair():
    text = "аким приехал. Потом много слов здесь и там. Тараз встретил аким"
    assert marked("аким NEAR/2 Тараз", text) == ["Тараз", "аким"]


def test_overlapping_spans_are_merged():
    assert marked('"Жамбыл облысы" OR облыс', "Жамбыл облысы") == ["Жамбыл облысы"]


def test_snippet_marks_matches_around_the_first_one():
    query = compile_query('"Жамбылская область" NEAR/5 аким')
    snippet = highlight_snippet(RU_ARTICLE, query.highlight(RU_ARTICLE), width=120)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "отметил «[[аким]]» «[[Жамбылской области]]» Бердибек" in snippet
    assert len(snippet) <= 120 + 2 * len("«[[]]»") + 2


def test_snippet_of_a_short_text_keeps_it_whole():
    text = "Аким\nТараза   посетил школу"
    assert highlight_snippet(text, [(5, 11)], mark=("<b>", "</b>")) == "Аким <b>Тараза</b> посетил школу"


def test_snippet_cuts_at_word_boundaries():
    text = "слово " * 100 + "Тараз " + "конец " * 100
    start = text.index("Тараз")
    snippet = highlight_snippet(text, [(start, start + 5)], width=60)
    inner = snippet.strip("…")
    assert all(word in ("слово", "конец", "«[[Тараз]]»") for word in inner.split())


def test_snippet_without_matches_is_the_opening_of_the_text():
    assert highlight_snippet("Первый абзац текста. Второй абзац.", [], width=20) == "Первый абзац текста.…"


def test_snippet_rejects_a_useless_width():
    with pytest.raises(ValueError, match="width must be positive"):
        highlight_snippet("text", [], width=0)


def test_snippet_with_spans_adds_nothing_to_a_match_the_article_quoted():
    text = "Конференция «Бейбітшілік пен келісім» прошла в Таразе."
    snippet, spans = snippet_with_spans(text, compile_query('"Бейбітшілік пен келісім"').highlight(text))
    assert snippet == text
    assert [snippet[start:end] for start, end in spans] == ["Бейбітшілік пен келісім"]


def test_snippet_with_spans_is_the_highlighted_snippet_without_its_marks():
    query = compile_query('"Жамбылская область" NEAR/5 аким')
    spans = query.highlight(RU_ARTICLE)
    assert split_marked(highlight_snippet(RU_ARTICLE, spans, width=120)) == snippet_with_spans(
        RU_ARTICLE, spans, width=120
    )


def test_split_marked_keeps_an_unclosed_mark_as_text():
    assert split_marked("В «[[Таразе]]» и «[[ далее") == ("В Таразе и «[[ далее", [(2, 8)])
