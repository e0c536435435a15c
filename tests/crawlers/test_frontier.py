"""The shared frontier's parts on a real Redis: JSON in the queue, expiring fingerprints, the end of a crawl."""

from __future__ import annotations

import asyncio
import json
import pickle
import time
from datetime import UTC, datetime

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawlers.addon import FRONTIER_SCHEDULER, NewsmonAddon
from crawlers.frontier import (
    FrontierRun,
    RedisDupeFilter,
    RunLimits,
    SharedFrontierScheduler,
    request_from_json,
    request_to_json,
)
from crawlers.spiders.base import hints_from_meta
from crawlers.spiders.source import SourceSpider
from tests.crawlers.frontier_redis import FrontierRedis, frontier_redis

WHEN = datetime(2025, 8, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def frontier():
    with frontier_redis() as place:
        yield place


def _spider(frontier: FrontierRedis | None = None) -> SourceSpider:
    settings = {"NEWSMON_SINCE_DAYS": 3, "NEWSMON_FRONTIER_REDIS_URL": frontier.url if frontier else ""}
    if frontier:
        settings["NEWSMON_FRONTIER_PREFIX"] = frontier.prefix
    crawler = get_crawler(SourceSpider, settings)
    return SourceSpider.from_crawler(crawler, home="https://ztgzt.kz/")


def _article(spider: SourceSpider, number: int = 10021) -> Request:
    hints = {"title": "Аким встретился с фермерами", "published": WHEN, "date_source": "feed"}
    request = spider.article_request(f"https://ztgzt.kz/news/akim-{number}", "feed", hints, priority=30)
    assert request is not None
    return request


def _join(frontier: FrontierRedis, worker: str, ttl: int = 60, gone_after: int = 30) -> FrontierRun:
    namespace = f"{frontier.prefix}:source:ztgzt.kz"
    return FrontierRun.join(frontier.client, namespace, worker, RunLimits(ttl, gone_after))


def test_the_shared_frontier_is_switched_on_by_a_setting():
    plain, shared = Settings(), Settings({"NEWSMON_SHARED_FRONTIER": True})
    NewsmonAddon().update_settings(plain)
    NewsmonAddon().update_settings(shared)

    assert plain.get("SCHEDULER") != FRONTIER_SCHEDULER
    assert shared.get("SCHEDULER") == FRONTIER_SCHEDULER


def test_a_shared_crawl_without_a_redis_url_says_what_to_set():
    with pytest.raises(ValueError, match="NEWSMON_FRONTIER_REDIS_URL"):
        SharedFrontierScheduler.from_crawler(_spider().crawler)


def test_requests_travel_as_json_with_callbacks_by_name_and_hints_as_text():
    # given an article request found in a feed, with its title and date hints
    spider = _spider()
    request = _article(spider)
    request.headers["If-None-Match"] = b'"abc"'

    # when it is written for the queue and read back by another spider instance
    text = request_to_json(request, spider)
    other = _spider()
    back = request_from_json(text.encode(), other)

    # then the text is plain JSON naming the callbacks, and nothing is lost
    data = json.loads(text)
    assert (data["callback"], data["errback"]) == ("parse_article", "on_error")
    assert data["meta"]["newsmon_hints"]["published"] == "2025-08-01T09:30:00+00:00"
    assert back.callback == other.parse_article and back.errback == other.on_error
    assert (back.url, back.priority, back.headers["If-None-Match"]) == (request.url, 30, b'"abc"')
    assert hints_from_meta(back.meta["newsmon_hints"])["published"] == WHEN


def test_hints_learnt_after_the_request_complete_those_it_carries():
    # given an article first found on a listing page, then in a news sitemap with a title only
    spider = _spider()
    request = spider.article_request("https://ztgzt.kz/news/akim-10021", "listing", {"published": WHEN})
    spider.article_request("https://ztgzt.kz/news/akim-10021", "sitemap", {"title": "Из карты сайта"})

    # then the page gets the date it carried and the title learnt since
    hints = spider._hints_for(HtmlResponse(request.url, body=b"<html></html>", request=request))
    assert hints == {"published": WHEN, "title": "Из карты сайта"}
    assert spider.hints == {}


def test_a_request_with_an_object_in_its_meta_cannot_be_written():
    spider = _spider()
    request = _article(spider).replace(meta={"page_action": object()})

    with pytest.raises(TypeError):
        request_to_json(request, spider)


def test_the_queue_in_redis_holds_json_not_pickle(frontier):
    async def two_processes() -> tuple[bool, bool, Request | None, Request | None]:
        # given two processes of one crawl (two spiders, two schedulers on one Redis)
        spiders = [_spider(frontier), _spider(frontier)]
        schedulers = [SharedFrontierScheduler.from_crawler(spider.crawler) for spider in spiders]
        for scheduler, spider in zip(schedulers, spiders, strict=True):
            scheduler.open(spider)
        try:
            # when both find the same article
            queued = schedulers[0].enqueue_request(_article(spiders[0]))
            again = schedulers[1].enqueue_request(_article(spiders[1]))
            # then the queue holds it once, as JSON
            [(member, score)] = frontier.client.zrange(schedulers[0].run.keys.queue, 0, -1, withscores=True)
            assert score == -30
            assert json.loads(member)["url"] == "https://ztgzt.kz/news/akim-10021"
            with pytest.raises(pickle.UnpicklingError):
                pickle.loads(member)
            return queued, again, schedulers[1].next_request(), schedulers[0].next_request()
        finally:
            for scheduler in schedulers:
                scheduler.close("finished")

    queued, again, taken, left = asyncio.run(two_processes())

    # and the process that did not queue it can take it; nothing is left for the other
    assert queued and not again
    assert taken is not None and taken.url == "https://ztgzt.kz/news/akim-10021" and left is None


def test_a_request_that_cannot_be_shared_stays_in_its_process(frontier):
    async def enqueue() -> tuple[Request | None, int, int]:
        spider = _spider(frontier)
        scheduler = SharedFrontierScheduler.from_crawler(spider.crawler)
        scheduler.open(spider)
        try:
            request = _article(spider).replace(meta={"page_action": object()})
            assert scheduler.enqueue_request(request)
            return (
                scheduler.next_request(),
                scheduler.run.queued(),
                spider.crawler.stats.get_value("newsmon/frontier/kept_local"),
            )
        finally:
            scheduler.close("shutdown")

    request, queued, kept = asyncio.run(enqueue())

    assert request is not None and queued == 0 and kept == 1


def test_higher_priority_comes_out_first(frontier):
    run = _join(frontier, "a")
    run.push('{"n": "listing"}', 10)
    run.push('{"n": "feed"}', 30)
    run.push('{"n": "sitemap"}', 20)

    assert [json.loads(run.claim())["n"] for _ in range(3)] == ["feed", "sitemap", "listing"]
    assert run.claim() is None


def test_fingerprints_expire(frontier):
    # given a run whose traces last one second
    spider = _spider()
    dupefilter = RedisDupeFilter(_join(frontier, "a", ttl=1), spider.crawler.request_fingerprinter)
    request = _article(spider)

    # then a request is a duplicate while the fingerprint lives, and new again once it expired
    assert dupefilter.request_seen(request) is False
    assert dupefilter.request_seen(request) is True
    assert 0 < frontier.client.ttl(dupefilter.run.keys.seen) <= 1
    time.sleep(1.3)
    assert dupefilter.request_seen(request) is False


def test_processes_join_one_run_and_it_ends_when_nobody_holds_work(frontier):
    # given two processes of one crawl, the first starting the run
    first, second = _join(frontier, "a"), _join(frontier, "b")
    assert first.started and not second.started and first.run_id == second.run_id

    # when the first queues work and the second, idle, looks
    first.push('{"n": 1}', 0)
    assert second.idle() is False  # work is queued and the first is still busy
    assert second.claim() is not None
    assert first.idle() is False  # the second holds work and may queue more
    # then the crawl is over only when the last busy process is idle
    assert second.idle() is True

    # and once finished, its keys are gone and the next crawl starts a new run
    first.finish()
    assert frontier.leftovers() == []
    later = _join(frontier, "c")
    assert later.started and later.run_id != first.run_id


def test_a_silent_process_stops_holding_up_the_end(frontier):
    # given a process that joined (busy) and then went silent (killed: no heartbeat)
    _join(frontier, "killed", gone_after=1)
    survivor = _join(frontier, "survivor", gone_after=1)

    # then the other waits for it only until it counts as gone
    assert survivor.idle() is False
    time.sleep(2.1)
    assert survivor.idle() is True


def test_a_run_someone_joined_after_its_end_was_seen_is_not_deleted(frontier):
    # given a process that saw the end of the crawl
    first = _join(frontier, "a")
    assert first.idle() is True

    # when another joins before it signs off
    late = _join(frontier, "b")
    assert late.run_id == first.run_id

    # then the run is left to the late one, which finishes it
    assert first.finish() is False
    assert late.idle() is True and late.finish() is True
    assert frontier.leftovers() == []
