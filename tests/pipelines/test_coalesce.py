"""Items handed over one at a time are handled in batches, in order, each caller getting its own answer."""

from __future__ import annotations

import asyncio
import threading

from pipelines.coalesce import Coalescer


def test_items_are_handled_in_batches_of_at_most_size_in_arrival_order() -> None:
    batches: list[list[int]] = []

    def handle(items: list[int]) -> list[int]:
        batches.append(items)
        return [n * 10 for n in items]

    async def scenario() -> list[int]:
        coalescer = Coalescer(handle, size=4)
        return await asyncio.gather(*(coalescer.submit(n) for n in range(10)))

    assert asyncio.run(scenario()) == [n * 10 for n in range(10)]
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_a_failed_batch_fails_its_callers_and_the_next_batch_goes_on() -> None:
    def handle(items: list[int]) -> list[int]:
        if 0 in items:
            raise ConnectionError("database is down")
        return items

    async def scenario() -> tuple[list[object], int]:
        coalescer = Coalescer(handle, size=2)
        failed = await asyncio.gather(coalescer.submit(0), coalescer.submit(1), return_exceptions=True)
        return failed, await coalescer.submit(5)

    failed, later = asyncio.run(scenario())
    assert [type(e) for e in failed] == [ConnectionError, ConnectionError] and later == 5


def test_items_arriving_while_a_batch_is_handled_go_together_in_the_next() -> None:
    batches: list[list[int]] = []
    first_started = threading.Event()
    release_first = threading.Event()

    def handle(items: list[int]) -> list[int]:
        batches.append(items)
        if len(batches) == 1:
            first_started.set()
            release_first.wait(5)
        return items

    async def scenario() -> list[int]:
        coalescer = Coalescer(handle, size=100)
        first = asyncio.ensure_future(coalescer.submit(0))  # alone: handled at once, no waiting to fill
        await asyncio.to_thread(first_started.wait, 5)
        later = [asyncio.ensure_future(coalescer.submit(n)) for n in range(1, 6)]
        await asyncio.sleep(0.01)
        release_first.set()
        return await asyncio.gather(first, *later)

    assert asyncio.run(scenario()) == [0, 1, 2, 3, 4, 5]
    assert batches == [[0], [1, 2, 3, 4, 5]]


def test_a_short_batch_lingers_for_company_then_goes() -> None:
    batches: list[list[int]] = []

    def handle(items: list[int]) -> list[int]:
        batches.append(items)
        return items

    async def scenario() -> list[int]:
        coalescer = Coalescer(handle, size=100, linger=0.2)
        first = asyncio.ensure_future(coalescer.submit(1))
        await asyncio.sleep(0.05)  # within the linger: goes with the first
        return await asyncio.gather(first, coalescer.submit(2))

    assert asyncio.run(scenario()) == [1, 2]
    assert batches == [[1, 2]]


def test_a_handler_that_answers_too_few_fails_its_batch_instead_of_leaving_callers_waiting() -> None:
    async def scenario() -> list[object]:
        coalescer = Coalescer(lambda items: items[:1], size=10)
        return await asyncio.gather(coalescer.submit(1), coalescer.submit(2), return_exceptions=True)

    assert [type(e) for e in asyncio.run(scenario())] == [ValueError, ValueError]
