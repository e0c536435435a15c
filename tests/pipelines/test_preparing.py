"""An article analysed where it was extracted, and how many analysis processes a crawl starts for the
others: NEWSMON_PREPARE_PROCESSES, "auto" by the host's cores."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from scrapy.settings import Settings

from newsmon.models import Article, Source
from pipelines.dedupe import Deduplicator
from pipelines.normalise import normalise_article
from pipelines.preparing import AnalysedArticle, analyse_extracted, analysis_of, prepare_processes

EXTRACTED = Article(
    url="https://taraz.kz/news/1",
    title="Аким встретился с фермерами | Taraz.kz",
    text="  Аким  Тараза встретился с фермерами района. " * 10,
    published=datetime(2025, 3, 1, 10, 0),  # no offset: the source's local time
    language="ru",
    source="taraz",
)
ALMATY_TEN = datetime(2025, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=5)))
SOURCE = Source(name="taraz", home="https://taraz.kz/", languages=("ru",))


def test_an_analysed_article_carries_what_the_stages_would_make_of_it() -> None:
    analysed = analyse_extracted(EXTRACTED, SOURCE)
    prepared = analysis_of(analysed)
    item, fingerprint = Deduplicator.prepare(normalise_article(EXTRACTED, SOURCE))
    assert prepared.item.canonical_url == item.canonical_url
    assert prepared.item.content_hash == item.content_hash
    assert prepared.item.search_terms == item.search_terms
    assert prepared.fingerprint.signature == fingerprint.signature
    assert prepared.item.article.title == "Аким встретился с фермерами"
    assert prepared.item.article.published.isoformat() == "2025-03-01T05:00:00+00:00"
    assert analysed.plain() == EXTRACTED  # the article itself stays as extracted
    assert pickle.loads(pickle.dumps(analysed)) == analysed  # it crosses from the extraction process


def test_an_analysed_article_keeps_its_own_zone_and_shares_its_clean_text() -> None:
    extracted = replace(EXTRACTED, text="Аким Тараза встретился с фермерами района.", published=ALMATY_TEN)
    analysed = analyse_extracted(extracted, SOURCE)
    normalised = analysis_of(analysed).item.article
    assert normalised.published == analysed.published  # the same instant...
    assert analysed.published.isoformat() == "2025-03-01T10:00:00+05:00"  # ...in the page's own zone
    assert analysed.text is normalised.text  # one object: pickled once on the way to the crawl process
    assert analysed.plain() == extracted


def test_a_changed_analysed_article_is_a_plain_one_analysed_again() -> None:
    analysed = analyse_extracted(EXTRACTED, SOURCE)
    changed = analysed.with_changes(text="Другой текст статьи о фермерах Тараза. " * 10)
    assert type(changed) is Article
    assert analysis_of(changed) is None
    assert analysis_of(EXTRACTED) is None
    assert isinstance(analysed, AnalysedArticle)
    assert analysed.to_dict() == EXTRACTED.to_dict()  # exports show the article, not its analysis


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


def test_the_extraction_worker_reads_and_analyses_pages_without_loading_the_crawl_or_database() -> None:
    """The extraction process imports what `read_page` needs (the crawl names the function to it, and it
    imports the function's module to call it): no Scrapy and Twisted (33 MB and 0.2 s of its start), no
    SQLAlchemy (30 MB, a third of a second), no Redis client. The analysis needs the records only."""
    script = (
        "import pickle, sys\n"
        "import pipelines.preparing\n"
        "from crawlers.extraction import read_page\n"
        "pickle.loads(pickle.dumps(read_page))\n"
        "from newsmon.models import Article\n"
        "article = Article(url='https://taraz.kz/news/1', text='Аким Тараза встретился с фермерами. ' * 9, "
        "language='ru')\n"
        "assert pipelines.preparing.analyse_extracted(article, None).prepared is not None\n"
        "print(sorted(m for m in ('scrapy', 'twisted', 'sqlalchemy', 'alembic', 'redis') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
