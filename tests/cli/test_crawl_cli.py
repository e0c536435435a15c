"""`newsmon crawl` and `newsmon status` as a user sees them: real crawls of loopback portals, one that answers
and one where nothing listens, exit codes, printed lines, the recorded run and the health verdict."""

from __future__ import annotations

import json
import re
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsmon.cli.main import cli
from newsmon.config import get_settings
from newsmon.models import CrawlRun
from newsmon.storage import Repository
from tests.conftest import FIXTURES
from tests.crawlers.portal_server import PortalServer
from tests.loopback import StaticServer
from tests.newsmon_env import newsmon_settings

Invoke = Callable[..., Result]  # the `newsmon` fixture of conftest.py

UNREACHABLE = re.compile(r"portal unreachable: \d+ requests, all connection refused")


@pytest.fixture
def newsmon(
    tmp_path: Path, sources_dir: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Invoke]:
    """Run `newsmon ARGS` in this process with its own data directory, sources directory and database."""
    values = {"sources_dir": str(sources_dir), "database_url": database_url}
    with newsmon_settings(monkeypatch, tmp_path / "data", **values):
        runner = CliRunner()
        yield lambda *args: runner.invoke(cli, list(args), catch_exceptions=False, env={"COLUMNS": "250"})


@pytest.fixture
def refused_home() -> str:
    """A loopback address where nothing listens: every request is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture
def quiet_portal(tmp_path: Path) -> Iterator[str]:
    """A portal that answers with a home page and no articles."""
    root = tmp_path / "portal"
    root.mkdir()
    (root / "index.html").write_text("<html><body><h1>Портал</h1><p>Пока новостей нет.</p></body></html>")
    server = StaticServer(root)
    yield server.url + "/"
    server.stop()


def _sitemap(*paths: str) -> str:
    urls = "".join(
        f"<url><loc>{{{{base}}}}{path}</loc><lastmod>{{{{iso:0.1}}}}</lastmod></url>" for path in paths
    )
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


@pytest.fixture
def reissued_portal(tmp_path: Path) -> Iterator[PortalServer]:
    """The `reissued` portal (a recent sitemap of pages dated 2024 and 2020), whose home page also announces a
    feed that answers HTML and whose robots.txt also names a sitemap cut short."""
    root = tmp_path / "reissued"
    shutil.copytree(FIXTURES / "portals" / "reissued", root)
    (root / "index.html").write_text(
        '<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"></head>'
        "<body><h1>Архив района</h1></body></html>",
        encoding="utf-8",
    )
    (root / "robots.txt").write_text("Sitemap: {{base}}/sitemap.xml\nSitemap: {{base}}/cut.xml\n")
    (root / "cut.xml").write_text(_sitemap("/news/vesennij-sev-2024/")[:-30], encoding="utf-8")
    with (root / "routes.yaml").open("a", encoding="utf-8") as routes:
        routes.write("/rss.xml: {file: index.html, type: text/html}\n")
    server = PortalServer(root)
    yield server
    server.stop()


@pytest.fixture
def homeless_portal(tmp_path: Path) -> Iterator[PortalServer]:
    """A portal whose home page answers 404, with no robots.txt: its one article is in /sitemap.xml."""
    root = tmp_path / "homeless"
    root.mkdir()
    shutil.copy(FIXTURES / "portals" / "bulletin" / "article.html", root / "article.html")
    (root / "sitemap.xml").write_text(_sitemap("/news/1/"), encoding="utf-8")
    (root / "routes.yaml").write_text("/news/1/: {file: article.html}\n", encoding="utf-8")
    server = PortalServer(root)
    yield server
    server.stop()


def define(sources_dir: Path, name: str, home: str) -> None:
    (sources_dir / f"{name}.yaml").write_text(f"name: {name}\nhome: {home}\n")


def recorded_runs(database_url: str, name: str) -> list[CrawlRun]:
    repo = Repository.from_url(database_url)
    try:
        return repo.recent_runs(name)
    finally:
        repo.dispose()


def status_row(newsmon: Invoke, name: str) -> dict:
    result = newsmon("status", "--json")
    assert result.exit_code == 0, result.output
    return next(row for row in json.loads(result.stdout) if row["source"] == name)


def test_a_portal_where_nothing_listens_is_a_failed_crawl_with_its_reason(
    newsmon: Invoke, sources_dir: Path, refused_home: str, database_url: str
) -> None:
    define(sources_dir, "gone", refused_home)

    result = newsmon("crawl", "gone")

    assert result.exit_code == 1, result.output
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("gone: ")]
    assert line.startswith("gone: failed (portal unreachable: ") and ", 0 pages" in line
    assert UNREACHABLE.search(line), line
    (log_line,) = [line for line in result.stdout.splitlines() if line.startswith("  log: ")]
    assert Path(log_line.removeprefix("  log: ")).is_file()
    assert "1 of 1 crawls did not end ok: gone" in result.stderr
    (run,) = recorded_runs(database_url, "gone")
    assert run.status == "failed" and UNREACHABLE.fullmatch(run.finish_reason or ""), run

    row = status_row(newsmon, "gone")
    assert row["verdict"] == "last run failed" and row["last_success"] is None
    assert row["last_failure"] == run.finish_reason and row["bad_run_share"] == 1.0
    table = newsmon("status")
    (gone,) = [line for line in table.stdout.splitlines() if " gone " in line]
    assert f"last run failed: {run.finish_reason}" in gone and "never" in gone


def test_a_portal_that_answers_with_nothing_new_is_an_ok_crawl(
    newsmon: Invoke, sources_dir: Path, quiet_portal: str
) -> None:
    define(sources_dir, "quiet", quiet_portal)

    result = newsmon("crawl", "quiet")

    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("quiet: ")]
    assert line.startswith("quiet: ok (finished), ") and ", 0 new" in line
    assert "log:" not in result.stdout and result.stderr.count("did not end ok") == 0
    row = status_row(newsmon, "quiet")
    assert row["verdict"] == "ok" and row["last_success"] is not None and row["last_failure"] is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--since", "yesterday", "'yesterday'"),
        ("--since", "12 days", "'12 days'"),
        ("--since", "9999y", "reaches back before the year 1"),
        ("--limit", "0", "0 is not in the range"),
    ],
)
def test_a_bad_option_is_refused_before_any_crawl_starts(
    newsmon: Invoke,
    sources_dir: Path,
    refused_home: str,
    database_url: str,
    option: str,
    value: str,
    says: str,
) -> None:
    define(sources_dir, "gone", refused_home)

    for queue in ((), ("--queue",)):
        result = newsmon("crawl", "gone", option, value, *queue)

        assert result.exit_code == 2, result.output
        (error,) = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert f"Invalid value for '{option}'" in error and says in error
        assert "Traceback" not in result.output and "enqueued" not in result.stdout
    assert newsmon("sources", "list").exit_code == 0  # syncs the definition into the database
    assert status_row(newsmon, "gone")["verdict"] == "never crawled"
    assert recorded_runs(database_url, "gone") == []  # no run recorded, so none counts as a bad one


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_crawl_that_fails_prints_its_last_error_and_its_log(
    newsmon: Invoke, sources_dir: Path, refused_home: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    define(sources_dir, "gone", refused_home)
    monkeypatch.setenv("NEWSMON_CRAWL_MEMORY_MB", "64")  # a crawl process needs more: stopped at its cap
    get_settings.cache_clear()

    result = newsmon("crawl", "gone", "--since", "2d", "--limit", "5")

    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    (line,) = [line for line in lines if line.startswith("gone: ")]
    assert line.startswith("gone: failed (memory cap of 64 MiB exceeded)")
    (error,) = [line for line in lines if line.startswith("  error: ")]
    assert "memory" in error.lower()  # the memory-usage extension's record, or a MemoryError
    (log_line,) = [line for line in lines if line.startswith("  log: ")]
    log = Path(log_line.removeprefix("  log: "))
    assert log.name.startswith("crawl-gone-") and error.removeprefix("  error: ") in log.read_text()


def test_crawl_and_status_say_why_pages_gave_no_new_article(
    newsmon: Invoke, sources_dir: Path, reissued_portal: PortalServer
) -> None:
    # given a portal whose articles are all older than the since-window, with an HTML "feed" and a cut sitemap
    define(sources_dir, "reissued", reissued_portal.url + "/")

    # when it is crawled
    result = newsmon("crawl", "reissued")

    # then the crawl's line says why nothing was stored, on that one line
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("reissued: ")]
    assert line.startswith("reissued: ok (finished), ")
    assert line.endswith(
        ", 0 new, 0 copies of known stories, 2 older than the window, 2 feeds/sitemaps unreadable"
    )
    # and status shows the unreadable feed and sitemap as a problem, after an `ok` verdict
    row = status_row(newsmon, "reissued")
    assert row["verdict"] == "ok"
    assert row["problems"] == [{"kind": "unreadable", "detail": "2 feeds/sitemaps unreadable"}]
    (shown,) = [line for line in newsmon("status").stdout.splitlines() if " reissued " in line]
    assert "ok, 2 feeds/sitemaps unreadable" in shown


def test_a_home_page_that_answers_404_is_flagged(
    newsmon: Invoke, sources_dir: Path, homeless_portal: PortalServer
) -> None:
    # given a portal whose home page is gone, and no robots.txt, but a sitemap at /sitemap.xml
    define(sources_dir, "homeless", homeless_portal.url + "/")

    # when it is crawled
    result = newsmon("crawl", "homeless")

    # then its article is found through /sitemap.xml, and the line and status name the home page
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("homeless: ")]
    assert ", 1 new, " in line and line.endswith(", home page: HTTP 404")
    row = status_row(newsmon, "homeless")
    assert row["verdict"] == "ok"
    assert row["problems"] == [{"kind": "home page error", "detail": "home page: HTTP 404"}]
    (shown,) = [line for line in newsmon("status").stdout.splitlines() if " homeless " in line]
    assert "ok, home page: HTTP 404" in shown
