"""Settings wiring, spider arguments, feed hints and the remembered HTTP validators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scrapy.settings import Settings

from crawlers.addon import CHROMIUM_ARGS, NewsmonAddon, is_installed
from crawlers.extraction import apply_hints, read_page
from crawlers.middlewares import ValidatorStore
from crawlers.spiders.base import parse_since, resolve_source
from newsmon.models import Article, Source


def test_storage_components_are_wired_only_when_installed():
    settings = Settings({"ITEM_PIPELINES": {}, "DOWNLOADER_MIDDLEWARES": {}})
    NewsmonAddon().update_settings(settings)

    pipelines = settings.getdict("ITEM_PIPELINES")
    for path, order in {
        "pipelines.normalise.NormalisePipeline": 100,
        "pipelines.store.StorePipeline": 300,
    }.items():
        assert (path in pipelines) == is_installed(path)
        if path in pipelines:
            assert pipelines[path] == order
    assert not is_installed("pipelines.not_written_yet.Pipeline")


def test_storage_components_can_be_switched_off():
    settings = Settings({"ITEM_PIPELINES": {}, "NEWSMON_PIPELINES": False})
    NewsmonAddon().update_settings(settings)

    assert settings.getdict("ITEM_PIPELINES") == {}


def test_browser_is_wired_only_for_rendering_sources():
    plain = Settings({"DOWNLOAD_HANDLERS": {}})
    NewsmonAddon().update_settings(plain)
    assert plain.getdict("DOWNLOAD_HANDLERS") == {}

    rendering = Settings({"NEWSMON_RENDER": True, "NEWSMON_CHROMIUM_PATH": "/opt/chromium"})
    NewsmonAddon().update_settings(rendering)
    assert "scrapy_playwright" in rendering.getdict("DOWNLOAD_HANDLERS")["https"]
    options = rendering.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert options["executable_path"] == "/opt/chromium"
    assert options["headless"] is True
    assert list(CHROMIUM_ARGS) == options["args"] and "--no-sandbox" in options["args"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2d", timedelta(days=2)), ("12h", timedelta(hours=12)), ("90m", timedelta(minutes=90)),
     ("1w", timedelta(weeks=1)), ("1y", timedelta(days=365)), ("3", timedelta(days=3)), (3, timedelta(days=3)),
     ("0", None), ("0d", None), (None, None)],
)  # fmt: skip
def test_since_argument(text, expected):
    assert parse_since(text) == expected


def test_bad_since_argument_says_what_is_expected():
    for text in ("two days", "99999999999", "99999999999d"):
        with pytest.raises(ValueError, match="2d, 12h"):
            parse_since(text)


def test_source_argument_forms(tmp_path):
    (tmp_path / "mine.yaml").write_text("- https://one.kz/\n- {name: two, home: 'https://two.kz/'}\n")

    assert resolve_source("zakon.kz", None, None).sitemaps == ("https://www.zakon.kz/sitemap/index.xml",)
    assert resolve_source(None, "https://ztgzt.kz", None).name == "ztgzt.kz"
    assert resolve_source("zhambyl-paper", "https://ztgzt.kz", None).name == "zhambyl-paper"
    assert resolve_source(None, None, str(tmp_path / "mine.yaml")).name == "one.kz"
    assert resolve_source("two", None, str(tmp_path / "mine.yaml")).home == "https://two.kz/"
    with pytest.raises(ValueError, match="unknown source 'nope'"):
        resolve_source("nope", None, None)
    with pytest.raises(ValueError, match="-a source=NAME"):
        resolve_source(None, None, None)


def test_hints_fill_only_what_the_page_lacks():
    when = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)
    bare = Article(url="https://kt.kz/a-1", text="…", warnings=("no_title", "no_date", "short_text"))
    dated = Article(url="https://kt.kz/a-1", text="…", title="Page title", published=when - timedelta(days=1))
    hints = {"title": "Feed title", "published": when, "date_source": "feed"}

    filled = apply_hints(bare, hints)
    assert (filled.title, filled.published, filled.date_source) == ("Feed title", when, "feed")
    assert filled.warnings == ("short_text",)
    assert apply_hints(dated, hints) == dated


PAGE = (
    "<html lang='ru'><head><title>Аким встретился с фермерами</title></head><body><article>"
    "<h1>Аким встретился с фермерами</h1>"
    + "<p>Аким Тараза встретился с фермерами района и обсудил весенний сев и цены на топливо.</p>" * 6
    + "</article></body></html>"
).encode()
ORIGIN = {"source": "taraz", "discovered_by": "feed", "fetched_at": datetime(2025, 3, 10, 9, 0, tzinfo=UTC)}


def _failing_analysis(article: Article, source: Source) -> Article:
    raise RuntimeError("analysis broke")


def test_a_page_is_read_completed_and_analysed_where_it_is_extracted():
    source = Source(name="taraz", home="https://taraz.kz/", languages=("ru",))
    when = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)
    analyse = "pipelines.preparing.analyse_extracted"
    article, kind = read_page(
        PAGE, "https://taraz.kz/a/1", source, "utf-8", {"published": when}, ORIGIN, analyse
    )
    assert kind == "article"
    assert (article.source, article.discovered_by, article.published) == ("taraz", "feed", when)
    assert type(article).__name__ == "AnalysedArticle"
    assert article.prepared.item.canonical_url == "https://taraz.kz/a/1"


def test_an_analysis_that_fails_leaves_the_article_to_the_pipelines():
    source = Source(name="taraz", home="https://taraz.kz/", languages=("ru",))
    failing = f"{__name__}._failing_analysis"
    article, kind = read_page(PAGE, "https://taraz.kz/a/1", source, "utf-8", {}, ORIGIN, failing)
    assert kind == "article"
    assert type(article) is Article
    assert article.source == "taraz"


def test_validators_survive_between_crawls(tmp_path):
    store = ValidatorStore(tmp_path / "state" / "crawl-state.sqlite3")
    store.save("ztgzt.kz", {"https://ztgzt.kz/rss": ('"abc"', "Mon, 10 Mar 2025 10:00:00 GMT")}, None)
    store.save(
        "ztgzt.kz",
        {"https://ztgzt.kz/rss": ('"def"', None), "https://kt.kz/rss": (None, "Tue, 11 Mar 2025 GMT")},
        None,
    )

    assert ValidatorStore(tmp_path / "state" / "crawl-state.sqlite3").load("ztgzt.kz", window_start=None) == {
        "https://ztgzt.kz/rss": ('"def"', None),
        "https://kt.kz/rss": (None, "Tue, 11 Mar 2025 GMT"),
    }


def _spider(**arguments):
    from scrapy.utils.test import get_crawler

    from crawlers.spiders.source import SourceSpider

    crawler = get_crawler(SourceSpider, {"NEWSMON_SINCE_DAYS": 3})
    return SourceSpider.from_crawler(crawler, **arguments)


def test_article_requests_are_marked_for_the_seen_url_check_and_limited():
    spider = _spider(home="https://ztgzt.kz/", limit="2")

    first = spider.article_request("https://ztgzt.kz/news/akim-vstretilsya-10021", "feed")
    again = spider.article_request("https://ztgzt.kz/news/akim-vstretilsya-10021#top", "listing")
    second = spider.article_request("https://ztgzt.kz/news/v-taraze-shkola-10022", "listing")
    third = spider.article_request("https://ztgzt.kz/news/tretya-novost-10023", "listing")

    assert first.meta["newsmon_article"] is True
    assert first.meta["newsmon_source"] == "ztgzt.kz"
    assert first.meta["newsmon_discovered_by"] == "feed"
    assert "playwright" not in first.meta
    assert again is None and second is not None and third is None
    assert spider.crawler.stats.get_value("newsmon/discovery/over_limit") == 1


def test_since_window_defaults_to_the_source_then_the_settings():
    now = datetime.now(UTC)
    default = _spider(home="https://ztgzt.kz/")
    assert now - default.cutoff == pytest.approx(timedelta(days=3), abs=timedelta(minutes=1))
    assert _spider(source="zakon.kz", since="0").cutoff is None


def test_a_crawl_process_exempts_its_start_up_objects_from_full_collections():
    """Once the spider is open, what the process built so far is frozen (newsmon.startup_gc): full
    collections then skip it. A setting turns that off."""
    import gc

    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from crawlers.middlewares import StartupGcExtension

    with pytest.raises(NotConfigured):
        StartupGcExtension.from_crawler(get_crawler(settings_dict={"NEWSMON_FREEZE_STARTUP_OBJECTS": False}))
    extension = StartupGcExtension.from_crawler(get_crawler())
    try:
        extension.spider_opened()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
