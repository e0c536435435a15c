"""Run CPU-bound work of a crawl (extraction, text analysis) in another process once the crawl is big.

A crawl process spends its main thread on Scrapy; threads do not add a core for pure-Python work. A
process pool does, but starting one (a fork server that loads the analysers' dictionaries) costs a second
or two and a few hundred MB, which a routine poll finding three articles should not pay. So the first
`start_after` calls run in a thread; the next one starts the pool, and it and the calls after it wait the
second or two until the pool is up. A caller that knows the work is big starts the pool at once
(`start_now`), and every call waits for it. Work that fails in the pool fails the call; a pool that breaks (a
process killed) or does not start within `start_timeout` is logged and the calls go back to threads.

What the first calls loaded in this process (language model, dictionaries: 100 MB and more) would stay for
the rest of the crawl beside the workers' own copies. `release` lets it go as soon as the pool is asked
for and no call is left in a thread, before the workers load theirs, so the two never add up. Calls wait
for the pool rather than run in threads meanwhile for the same reason: they would load it all again.

Calls go to the processes in batches (`BATCH_SIZE`): the calls that arrive while the processes have
enough work go together in the next message, as in a group commit. Each message costs the crawl process a
pickle, a pipe write and the wake-ups of the pool's manager thread and of the event loop: measured alone
(a 21 KB page out, an analysed article back), 0.29 ms of the caller's CPU a call one at a time, 0.07 ms in
batches of 8. A call that fails in a batch fails only its own caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import multiprocessing
import pickle
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from newsmon.startup_gc import freeze_startup_objects

log = logging.getLogger(__name__)
T = TypeVar("T")
# Seconds the processes may take to start and warm up (a second or two on an idle machine) before the calls
# that wait for them go on in threads instead.
START_TIMEOUT = 60.0
BATCH_SIZE = 8  # calls in one message to a process at most
# Messages sent beyond one per process: a process that finishes one finds the next in its pipe.
MESSAGES_AHEAD = 2
PIPE_BYTES = 1 << 20  # /proc/sys/fs/pipe-max-size's default

Call = tuple[tuple[Any, ...], "asyncio.Future[Any]"]


def _ready() -> bool:
    return True


def _initialise(warm_up: Callable[[], object] | None) -> None:
    """In a new process: load what the calls need, then exempt it all from full garbage collections
    (`newsmon.startup_gc`)."""
    if warm_up is not None:
        warm_up()
    freeze_startup_objects()


def _run_each(function: Callable[..., Any], calls: list[tuple[Any, ...]]) -> list[tuple[bool, Any]]:
    """In a worker process: (True, result) or (False, exception) for each call, so that one failing call
    fails only its own caller."""
    outcomes: list[tuple[bool, Any]] = []
    for args in calls:
        try:
            outcomes.append((True, function(*args)))
        except Exception as exc:
            outcomes.append((False, _sendable(exc)))
    return outcomes


def _sendable(exc: Exception) -> Exception:
    """The exception with the worker's traceback as a note, or, if it does not survive a pickle both ways,
    a RuntimeError naming it (it would otherwise fail the whole batch, or break the pool when the crawl
    process cannot rebuild it)."""
    note = "in the worker process:\n" + "".join(traceback.format_tb(exc.__traceback__))
    exc.add_note(note)
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        named = RuntimeError(f"{type(exc).__name__}: {exc}")
        named.add_note(note)
        return named
    return exc


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
        self._waiting: dict[Callable[..., Any], list[Call]] = {}
        self._batches_out = 0
        self._asked_after = 0  # calls made when the processes were asked for
        self._threads = ThreadPoolExecutor(threads, thread_name_prefix=name) if threads else None

    def start_now(self) -> None:
        """Start the processes before the calls come (on the event loop): the caller knows that more than
        `start_after` will, as a crawl does once that many pages are on their way. The pool then starts
        while the first pages download, and no call loads the analysers in this process."""
        if self._starting is None and self._pool is None and self.processes and not self._closed:
            self._asked_after = self.calls
            self._starting = asyncio.ensure_future(asyncio.to_thread(self._start))
            self._release_if_idle()

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        self.calls += 1
        if (
            self._pool is None
            and self.processes
            and not self._closed
            and (self._starting is not None or self.calls > self.start_after)
        ):
            self.start_now()
            if (starting := self._starting) is not None:
                await asyncio.shield(starting)
        if self._pool is not None:
            try:
                return await self._in_pool(function, args)
            except BrokenProcessPool:
                if self.processes:  # the first call of the batches that were out says it
                    log.error("%s processes died; going on in threads", self.name)
                self._close_pool(BrokenProcessPool("the processes died"))
                self.processes = 0
        self._in_threads += 1
        try:
            if self._threads is not None:
                return await asyncio.get_running_loop().run_in_executor(self._threads, function, *args)
            return await asyncio.to_thread(function, *args)
        finally:
            self._in_threads -= 1
            self._release_if_idle()

    async def _in_pool(self, function: Callable[..., T], args: tuple[Any, ...]) -> T:
        answer: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(function, []).append((args, answer))
        self._send_waiting()
        return await answer

    def _send_waiting(self) -> None:
        """Send waiting calls, a batch of one function's calls per message, while the processes can take
        more work."""
        while (
            self._waiting and self._pool is not None and self._batches_out < self.processes + MESSAGES_AHEAD
        ):
            function, calls = next(iter(self._waiting.items()))
            batch, rest = calls[:BATCH_SIZE], calls[BATCH_SIZE:]
            if rest:
                self._waiting[function] = rest
            else:
                del self._waiting[function]
            try:
                sent = asyncio.wrap_future(
                    self._pool.submit(_run_each, function, [args for args, _ in batch])
                )
            except BrokenProcessPool as exc:
                _fail(batch, exc)
                continue
            self._batches_out += 1
            sent.add_done_callback(lambda done, batch=batch: self._answer(batch, done))

    def _answer(self, batch: list[Call], done: asyncio.Future[list[tuple[bool, Any]]]) -> None:
        self._batches_out -= 1
        if done.cancelled():
            _fail(batch, None)
        elif (error := done.exception()) is not None:
            _fail(batch, error)
        else:
            for (_, answer), (ok, value) in zip(batch, done.result(), strict=True):
                if answer.done():
                    continue
                if ok:
                    answer.set_result(value)
                else:
                    answer.set_exception(value)
        self._send_waiting()

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
        pool = ProcessPoolExecutor(
            self.processes, mp_context=context, initializer=_initialise, initargs=(self.warm_up,)
        )
        _widen_pipes(pool)
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
        log.info(
            "%s: %d process(es) started, asked for after %d calls (%d by now)",
            self.name, self.processes, self._asked_after, self.calls,
        )  # fmt: skip
        self._pool = pool

    def _close_pool(self, waiting_error: BaseException | None = None) -> None:
        """Stop the pool; calls not sent yet fail with `waiting_error` (are cancelled for None), as those
        sent and not started are cancelled."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        waiting, self._waiting = self._waiting, {}
        for calls in waiting.values():
            _fail(calls, waiting_error)

    def close(self) -> None:
        """Stop the pool; a pool still starting stops as soon as it is up."""
        self._closed = True
        self._close_pool()
        if self._threads is not None:
            self._threads.shutdown(wait=False)


def _widen_pipes(pool: ProcessPoolExecutor) -> None:
    """Give the pipes to and from the processes 1 MB instead of Linux's 64 KB.

    A batch of analysed articles is about 50 KB, and the crawl process reads results in a thread that
    waits for the GIL; with 64 KB the extraction process of the 5,000-page bench crawl sat blocked writing
    its results 7% of the time (py-spy). The pipes belong to the executor (private attributes); where they
    are not there, or the system refuses, the default stays."""
    for connection in (
        getattr(getattr(pool, "_result_queue", None), "_reader", None),
        getattr(getattr(pool, "_call_queue", None), "_writer", None),
    ):
        with contextlib.suppress(AttributeError, OSError, ValueError):
            fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)  # type: ignore[union-attr]


def _fail(calls: list[Call], error: BaseException | None) -> None:
    """Fail the calls still waiting with `error` (cancel them for None)."""
    for _, answer in calls:
        if answer.done():
            continue
        if error is None:
            answer.cancel()
        else:
            answer.set_exception(error)
