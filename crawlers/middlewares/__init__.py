"""Downloader middlewares and extensions of the crawl: polite, incremental, observable."""

from crawlers.middlewares.conditional_get import ConditionalGetMiddleware, ValidatorStore
from crawlers.middlewares.content_guard import NonPageGuardExtension
from crawlers.middlewares.coverage import CoverageExtension
from crawlers.middlewares.fill_rates import FillRateExtension
from crawlers.middlewares.shutdown_deadline import ShutdownDeadlineExtension
from crawlers.middlewares.stats_file import StatsFileExtension

__all__ = [
    "ConditionalGetMiddleware",
    "CoverageExtension",
    "FillRateExtension",
    "NonPageGuardExtension",
    "ShutdownDeadlineExtension",
    "StatsFileExtension",
    "ValidatorStore",
]
