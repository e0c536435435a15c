"""`newsmon trends`: how often a query's articles appeared per day or week, as a table and a sparkline."""

from __future__ import annotations

import json
from datetime import date

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError
from newsmon.cli.search import filter_options, filters_from


def register(cli: click.Group) -> None:
    cli.add_command(trends_command)


@click.command("trends")
@click.argument("query")
@click.option("--by", type=click.Choice(["day", "week"]), default="day", show_default=True)
@click.option("--per", type=click.Choice(["source"]), help="Split the counts per source.")
@filter_options
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
def trends_command(
    query: str,
    by: str,
    per: str | None,
    since: str | None,
    until: str | None,
    sources: tuple[str, ...],
    lang: str | None,
    output: str,
) -> None:
    """Count the articles matching QUERY per day or week (every copy counts)."""
    from newsmon.search import SearchError, sparkline, trends

    filters = filters_from(since, until, sources, lang)
    try:
        trend = trends(context.repository(), query, by=by, per_source=per == "source", filters=filters)
    except SearchError as exc:
        raise UserError(str(exc)) from None
    series = trend.series()
    if output == "json":
        payload = {
            "query": query,
            "by": by,
            "periods": [p.isoformat() for p in trend.periods],
            "series": {name or "all": counts for name, counts in series.items()},
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not trend.periods:
        click.echo("no matching articles")
        return
    if not trend.per_source:
        _print_periods(trend.periods, series.get(None, [0] * len(trend.periods)), by)
    first, last = trend.periods[0].isoformat(), trend.periods[-1].isoformat()
    click.echo(f"{by} by {by}, {first} .. {last}")
    width = max(len(name or "all") for name in series)
    for name, counts in sorted(series.items(), key=lambda item: -sum(item[1])):
        total = sum(counts)
        click.echo(
            f"{name or 'all':<{width}}  {sparkline(counts)}  {total} article{'' if total == 1 else 's'}"
        )


def _print_periods(periods: tuple[date, ...], counts: list[int], by: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table()
    table.add_column(by, no_wrap=True)
    table.add_column("articles", justify="right")
    for period, count in zip(periods, counts, strict=True):
        table.add_row(period.isoformat(), str(count))
    Console(soft_wrap=False).print(table)
