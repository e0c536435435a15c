"""A shared Redis frontier: one crawl spread over several `scrapy crawl` processes, on one host or many.

Switched on by `-s NEWSMON_SHARED_FRONTIER=1` (the add-on then installs `SharedFrontierScheduler`); every
process of the crawl gets its requests from, and adds them to, one queue and one set of fingerprints in
Redis. See docs/operations.md for how to run it and what is shared.
"""

from __future__ import annotations

from crawlers.frontier.codec import request_from_json, request_to_json
from crawlers.frontier.dupefilter import RedisDupeFilter
from crawlers.frontier.run import FrontierRun, RunLimits
from crawlers.frontier.scheduler import FrontierOptions, SharedFrontierScheduler

__all__ = [
    "FrontierOptions",
    "FrontierRun",
    "RedisDupeFilter",
    "RunLimits",
    "SharedFrontierScheduler",
    "request_from_json",
    "request_to_json",
]
