"""The scheduler of a shared crawl: requests go to and come from one queue in Redis.

Every process seeds: each runs the spider's `start()`, and the run's dupefilter lets through only the first
copy of each feed, sitemap or listing URL, so discovery pages are read once per crawl and their article links
are queued once. A request that cannot be written as JSON (a browser page action in its meta) stays in the
process that made it, still deduplicated across the crawl.

The end of the crawl: a process with nothing to do marks itself idle and keeps the spider open while another
process is busy (it may still queue work), taking any request that appears in the queue within `poll`
seconds. When the queue is empty and no process is busy, each process closes with reason "finished", and
the first to see it deletes the run's keys.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections import deque
from dataclasses import dataclass
from typing import Self

from redis import Redis, RedisError
from scrapy import Request, Spider, signals
from scrapy.core.engine import ExecutionEngine
from scrapy.core.scheduler import BaseScheduler
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider

from crawlers.frontier.codec import request_from_json, request_to_json
from crawlers.frontier.dupefilter import RedisDupeFilter
from crawlers.frontier.run import GONE_AFTER, FrontierRun, RunLimits

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "newsmon:frontier"
DEFAULT_TTL = 86_400
HEARTBEAT_SECONDS = 5.0
POLL_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class FrontierOptions:
    """Where the frontier lives and how long its traces last."""

    url: str
    # A process takes nothing from the queue while this many requests are in its downloader (what one portal
    # lets it fetch at once), so that queued work does not wait in a process that cannot start it yet.
    hold: int = 2
    prefix: str = DEFAULT_PREFIX
    ttl: int = DEFAULT_TTL
    heartbeat: float = HEARTBEAT_SECONDS
    poll: float = POLL_SECONDS
    gone_after: int = GONE_AFTER


def frontier_namespace(prefix: str, spider: Spider) -> str:
    """Processes share a crawl when they run the same spider on the same source."""
    source = getattr(spider, "source", None)
    return f"{prefix}:{spider.name}:{source.name}" if source is not None else f"{prefix}:{spider.name}"


def worker_name() -> str:
    """This process in the run's set of busy processes."""
    return f"{socket.gethostname()}:{os.getpid()}"


def redis_address(client: Redis) -> str:
    """host:port/db for logs (the URL may hold a password)."""
    kwargs = client.connection_pool.connection_kwargs
    return f"{kwargs.get('host', kwargs.get('path', '?'))}:{kwargs.get('port', '')}/{kwargs.get('db', 0)}"


class SharedFrontierScheduler(BaseScheduler):
    """Scrapy scheduler over a FrontierRun (installed by the add-on when NEWSMON_SHARED_FRONTIER is on)."""

    def __init__(self, crawler: Crawler, options: FrontierOptions) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.options = options
        self.spider: Spider | None = None
        self.run: FrontierRun | None = None
        self.dupefilter: RedisDupeFilter | None = None
        self._local: deque[Request] = deque()
        self._handover: Request | None = None
        self._drained = False
        self._waiting = False
        self._heartbeat: asyncio.Task[None] | None = None
        self._poll: asyncio.TimerHandle | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        url = settings.get("NEWSMON_FRONTIER_REDIS_URL")
        if not url:
            raise ValueError(
                "NEWSMON_SHARED_FRONTIER is on but no Redis URL is known: set NEWSMON_REDIS_URL (or a redis:// "
                "NEWSMON_BROKER_URL), or pass -s NEWSMON_FRONTIER_REDIS_URL=redis://host:6379/0"
            )
        options = FrontierOptions(
            url=url,
            hold=max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2)),
            prefix=settings.get("NEWSMON_FRONTIER_PREFIX") or DEFAULT_PREFIX,
            ttl=settings.getint("NEWSMON_FRONTIER_TTL", DEFAULT_TTL),
        )
        scheduler = cls(crawler, options)
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    # --- lifecycle -----------------------------------------------------------------------------
    def open(self, spider: Spider) -> None:
        self.spider = spider
        client = Redis.from_url(self.options.url)
        where = redis_address(client)
        try:
            namespace = frontier_namespace(self.options.prefix, spider)
            limits = RunLimits(self.options.ttl, self.options.gone_after)
            self.run = FrontierRun.join(client, namespace, worker_name(), limits)
        except RedisError:
            logger.error("Cannot reach the shared frontier at redis %s", where)
            raise
        self.dupefilter = RedisDupeFilter(self.run, self.crawler.request_fingerprinter)
        self.stats.set_value("newsmon/frontier/run", self.run.run_id)
        self.stats.set_value("newsmon/frontier/started", int(self.run.started))
        logger.info("%s shared crawl %s (redis %s, %d requests queued)",
                    "Started" if self.run.started else "Joined", self.run.run_id, where,
                    self.run.queued())  # fmt: skip
        self._heartbeat = asyncio.get_running_loop().create_task(self._keep_alive(self.run))

    def close(self, reason: str) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        if self._poll is not None:
            self._poll.cancel()
        if self.run is None:
            return
        try:
            if self._drained and reason == "finished":
                self.run.finish()
            else:
                self.run.leave()
        except RedisError as exc:
            logger.warning("Cannot sign off from the shared frontier: %s", exc)
        if self._local:
            logger.warning("%d requests of this process were not fetched (%s)", len(self._local), reason)
        self.run.client.close()

    async def _keep_alive(self, run: FrontierRun) -> None:
        while True:
            await asyncio.sleep(self.options.heartbeat)
            try:
                await asyncio.to_thread(run.beat)
            except RedisError as exc:
                self.stats.inc_value("newsmon/frontier/error")
                logger.warning("Cannot renew the shared crawl %s: %s", run.run_id, exc)

    # --- the scheduler contract ----------------------------------------------------------------
    def has_pending_requests(self) -> bool:
        if self._local:
            return True
        assert self.run is not None
        try:
            return self.run.queued() > 0
        except RedisError:
            return False

    def __len__(self) -> int:
        return len(self._local) + (self.run.queued() if self.run is not None else 0)

    def enqueue_request(self, request: Request) -> bool:
        assert self.run is not None and self.dupefilter is not None and self.spider is not None
        if request is self._handover:
            # Claimed from the queue while idle and handed to the engine: it is already ours.
            self._handover = None
            self._local.append(request)
            return True
        try:
            if not request.dont_filter and self.dupefilter.request_seen(request):
                self.stats.inc_value("newsmon/frontier/filtered")
                return False
            data = request_to_json(request, self.spider)
            self.run.push(data, request.priority)
        except (TypeError, ValueError) as exc:
            self.stats.inc_value("newsmon/frontier/kept_local")
            logger.info("Keeping %s in this process (not shareable: %s)", request.url, exc)
            self._local.append(request)
            return True
        except RedisError as exc:
            self.stats.inc_value("newsmon/frontier/error")
            logger.warning("Cannot queue %s in the shared frontier (%s); fetching it here", request.url, exc)
            self._local.append(request)
            return True
        self.stats.inc_value("newsmon/frontier/enqueued")
        return True

    def next_request(self) -> Request | None:
        if self._local:
            return self._local.popleft()
        engine = self._engine()
        if engine is not None and len(engine.downloader.active) >= self.options.hold:
            return None
        return self._claim()

    # --- waiting for the other processes -------------------------------------------------------
    def spider_idle(self) -> None:
        """Take shared work, or wait while another process is busy; let the spider close when nobody is."""
        assert self.run is not None
        try:
            if self._claim_into_engine():
                raise DontCloseSpider
            if self.run.idle():
                self._drained = True
                logger.info("Shared crawl %s is done: nothing queued and no process busy", self.run.run_id)
                return
        except RedisError as exc:
            self.stats.inc_value("newsmon/frontier/error")
            logger.error("Lost the shared frontier (%s); stopping this process", exc)
            raise CloseSpider("frontier_unreachable") from exc
        if not self._waiting:
            logger.info("Nothing queued for this process; waiting while other processes of %s are busy",
                        self.run.run_id)  # fmt: skip
        self._waiting = True
        self._arm_poll()
        raise DontCloseSpider

    def _arm_poll(self) -> None:
        if self._poll is None:
            self._poll = asyncio.get_running_loop().call_later(self.options.poll, self._poll_once)

    def _poll_once(self) -> None:
        self._poll = None
        try:
            claimed = self._claim_into_engine()
        except RedisError as exc:
            logger.warning("Cannot read the shared frontier: %s", exc)
            claimed = False
        if not claimed and not self._drained:
            self._arm_poll()

    def _claim_into_engine(self) -> bool:
        """Hand one queued request to the engine (which wakes it up); False if the queue is empty."""
        engine = self._engine()
        if engine is None or not engine.running or engine.spider is None:
            return False
        request = self._claim(quiet=False)
        if request is None:
            return False
        self._waiting = False
        self._handover = request
        engine.crawl(request)
        self._handover = None
        return True

    def _engine(self) -> ExecutionEngine | None:
        try:
            return self.crawler.engine
        except RuntimeError:  # Scrapy 2.14+ before the crawl starts
            return None

    def _claim(self, *, quiet: bool = True) -> Request | None:
        assert self.run is not None and self.spider is not None
        try:
            data = self.run.claim()
        except RedisError as exc:
            if not quiet:
                raise
            self.stats.inc_value("newsmon/frontier/error")
            logger.warning("Cannot read the shared frontier: %s", exc)
            return None
        if data is None:
            return None
        try:
            request = request_from_json(data, self.spider)
        except (ValueError, KeyError, AttributeError) as exc:
            self.stats.inc_value("newsmon/frontier/unreadable")
            logger.error("Dropped a queued request this spider cannot read (%s): %.200r", exc, data)
            return None
        self._drained = False
        self.stats.inc_value("newsmon/frontier/dequeued")
        return request
