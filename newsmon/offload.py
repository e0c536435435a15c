"""Run CPU-bound work of a crawl (extraction, text analysis) in another process once the crawl is big.

A crawl process spends its main thread on Scrapy; threads do not add a core for pure-Python work. A
process pool does, but starting one (a fork server that loads the analysers' dictionaries) costs a second
or two and a few hundred MB, which a routine poll finding three articles should not pay. So the first
`start_after` calls run in a thread; the next one starts the pool, and it and the calls after it wait the
second or two until the pool is up. Work that fails in the pool fails the call; a pool that breaks (a
process killed) or does not start within `start_timeout` is logged and the calls go back to threads.

What the first calls loaded in this process (language model, dictionaries: 100 MB and more) would stay for
the rest of the crawl beside the workers' own copies. `release` lets it go as soon as the pool is asked
for and no call is left in a thread, before the workers load theirs, so the two never add up. Calls wait
for the pool rather than run in threads meanwhile for the same reason: they would load it all again.
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
# Seconds the processes may take to start and warm up (a second or two on an idle machine) before the calls
# that wait for them go on in threads instead.
START_TIMEOUT = 60.0


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
        release: Callable[[], object] | None = None,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        """`threads`: how many threads run the calls before the processes are up (None: asyncio's pool).
        `release`: called in this process once the pool is asked for and no thread call is left."""
        self.name = name
        self.processes = processes
        self.preload = list(preload)
        self.start_after = start_after
        self.warm_up = warm_up
        self.calls = 0
        self._pool: ProcessPoolExecutor | None = None
        self._starting: asyncio.Future[None] | None = None
        self._closed = False
        self._release = release
        self._start_timeout = start_timeout
        self._in_threads = 0
        self._threads = ThreadPoolExecutor(threads, thread_name_prefix=name) if threads else None

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        self.calls += 1
        if self._pool is None and self.processes and self.calls > self.start_after and not self._closed:
            if self._starting is None:
                self._starting = asyncio.ensure_future(asyncio.to_thread(self._start))
                self._release_if_idle()
            await asyncio.shield(self._starting)
        if self._pool is not None:
            try:
                return await asyncio.wrap_future(self._pool.submit(function, *args))
            except BrokenProcessPool:
                log.error("%s processes died; going on in threads", self.name)
                self._close_pool()
                self.processes = 0
        self._in_threads += 1
        try:
            if self._threads is not None:
                return await asyncio.get_running_loop().run_in_executor(self._threads, function, *args)
            return await asyncio.to_thread(function, *args)
        finally:
            self._in_threads -= 1
            self._release_if_idle()

    def _release_if_idle(self) -> None:
        """Once, on the event loop: the pool has been asked for and no call runs in a thread any more."""
        if self._release is None or self._starting is None or self._in_threads:
            return
        release, self._release = self._release, None
        try:
            release()
        except Exception:
            log.exception("%s: could not release what the threads loaded", self.name)

    def _start(self) -> None:
        """Start the pool and wait until every process has loaded what it needs (off the event loop)."""
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(self.preload)
        pool = ProcessPoolExecutor(self.processes, mp_context=context, initializer=self.warm_up)
        try:
            for future in [pool.submit(_ready) for _ in range(self.processes)]:
                future.result(timeout=self._start_timeout)
        except Exception:
            log.exception("could not start %s processes; going on in threads", self.name)
            pool.shutdown(wait=False, cancel_futures=True)
            self.processes = 0
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
