"""`newsmon demo`: the whole flow offline, on three sample portals served on 127.0.0.1.

It crawls them with real `scrapy crawl` processes, stores and groups the articles, matches the sample
watchlist and delivers alerts to the console and a JSONL file. Data stays in the data directory, so the
other commands can explore it afterwards; a second run finds nothing new and sends nothing again.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click
import yaml

from newsmon.cli import context
from newsmon.models import Channel, Watch
from newsmon.storage import Repository

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
# The sample portals are local files: no need for the delays that keep real portals comfortable.
LOCAL_PORTAL_SETTINGS = (("DOWNLOAD_DELAY", "0"), ("AUTOTHROTTLE_ENABLED", "False"))


def register(cli: click.Group) -> None:
    cli.add_command(demo)


def install_watchlist(repo: Repository, alerts_file: Path) -> list[Watch]:
    """The sample channels (console, JSONL file) and watches, created once and kept on later runs."""
    repo.upsert_channel(Channel(id=0, name="console", kind="console", target="stdout"))
    repo.upsert_channel(Channel(id=0, name="jsonl", kind="jsonl", target=str(alerts_file)))
    data = yaml.safe_load((DEMO_DIR / "watchlist.yaml").read_text(encoding="utf-8"))
    watches = []
    for entry in data["watches"]:
        existing = repo.get_watch(entry["name"])
        if existing is None:
            existing = repo.add_watch(
                Watch(
                    id=0, name=entry["name"], query=entry["query"], channels=tuple(entry.get("channels", ()))
                )
            )
        watches.append(existing)
    return watches


def _summary_row(name: str, stats: dict[str, Any]) -> dict[str, Any]:
    duplicates = sum(
        stats.get(f"newsmon/dedupe/{k}", 0) for k in ("exact_copy", "near_duplicate", "translation")
    )
    return {
        "source": name,
        "pages": stats.get("downloader/response_count", 0),
        "new": stats.get("newsmon/store/new", 0),
        "copies": duplicates,
        "skipped": stats.get("newsmon/seen/skipped", 0) + stats.get("newsmon/dedupe/known_url", 0),
        "status": stats.get("finish_reason", "?"),
    }


@click.command()
@click.option("--keep-serving", is_flag=True, help="Leave the sample portals running until Ctrl-C.")
def demo(keep_serving: bool) -> None:
    """Crawl three sample portals offline, group stories, match the sample watchlist, print alerts."""
    from newsmon.demo.server import DemoPortals
    from tasks.crawl import CrawlOptions, crawl_source
    from tasks.delivery import deliver_alert
    from tasks.matching import match_articles

    started = time.monotonic()
    settings = context.settings()
    repo = context.repository(migrate=True)
    alerts_file = settings.data_dir / "demo-alerts.jsonl"
    install_watchlist(repo, alerts_file)
    rows, alerts_sent = [], 0
    ports_file = settings.data_dir / "demo-ports.json"
    preferred = json.loads(ports_file.read_text()) if ports_file.exists() else {}
    with DemoPortals(preferred_ports=preferred) as portals:
        ports_file.write_text(json.dumps(portals.ports))
        for source in portals.sources():
            repo.upsert_source(source)
            click.echo(f"crawling {source.name} at {source.home} ...")
            options = CrawlOptions(
                since="36500d", enqueue_matching=False, extra_settings=LOCAL_PORTAL_SETTINGS
            )
            result = crawl_source(source.name, options)
            rows.append(_summary_row(source.name, result.get("stats", {})))
        unmatched = repo.unmatched_article_ids(limit=100_000)
        created = match_articles(unmatched, enqueue=False)
        for alert_id in created + repo.due_alert_ids():
            if deliver_alert(alert_id) == "sent":
                alerts_sent += 1
        if keep_serving:
            click.echo(f"sample portals: {portals.urls}; Ctrl-C to stop")
            _wait_forever()
    _print_summary(rows, alerts_sent, repo, alerts_file, time.monotonic() - started)


def _wait_forever() -> None:
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


def _print_summary(
    rows: list[dict[str, Any]], alerts_sent: int, repo: Repository, alerts_file: Path, seconds: float
) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="newsmon demo: per source")
    for column in ("source", "pages", "new", "copies", "skipped", "status"):
        table.add_column(column, justify="left" if column in {"source", "status"} else "right")
    for row in rows:
        table.add_row(*(str(row[c]) for c in ("source", "pages", "new", "copies", "skipped", "status")))
    console = Console()
    console.print(table)
    console.print(
        f"{repo.count_articles()} articles in {repo.count_stories()} stories stored; "
        f"{alerts_sent} alerts sent this run ({repo.count_matches()} watch matches, each to the console and to "
        f"{alerts_file}; {repo.count_alerts('sent')} alerts in all). "
        f"Took {seconds:.1f}s."
    )
    console.print(
        "Explore what was collected: .venv/bin/newsmon stories, .venv/bin/newsmon alerts, "
        ".venv/bin/newsmon watch list, .venv/bin/newsmon status"
    )
