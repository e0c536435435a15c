"""Language detection on whole articles, paragraphs, mixtures and fragments."""

from __future__ import annotations

import pytest

from newsmon.text import detect_language
from tests.conftest import SAMPLES

KAZAKH = (
    "Жамбыл облысында «Бейбітшілік пен келісім» жобасы жүзеге асырылуда. Облыс әкімі халықаралық "
    "конференцияға қатысып, этносаралық келісімді нығайту жөніндегі тәжірибемен бөлісті. Шетелдік "
    "сарапшылар өңірдің тәжірибесін жоғары бағалап, оны басқа аймақтарға таратуды ұсынды."
)
KAZAKH_WITHOUT_SPECIAL_LETTERS = "Жамбыл облысы Тараз каласында жана мектеп ашылды, мектепте мын бала окиды."
ENGLISH = (
    "Foreign experts proposed spreading the experience of the Zhambyl region in implementing the project "
    "on peace and harmony, after a two-day international conference held in Taraz."
)


def sample() -> str:
    return (SAMPLES / "zhambyl-conference.ru.txt").read_text(encoding="utf-8")


def test_sample_article_is_russian_despite_kazakh_project_names() -> None:
    assert detect_language(sample()) == "ru"


def test_kazakh_paragraph() -> None:
    assert detect_language(KAZAKH) == "kk"


def test_kazakh_typed_without_kazakh_letters() -> None:
    assert detect_language(KAZAKH_WITHOUT_SPECIAL_LETTERS) == "kk"


def test_english_paragraph() -> None:
    assert detect_language(ENGLISH) == "en"


def test_kazakh_article_quoting_russian_paragraphs_is_mixed() -> None:
    russian = "\n\n".join(sample().split("\n\n")[3:5])
    assert detect_language(f"{KAZAKH}\n\n{russian}\n\n{KAZAKH}") == "mixed"


def test_latin_kazakh_paragraph() -> None:
    latin = "Qazaqstan Respýblıkasynyń Prezıdenti Qasym-Jomart Toqaev Jambyl oblysyna jumys saparymen keldi."
    assert detect_language(latin) == "kk"


def test_turkish_is_not_latin_kazakh() -> None:
    turkish = "Türkiye Cumhurbaşkanı bugün Ankara'da düzenlenen törende ekonomik büyümenin sürdüğünü söyledi."
    assert detect_language(turkish) == "other"


def test_other_languages() -> None:
    german = "Die Gemeinde hat am Montag beschlossen, die Straße im Frühjahr zu erneuern und den Verkehr umzuleiten."
    assert detect_language(german) == "other"


@pytest.mark.parametrize("text", ["", "   ", "2024", "...", "\n\n", "Тараз", "ok", "🙂"])
def test_short_texts_do_not_crash(text: str) -> None:
    assert detect_language(text) in {"ru", "kk", "en", "mixed", "other"}


def test_kazakh_typed_without_kazakh_letters_with_russian_looking_words() -> None:
    """Suffixes after a hyphen («45 %-и») and letters («В, С») are not the Russian words и, в, с."""
    typed = "Биылгы есеп бойынша, республикалык бюджеттин 45 %-и осы салага тиесили. Гепатиттин В, С турине шалдыккан."
    assert detect_language(typed) == "kk"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("В Таразе открылась новая школа, и в ней будут учиться дети из трёх микрорайонов города.", "ru"),
        ("У Києві відкрилася нова школа, і в ній навчатимуться діти з трьох мікрорайонів міста.", "other"),
        ("В София беше открито ново училище и в него ще учат деца от три квартала на града.", "other"),
        ("У Мінску адкрылася новая школа, і ў ёй будуць вучыцца дзеці з трох мікрараёнаў горада.", "other"),
    ],
)
def test_russian_and_its_neighbours(text: str, expected: str) -> None:
    assert detect_language(text) == expected
