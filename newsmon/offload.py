"""Run CPU-bound work of a crawl (extraction, text analysis) in another process once the crawl is big.

A crawl process spends its main thread on Scrapy; threads do not add a core for pure-Python work. A
process pool does, but starting one (a fork server that loads the analysers' dictionaries) costs a second
or two and a few hundred MB, which a routine poll finding three articles should not pay. So the first
`start_after` calls run in a thread; the next one starts the pool in the background, and calls go to it
once it is up. Work that fails in the pool fails the call; a pool that breaks (a process killed) is
logged and the calls go back to threads.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def _ready() -> bool:
    return True


class Offloader:
    """Calls a function in a thread for the first calls, then in `processes` worker processes."""

    def __init__(
        self,
        name: str,
        processes: int,
        preload: Sequence[str] = (),
        start_after: int = 20,
        warm_up: Callable[[], object] | None = None,
        threads: int | None = None,
    ) -> None:
        """`threads`: how many threads run the calls before the processes are up (None: asyncio's pool)."""
        self.name = name
        self.processes = processes
        self.preload = list(preload)
        self.start_after = start_after
        self.warm_up = warm_up
        self.calls = 0
        self._pool: ProcessPoolExecutor | None = None
        self._starting: asyncio.Future[None] | None = None
        self._closed = False
        self._threads = ThreadPoolExecutor(threads, thread_name_prefix=name) if threads else None

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        self.calls += 1
        if self._pool is not None:
            try:
                return await asyncio.wrap_future(self._pool.submit(function, *args))
            except BrokenProcessPool:
                log.error("%s processes died; going on in threads", self.name)
                self._close_pool()
                self.processes = 0
        elif self.processes and self.calls > self.start_after and self._starting is None and not self._closed:
            self._starting = asyncio.ensure_future(asyncio.to_thread(self._start))
        if self._threads is not None:
            return await asyncio.get_running_loop().run_in_executor(self._threads, function, *args)
        return await asyncio.to_thread(function, *args)

    def _start(self) -> None:
        """Start the pool and wait until every process has loaded what it needs (off the event loop)."""
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(self.preload)
        pool = ProcessPoolExecutor(self.processes, mp_context=context, initializer=self.warm_up)
        try:
            for future in [pool.submit(_ready) for _ in range(self.processes)]:
                future.result()
        except Exception:
            log.exception("could not start %s processes; going on in threads", self.name)
            pool.shutdown(wait=False, cancel_futures=True)
            return
        if self._closed:
            pool.shutdown(wait=False, cancel_futures=True)
            return
        log.info("%s: %d process(es) started after %d calls", self.name, self.processes, self.calls)
        self._pool = pool

    def _close_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        """Stop the pool; a pool still starting stops as soon as it is up."""
        self._closed = True
        self._close_pool()
        if self._threads is not None:
            self._threads.shutdown(wait=False)
