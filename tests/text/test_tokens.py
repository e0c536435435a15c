"""Tokens keep offsets into the original text, so highlighting can wrap exactly what the reader sees."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newsmon.text import tokenize
from tests.conftest import SAMPLES


def surfaces(text: str) -> list[str]:
    return [t.surface for t in tokenize(text)]


def test_hyphenated_and_apostrophe_words_are_one_token() -> None:
    text = "«Нур-Султан», Қазақстан-2050 и O’Neil — не д'Артаньян; 5-й раз"
    assert surfaces(text) == ["Нур-Султан", "Қазақстан-2050", "и", "O’Neil", "не", "д'Артаньян", "5-й", "раз"]


def test_dashes_and_quotes_split_words() -> None:
    assert surfaces("Тараз—Шу, «Мерке»-2024 - итог") == ["Тараз", "Шу", "Мерке", "2024", "итог"]


def test_offsets_point_into_the_original_text_with_invisible_characters_and_entities() -> None:
    text = "&laquo;Тa\u00adраз&raquo; и\u200bдёт"
    tokens = tokenize(text)
    assert [(t.surface, t.norm) for t in tokens] == [("Тa\u00adраз", "тараз"), ("и\u200bдёт", "идет")]
    for token in tokens:
        assert text[token.start : token.end] == token.surface
        assert token.terms == frozenset()


def test_sample_article_offsets_round_trip() -> None:
    text = (SAMPLES / "zhambyl-conference.ru.txt").read_text(encoding="utf-8")
    tokens = tokenize(text)
    assert len(tokens) > 250
    assert all(text[t.start : t.end] == t.surface for t in tokens)
    assert "жамбылской" in {t.norm for t in tokens}


@given(st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Z", "Cc", "Mn", "Cf"])))
def test_any_text_tokenizes_with_valid_offsets(text: str) -> None:
    previous_end = 0
    for token in tokenize(text):
        assert previous_end <= token.start < token.end <= len(text)
        assert text[token.start : token.end] == token.surface
        previous_end = token.end
