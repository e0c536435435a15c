"""What each discovery path missed that another listed (the counting behind `newsmon status`)."""

from __future__ import annotations

from crawlers.middlewares.coverage import coverage_of


def test_misses_are_counted_per_path_with_sample_urls() -> None:
    paths = {"a": {"feed", "listing"}, "b": {"feed"}, "c": {"listing"}, "d": {"sitemap", "feed"}}
    listed = {f"https://portal.kz/{key}": found for key, found in paths.items()}

    coverage = coverage_of(listed)

    assert coverage["feed"] == {"found": 3, "only": 1, "missed": 1, "missed_urls": ["https://portal.kz/c"]}
    assert coverage["listing"]["missed_urls"] == ["https://portal.kz/b", "https://portal.kz/d"]
    assert coverage["sitemap"] == {
        "found": 1,
        "only": 0,
        "missed": 3,
        "missed_urls": ["https://portal.kz/a", "https://portal.kz/b", "https://portal.kz/c"],
    }


def test_a_crawl_with_one_path_reports_nothing() -> None:
    assert coverage_of({"https://portal.kz/a": {"feed"}, "https://portal.kz/b": {"feed"}}) == {}


def test_urls_that_were_no_articles_are_missed_by_no_path() -> None:
    listed_by = {"a/1": {"feed", "listing"}, "a/report.pdf": {"feed"}, "a/gone": {"feed"}}

    coverage = coverage_of(listed_by, {"a/report.pdf", "a/gone"})

    assert coverage["listing"]["missed"] == 0 and coverage["feed"]["found"] == 1
