"""Bytes to text: BOMs, HTTP charset, late <meta charset>, and sniffing when the declaration lies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.pages import decode_html, extract_article
from tests.conftest import DATASETS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
TEXT = "Жамбыл облысының әкімі Таразда журналистермен кездесті. В Таразе прошла встреча с журналистами."
RUSSIAN = "В Таразе прошла встреча акима области с журналистами региональных изданий и телеканалов. " * 3


def html(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


@pytest.mark.parametrize(
    "bom,codec", [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")]
)
def test_byte_order_mark_wins(bom: bytes, codec: str) -> None:
    data = bom + html(TEXT).encode(codec)
    text, _used = decode_html(data, headers_charset="windows-1251")
    assert TEXT in text


def test_http_charset_is_used_for_single_byte_pages() -> None:
    data = html(RUSSIAN).encode("cp1251")
    text, used = decode_html(data, headers_charset="windows-1251")
    assert RUSSIAN in text
    assert used == "cp1251"


def test_meta_charset_after_the_first_kilobyte_is_found() -> None:
    padding = "<!-- " + "x" * 5000 + " -->"
    data = html(RUSSIAN, head=padding + '<meta charset="windows-1251">').encode("cp1251")
    text, used = decode_html(data)
    assert used == "cp1251"
    assert RUSSIAN in text


def test_utf8_bytes_that_claim_another_charset_are_utf8() -> None:
    data = html(
        TEXT, head='<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    ).encode()
    text, used = decode_html(data, headers_charset="gb2312")
    assert used == "utf-8"
    assert TEXT in text


def test_windows_1251_without_any_charset_is_sniffed() -> None:
    text, used = decode_html((FIXTURES / "cp1251_nocharset_ru.html").read_bytes())
    assert used == "cp1251"
    assert "Районная газета «Шуская нива» отметила 90-летие" in text


def test_koi8r_that_claims_windows_1251_is_read_as_koi8r() -> None:
    text, used = decode_html((FIXTURES / "koi8r_wrong_charset_ru.html").read_bytes())
    assert used == "koi8-r"
    assert "Кордайские фермеры получили субсидии" in text


def test_koi8r_with_a_wrong_http_charset_is_read_as_koi8r() -> None:
    data = html(RUSSIAN).encode("koi8-r")
    text, _used = decode_html(data, headers_charset="windows-1251")
    assert RUSSIAN in text


def test_extract_article_uses_the_http_charset() -> None:
    data = html(RUSSIAN).encode("cp1251")
    article = extract_article(data, "https://example.kz/a", headers_charset="cp1251")
    assert "встреча акима области" in article.text


SHARED = DATASETS / "pages" / "manifest.json"


@pytest.mark.skipif(not SHARED.exists(), reason="shared datasets not available")
@pytest.mark.parametrize(
    "file",
    [
        "zh_fundus_people_2024_04_24.html",
        "da_htmldate_sn.dk_1544178583.html",
        "de_trafilatura_kyffhaeuser-nachrichten.de-Regen.html",
    ],
)
def test_shared_pages_decode_to_their_true_encoding(file: str) -> None:
    pages = {page["file"]: page for page in json.loads(SHARED.read_text(encoding="utf-8"))["pages"]}
    if file not in pages:
        pytest.skip(f"{file} not in the shared manifest")
    data = (DATASETS / "pages" / file).read_bytes()
    text, _used = decode_html(data)
    true_encoding = pages[file]["encoding"]
    # browsers read ISO-8859-1 labels as windows-1252 (the WHATWG encoding standard)
    assert text == data.decode("cp1252" if true_encoding == "iso-8859-1" else true_encoding)


XHTML_DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
)


@pytest.mark.parametrize(
    "page",
    [
        "<!DOCTYPE html>\n" + html(RUSSIAN),
        XHTML_DOCTYPE + html(RUSSIAN),
        html(RUSSIAN.replace("журналистами", "журналистами\x0b\x01")),
        '<html lang="ru"/>\n' + html(RUSSIAN),
        html(RUSSIAN + "\ufffe"),
    ],
    ids=["html5", "xhtml-doctype", "control-characters", "self-closing-html", "non-character"],
)
def test_utf8_bytes_give_the_article_their_text_gives(page: str) -> None:
    """UTF-8 pages are parsed from their bytes; markup that needs repair first takes the text's path."""
    from_bytes = extract_article(page.encode("utf-8"), "https://zhambyl.kz/news/1")
    from_text = extract_article(page, "https://zhambyl.kz/news/1")
    assert from_bytes.text == from_text.text
    assert "встреча акима области" in from_bytes.text
    assert (from_bytes.title, from_bytes.language) == (from_text.title, from_text.language)
