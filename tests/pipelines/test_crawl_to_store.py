"""A real `scrapy crawl` of a loopback portal through normalise, dedupe and store, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.models import Source
from tests.fixtures.portal_builder import SAMPLE, SPORT, build_portal
from tests.newsmon_env import newsmon_settings


@pytest.fixture
def portal(tmp_path: Path, static_server: type) -> Source:
    root = tmp_path / "portal"
    root.mkdir()
    server = static_server(root)
    text = SAMPLE.read_text(encoding="utf-8")
    build_portal(
        root,
        server.url,
        "Портал",
        [
            ("conference", "Конференция «Бейбітшілік пен келісім»", text),
            ("reprint", "В Таразе обсудили мир и согласие", "Источник: региональное агентство.\n" + text),
            ("sport", "Тренировка ФК «Тараз»", SPORT),
        ],
    )
    return Source(name="portal", home=server.url + "/", languages=("ru",), feeds=(server.url + "/rss.xml",))


def test_crawl_stores_articles_and_groups_the_reprint(
    portal: Source, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tasks import context
    from tasks.crawl import CrawlOptions, crawl_source

    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=database_url):
        repo = context.repository()
        from newsmon.storage.migrate import upgrade

        upgrade(repo.engine)
        repo.upsert_source(portal)
        first = crawl_source("portal", CrawlOptions(since="36500d", enqueue_matching=False))
        assert first["status"] == "ok", first
        assert repo.count_articles() == 3
        stories = {
            a.story_id for a in repo.articles_since(repo.recent_runs()[0].started_at.replace(year=2000))
        }
        assert len(stories) == 2  # the reprint joined the conference story
        assert 1 <= first["stats"]["newsmon/store/batches"] <= 3  # the crawl's stats say how it stored
        conference = repo.article_by_url(portal.home.replace("http://", "https://") + "news/conference.html")
        assert conference is not None and "Бейбітшілік пен келісім" in conference.text
        assert "Все права защищены" not in conference.text
        assert (
            conference.published is not None
            and conference.published.isoformat() == "2025-02-10T05:00:00+00:00"
        )

        second = crawl_source("portal", CrawlOptions(since="36500d", enqueue_matching=False))
        assert second["status"] == "ok"
        assert repo.count_articles() == 3
        assert second["stats"].get("newsmon/store/new", 0) == 0
        runs = repo.recent_runs("portal")
        assert [r.status for r in runs] == ["ok", "ok"]
