"""Source health from real crawl-run rows and stored articles, and ops alerts delivered once per episode."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsmon.models import Article, Channel, Source
from newsmon.storage import ArticleToStore, Repository
from newsmon.storage.migrate import upgrade
from tests.newsmon_env import newsmon_settings

HOME = "http://127.0.0.1:9/portal/"
FULL = {"newsmon/fill/items": 10, "newsmon/fill/title": 10, "newsmon/fill/text": 10, "newsmon/fill/date": 10}
NO_DATES = {**FULL, "newsmon/fill/date": 1}
# A crawl of a port where nothing listens: three requests, each refused three times.
REFUSED = {"downloader/exception_count": 9, "retry/count": 6, "newsmon/fetch/connection_refused": 2}


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.bodies: list[dict] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}/ops"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        self.server.bodies.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def repo(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repository]:
    from tasks import context

    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=database_url, ops_channels="ops"):
        repository = context.repository()
        upgrade(repository.engine)
        repository.upsert_source(Source(name="portal", home=HOME))
        yield repository


def add_run(repo: Repository, status: str, stats: dict | None = None, reason: str = "finished") -> None:
    run_id = repo.start_run("portal")
    repo.finish_run(run_id, status, reason, dict(stats or {}))


def store_articles(repo: Repository, count: int) -> None:
    for i in range(count):
        article = Article(
            url=f"{HOME}news/{i}", text=f"Новость номер {i}. " * 30, title=f"Новость {i}", source="portal"
        )
        repo.store_article(ArticleToStore(article, article.url, f"hash-{i}"))


def health_of(repo: Repository, now: datetime | None = None):  # type: ignore[no-untyped-def]
    from tasks.health import source_health

    return source_health(repo, now or datetime.now(UTC))[0]


def test_a_new_source_is_never_crawled_and_a_good_one_ok(repo: Repository) -> None:
    assert health_of(repo).verdict == "never crawled"
    store_articles(repo, 3)
    add_run(repo, "ok", {**FULL, "newsmon/store/new": 3, "downloader/response_count": 5})
    health = health_of(repo)
    assert (health.verdict, health.articles_24h, health.bad_run_share) == ("ok", 3, 0.0)
    assert health.fill == {"title": 1.0, "text": 1.0, "date": 1.0, "author": 0.0}
    assert health.coverage == {"unknown": 3}


def test_failing_after_three_bad_runs(repo: Repository) -> None:
    add_run(repo, "ok", FULL)
    add_run(repo, "failed", reason="exit code 1")
    add_run(repo, "timeout", reason="time limit of 900s reached")
    health = health_of(repo)
    assert (health.verdict, health.problems) == ("last run failed", ())  # not failing yet: no ops alert
    assert health.last_failure == "time limit of 900s reached"
    # A run that got mostly HTTP 500s is as bad as one that failed.
    add_run(repo, "ok", {"downloader/response_count": 10, "newsmon/fetch/http_500": 9})
    health = health_of(repo)
    assert health.verdict == "failing" and "last 3 runs failed" in health.problems[0].detail


def test_an_unreachable_portal_is_no_success(repo: Repository) -> None:
    add_run(repo, "ok", {**FULL, "downloader/response_count": 5})
    good = health_of(repo).last_success
    add_run(repo, "failed", REFUSED, reason="portal unreachable: 3 requests, all connection refused")
    health = health_of(repo)
    assert (health.verdict, health.last_success) == ("last run failed", good)
    assert health.last_failure == "portal unreachable: 3 requests, all connection refused"
    assert health.bad_run_share == 0.5  # one of two runs bad
    add_run(repo, "ok", {**FULL, "downloader/response_count": 5})
    health = health_of(repo)
    assert (health.verdict, health.last_failure) == ("ok", None) and health.last_success != good


def test_a_run_recorded_ok_that_reached_nothing_counts_as_failed(repo: Repository) -> None:
    add_run(repo, "ok", REFUSED)
    health = health_of(repo)
    assert (health.verdict, health.last_success, health.bad_run_share) == ("last run failed", None, 1.0)
    assert health.last_failure == "portal unreachable: 3 requests, all connection refused"
    add_run(repo, "ok", REFUSED)
    add_run(repo, "ok", REFUSED)
    health = health_of(repo)
    assert health.verdict == "failing"
    assert health.problems[0].detail.endswith(
        "latest: portal unreachable: 3 requests, all connection refused"
    )


def test_extraction_broken_names_the_field(repo: Repository) -> None:
    for _ in range(4):
        add_run(repo, "ok", FULL)
    for _ in range(3):
        add_run(repo, "ok", NO_DATES)
    health = health_of(repo)
    assert health.verdict == "extraction broken"
    assert "date filled in 10% of articles (usually 100%)" in health.problems[0].detail


def test_stale_when_quiet_longer_than_usual_gaps(repo: Repository) -> None:
    store_articles(repo, 20)
    add_run(repo, "ok", {**FULL, "newsmon/store/new": 20})
    assert health_of(repo).verdict == "ok"
    three_days_later = datetime.now(UTC) + timedelta(days=3)
    health = health_of(repo, three_days_later)
    assert health.verdict == "stale" and "nothing new for 72 h" in health.problems[0].detail


def test_ops_alert_once_when_a_problem_starts_and_once_when_it_clears(
    repo: Repository, receiver: Receiver
) -> None:
    from tasks.delivery import deliver_alert
    from tasks.health import check_health

    repo.upsert_channel(Channel(id=0, name="ops", kind="webhook", target=receiver.url))
    sent: list[int] = []
    for _ in range(3):
        add_run(repo, "failed", reason="exit code 1")
    assert check_health(enqueue=sent.append)["alerts"] == 1
    assert check_health(enqueue=sent.append)["alerts"] == 0  # still failing: no second alert
    add_run(repo, "ok", FULL)
    assert check_health(enqueue=sent.append)["alerts"] == 1  # cleared
    assert check_health(enqueue=sent.append)["alerts"] == 0
    for alert_id in sent:
        assert deliver_alert(alert_id) == "sent"
    titles = [body.get("title") for body in receiver.bodies]
    assert titles == ["portal: failing", "portal: failing (cleared)"]
    assert all(body["url"] == HOME for body in receiver.bodies)
    assert {a.kind for a in repo.list_alerts()} == {"ops"}
    # A second episode of the same problem alerts again.
    for _ in range(3):
        add_run(repo, "failed", reason="exit code 1")
    assert check_health(enqueue=sent.append)["alerts"] == 1


def test_status_command_shows_verdicts(repo: Repository) -> None:
    from click.testing import CliRunner

    from newsmon.cli.main import cli

    for _ in range(3):
        add_run(repo, "failed", reason="exit code 1")
    result = CliRunner().invoke(cli, ["status", "--json"])
    assert result.exit_code == 0, result.output
    row = next(r for r in json.loads(result.output) if r["source"] == "portal")
    assert row["verdict"] == "failing" and row["interval_seconds"] == 900 and row["bad_run_share"] == 1.0
    table = CliRunner().invoke(cli, ["status"])
    assert table.exit_code == 0 and "portal" in table.output and "failing" in table.output


def test_the_latest_crawls_unreadable_feeds_and_home_page_are_listed_without_ops_alerts(
    repo: Repository, receiver: Receiver
) -> None:
    from tasks.health import Problem, check_health

    repo.upsert_channel(Channel(id=0, name="ops", kind="webhook", target=receiver.url))
    # given a crawl that reached the portal but could not read a feed, a sitemap and the home page
    broken = {"newsmon/feed/invalid": 1, "newsmon/sitemap/truncated": 1, "newsmon/home/http_404": 1}
    add_run(repo, "ok", {**FULL, "downloader/response_count": 9, "newsmon/fetch/http_404": 1, **broken})
    listed = (
        Problem("unreadable", "2 feeds/sitemaps unreadable"),
        Problem("home page error", "home page: HTTP 404"),
    )

    # then they are the source's problems, its verdict stays ok, and no ops alert goes out for them
    health = health_of(repo)
    assert (health.verdict, health.problems) == ("ok", listed)
    assert check_health(enqueue=lambda alert_id: None)["alerts"] == 0
    # a cheap poll that found nothing changed does not hide them
    add_run(repo, "ok", {"newsmon/poll/not_modified": 2, "finish_reason": "not modified"}, "not modified")
    assert health_of(repo).problems == listed
    # a crawl that reads everything clears them
    add_run(repo, "ok", {**FULL, "downloader/response_count": 9})
    assert health_of(repo).problems == ()


def test_status_names_the_share_of_bad_runs_as_such(repo: Repository) -> None:
    from click.testing import CliRunner

    from newsmon.cli.main import cli

    # given one good run and one failed run
    add_run(repo, "ok", {**FULL, "downloader/response_count": 5})
    add_run(repo, "failed", reason="exit code 1")

    # when status is asked for
    rows = json.loads(CliRunner().invoke(cli, ["status", "--json"]).output)
    row = next(r for r in rows if r["source"] == "portal")
    table = CliRunner().invoke(cli, ["status"], env={"COLUMNS": "200"}).output

    # then the share of bad runs has its own name, not that of a crawl's failed requests / requests
    assert row["bad_run_share"] == 0.5 and "error_rate" not in row
    header = next(line for line in table.splitlines() if "verdict" in line)
    assert "bad runs" in header and "errors" not in header


def test_status_shows_what_a_discovery_path_missed_in_the_last_run(repo: Repository) -> None:
    from click.testing import CliRunner

    from newsmon.cli.main import cli

    missed = ["https://portal.kz/news/7"]
    coverage = {
        "feed": {"found": 9, "only": 0, "missed": 1, "missed_urls": missed},
        "listing": {"found": 10, "only": 1, "missed": 0, "missed_urls": []},
    }
    add_run(repo, "ok", stats={"newsmon/coverage": coverage, "downloader/response_count": 12})

    rows = json.loads(CliRunner().invoke(cli, ["status", "--json"]).output)
    row = next(r for r in rows if r["source"] == "portal")
    assert row["path_coverage"]["feed"]["missed_urls"] == missed
    assert "feed missed 1" in CliRunner().invoke(cli, ["status"], env={"COLUMNS": "200"}).output
