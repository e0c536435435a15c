"""Scrapy's duplicate-request contract (`request_seen`) over the fingerprints of a shared run.

The fingerprints are Scrapy's own (the crawler's request fingerprinter), so a request is a duplicate in a
shared crawl exactly when it would be one in a single process; they are kept per run and expire with it.
Built by `SharedFrontierScheduler` once it has joined a run (DUPEFILTER_CLASS is not used in a shared crawl).
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.dupefilters import BaseDupeFilter
from scrapy.utils.request import RequestFingerprinterProtocol

from crawlers.frontier.run import FrontierRun

logger = logging.getLogger(__name__)


class RedisDupeFilter(BaseDupeFilter):
    """A request is seen when any process of the run has already queued it."""

    def __init__(self, run: FrontierRun, fingerprinter: RequestFingerprinterProtocol) -> None:
        self.run = run
        self.fingerprinter = fingerprinter

    def request_seen(self, request: Request) -> bool:
        seen = self.run.seen(self.fingerprinter.fingerprint(request).hex())
        if seen:
            logger.debug("Already queued in this crawl: %s", request.url)
        return seen
