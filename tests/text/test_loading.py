"""Models are loaded once per process, even when several threads ask for them at the same moment."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from newsmon.text import morph_analyzer
from newsmon.text.loading import load_once


def from_threads(call: Callable[[], object], count: int) -> list[object]:
    """What `call` returned in each of `count` threads started together."""
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(call())) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return got


def test_threads_asking_together_wait_for_one_load():
    loads: list[object] = []

    @load_once
    def model() -> object:
        time.sleep(0.2)  # a dictionary being read
        loads.append(object())
        return loads[-1]

    got = from_threads(model, 6)

    assert len(loads) == 1
    assert got == [loads[0]] * 6
    model.cache_clear()
    assert model() is not loads[0] and len(loads) == 2


def test_the_russian_analyser_is_one_per_process_across_threads():
    morph_analyzer.cache_clear()
    got = from_threads(morph_analyzer, 4)

    assert len({id(analyser) for analyser in got}) == 1
    assert morph_analyzer() is got[0]
