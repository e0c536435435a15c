"""Middlewares and extensions of the crawl: polite, incremental, observable."""

from crawlers.middlewares.conditional_get import ConditionalGetMiddleware, ValidatorStore
from crawlers.middlewares.content_guard import NonPageGuardExtension
from crawlers.middlewares.coverage import CoverageExtension
from crawlers.middlewares.fill_rates import FillRateMiddleware
from crawlers.middlewares.shutdown_deadline import ShutdownDeadlineExtension
from crawlers.middlewares.startup_gc import StartupGcExtension
from crawlers.middlewares.stats_file import StatsFileExtension

__all__ = [
    "ConditionalGetMiddleware",
    "CoverageExtension",
    "FillRateMiddleware",
    "NonPageGuardExtension",
    "ShutdownDeadlineExtension",
    "StartupGcExtension",
    "StatsFileExtension",
    "ValidatorStore",
]
