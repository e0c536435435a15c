"""A warm parent for crawl processes: Scrapy, the spiders, the pipelines and their data are loaded once, then
each crawl is a fork of this process.

Every crawl must be a process of its own (Twisted's reactor cannot restart), but a fresh interpreter spends
seconds importing and warming up before its first request, which for a scheduled poll of a quiet portal is
most of the crawl. A fork starts in milliseconds with all of that done. `tasks.crawl_process` starts one
launcher per worker process and talks to it on its stdin and stdout, one JSON object per line:

    request  {"argv": ["scrapy", "crawl", ...], "log": "/path/crawl.log", "memory_mb": 1024 or null}
    replies  {"pid": 1234} once the crawl runs, {"pid": 1234, "exit": 0} when it has ended
             (exit < 0: killed by that signal, as subprocess reports it)

The launcher serves one crawl at a time (a worker process runs one task at a time) and exits when its stdin
closes. Its crawls get SIGTERM when it dies (PR_SET_PDEATHSIG), and it gets SIGTERM when its worker process
dies, so a killed worker leaves no crawl behind. Settings are read at start-up: a launcher serves one
environment, and its client starts another for a different one.

Run: `python -m crawlers.launcher` (never by hand).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import pkgutil
import signal
import sys
import threading
import traceback
from typing import Any

from newsmon.child_process import cap_address_space, die_with_parent

WARM_PAGE = """<html lang="ru"><head><title>Аким Тараза встретился с жителями</title>
<meta property="article:published_time" content="2026-11-20T10:00:00+05:00"></head><body><article>
<h1>Аким Тараза встретился с жителями</h1><p>Сегодня, 13:51. Встреча прошла в акимате города, жители
задали вопросы о ремонте дорог и школ. Кеше Жамбыл облысында жиналыс өтті, 2 сағат бұрын.</p>
<p>На встрече обсудили планы на следующий год и строительство новых объектов.</p></article></body></html>"""


def _import_all(package: str) -> None:
    module = importlib.import_module(package)
    for found in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
        importlib.import_module(found.name)


def warm_up() -> None:
    """Import what a crawl imports and run one extraction and one store analysis, so forks start warm."""
    import scrapy.cmdline
    import scrapy.commands.crawl
    import scrapy.crawler  # noqa: F401
    from scrapy.utils.project import get_project_settings

    for package in [*get_project_settings().getlist("SPIDER_MODULES"), "crawlers.middlewares", "pipelines"]:
        _import_all(package)
    import crawlers.addon  # noqa: F401
    from crawlers.pages import extract_article

    article = extract_article(WARM_PAGE, "https://taraz.example/ru/news/1")
    # The pipelines by name, as the addon wires them: crawlers do not import them.
    importlib.import_module("pipelines.dedupe").search_terms(article)
    importlib.import_module("pipelines.near_duplicate").fingerprint(article.text)


def _crawl(request: dict[str, Any]) -> None:
    """In the forked child: become a `scrapy crawl` process with its log and memory cap; never returns."""
    code = 1
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(null)
        os.close(log)
        die_with_parent()
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        if request.get("memory_mb"):  # last, so that every failure from here on lands in the crawl's log
            cap_address_space(int(request["memory_mb"]), above_current=True)
        sys.argv = list(request["argv"])
        from scrapy.cmdline import execute

        execute(sys.argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except MemoryError:
        os.write(2, b"MemoryError: the crawl reached its address-space cap\n")  # no traceback: it allocates
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            import logging

            logging.shutdown()
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _reply(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def serve() -> None:
    """Read crawl requests until stdin closes; fork each, report its pid, wait for it, report its exit."""
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _crawl(request)
        _reply({"pid": pid})
        _, status = os.waitpid(pid, 0)
        _reply({"pid": pid, "exit": os.waitstatus_to_exitcode(status)})


def main() -> None:
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the crawl, which stops cleanly
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # no BLAS threads to lose in a fork
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    try:
        warm_up()
    except Exception:  # logged to the worker; a crawl then imports what is missing itself, and says why
        traceback.print_exc()
    if threading.active_count() > 1:
        print(
            f"launcher: {threading.active_count()} threads after warm-up; forks lose all but one",
            file=sys.stderr,
        )
    _reply({"ready": True})
    serve()


if __name__ == "__main__":
    main()
