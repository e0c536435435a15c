"""Reading sitemaps: urlsets, indexes, gzip and Google News fields; W3C dates to UTC."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import pytest
from scrapy.http import Response

from crawlers.spiders.sitemap import parse_w3c_date, sitemap_body, sitemap_entries
from tests.conftest import DATASETS

SITEMAPS = DATASETS / "sitemaps"
MANIFEST = json.loads((SITEMAPS / "manifest.json").read_text()) if SITEMAPS.exists() else {"sitemaps": []}


def _body(name: str) -> bytes:
    response = Response(f"https://example.org/{name}", body=(SITEMAPS / name).read_bytes())
    body = sitemap_body(response, max_size=10_000_000)
    assert body is not None
    return body


# The hreflang protocol example also holds a <sitemap> element inside its <urlset>; Scrapy's reader
# (and so ours) returns it as one more entry, so its count is not compared.
COUNTED = [e for e in MANIFEST["sitemaps"] if "hreflang" not in e["file"]]


@pytest.mark.parametrize("entry", COUNTED, ids=lambda e: e["file"])
def test_real_sitemap_type_and_urls(entry):
    kind, entries = sitemap_entries(_body(entry["file"]))

    assert kind == entry["kind"]
    if entry.get("n_urls"):
        assert len(entries) == entry["n_urls"]
        assert entries[-1]["loc"] == entry["expected_last_loc"]


def test_google_news_fields_are_kept():
    entry = next(e for e in MANIFEST["sitemaps"] if e.get("n_news"))
    _, entries = sitemap_entries(_body(entry["file"]))

    expected = entry["expected_first_url"]
    assert entries[0]["loc"] == expected["loc"]
    assert entries[0]["news_published"] == expected["news"]["publication_date"]
    assert entries[0]["news_title"] == expected["news"]["title"]


def test_gzip_sitemap_reads_like_the_plain_one():
    plain = sitemap_entries(_body("multi_sitemaps.org_sitemap.xml"))
    assert sitemap_entries(_body("multi_sitemaps.org_sitemap.xml.gz")) == plain


def test_html_is_not_a_sitemap():
    response = Response("https://zakon.kz/sitemap.xml", body=b"<html><body>Not found</body></html>")
    assert sitemap_body(response, max_size=1000) is None


def test_gzip_bomb_over_the_size_cap_is_refused():
    response = Response("https://zakon.kz/s.xml.gz", body=gzip.compress(b"<urlset>" + b" " * 100_000))
    assert sitemap_body(response, max_size=10_000) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-08-15T13:51:00+05:00", datetime(2025, 8, 15, 8, 51, tzinfo=UTC)),
        ("2025-08-15T08:51:00Z", datetime(2025, 8, 15, 8, 51, tzinfo=UTC)),
        ("2025-08-15", datetime(2025, 8, 14, 19, 0, tzinfo=UTC)),  # midnight in Asia/Almaty (UTC+5)
        ("2023-08-15", datetime(2023, 8, 14, 18, 0, tzinfo=UTC)),  # before 2024-03-01 Almaty was UTC+6
        ("Fri, 15 Aug 2025 13:51:00 +0500", datetime(2025, 8, 15, 8, 51, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
    ],
)
def test_sitemap_dates(text, expected):
    assert parse_w3c_date(text) == expected
