"""Cleaning and folding as a reader of a regional portal's text would check them."""

from __future__ import annotations

import unicodedata

import pytest

from newsmon.text import clean_text, fold


def test_invisible_and_control_characters_go_and_paragraphs_stay() -> None:
    raw = "Аким\u00a0 области\u00ad\u200b провёл\tсовещание.\x07\r\n\r\nВторой   абзац.\nСтрока."
    assert clean_text(raw) == "Аким области провёл совещание.\n\nВторой абзац.\nСтрока."


def test_html_entities_are_unescaped_even_when_double_escaped() -> None:
    assert (
        clean_text("&laquo;Бейбітшілік пен келісім&raquo; &amp;amp; Тараз")
        == "«Бейбітшілік пен келісім» & Тараз"
    )


def test_decomposed_letters_are_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Ёлка и йод")
    assert clean_text(decomposed) == "Ёлка и йод"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Тaраз", "Тараз"),  # Latin a inside a Cyrillic word
        ("Бейбiтшiлiк", "Бейбітшілік"),  # Latin i typed for Kazakh і
        ("ТОKАЕВ", "ТОКАЕВ"),  # Latin K
        ("Tоkayev", "Tokayev"),  # Cyrillic о inside a Latin word
        ("Qazaqstan", "Qazaqstan"),  # all Latin: untouched
        ("ҚазаҚстан", "ҚазаҚстан"),
        ("Ҡазаҡстан", "Қазақстан"),  # Bashkir ҡ for Kazakh қ
        ("Əкімдік", "Әкімдік"),  # Latin schwa for ә
    ],
)
def test_homoglyphs_are_repaired_inside_words(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_typographic_quotes_and_dashes_are_kept_for_display_and_folded_for_matching() -> None:
    text = "«Жамбыл» — “Тараз” – Ёлки ‘Шу’"
    assert clean_text(text) == text
    assert fold(text) == '"жамбыл" - "тараз" - елки \'шу\''


def test_bad_input_is_named() -> None:
    with pytest.raises(TypeError, match="clean_text expects str"):
        clean_text(None)  # type: ignore[arg-type]
