"""`from newsmon import Archive`: the Python API analysts use in scripts and notebooks."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest

from newsmon import Archive
from newsmon.archive import ArchiveNotFound
from newsmon.search import COLUMNS, SearchError
from tests.newsmon_env import newsmon_settings
from tests.search.conftest import StoredArchive


def test_search_story_article_and_pages(archive: StoredArchive) -> None:
    with Archive(archive.url) as analyst:
        hits = analyst.search("Жамбылская область", lang="kk", limit=1)
        assert len(hits) == 1 and hits.next_cursor
        more = analyst.search("Жамбылская область", lang="kk", limit=10, cursor=hits.next_cursor)
        assert hits[0].article_id not in {hit.article_id for hit in more}
        story = analyst.story(hits[0].story_id)
        assert story is not None and story.copies
        article = analyst.article(hits[0].article_id)
        assert article is not None and article.language == "kk"
        assert hits.to_dicts()[0]["story_id"] == hits[0].story_id


def test_archive_without_a_url_uses_the_configured_database(
    archive: StoredArchive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with newsmon_settings(monkeypatch, tmp_path, database_url=archive.url), Archive() as analyst:
        assert analyst.search("Тараз", source="zakon.kz")[0].source == "zakon.kz"


def test_trends_and_export(archive: StoredArchive, tmp_path: Path) -> None:
    with Archive(archive.url) as analyst:
        trend = analyst.trends("Тараз NEAR/3 конференция", by="week")
        assert trend.verified and trend.total() == 2
        written = analyst.export("Тараз NEAR/3 конференция", tmp_path / "near.csv")
        rows = list(csv.DictReader((tmp_path / "near.csv").open(encoding="utf-8")))
        assert written == len(rows) == 2
        assert tuple(rows[0]) == COLUMNS
        analyst.export("Бейбітшілік", tmp_path / "b.jsonl", since="2025-03-04")
        lines = (tmp_path / "b.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(line)["source"] for line in lines] == ["aqjolgazet.kz"]


def test_bad_input_raises_search_error(archive: StoredArchive, tmp_path: Path) -> None:
    with Archive(archive.url) as analyst:
        with pytest.raises(SearchError) as caught:
            analyst.search("Тараз", since="2025-13-40")
        assert caught.value.field == "since"
        with pytest.raises(SearchError) as caught:
            analyst.export("Тараз", tmp_path / "out.xlsx")
        assert caught.value.field == "format"


@pytest.mark.skipif(importlib.util.find_spec("pandas") is not None, reason="pandas is installed here")
def test_to_pandas_without_pandas_says_how_to_get_it(archive: StoredArchive) -> None:
    with Archive(archive.url) as analyst:
        hits = analyst.search("Тараз")
        with pytest.raises(ImportError, match="pip install pandas"):
            hits.to_pandas()
        with pytest.raises(ImportError, match="pip install pandas"):
            analyst.trends("Тараз").to_pandas()


def test_an_archive_that_is_not_there_is_named_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "newsmon.db"
    with pytest.raises(ArchiveNotFound, match="newsmon db upgrade"):
        Archive(f"sqlite:///{missing}")
    assert not missing.parent.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(ArchiveNotFound, match="holds no newsmon archive"):
        Archive(f"sqlite:///{empty}")


def test_a_limit_of_the_wrong_type_says_so(archive: StoredArchive) -> None:
    with Archive(archive.url) as analyst, pytest.raises(SearchError, match="not a whole number"):
        analyst.search("Тараз", limit="5")  # type: ignore[arg-type]
