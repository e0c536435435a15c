"""Gather calls made one item at a time into batches: one database round trip for many items.

A crawl hands its components one article or one request at a time; the database prefers a hundred at once.
`Coalescer.submit(item)` waits until `size` items are waiting or `delay` seconds have passed since the first,
then `handle` runs on the whole batch in a thread, batches one after another in arrival order, and each caller
gets its own result (or the batch's exception).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Coalescer(Generic[T, R]):
    def __init__(self, handle: Callable[[list[T]], Sequence[R]], size: int, delay: float) -> None:
        self.handle = handle
        self.size = size
        self.delay = delay
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._last: asyncio.Future[None] | None = None

    async def submit(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        result: asyncio.Future[R] = loop.create_future()
        self._waiting.append((item, result))
        if len(self._waiting) >= self.size:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.delay, self._flush)
        return await result

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._waiting = self._waiting, []
        if batch:
            self._last = asyncio.ensure_future(self._run(batch, self._last))

    async def _run(
        self, batch: list[tuple[T, asyncio.Future[R]]], previous: asyncio.Future[None] | None
    ) -> None:
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)
        try:
            results = await asyncio.to_thread(self.handle, [item for item, _ in batch])
        except Exception as exc:
            for _, waiting in batch:
                if not waiting.done():
                    waiting.set_exception(exc)
            return
        for (_, waiting), result in zip(batch, results, strict=True):
            if not waiting.done():
                waiting.set_result(result)
