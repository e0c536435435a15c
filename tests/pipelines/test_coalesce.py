"""Items handed over one at a time are handled in batches, in order, each caller getting its own answer."""

from __future__ import annotations

import asyncio

import pytest

from pipelines.coalesce import Coalescer


def test_items_are_handled_in_batches_of_at_most_size_in_arrival_order() -> None:
    batches: list[list[int]] = []

    def handle(items: list[int]) -> list[int]:
        batches.append(items)
        return [n * 10 for n in items]

    async def scenario() -> list[int]:
        coalescer = Coalescer(handle, size=4, delay=0.05)
        return await asyncio.gather(*(coalescer.submit(n) for n in range(10)))

    assert asyncio.run(scenario()) == [n * 10 for n in range(10)]
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]  # the last two after the delay


def test_a_failed_batch_fails_its_callers_and_the_next_batch_goes_on() -> None:
    def handle(items: list[int]) -> list[int]:
        if 0 in items:
            raise ConnectionError("database is down")
        return items

    async def scenario() -> tuple[list[object], int]:
        coalescer = Coalescer(handle, size=2, delay=0.01)
        failed = await asyncio.gather(coalescer.submit(0), coalescer.submit(1), return_exceptions=True)
        return failed, await coalescer.submit(5)

    failed, later = asyncio.run(scenario())
    assert [type(e) for e in failed] == [ConnectionError, ConnectionError] and later == 5


def test_a_lone_item_waits_no_longer_than_the_delay() -> None:
    async def scenario() -> float:
        coalescer = Coalescer(lambda items: items, size=100, delay=0.05)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await coalescer.submit(1)
        return loop.time() - started

    assert asyncio.run(scenario()) == pytest.approx(0.05, abs=0.5)
