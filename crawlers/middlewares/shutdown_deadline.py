"""Bounds Scrapy's graceful shutdown so a crawl whose supervisor died cannot run on for minutes.

A graceful stop waits for every download in flight; a portal that never answers holds it until the download
timeout. The supervisor of a crawl escalates to SIGKILL after its grace period, but when the supervisor itself
was killed (the kernel then sends SIGTERM to the crawl) nobody would. After the first SIGTERM or SIGINT this
extension sends the second one itself (Scrapy's own "stop now") once NEWSMON_SHUTDOWN_GRACE seconds have
passed, and ends the process outright if even that does not finish it.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)
HARD_EXIT_AFTER = 10.0  # seconds after the forced stop
SIGNALS = (signal.SIGTERM, signal.SIGINT)


class ShutdownDeadlineExtension:
    """Arms a timer on the first shutdown signal; the timer forces the stop Scrapy would not finish in time."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.armed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        grace = crawler.settings.getfloat("NEWSMON_SHUTDOWN_GRACE", 0)
        if grace <= 0:
            raise NotConfigured
        extension = cls(grace)
        from twisted.internet import reactor

        # Scrapy installs its handlers once the reactor has started; wrap them after that.
        reactor.callLater(0, extension.install)  # type: ignore[attr-defined]
        return extension

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for number in SIGNALS:
            previous = signal.getsignal(number)
            if callable(previous):
                signal.signal(number, self._wrap(previous))

    def _wrap(self, previous: Any) -> Any:
        def handler(signum: int, frame: FrameType | None) -> None:
            self.arm(signum)
            previous(signum, frame)

        return handler

    def arm(self, signum: int) -> None:
        """Start the deadline once; the timers are daemon threads, so a crawl that ends in time is not held."""
        if self.armed:
            return
        self.armed = True
        for delay, action in (
            (self.grace, lambda: os.kill(os.getpid(), signum)),
            (self.grace + HARD_EXIT_AFTER, self._exit),
        ):
            timer = threading.Timer(delay, action)
            timer.daemon = True
            timer.start()

    def _exit(self) -> None:
        logger.error(
            "Crawl did not stop %.0f s after the shutdown signal; exiting now", self.grace + HARD_EXIT_AFTER
        )
        logging.shutdown()
        os._exit(1)
