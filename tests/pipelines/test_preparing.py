"""How many analysis processes a crawl starts: NEWSMON_PREPARE_PROCESSES, "auto" by the host's cores."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from scrapy.settings import Settings

from pipelines.preparing import prepare_processes


@pytest.fixture
def two_cores() -> Iterator[None]:
    """This process may run on two cores at most, as on a small host."""
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, sorted(allowed)[:2])
    try:
        yield
    finally:
        os.sched_setaffinity(0, allowed)


def test_auto_keeps_analysis_in_threads_on_two_cores(two_cores: None) -> None:
    assert prepare_processes(Settings()) == 0
    assert prepare_processes(Settings({"NEWSMON_PREPARE_PROCESSES": "auto"})) == 0


def test_auto_is_the_crawl_default() -> None:
    from crawlers import settings

    assert settings.NEWSMON_PREPARE_PROCESSES == "auto"


def test_auto_starts_a_process_with_three_cores() -> None:
    assert prepare_processes(Settings(), cores=3) == 1
    assert prepare_processes(Settings(), cores=2) == 0


@pytest.mark.parametrize(("value", "processes"), [("0", 0), ("1", 1), (2, 2), (" AUTO ", None)])
def test_a_number_is_taken_as_given(two_cores: None, value: object, processes: int | None) -> None:
    assert prepare_processes(Settings({"NEWSMON_PREPARE_PROCESSES": value})) == (processes or 0)


def test_a_malformed_value_names_itself() -> None:
    with pytest.raises(ValueError, match="NEWSMON_PREPARE_PROCESSES must be a number or 'auto', not 'many'"):
        prepare_processes(Settings({"NEWSMON_PREPARE_PROCESSES": "many"}))
