"""Scrapy settings, taken from the one newsmon settings object (env NEWSMON_*, optional TOML file).

Polite by default: robots.txt obeyed, AutoThrottle, at most `concurrency_per_domain` requests per portal,
a User-Agent with a contact URL, a download size cap and timeouts. Storage components and the browser are
wired by `crawlers.addon.NewsmonAddon` (see there). Any value can be overridden with `scrapy crawl -s`.
"""

from __future__ import annotations

from newsmon.config import get_settings
from newsmon.validators import STATE_FILE

_config = get_settings()

BOT_NAME = "newsmon"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"
ADDONS = {"crawlers.addon.NewsmonAddon": 0}

# --- politeness ---------------------------------------------------------------------------------
USER_AGENT = _config.effective_user_agent
ROBOTSTXT_OBEY = _config.obey_robots
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = _config.concurrency_per_domain
DOWNLOAD_DELAY = _config.download_delay
AUTOTHROTTLE_ENABLED = _config.autothrottle
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "ru,kk;q=0.9,en;q=0.5",
}

# --- limits and failures --------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = _config.download_timeout
DOWNLOAD_MAXSIZE = _config.download_max_bytes
DOWNLOAD_WARNSIZE = _config.download_max_bytes // 2
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10
DNS_TIMEOUT = 20
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- engine -------------------------------------------------------------------------------------
# Scrapy starts this many asyncio tasks (and one more, with a queue) for the output of every callback,
# to take its items through the pipelines side by side. Our callbacks return at most one item (an article
# page) or only requests (feeds, sitemaps, listings), so one is enough; the articles of different pages
# still go through the pipelines side by side. The default 100 cost ~1 ms of task bookkeeping per page.
CONCURRENT_ITEMS = 1
# Bytes of downloaded pages the scraper holds until their articles are stored (Scrapy's default is 5 MB).
# They must cover the batches out at the extraction process (`newsmon.offload`, up to 24 pages) and the
# articles waiting to be stored (16 or so): with 500 KB (24 bench pages) the process waited for pages 15% of
# the time. On the 5,000-page bench crawl (21 KB pages), three runs each, alternating: 500 KB 2.48-2.59x the
# bare spider, 347-350 MB; 2 MB 2.29-2.37x, 354-358 MB; 5 MB no faster than 2 MB, 362-367 MB.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 2_000_000
# Scrapy 2.13+ has a single request fingerprinter; REQUEST_FINGERPRINTER_IMPLEMENTATION no longer exists.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = _config.log_level
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORTERS = {
    "jsonl": "crawlers.items.ArticleJsonLinesExporter",
    "jsonlines": "crawlers.items.ArticleJsonLinesExporter",
}

# --- newsmon components ---------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {"crawlers.middlewares.ConditionalGetMiddleware": 580}
# Counts the fields of each article as it leaves the spider (the pipelines see it after this).
SPIDER_MIDDLEWARES = {"crawlers.middlewares.FillRateMiddleware": 510}
EXTENSIONS = {
    "crawlers.middlewares.NonPageGuardExtension": 500,
    "crawlers.middlewares.CoverageExtension": 520,
    "crawlers.middlewares.StatsFileExtension": 900,
    "crawlers.middlewares.ShutdownDeadlineExtension": 950,
    "crawlers.middlewares.StartupGcExtension": 990,
}
# Seconds a graceful stop may take before it is forced (below the crawl task's own grace before SIGKILL).
NEWSMON_SHUTDOWN_GRACE = 15
ITEM_PIPELINES: dict[str, int] = {}
# Remembered ETag/Last-Modified of feeds, sitemaps and listing pages.
NEWSMON_STATE_FILE = str(_config.data_dir / STATE_FILE)
NEWSMON_CONDITIONAL_GET = True
# Send the remembered validators (If-None-Match / If-Modified-Since). The crawl task turns it off for crawls
# asked for by hand, which read every discovery page in full (and still save the validators they got).
NEWSMON_CONDITIONAL_ASK = True
# Wire the storage components of the pipelines package when it is installed.
NEWSMON_PIPELINES = True
# Processes that take over extraction (and, with the pipelines installed, the analysis of each article it
# finds: NEWSMON_ANALYSE_EXTRACTED, set by the add-on) once more than 20 pages are on their way; 0 keeps
# that work in a thread of the crawl process. NEWSMON_PREPARE_PROCESSES: processes for the articles that reach
# the pipelines without an analysis; "auto": one on a host with three cores or more
# (pipelines.preparing.prepare_processes).
NEWSMON_EXTRACT_PROCESSES = 1
NEWSMON_PREPARE_PROCESSES = "auto"
# glibc malloc arenas of a crawl process (newsmon.child_process.limit_malloc_arenas); 0 leaves glibc's default.
NEWSMON_MALLOC_ARENAS = 2
NEWSMON_SINCE_DAYS = _config.since_days
NEWSMON_RECHECK_HOURS = _config.recheck_hours
NEWSMON_RECHECK_FIRST_MINUTES = _config.recheck_first_minutes
NEWSMON_CHROMIUM_PATH = _config.chromium_path
# Write the final stats as JSON here (set per crawl with -s NEWSMON_STATS_FILE=PATH).
NEWSMON_STATS_FILE = ""

# --- one crawl over several processes (docs/operations.md) -------------------------------------------
# On: the queue and the dupefilter of the crawl live in Redis, and every `scrapy crawl` of the same spider
# and source started with it (on this host or others) takes its share of the work.
NEWSMON_SHARED_FRONTIER = False
# The Redis of the frontier: NEWSMON_REDIS_URL, else a redis:// broker URL.
NEWSMON_FRONTIER_REDIS_URL = _config.effective_redis_url or ""
NEWSMON_FRONTIER_PREFIX = "newsmon:frontier"
# Seconds the queue and fingerprints of a crawl outlive its last process (they go at once when it ends).
NEWSMON_FRONTIER_TTL = 86_400
