"""`newsmon extract FILE|URL [--url] [--source]` prints one JSON object with the documented keys."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from newsmon.cli.extract import KEYS
from tests.conftest import FIXTURES
from tests.loopback import StaticServer

Invoke = Callable[..., Result]  # the `newsmon` fixture of conftest.py

PAGES = FIXTURES / "pages"
PAGE = PAGES / "ztgzt_ru.html"
PAGE_URL = "https://ztgzt.kz/news/obshhestvo/v-taraze-otkrylsya-novyj-czentr-obsluzhivaniya-naseleniya"
TITLE = "В Таразе открылся новый центр обслуживания населения"


@pytest.fixture(scope="module")
def pages_server() -> Iterator[StaticServer]:
    server = StaticServer(PAGES)
    yield server
    server.stop()


def test_a_saved_page_with_its_url_prints_the_documented_keys(newsmon: Invoke) -> None:
    result = newsmon("extract", str(PAGE), "--url", PAGE_URL)

    assert result.exit_code == 0, result.output
    article = json.loads(result.stdout)
    assert tuple(article) == KEYS
    assert article["url"] == PAGE_URL
    assert article["title"].startswith(TITLE)
    assert "пятый в городе центр" in article["text"]
    assert article["published"].startswith("20") and article["published"][-6:] in ("+00:00", "Z")
    assert article["language"] == "ru"


def test_a_saved_page_without_url_is_read_as_a_file_url(newsmon: Invoke) -> None:
    article = json.loads(newsmon("extract", str(PAGE)).stdout)

    assert article["url"] == PAGE.resolve().as_uri()
    assert article["title"].startswith(TITLE)


def test_a_url_is_fetched_over_http(newsmon: Invoke, pages_server: StaticServer) -> None:
    url = f"{pages_server.url}/ztgzt_ru.html"

    result = newsmon("extract", url)

    assert result.exit_code == 0, result.output
    article = json.loads(result.stdout)
    assert article["url"] == url and article["title"].startswith(TITLE)


def test_all_fields_adds_warnings_and_where_the_date_came_from(newsmon: Invoke) -> None:
    article = json.loads(newsmon("extract", str(PAGE), "--url", PAGE_URL, "--all-fields").stdout)

    assert set(KEYS) < set(article)
    assert {"warnings", "date_source", "section", "alternates"} <= set(article)


def test_a_page_that_is_not_an_article_says_why_on_stderr(newsmon: Invoke, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\n")
    result = newsmon("extract", str(pdf))
    assert result.exit_code == 0
    assert set(json.loads(result.stdout)) == set(KEYS)  # the documented JSON, unchanged
    assert "not_article (binary)" in result.stderr and "ERROR" not in result.stderr


def test_source_selectors_are_used(newsmon: Invoke, sources_dir: Path) -> None:
    # given a source whose title selector names the <title> element (site name included)
    (sources_dir / "ztgzt.yaml").write_text(
        "name: ztgzt-test\nhome: https://ztgzt.kz/\nselectors:\n  title: title\n"
    )

    with_source = json.loads(
        newsmon("extract", str(PAGE), "--url", PAGE_URL, "--source", "ztgzt-test").stdout
    )
    without = json.loads(newsmon("extract", str(PAGE), "--url", PAGE_URL).stdout)

    # then the selector's value is the title, where the generic extractor reads the headline
    assert with_source["title"] == f"{TITLE} | Знамя труда"
    assert without["title"] == TITLE


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("no/such/page.html",), "neither a file nor an http(s) URL"),
        (("http://127.0.0.1:1/page.html",), "cannot fetch http://127.0.0.1:1/page.html"),
        ((str(PAGE), "--source", "no-such-paper"), "no source named 'no-such-paper'"),
    ],
)
def test_bad_input_is_one_line(newsmon: Invoke, args: tuple[str, ...], says: str) -> None:
    result = newsmon("extract", *args)

    assert result.exit_code == 1
    assert says in result.stderr and "Traceback" not in result.stderr


def test_missing_page_on_the_server_names_the_status(newsmon: Invoke, pages_server: StaticServer) -> None:
    result = newsmon("extract", f"{pages_server.url}/missing.html")

    assert result.exit_code == 1
    assert "answered HTTP 404" in result.stderr
