"""A crawl's CPU-bound work moves to another process only once the crawl is big, and keeps going if that
process dies."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from newsmon.offload import Offloader


def worker_pid(_: int) -> int:
    return os.getpid()


def _note_time(path: Path) -> None:
    path.write_text(str(time.time_ns()))


def _sleep_then_pid(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def fails(_: int) -> int:
    raise ValueError("bad page")


async def _pool_up(offloader: Offloader) -> int:
    """The worker's pid, once the first call has started the pool (start_after=0)."""
    pid = await offloader.run(worker_pid, 0)
    await offloader._starting  # type: ignore[misc]
    return pid


async def _calls(offloader: Offloader, count: int) -> list[int]:
    return [await offloader.run(worker_pid, n) for n in range(count)]


def test_small_runs_stay_in_this_process_and_big_ones_move_to_a_worker() -> None:
    offloader = Offloader("test work", processes=1, start_after=5)

    async def scenario() -> tuple[list[int], list[int]]:
        first = await _calls(offloader, 5)
        assert offloader._starting is None
        return first, await _calls(offloader, 3)  # the sixth call starts the pool and waits for it

    try:
        first, later = asyncio.run(scenario())
    finally:
        offloader.close()
    assert set(first) == {os.getpid()}
    assert len(set(later)) == 1 and later[0] != os.getpid()


def test_work_known_to_be_big_goes_to_the_worker_from_the_first_call() -> None:
    offloader = Offloader("test work", processes=1, start_after=5)

    async def scenario() -> list[int]:
        offloader.start_now()
        return await _calls(offloader, 3)

    try:
        pids = asyncio.run(scenario())
    finally:
        offloader.close()
    assert len(set(pids)) == 1 and pids[0] != os.getpid()


def test_no_processes_means_threads_only() -> None:
    offloader = Offloader("test work", processes=0, start_after=0)
    assert set(asyncio.run(_calls(offloader, 10))) == {os.getpid()}
    assert offloader._starting is None


def test_an_error_in_the_worker_fails_only_that_call() -> None:
    offloader = Offloader("test work", processes=1, start_after=0)

    async def scenario() -> list[object]:
        await _pool_up(offloader)
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
        await _pool_up(offloader)
        os.kill(await offloader.run(worker_pid, 1), signal.SIGKILL)
        return await _calls(offloader, 3)

    try:
        pids = asyncio.run(scenario())
    finally:
        offloader.close()
    assert pids[-1] == os.getpid()


def test_what_the_threads_loaded_is_released_before_the_workers_load_theirs(tmp_path: Path) -> None:
    released: list[int] = []
    warmed = tmp_path / "warmed"
    offloader = Offloader(
        "test work",
        processes=1,
        start_after=2,
        release=lambda: released.append(time.time_ns()),
        warm_up=partial(_note_time, warmed),
    )

    async def scenario() -> list[int]:
        await _calls(offloader, 2)
        assert not released
        return await _calls(offloader, 3)

    try:
        later = asyncio.run(scenario())
    finally:
        offloader.close()
    assert os.getpid() not in later
    assert len(released) == 1 and released[0] < int(warmed.read_text())


def test_a_call_in_a_thread_holds_the_release_until_it_is_done() -> None:
    events: list[str] = []
    offloader = Offloader("test work", processes=1, start_after=1, release=lambda: events.append("released"))

    async def scenario() -> list[object]:
        slow = asyncio.ensure_future(offloader.run(_sleep_then_pid, 0.5))
        await asyncio.sleep(0.05)
        pool_call = asyncio.ensure_future(offloader.run(worker_pid, 1))
        await asyncio.sleep(0.05)
        assert not events  # the slow call still runs in a thread
        return list(await asyncio.gather(slow, pool_call))

    try:
        slow_pid, pool_pid = asyncio.run(scenario())
    finally:
        offloader.close()
    assert slow_pid == os.getpid() and pool_pid != os.getpid()
    assert events == ["released"]


def test_nothing_is_released_while_the_work_stays_in_threads() -> None:
    released: list[int] = []
    offloader = Offloader("test work", processes=0, start_after=0, release=lambda: released.append(1))
    asyncio.run(_calls(offloader, 5))
    assert not released


def test_language_model_and_dictionaries_load_again_after_a_release() -> None:
    from crawlers.pages import release_models as release_extraction
    from newsmon.text import detect_language, release_models, word_terms
    from newsmon.text.language import identifier
    from newsmon.text.russian import morph_analyzer

    text = "Аким Жамбылской области провёл совещание с фермерами района."
    before = (detect_language(text), word_terms("фермерами", "ru"))
    release_extraction()
    release_models()
    assert not identifier.loaded and not morph_analyzer.loaded
    assert (detect_language(text), word_terms("фермерами", "ru")) == before == ("ru", frozenset({"фермер"}))
    assert identifier.loaded and morph_analyzer.loaded


def _slow_warm_up() -> None:
    time.sleep(3)


def test_processes_that_do_not_come_up_in_time_leave_the_work_in_threads() -> None:
    offloader = Offloader("test work", processes=1, start_after=0, warm_up=_slow_warm_up, start_timeout=0.5)
    try:
        pids = asyncio.run(_calls(offloader, 3))
    finally:
        offloader.close()
    assert set(pids) == {os.getpid()}


def fails_on_odd(n: int) -> int:
    if n % 2:
        raise ValueError(f"bad page {n}")
    return n * 10


class Unpicklable(Exception):
    def __init__(self, handle: object) -> None:
        super().__init__("holds an open handle")
        self.handle = handle

    def __reduce__(self) -> object:
        raise TypeError("cannot pickle a handle")


def fails_unpicklably(_: int) -> int:
    raise Unpicklable(object())


class NeedsTwoArguments(Exception):
    def __init__(self, page: str, reason: str) -> None:
        super().__init__(f"{page}: {reason}")  # pickles with one argument, cannot be rebuilt from it


def fails_unrebuildably(_: int) -> int:
    raise NeedsTwoArguments("/news/1", "bad markup")


def test_calls_made_together_go_in_batches_and_each_gets_its_own_answer() -> None:
    offloader = Offloader("test work", processes=1, start_after=0)

    async def scenario() -> list[object]:
        await _pool_up(offloader)
        return await asyncio.gather(
            *(offloader.run(fails_on_odd, n) for n in range(40)), return_exceptions=True
        )

    try:
        answers = asyncio.run(scenario())
    finally:
        offloader.close()
    assert answers[::2] == [n * 10 for n in range(0, 40, 2)]
    errors = answers[1::2]
    assert [str(error) for error in errors] == [f"bad page {n}" for n in range(1, 40, 2)]
    assert all(isinstance(error, ValueError) for error in errors)
    assert "in the worker process" in "".join(errors[0].__notes__)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("failing", "named"),
    [
        (fails_unpicklably, "Unpicklable: holds an open handle"),  # cannot be pickled in the worker
        (fails_unrebuildably, "NeedsTwoArguments: /news/1: bad markup"),  # cannot be rebuilt in the crawl
    ],
)
def test_an_exception_that_cannot_travel_fails_only_its_call_by_name(
    failing: Callable[[int], int], named: str
) -> None:
    offloader = Offloader("test work", processes=1, start_after=0)

    async def scenario() -> list[object]:
        await _pool_up(offloader)
        return await asyncio.gather(
            offloader.run(worker_pid, 1), offloader.run(failing, 2), offloader.run(worker_pid, 3),
            return_exceptions=True,
        )  # fmt: skip

    try:
        first, error, last = asyncio.run(scenario())
    finally:
        offloader.close()
    assert first == last != os.getpid()
    assert isinstance(error, RuntimeError) and named in str(error)
    assert "in the worker process" in "".join(error.__notes__)  # where it was raised


def test_calls_still_waiting_when_the_crawl_closes_are_cancelled_not_run_here(
    caplog: pytest.LogCaptureFixture,
) -> None:
    offloader = Offloader("test work", processes=1, start_after=0)

    async def scenario() -> list[object]:
        await _pool_up(offloader)
        calls = [asyncio.ensure_future(offloader.run(_sleep_then_pid, 0.1)) for _ in range(40)]
        await asyncio.sleep(0.3)
        offloader.close()
        return await asyncio.gather(*calls, return_exceptions=True)

    answers = asyncio.run(scenario())
    done = [answer for answer in answers if isinstance(answer, int)]
    cancelled = [answer for answer in answers if isinstance(answer, asyncio.CancelledError)]
    assert done and cancelled and len(done) + len(cancelled) == 40
    assert os.getpid() not in done
    assert "died" not in caplog.text


def test_calls_waiting_in_batches_when_the_worker_is_killed_are_all_answered_here() -> None:
    offloader = Offloader("test work", processes=1, start_after=0)

    async def scenario() -> list[object]:
        worker = await _pool_up(offloader)
        calls = [asyncio.ensure_future(offloader.run(_sleep_then_pid, 0.05)) for _ in range(40)]
        await asyncio.sleep(0.2)
        os.kill(worker, signal.SIGKILL)
        return await asyncio.gather(*calls, return_exceptions=True)

    try:
        answers = asyncio.run(scenario())
    finally:
        offloader.close()
    assert all(isinstance(answer, int) for answer in answers)
    assert os.getpid() in answers
