"""Conditional GET in a real `scrapy crawl` of the akimat portal: which validators a crawl may send."""

from __future__ import annotations

from tests.crawlers.conftest import write_definition
from tests.crawlers.portal_server import PortalServer

RU_FEED = "/rss/ru.xml"
OLD_ARTICLE = "/ru/news/staraya-novost-proshlogo-mesyaca-10001"  # a feed item 30 days old


def _definition(directory, server, name="akimat"):
    text = f"name: {name}\nhome: {server.url}/\nlanguages: [ru, kk]\nregion: zhambyl\n"
    return write_definition(directory / f"{name}.yaml", text)


def _sent(server: PortalServer, path: str) -> list[tuple[str | None, int]]:
    """(If-None-Match sent, status answered) of each request for `path`."""
    return [
        (next((v for k, v in hit.headers.items() if k.lower() == "if-none-match"), None), hit.status)
        for hit in list(server.hits)
        if hit.path == path
    ]


def test_a_crawl_reaching_further_back_reads_the_feeds_a_narrower_crawl_saved(portals, crawl):
    server = portals("akimat")
    definition = _definition(crawl.workdir, server)
    # Given a crawl with a seven-day window, which left out the month-old feed item
    first = crawl("source", sources_file=definition, since="7d")
    assert first.stat("newsmon/feed/too_old") == 1
    assert OLD_ARTICLE not in server.paths()

    # When a crawl with no bound follows: its feeds are read in full, and the old item is fetched
    second = crawl("source", sources_file=definition, since="0")
    assert second.returncode == 0, second.log
    assert [status for _, status in _sent(server, RU_FEED)] == [200, 200]
    assert second.stat("newsmon/conditional/not_modified") == 0
    assert second.stat("newsmon/conditional/narrower_window") == 3  # the home page and both feeds
    assert OLD_ARTICLE in server.paths()

    # Then its validators hold for crawls with no bound and for narrower ones
    assert crawl("source", sources_file=definition, since="0").stat("newsmon/conditional/not_modified") == 2
    assert crawl("source", sources_file=definition, since="7d").stat("newsmon/conditional/not_modified") == 2
    assert [status for _, status in _sent(server, RU_FEED)] == [200, 200, 304, 304]


def test_a_source_sends_no_validators_saved_by_another_source_for_the_same_url(portals, crawl):
    server = portals("akimat")
    first = crawl("source", sources_file=_definition(crawl.workdir, server, "akimat"), since="7d")
    assert first.returncode == 0, first.log

    second = crawl("source", sources_file=_definition(crawl.workdir, server, "akimat2"), since="7d")

    assert second.stat("newsmon/conditional/sent") == 0
    assert _sent(server, RU_FEED) == [(None, 200), (None, 200)]
    # Its own validators are kept apart: both sources now get their 304.
    assert (
        crawl("source", sources_file=_definition(crawl.workdir, server, "akimat"), since="7d").stat(
            "newsmon/conditional/not_modified"
        )
        == 2
    )
    assert (
        crawl("source", sources_file=_definition(crawl.workdir, server, "akimat2"), since="7d").stat(
            "newsmon/conditional/not_modified"
        )
        == 2
    )


def test_a_crawl_that_does_not_ask_reads_in_full_and_saves_validators_for_the_next(portals, crawl):
    server = portals("akimat")
    definition = _definition(crawl.workdir, server)
    no_ask = {"NEWSMON_CONDITIONAL_ASK": "0"}
    crawl("source", sources_file=definition, since="7d")

    full = crawl("source", sources_file=definition, since="7d", settings=no_ask)

    assert full.returncode == 0, full.log
    assert full.stat("newsmon/conditional/sent") == 0
    assert _sent(server, RU_FEED) == [(None, 200), (None, 200)]
    after = crawl("source", sources_file=definition, since="7d")
    assert after.stat("newsmon/conditional/not_modified") == 2
    assert _sent(server, RU_FEED)[-1][1] == 304
