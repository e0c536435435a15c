"""What each discovery path missed that another listed (the counting behind `newsmon status`)."""

from __future__ import annotations

from crawlers.middlewares.coverage import coverage_of


def test_misses_are_counted_per_path_with_sample_urls() -> None:
    listed = {"a": {"feed", "listing"}, "b": {"feed"}, "c": {"listing"}, "d": {"sitemap", "feed"}}
    urls = {key: f"https://portal.kz/{key}" for key in listed}

    coverage = coverage_of(listed, urls)

    assert coverage["feed"] == {"found": 3, "only": 1, "missed": 1, "missed_urls": ["https://portal.kz/c"]}
    assert coverage["listing"]["missed_urls"] == ["https://portal.kz/b", "https://portal.kz/d"]
    assert coverage["sitemap"] == {
        "found": 1,
        "only": 0,
        "missed": 3,
        "missed_urls": ["https://portal.kz/a", "https://portal.kz/b", "https://portal.kz/c"],
    }


def test_a_crawl_with_one_path_reports_nothing() -> None:
    assert coverage_of({"a": {"feed"}, "b": {"feed"}}, {}) == {}
