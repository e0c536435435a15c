"""Dates a page writes without a zone are read in the zone of its domain's country, or its source's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from crawlers.pages import extract_article
from crawlers.pages.zones import zone_for_url
from crawlers.sources import load_source_file, source_to_yaml
from crawlers.sources.registry import SourceDefinition


@pytest.mark.parametrize(
    ("url", "zone"),
    [
        ("https://www.mdr.de/nachrichten/a.html", "Europe/Berlin"),
        ("https://www.kommersant.ru/doc/1", "Europe/Moscow"),
        ("https://tengrinews.kz/news/1/", "Asia/Almaty"),
        ("https://www.bbc.co.uk/news/1", "Europe/London"),
        ("https://yle.fi/a/3-1", "Europe/Helsinki"),
        ("https://www.people.com.cn/n1/2024/0424/c1.html", "Asia/Shanghai"),
        ("https://example.com/news/1", "Asia/Almaty"),
        ("http://127.0.0.1:8000/news/1", "Asia/Almaty"),
        ("https://президент.рф/news/1", "Europe/Moscow"),
    ],
)
def test_zone_of_the_domains_country(url: str, zone: str) -> None:
    assert zone_for_url(url) == zone


PAGE = """<html><head><title>Gemeinderat beschließt Sanierung</title></head><body><article>
<h1>Gemeinderat beschließt Sanierung</h1><div class="date">06.11.2023, 14:30</div>
<p>Die Gemeinde hat am Montag beschlossen, die Straße im Frühjahr zu erneuern und den Verkehr über die
Ortsumgehung umzuleiten. Die Arbeiten sollen im März beginnen und bis zum Sommer dauern.</p>
<p>Der Bürgermeister sagte, die Kosten trage zum größten Teil das Land; die Anwohner würden vorab informiert.</p>
</article></body></html>"""


def test_a_german_page_read_without_a_source_is_in_berlin_time() -> None:
    article = extract_article(PAGE, "https://www.nnz-online.de/news/1.html")

    assert article.published == datetime(2023, 11, 6, 13, 30, tzinfo=UTC)


def test_a_day_without_a_time_stays_on_its_day_in_the_pages_zone() -> None:
    page = PAGE.replace("06.11.2023, 14:30", "06.11.2023")

    article = extract_article(page, "https://www.nnz-online.de/news/1.html")

    assert article.published is not None
    assert article.published.astimezone(ZoneInfo("Europe/Berlin")).date().isoformat() == "2023-11-06"


def test_a_sources_zone_wins_over_its_domain() -> None:
    source = SourceDefinition(home="https://www.nnz-online.de/", timezone="Asia/Almaty").to_source()

    article = extract_article(PAGE, "https://www.nnz-online.de/news/1.html", source=source)

    assert article.published == datetime(2023, 11, 6, 8, 30, tzinfo=UTC)  # UTC+6 in Almaty before March 2024


def test_a_definition_without_a_zone_takes_its_homes_country(tmp_path: Path) -> None:
    german = SourceDefinition(home="https://www.nnz-online.de/").to_source()
    kazakh = SourceDefinition(home="https://ztgzt.kz/").to_source()
    assert (german.timezone, kazakh.timezone) == ("Europe/Berlin", "Asia/Almaty")

    written = SourceDefinition(home="https://www.nnz-online.de/", timezone="Asia/Almaty").to_source()
    path = tmp_path / "nnz.yaml"
    path.write_text(source_to_yaml(written), encoding="utf-8")
    (loaded,), errors = load_source_file(path)
    assert errors == [] and loaded.timezone == "Asia/Almaty"
    assert "timezone" not in yaml.safe_load(source_to_yaml(german))
