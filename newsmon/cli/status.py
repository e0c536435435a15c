"""`newsmon status`: one line per source: last success, recent articles, errors, a verdict."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from newsmon.cli import context
from newsmon.models import CrawlRun


def register(cli: click.Group) -> None:
    cli.add_command(status)


def verdict(runs: list[CrawlRun], recent_articles: int) -> str:
    """ok, failing (the last runs all failed), never crawled, or idle (crawled, nothing stored lately)."""
    if not runs:
        return "never crawled"
    last = runs[:3]
    if all(r.status in {"failed", "timeout"} for r in last):
        return "failing"
    if recent_articles == 0 and all(r.stats.get("newsmon/store/new", 0) == 0 for r in last):
        return "idle"
    return "ok"


def source_rows(now: datetime) -> list[dict[str, Any]]:
    repo = context.repository(migrate=True)
    activity = repo.source_activity(now - timedelta(hours=24))
    rows = []
    for source in repo.list_sources():
        runs = repo.recent_runs(source.name, limit=10)
        ok_runs = [r for r in runs if r.status == "ok"]
        errors = sum(1 for r in runs if r.status != "ok")
        seen = activity.get(source.name, {})
        rows.append(
            {
                "source": source.name,
                "last_success": ok_runs[0].finished_at.isoformat()
                if ok_runs and ok_runs[0].finished_at
                else None,
                "last_status": runs[0].status if runs else None,
                "last_reason": runs[0].finish_reason if runs else None,
                "articles_24h": seen.get("recent", 0),
                "articles_total": seen.get("total", 0),
                "error_rate": round(errors / len(runs), 2) if runs else None,
                "verdict": verdict(runs, seen.get("recent", 0)),
            }
        )
    return rows


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON array, for machines.")
def status(as_json: bool) -> None:
    """Health of every source from its recorded crawl runs."""
    rows = source_rows(datetime.now(UTC))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="sources")
    columns = (
        "source",
        "verdict",
        "last_status",
        "last_success",
        "articles_24h",
        "articles_total",
        "error_rate",
    )
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("-" if row[c] is None else str(row[c]) for c in columns))
    Console().print(table)
