"""Morphological matching as a media monitor expects it: inflected forms find their keyword, look-alikes don't."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsmon.text import (
    analyse,
    analysis_language,
    analyzer_version,
    clear_word_caches,
    index_text,
    word_terms,
)
from newsmon.text.russian import parse_overrides


def match(keyword: str, word: str, lang: str | None = None) -> bool:
    return bool(word_terms(keyword) & word_terms(word, lang))


def phrase_in(keyword: str, text: str, lang: str | None = None) -> bool:
    wanted = [word_terms(t.norm) for t in analyse(keyword)]
    found = [t.terms for t in analyse(text, lang)]
    return any(
        all(found[start + i] & want for i, want in enumerate(wanted))
        for start in range(len(found) - len(wanted) + 1)
    )


def test_russian_adjective_noun_phrase_in_any_case() -> None:
    assert {"жамбылский", "область"} <= word_terms("Жамбылской") | word_terms("области")
    assert phrase_in("Жамбылская область", "опыт Жамбылской области по реализации", "ru")
    assert phrase_in("Жамбылская область", "Жамбылская область", "ru")
    assert not phrase_in("Жамбылская область", "Жамбылский район, областной центр", "ru")


@pytest.mark.parametrize(
    "form",
    ["Сапарбаев", "Сапарбаева", "Сапарбаеву", "Сапарбаевым", "Сапарбаеве", "Сапарбаевой", "САПАРБАЕВА"],
)
def test_official_surname_in_every_case(form: str) -> None:
    assert match("Сапарбаев", form, "ru")


@pytest.mark.parametrize(
    ("keyword", "form"),
    [("Токаев", "Токаевым"), ("Токаев", "Токаева"), ("Дауленов", "Дауленовым"), ("Ильин", "Ильиной")],
)
def test_surnames_work_by_rule_not_by_list(keyword: str, form: str) -> None:
    assert match(keyword, form, "ru")


def test_kazakh_patronymic_surnames() -> None:
    assert match("Жомартұлы", "Жомартұлының", "kk")
    assert match("Жомартұлы", "Жомартулы", "ru")
    assert match("Асанқызы", "Асанқызына", "kk")


@pytest.mark.parametrize(
    ("keyword", "form", "lang"),
    [("Мерке", "Мерке", "ru"), ("Кордай", "Кордае", "ru"), ("Тараз", "Таразе", "ru"), ("Шу", "Шу", "ru"),
     ("Жамбыл", "Жамбыла", "ru"), ("Байзак", "Байзаке", "ru"), ("Жуалы", "Жуалы", "ru"),
     ("Талас", "Таласе", "ru"), ("Сарысу", "Сарысу", "ru"), ("Мойынкум", "Мойынкуме", "ru"),
     ("Рыскулов", "Т. Рыскулова", "ru")],
)  # fmt: skip
def test_local_place_names_from_the_override_list(keyword: str, form: str, lang: str) -> None:
    assert phrase_in(keyword, form, lang)


def test_merke_is_not_a_tailors_measure() -> None:
    assert "мерка" not in word_terms("Мерке", "ru")
    assert not match("Мерке", "мерку", "ru")
    assert not match("Кордай", "кордать")


def test_homoglyph_spelling_matches() -> None:
    assert word_terms("Тaраз") == word_terms("Тараз")
    assert phrase_in("Тараз", "Делегация прибыла в Тaраз вечером", "ru")


@pytest.mark.parametrize(
    ("form", "base"),
    [("облысында", "облыс"), ("облысының", "облыс"), ("облысы", "облыс"), ("облыстарындағы", "облыс"),
     ("Қазақстанның", "Қазақстан"), ("Қазақстанымызда", "Қазақстан"), ("Таразда", "Тараз"),
     ("Тараздағы", "Тараз"), ("келісімге", "келісім"), ("Бейбітшілікті", "Бейбітшілік"),
     ("кітабы", "кітап"), ("құрағы", "құрақ"), ("көрегі", "көрек"), ("мектебінде", "мектеп"),
     ("ағасы", "аға"), ("саласы", "сала"), ("Ұлытаудың", "Ұлытау"), ("Астанада", "Астана"),
     ("Назарбаевтың", "Назарбаев"), ("Кремльге", "Кремль"), ("Омбымен", "Омбы"), ("Алматының", "Алматы")],
)  # fmt: skip
def test_kazakh_inflections_find_the_base(form: str, base: str) -> None:
    assert match(base, form, "kk")
    assert match(base, form)  # also when the text's language is unknown


@pytest.mark.parametrize(
    ("keyword", "form"),
    [("аға", "ағаш"), ("аға", "ағашы"), ("қазақ", "Қазақстанның"), ("Қазақстан", "қазақстандықтар"),
     ("Ақтау", "Ақтөбеде"), ("ел", "елші"), ("әкім", "әкімдігі"), ("Түркия", "Түркістанда")],
)  # fmt: skip
def test_kazakh_look_alikes_of_another_word_do_not_match(keyword: str, form: str) -> None:
    assert not match(keyword, form, "kk")


def test_kazakh_typed_with_russian_letters_matches() -> None:
    terms = word_terms("Бейбітшілік")
    assert terms == word_terms("Бейбiтшiлiк") == word_terms("бейбітшілік", "kk")
    assert terms & word_terms("Бейбитшилик")
    assert match("келісім", "келисимге")
    assert match("Қазақстан", "Казакстаннын", "kk")


def test_kazakh_phrase_in_russian_and_kazakh_text() -> None:
    keyword = "Бейбітшілік пен келісім"
    assert phrase_in(keyword, "пилотный проект «Бейбітшілік пен келісім» вносит вклад", "ru")
    assert phrase_in(keyword, "«Бейбітшілік пен келісімге» арналған жоба", "kk")
    assert phrase_in("Жамбыл облысы", "Жамбыл облысының әкімі", "kk")


def test_latin_kazakh_matches_cyrillic() -> None:
    assert match("Қазақстан", "Qazaqstan")
    assert match("Қазақстан", "Qazaqstannyń")
    assert match("Qazaqstan", "Қазақстанның", "kk")
    assert phrase_in("Жамбыл облысы", "Jambyl oblysynda jańa mektep ashyldy", "kk")
    assert match("Қазақстан", "Qazaqstandağy")  # 2021 alphabet


def test_hyphenated_names_match_as_a_whole() -> None:
    assert match("Нур-Султан", "Нур-Султане", "ru")
    assert match("Нур-Султан", "Нұр-Сұлтанда")
    assert not match("Султан", "Нур-Султане", "ru")
    assert word_terms("Қазақстан-2050") == frozenset({"казакстан-2050"})


def test_english_and_numbers_are_kept_as_written() -> None:
    assert word_terms("Mexico") == frozenset({"mexico"})
    assert word_terms("2050") == frozenset({"2050"})


def test_unknown_language_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown language 'de'"):
        word_terms("слово", "de")


def test_terms_are_cached_per_word_and_language() -> None:
    word_terms("Жамбылской", "ru")
    before = word_terms.cache_info().hits
    word_terms("Жамбылской", "ru")
    assert word_terms.cache_info().hits == before + 1
    assert isinstance(analyzer_version, str) and analyzer_version


def test_analyse_fills_terms_and_keeps_offsets() -> None:
    text = "Аким Сапарбаев посетил Мерке."
    tokens = analyse(text, "ru")
    assert [text[t.start : t.end] for t in tokens] == ["Аким", "Сапарбаев", "посетил", "Мерке"]
    assert "сапарбаев" in tokens[1].terms and tokens[3].terms == frozenset({"мерке"})


def test_override_table_format_errors_are_skipped() -> None:
    table = parse_overrides("# comment\nтараз\tтараза таразе\nbad line with spaces\nшу\n")
    assert table == {"тараз": "тараз", "тараза": "тараз", "таразе": "тараз", "шу": "шу"}


@given(st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "Pd", "Mn", "Cf"]), max_size=30))
def test_any_word_gets_terms_without_crashing(text: str) -> None:
    for token in analyse(text):
        assert token.terms
        assert all(isinstance(term, str) and term for term in token.terms)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Аким Жамбылской области встретился с фермерами Нұр-Сұлтанда.", "ru"),
        ("Тараз қаласында «Бейбітшілік пен келісім» жобасы бойынша конференция өтті.", "kk"),
        ("Qazaqstan Respublikasy men Taraz: 2024 jyly, &nbsp; 15 naýryz", None),
    ],
)
def test_index_text_holds_the_terms_of_analyse_in_reading_order(text: str, lang: str | None) -> None:
    expected = " ".join(" ".join(sorted(t.terms or {t.norm})) for t in analyse(text, lang))
    assert index_text(text, lang) == expected


@given(
    st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "Pd", "Zs", "Mn"]), max_size=60),
    st.sampled_from([None, "ru", "kk", "en", "mixed", "other"]),
)
def test_index_text_agrees_with_analyse_on_any_text(text: str, lang: str | None) -> None:
    expected = " ".join(" ".join(sorted(t.terms or {t.norm})) for t in analyse(text, lang))
    assert index_text(text, lang) == expected


def test_indexing_holds_each_form_once() -> None:
    """A process that indexes a big archive fills the caches; the term sets of `word_terms` are not among
    them, so each form costs one index entry, not two."""
    clear_word_caches()
    index_text("Жамбыл облысының әкімі Тараз қаласында фермерлермен кездесті", "kk")
    assert word_terms.cache_info().currsize == 0


def test_index_text_names_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="unknown language 'de'"):
        index_text("Аким Тараза", "de")


@pytest.mark.parametrize(
    ("code", "lang"),
    [("ru", "ru"), ("KK", "kk"), ("kz", "kk"), ("rus", "ru"), ("de", None), ("uk", None), ("en", None),
     ("mixed", None), ("", None), (None, None)],
)  # fmt: skip
def test_any_article_language_code_maps_to_one_the_analyser_takes(code: str | None, lang: str | None) -> None:
    assert analysis_language(code) == lang
    assert index_text("Тараз қаласы", analysis_language(code)) == index_text("Тараз қаласы", lang)
