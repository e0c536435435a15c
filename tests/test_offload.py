"""A crawl's CPU-bound work moves to another process only once the crawl is big, and keeps going if that
process dies."""

from __future__ import annotations

import asyncio
import os
import signal

from newsmon.offload import Offloader


def worker_pid(_: int) -> int:
    return os.getpid()


def fails(_: int) -> int:
    raise ValueError("bad page")


async def _calls(offloader: Offloader, count: int) -> list[int]:
    return [await offloader.run(worker_pid, n) for n in range(count)]


def test_small_runs_stay_in_this_process_and_big_ones_move_to_a_worker() -> None:
    offloader = Offloader("test work", processes=1, start_after=5)

    async def scenario() -> tuple[list[int], list[int]]:
        first = await _calls(offloader, 5)
        await _calls(offloader, 1)  # the sixth call starts the pool and still runs here
        assert offloader._starting is not None
        await offloader._starting
        return first, await _calls(offloader, 3)

    try:
        first, later = asyncio.run(scenario())
    finally:
        offloader.close()
    assert set(first) == {os.getpid()}
    assert len(set(later)) == 1 and later[0] != os.getpid()


def test_no_processes_means_threads_only() -> None:
    offloader = Offloader("test work", processes=0, start_after=0)
    assert set(asyncio.run(_calls(offloader, 10))) == {os.getpid()}
    assert offloader._starting is None


def test_an_error_in_the_worker_fails_only_that_call() -> None:
    offloader = Offloader("test work", processes=1, start_after=0)

    async def scenario() -> list[object]:
        await offloader.run(worker_pid, 0)
        await offloader._starting  # type: ignore[misc]
        return await asyncio.gather(
            offloader.run(fails, 1), offloader.run(worker_pid, 2), return_exceptions=True
        )

    try:
        error, pid = asyncio.run(scenario())
    finally:
        offloader.close()
    assert isinstance(error, ValueError) and str(error) == "bad page"
    assert pid != os.getpid()


def test_a_killed_worker_sends_the_work_back_to_threads() -> None:
    offloader = Offloader("test work", processes=1, start_after=0)

    async def scenario() -> list[int]:
        await offloader.run(worker_pid, 0)
        await offloader._starting  # type: ignore[misc]
        os.kill(await offloader.run(worker_pid, 1), signal.SIGKILL)
        return await _calls(offloader, 3)

    try:
        pids = asyncio.run(scenario())
    finally:
        offloader.close()
    assert pids[-1] == os.getpid()
