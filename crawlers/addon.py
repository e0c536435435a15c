"""The one place that wires optional components into Scrapy settings.

Storage-aware parts live in the pipelines package (crawlers never import it): they are named here by
string and switched on only when their module is installed, so a crawl also works standalone
(`scrapy crawl source -a home=URL -O out.jsonl`). `-s NEWSMON_PIPELINES=0` turns them off.
The browser download handler is installed only when the crawl's source needs rendering
(the spider sets NEWSMON_RENDER), so plain crawls never start Playwright. `-s NEWSMON_SHARED_FRONTIER=1`
puts the crawl's queue and dupefilter in Redis, shared by every process of the crawl (crawlers.frontier).
"""

from __future__ import annotations

import importlib.util
import logging

from scrapy.settings import BaseSettings

from newsmon.child_process import limit_malloc_arenas

logger = logging.getLogger(__name__)

ITEM_PIPELINES = {
    "pipelines.normalise.NormalisePipeline": 100,
    "pipelines.dedupe.DedupePipeline": 200,
    "pipelines.store.StorePipeline": 300,
}
DOWNLOADER_MIDDLEWARES = {"pipelines.seen.SeenUrlMiddleware": 50}
# Normalising and the dedupe checks' analysis, run by the extraction beside each article it extracts.
ANALYSE_EXTRACTED = "pipelines.preparing.analyse_extracted"
PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
FRONTIER_SCHEDULER = "crawlers.frontier.SharedFrontierScheduler"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def is_installed(class_path: str) -> bool:
    """Whether the module of a dotted class path can be imported (without importing it)."""
    module = class_path.rsplit(".", 1)[0]
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def wire_pipelines(settings: BaseSettings) -> list[str]:
    """Add the installed storage components; returns what was added."""
    added: list[str] = []
    for setting, components in (
        ("ITEM_PIPELINES", ITEM_PIPELINES),
        ("DOWNLOADER_MIDDLEWARES", DOWNLOADER_MIDDLEWARES),
    ):
        for path, order in components.items():
            if is_installed(path):
                settings.set_in_component_priority_dict(setting, path, order)
                added.append(path)
            else:
                logger.info("%s is not installed; crawling without it", path)
    if added and is_installed(ANALYSE_EXTRACTED):  # see pipelines.preparing
        settings.set("NEWSMON_ANALYSE_EXTRACTED", ANALYSE_EXTRACTED, "addon")
    return added


def wire_browser(settings: BaseSettings) -> None:
    """Route requests through scrapy-playwright (only those with meta playwright=True use the browser)."""
    settings.set("DOWNLOAD_HANDLERS", {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER}, "addon")
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", "addon")
    options = {
        "executable_path": settings.get("NEWSMON_CHROMIUM_PATH") or "/usr/bin/chromium",
        "headless": True,
        "args": list(CHROMIUM_ARGS),
    }
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", options, "addon")
    timeout_ms = settings.getint("DOWNLOAD_TIMEOUT", 30) * 1000
    settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", timeout_ms, "addon")
    settings.set("PLAYWRIGHT_MAX_CONTEXTS", 1, "addon")
    settings.set("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", 2, "addon")


class NewsmonAddon:
    """Scrapy add-on: storage components when installed, the browser when a source renders, the shared
    frontier when asked for, and the crawl process's malloc arenas."""

    def update_settings(self, settings: BaseSettings) -> None:
        arenas = settings.getint("NEWSMON_MALLOC_ARENAS", 0)
        if arenas > 0:
            limit_malloc_arenas(arenas)
        if settings.getbool("NEWSMON_PIPELINES", True):
            wire_pipelines(settings)
        if settings.getbool("NEWSMON_RENDER", False):
            wire_browser(settings)
        if settings.getbool("NEWSMON_SHARED_FRONTIER", False):
            settings.set("SCHEDULER", FRONTIER_SCHEDULER, "addon")
