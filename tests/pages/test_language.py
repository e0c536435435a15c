"""Language of an article from its text: Latin-script Kazakh against the Latin alphabets that share its letters."""

from __future__ import annotations

import pytest

from crawlers.pages.language import find_language
from crawlers.pages.metadata import PageMetadata

TEXTS = {
    # 2018 Latin Kazakh (qz.inform.kz style)
    "kk": "Jambyl oblysynda jańa mektep ashyldy. Oǵan úsh júz oqýshy barady. Mektep qurylysy bıyl "
    "bastalǵan edi, ony oblys ákimi ashyp berdi. Jańa ǵımarat zamanaýı qurylǵylarmen jabdyqtalǵan.",
    # Turkish has ı, Czech has ý and ú: neither is Kazakh
    "tr": "Dünya Sağlık Örgütü açıklamasında, salgının yayılmasını önlemek için alınan tedbirlerin "
    "sıkılaştırılması gerektiğini belirtti. Yetkililer, kışın başında vakaların artacağını söyledi.",
    "cs": "Hlavní aktér kauzy prodává vilu. Rodina se zbavením práv neuspěla, soud rozhodl, že dům "
    "připadne státu. Výstava o nebezpečném živobytí převaděčů na Šumavě potrvá do konce února.",
    "ru": "В Таразе открылся новый центр обслуживания населения. Жители микрорайона Карасу раньше "
    "добирались до ЦОНа на двух автобусах, теперь он рядом с домом.",
}


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_language_is_read_from_the_text(language: str) -> None:
    assert find_language(TEXTS[language], None, PageMetadata()) == language


def test_a_kazakh_page_declared_russian_is_kazakh() -> None:
    text = "Жамбыл облысында жаңа мектеп ашылды, оған үш жүз оқушы барады. Мектеп құрылысы биыл басталған."
    assert find_language(text * 2, None, PageMetadata(html_lang="ru")) == "kk"


def test_a_russian_article_under_a_kazakh_headline_is_russian() -> None:
    """Bilingual portals head some Russian articles in Kazakh: the body says what the article is."""
    title = (
        "Жамбыл облысында «Бейбітшілік пен келісім» жобасы бойынша халықаралық конференция өтті, "
        "оған шетелдік сарапшылар қатысты"
    )
    assert find_language(TEXTS["ru"] * 4, title, PageMetadata()) == "ru"


def test_a_short_body_is_read_with_its_headline() -> None:
    title = "Жамбыл облысында жаңа мектеп ашылды, оған үш жүз оқушы барады"
    assert find_language("Мектеп құрылысы биыл басталған.", title, PageMetadata(html_lang="ru")) == "kk"
