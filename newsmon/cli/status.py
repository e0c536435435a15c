"""`newsmon status`: one line per source: a verdict, last success, new articles against the usual rate, the
share of bad runs, fill rates and the current polling interval. The same assessment raises the ops alerts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from newsmon.cli import context

FILL_LABELS = {"title": "t", "text": "x", "date": "d", "author": "a"}
PIPE_MEASURE_WIDTH = 100_000  # room to measure the table's natural width in when output is not a terminal


def register(cli: click.Group) -> None:
    cli.add_command(status)
    cli.add_command(metrics)


def source_rows(now: datetime) -> list[dict[str, Any]]:
    """Every enabled source's health, after syncing the definition files as every command that reads
    sources does (a bad file is reported on stderr and keeps its sources as they were)."""
    from newsmon.cli.sources import sync_registry
    from tasks.health import source_health

    repo = context.repository(migrate=True)
    sync_registry(repo)
    schedules = {s.name: s for s in repo.source_schedules()}
    default_interval = context.settings().schedule_interval
    rows = []
    for health in source_health(repo, now):
        row = health.to_dict()
        del row["error_rate"]  # the API's name for bad_run_share; a crawl's error_rate is another thing
        schedule = schedules.get(health.source)
        row["interval_seconds"] = (schedule.interval_seconds if schedule else None) or default_interval
        row["next_run_at"] = schedule.next_run_at.isoformat() if schedule and schedule.next_run_at else None
        rows.append(row)
    return rows


def _fill_text(fill: dict[str, float]) -> str:
    if not fill:
        return "-"
    return " ".join(f"{FILL_LABELS.get(name, name)}{round(rate * 100)}" for name, rate in fill.items())


def verdict_text(row: dict[str, Any]) -> str:
    """The verdict with what explains it (`failing: last 3 runs failed; ...`, `last run failed: REASON`) and
    the latest crawl's own problems (`ok, 2 feeds/sitemaps unreadable`)."""
    from tasks.health import PROBLEMS

    verdict = row["verdict"]
    alerting = [p["detail"] for p in row["problems"] if p["kind"] in PROBLEMS]
    crawl = [p["detail"] for p in row["problems"] if p["kind"] not in PROBLEMS]
    if alerting:
        return f"{verdict}: " + "; ".join(alerting + crawl)
    if row.get("last_failure"):  # `last run failed`: say why, as a problem's detail would
        verdict += f": {row['last_failure']}"
    return ", ".join([verdict, *crawl])


def _table_row(row: dict[str, Any]) -> tuple[str, ...]:
    from newsmon.cli.schedule import human_seconds
    from tasks.health import coverage_summary

    return (
        row["source"],
        verdict_text(row),
        (row["last_success"] or "never")[:16].replace("T", " "),
        f"{row['articles_24h']} / {row['usual_24h']}",
        "-" if row["bad_run_share"] is None else f"{row['bad_run_share']:.0%}",
        _fill_text(row["fill"]),
        coverage_summary(row.get("path_coverage") or {}) or "-",
        human_seconds(row["interval_seconds"]),
    )


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON array, for machines.")
def status(as_json: bool) -> None:
    """Health of every source from its recorded crawl runs and stored articles."""
    rows = source_rows(datetime.now(UTC))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title="sources", caption="fill: t(itle) x (te)xt d(ate) a(uthor), % of articles in the last run"
    )
    for column in (
        "source",
        "verdict",
        "last success (UTC)",
        "new 24h / usual",
        "bad runs",
        "fill",
        "coverage",
        "interval",
    ):
        table.add_column(column)
    for row in rows:
        table.add_row(*_table_row(row))
    console = Console()
    if not console.is_terminal:
        # Piped or redirected: as wide as the table needs (COLUMNS or 80 would cut names short), so each
        # source stays one whole line for grep.
        console.width = PIPE_MEASURE_WIDTH
        console.width = console.measure(table).maximum
    console.print(table)


@click.command()
def metrics() -> None:
    """Print the Prometheus metrics (the same text the HTTP API serves at /metrics)."""
    from newsmon.metrics import render_metrics

    body, _ = render_metrics(context.repository(migrate=True))
    click.echo(body.decode("utf-8"), nl=False)
