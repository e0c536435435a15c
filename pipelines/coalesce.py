"""Gather calls made one item at a time into batches: one database round trip for many items.

A crawl hands its components one article or one request at a time; the database prefers a hundred at once.
`Coalescer.submit(item)` works as a group commit: the items that arrive while a batch is being handled go
together in the next one (at most `size`), so batches grow with the load, and each caller gets its own
result (or its batch's exception). A batch smaller than `size` waits `linger` seconds for company first
(0: none), which trades a little latency for fewer, larger batches where each batch has a fixed cost.
Waiting for a batch to fill would cap throughput instead: a crawl has only so many articles in flight
(Scrapy holds a bounded number of responses), so a batch that waits to fill waits its whole delay.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Coalescer(Generic[T, R]):
    def __init__(self, handle: Callable[[list[T]], Sequence[R]], size: int, linger: float = 0.0) -> None:
        self.handle = handle
        self.size = size
        self.linger = linger
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._drain: asyncio.Future[None] | None = None

    async def submit(self, item: T) -> R:
        result: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, result))
        if self._drain is None or self._drain.done():
            self._drain = asyncio.ensure_future(self._handle_waiting())
        return await result

    async def _handle_waiting(self) -> None:
        """Batches one after another, in arrival order, until nothing waits."""
        await asyncio.sleep(0)  # the items submitted in the same turn of the event loop go together
        while self._waiting:
            if self.linger and len(self._waiting) < self.size:
                await asyncio.sleep(self.linger)
            batch, self._waiting = self._waiting[: self.size], self._waiting[self.size :]
            try:
                results = await asyncio.to_thread(self.handle, [item for item, _ in batch])
                answered = list(zip(batch, results, strict=True))  # a result for each, or all fail
            except Exception as exc:
                for _, waiting in batch:
                    if not waiting.done():
                        waiting.set_exception(exc)
                continue
            for (_, waiting), result in answered:
                if not waiting.done():
                    waiting.set_result(result)
