"""Normalisation of crawled and imported articles: text, titles, dates in UTC with sanity flags, language."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from newsmon.models import Article, Source
from newsmon.text import fold
from pipelines.normalise import normalise_article, strip_site_suffix
from tests.conftest import SAMPLES

NOW = datetime(2025, 8, 15, 9, 0, tzinfo=UTC)
ZTGZT = Source(
    name="ztgzt", home="https://ztgzt.kz/", title="Знамя труда", languages=("ru",), founded=date(1932, 1, 1)
)
KAZINFORM = Source(
    name="kazinform", home="https://www.inform.kz/", languages=("ru", "kk"), founded=date(1997, 1, 1)
)
KAZAKH = (
    "Жамбыл облысының әкімі аудан әкімдерімен кеңес өткізді. Кеңесте өңірдегі егін жинау науқаны, "
    "мектептерді жылу маусымына дайындау және ауыз су жүйелерін жаңғырту мәселелері қаралды. "
    "Облыс әкімі барлық жұмыстарды қазан айының соңына дейін аяқтауды тапсырды."
)


@pytest.fixture(scope="module")
def russian_text() -> str:
    return (SAMPLES / "zhambyl-conference.ru.txt").read_text(encoding="utf-8")


def article(text: str, **fields: object) -> Article:
    return Article(url="https://ztgzt.kz/news/1", text=text, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("title", "source", "expected"),
    [
        ("Аким провёл совещание | Знамя труда", ZTGZT, "Аким провёл совещание"),
        ("Аким провёл совещание | Знамя труда", None, "Аким провёл совещание"),
        ("Аким области провёл совещание - Kazinform", None, "Аким области провёл совещание"),
        ("Аким области провёл совещание — МИА «Казинформ»", None, "Аким области провёл совещание"),
        ("В Таразе открылась новая школа - Zakon.kz", None, "В Таразе открылась новая школа"),
        ("Аким области провёл совещание - Inform.kz", KAZINFORM, "Аким области провёл совещание"),
        ("Тараз — город с двухтысячелетней историей", ZTGZT, "Тараз — город с двухтысячелетней историей"),
        ("Алматы - Бишкек: автобусный рейс возобновят", None, "Алматы - Бишкек: автобусный рейс возобновят"),
        ("Итоги года — в цифрах", None, "Итоги года — в цифрах"),
        ("Новости | Знамя труда", ZTGZT, "Новости | Знамя труда"),  # stripping would leave almost nothing
    ],
)
def test_site_names_are_stripped_from_titles(title: str, source: Source | None, expected: str) -> None:
    names = (source.title, source.name, "inform.kz", "inform") if source else ()
    assert strip_site_suffix(title, tuple(n for n in names if n)) == expected


def test_title_of_a_normalised_article_loses_the_site_name(russian_text: str) -> None:
    result = normalise_article(
        article(russian_text, title="Аким провёл совещание | Знамя труда"), ZTGZT, now=NOW
    )

    assert result.title == "Аким провёл совещание"


def test_text_is_cleaned_but_keeps_typographic_quotes_and_dashes() -> None:
    raw = (
        "Аким\u00a0области  провёл совещание&nbsp;по проекту «Бейбітшілік пен келісім» — "
        "итоги под\u00adведены.\u200b\r\nУчастники\x07 обсудили &laquo;дорожную карту&raquo;."
    )

    result = normalise_article(article(raw), ZTGZT, now=NOW)

    assert result.text == (
        "Аким области провёл совещание по проекту «Бейбітшілік пен келісім» — итоги подведены.\n"
        "Участники обсудили «дорожную карту»."
    )
    assert fold(result.text).startswith(
        'аким области провел совещание по проекту "бейбітшілік пен келісім" - итоги'
    )


def test_text_is_nfc() -> None:
    decomposed = "Аи\u0306дар прове\u0308л встречу"  # й and ё typed as a letter plus a combining mark

    result = normalise_article(article(decomposed), ZTGZT, now=NOW)

    assert result.text == "Айдар провёл встречу"


def test_latin_lookalikes_inside_cyrillic_words_are_repaired() -> None:
    mixed = "Жамбылскoй oбласти пpoшла конфеpенция, ecли верить акимату. The Taraz office said so."

    result = normalise_article(article(mixed), ZTGZT, now=NOW)

    assert (
        result.text == "Жамбылской области прошла конференция, если верить акимату. The Taraz office said so."
    )


def test_language_is_detected_per_article(russian_text: str) -> None:
    assert normalise_article(article(russian_text), ZTGZT, now=NOW).language == "ru"
    assert normalise_article(article(KAZAKH), KAZINFORM, now=NOW).language == "kk"
    english = (
        "The regional akimat held a meeting on the harvest campaign and the heating season in Taraz. " * 3
    )
    assert normalise_article(article(english), KAZINFORM, now=NOW).language == "en"
    mixed = normalise_article(article(russian_text[:1500] + "\n\n" + KAZAKH * 3), KAZINFORM, now=NOW)
    assert mixed.language == "mixed"
    assert "language_mismatch" not in mixed.warnings


def test_language_outside_the_source_languages_is_flagged() -> None:
    result = normalise_article(article(KAZAKH), ZTGZT, now=NOW)

    assert result.language == "kk"
    assert "language_mismatch" in result.warnings


def test_local_dates_become_utc_through_the_tz_database(russian_text: str) -> None:
    before_switch = normalise_article(
        article(russian_text, published=datetime(2024, 2, 29, 12, 0)), ZTGZT, now=NOW
    )
    after_switch = normalise_article(
        article(russian_text, published=datetime(2024, 3, 2, 12, 0)), ZTGZT, now=NOW
    )

    assert before_switch.published == datetime(2024, 2, 29, 6, 0, tzinfo=UTC)  # UTC+6 until 2024-03-01
    assert after_switch.published == datetime(2024, 3, 2, 7, 0, tzinfo=UTC)  # UTC+5 since


def test_dates_with_an_offset_are_converted_to_utc(russian_text: str) -> None:
    from datetime import timedelta, timezone

    published = datetime(2025, 2, 10, 10, 0, tzinfo=timezone(timedelta(hours=5)))

    result = normalise_article(article(russian_text, published=published), ZTGZT, now=NOW)

    assert result.published == datetime(2025, 2, 10, 5, 0, tzinfo=UTC)
    assert result.published.tzinfo is UTC
    assert not {"future_date", "before_founded", "no_date"} & set(result.warnings)


def test_future_dates_are_flagged_not_changed(russian_text: str) -> None:
    tomorrow_plus = datetime(2025, 8, 17, 9, 0, tzinfo=UTC)

    result = normalise_article(article(russian_text, published=tomorrow_plus), ZTGZT, now=NOW)

    assert result.published == tomorrow_plus
    assert "future_date" in result.warnings


def test_a_date_a_few_hours_ahead_is_not_future(russian_text: str) -> None:
    result = normalise_article(article(russian_text, published=datetime(2025, 8, 15, 20, 0)), ZTGZT, now=NOW)

    assert "future_date" not in result.warnings


def test_dates_before_the_portal_existed_are_flagged(russian_text: str) -> None:
    result = normalise_article(
        article(russian_text, published=datetime(1931, 5, 1, tzinfo=UTC)), ZTGZT, now=NOW
    )

    assert "before_founded" in result.warnings


def test_a_missing_date_is_said_not_guessed(russian_text: str) -> None:
    result = normalise_article(article(russian_text), ZTGZT, now=NOW)

    assert result.published is None
    assert "no_date" in result.warnings


def test_short_texts_are_flagged_and_warnings_are_not_repeated() -> None:
    result = normalise_article(article("Коротко.", warnings=("short_text", "no_date")), ZTGZT, now=NOW)

    assert result.warnings.count("short_text") == 1
    assert result.warnings.count("no_date") == 1


def test_source_name_is_filled_in(russian_text: str) -> None:
    assert normalise_article(article(russian_text), ZTGZT, now=NOW).source == "ztgzt"
    assert normalise_article(article(russian_text, source="other"), ZTGZT, now=NOW).source == "other"
