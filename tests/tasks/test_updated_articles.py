"""A stored article whose sitemap entry says it changed after it was fetched is fetched again: a new text is
stored as a version and matched again; an unchanged one is fetched once, not at every crawl. A young article
no entry dates is fetched again after a while, to catch the corrections portals do not announce."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from newsmon.models import Source
from newsmon.storage import Repository
from newsmon.storage.migrate import upgrade
from pipelines.canonical import canonical_url
from tests.fixtures.portal_builder import SAMPLE, SPORT, build_portal
from tests.loopback import StaticServer
from tests.newsmon_env import newsmon_settings

UPDATE = "Дополнено: проект «Бейбітшілік пен келісім» продолжится в районах области до конца года."


class Portal:
    """A portal read through its sitemap only, whose pages and lastmod dates the test changes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.server = StaticServer(root)
        self.url = self.server.url
        build_portal(root, self.url, "Портал", [("conference", "Конференция", SAMPLE.read_text("utf-8")),
                                                 ("sport", "Тренировка", SPORT)])  # fmt: skip
        (root / "rss.xml").unlink()  # the sitemap is the only way in
        (root / "index.html").write_text("<html><body>home</body></html>", encoding="utf-8")
        start = datetime.now(UTC) - timedelta(days=1)
        self.lastmod: dict[str, datetime | None] = {
            "conference": start,
            "sport": start + timedelta(minutes=5),
        }
        self.write_sitemap()

    def write_sitemap(self) -> None:
        entries = "".join(
            f"<url><loc>{self.url}/news/{slug}.html</loc>"
            + (f"<lastmod>{when.isoformat()}</lastmod>" if when else "")
            + "</url>"
            for slug, when in self.lastmod.items()
        )
        sitemap = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
        (self.root / "sitemap.xml").write_text(sitemap, encoding="utf-8")

    def touch(self, slug: str, when: datetime | None = None) -> None:
        self.lastmod[slug] = when or datetime.now(UTC)
        self.write_sitemap()

    def undate(self) -> None:
        """The sitemap without any lastmod: nothing says when a page changed."""
        self.lastmod = dict.fromkeys(self.lastmod)
        self.write_sitemap()

    def publish(self, slug: str, when: datetime) -> None:
        """Give the page another publication date."""
        self._rewrite(slug, "2025-02-10T10:00:00+05:00", when.isoformat())

    def edit(self, slug: str, paragraph: str) -> None:
        """Add a paragraph; a dated sitemap says the page changed now."""
        self._rewrite(slug, "</div></article>", f"<p>{paragraph}</p></div></article>")
        if self.lastmod[slug] is not None:
            self.touch(slug)

    def _rewrite(self, slug: str, old: str, new: str) -> None:
        page = self.root / "news" / f"{slug}.html"
        page.write_text(page.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Portal]:
    (tmp_path / "portal").mkdir()
    served = Portal(tmp_path / "portal")
    yield served
    served.server.stop()


def register(database_url: str, portal: Portal) -> Repository:
    repo = Repository.from_url(database_url)
    upgrade(repo.engine)
    repo.upsert_source(Source(name="portal", home=portal.url + "/", sitemaps=(portal.url + "/sitemap.xml",)))
    return repo


def assert_stored_again_as_a_version(repo: Repository, url: str, stats: dict[str, Any]) -> None:
    """The crawl stored the edited page as version 2, marked unmatched: an update that now matches alerts."""
    assert stats["newsmon/store/version"] == 1
    stored = repo.article_by_url(url)
    assert stored is not None and UPDATE in stored.text and stored.version == 2
    assert stored.id in repo.unmatched_article_ids(10)


def crawl(monkeypatch: pytest.MonkeyPatch, data: Path, url: str, **settings: str) -> dict[str, Any]:
    from tasks.crawl import CrawlOptions, crawl_source

    with newsmon_settings(monkeypatch, data, database_url=url, **settings):
        result = crawl_source("portal", CrawlOptions(since="36500d", enqueue_matching=False))
    return result["stats"]


def test_an_article_updated_after_it_was_fetched_is_stored_again_as_a_version(
    sqlite_url: str, tmp_path: Path, portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = register(sqlite_url, portal)
    data = tmp_path / "data"
    conference = canonical_url(f"{portal.url}/news/conference.html")

    first = crawl(monkeypatch, data, sqlite_url)
    assert first["newsmon/store/new"] == 2

    portal.edit("conference", UPDATE)
    repo.record_matching(repo.article_by_url(conference).id, [])  # type: ignore[union-attr]
    second = crawl(monkeypatch, data, sqlite_url)
    assert second["newsmon/seen/modified"] == 1 and second["newsmon/seen/skipped"] == 1
    assert_stored_again_as_a_version(repo, conference, second)

    # Nothing changed since: nothing is fetched again.
    third = crawl(monkeypatch, data, sqlite_url)
    assert "newsmon/seen/modified" not in third and third["newsmon/seen/skipped"] == 2

    # A newer lastmod over the same text: fetched once, found unchanged, and not fetched at the next crawl.
    portal.touch("sport")
    fourth = crawl(monkeypatch, data, sqlite_url)
    assert fourth["newsmon/seen/modified"] == 1 and "newsmon/store/version" not in fourth
    fifth = crawl(monkeypatch, data, sqlite_url)
    assert "newsmon/seen/modified" not in fifth and fifth["newsmon/seen/skipped"] == 2


def test_a_lastmod_every_entry_shares_is_the_sitemaps_own_date_and_fetches_nothing_again(
    sqlite_url: str, tmp_path: Path, portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(sqlite_url, portal)
    data = tmp_path / "data"
    assert crawl(monkeypatch, data, sqlite_url)["newsmon/store/new"] == 2

    generated = datetime.now(UTC)
    portal.touch("conference", generated)
    portal.touch("sport", generated)
    again = crawl(monkeypatch, data, sqlite_url)
    assert "newsmon/seen/modified" not in again and again["newsmon/seen/skipped"] == 2

    # Dates ahead of the clock (a wrong zone) are not believed: they would fetch the pages at every crawl.
    portal.touch("conference", generated + timedelta(days=2))
    portal.touch("sport", generated + timedelta(days=3))
    ahead = crawl(monkeypatch, data, sqlite_url)
    assert ahead["newsmon/seen/future_modified"] == 2 and ahead["newsmon/seen/skipped"] == 2


def test_a_young_article_no_entry_dates_is_fetched_again_for_updates(
    sqlite_url: str, tmp_path: Path, portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sitemap gives no lastmod and the page no modified date: the correction is found by fetching the
    article again once it has waited as long as it was old (here: published 3 h ago, fetched "2 h ago")."""
    portal.undate()
    portal.publish("conference", datetime.now(UTC) - timedelta(hours=3))
    repo = register(sqlite_url, portal)
    data = tmp_path / "data"
    conference = canonical_url(f"{portal.url}/news/conference.html")
    assert crawl(monkeypatch, data, sqlite_url)["newsmon/store/new"] == 2
    portal.edit("conference", UPDATE)

    # Just fetched: not again yet.
    soon = crawl(monkeypatch, data, sqlite_url)
    assert "newsmon/seen/recheck" not in soon and soon["newsmon/seen/skipped"] == 2

    stored = repo.article_by_url(conference)
    assert stored is not None and UPDATE not in stored.text
    repo.mark_fetched(stored.id, datetime.now(UTC) - timedelta(hours=2))
    repo.record_matching(stored.id, [])
    later = crawl(monkeypatch, data, sqlite_url)
    # The sport article is dated 2025: too old to be fetched again for updates.
    assert later["newsmon/seen/recheck"] == 1 and later["newsmon/seen/skipped"] == 1
    assert_stored_again_as_a_version(repo, conference, later)

    again = crawl(monkeypatch, data, sqlite_url)
    assert "newsmon/seen/recheck" not in again and again["newsmon/seen/skipped"] == 2

    # NEWSMON_RECHECK_HOURS=0: never.
    repo.mark_fetched(stored.id, datetime.now(UTC) - timedelta(hours=2))
    off = crawl(monkeypatch, data, sqlite_url, recheck_hours="0")
    assert "newsmon/seen/recheck" not in off and off["newsmon/seen/skipped"] == 2
