"""`newsmon trends`: how often a query's articles appeared per day or week, as a table and a sparkline."""

from __future__ import annotations

import json
from datetime import date

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError
from newsmon.cli.search import filter_options, filters_from

SOURCE_COLUMNS = 6  # sources shown as columns of their own with --per source; the rest are summed


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
            "verified": trend.verified,
            "total": trend.total(),
            "periods": [p.isoformat() for p in trend.periods],
            "series": {name or "all": counts for name, counts in series.items()},
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not trend.periods:
        click.echo("no matching articles")
        return
    series = series or {None: [0] * len(trend.periods)}  # a window in which nothing matched
    ranked = sorted(series.items(), key=lambda item: (-sum(item[1]), item[0] or ""))
    _print_periods(trend.periods, ranked, by)
    first, last = trend.periods[0].isoformat(), trend.periods[-1].isoformat()
    click.echo(f"{by} by {by}, {first} .. {last}")
    width = max(len(name or "all") for name in series)
    for name, counts in ranked:
        total = sum(counts)
        click.echo(
            f"{name or 'all':<{width}}  {sparkline(counts)}  {total} article{'' if total == 1 else 's'}"
        )


def _print_periods(periods: tuple[date, ...], ranked: list[tuple[str | None, list[int]]], by: str) -> None:
    """One row per period: the count, or per source a column for each of the commonest sources, the rest
    summed as "other" and the row's total (a table wider than a terminal is no use)."""
    from rich.console import Console
    from rich.table import Table

    shown, rest = ranked[:SOURCE_COLUMNS], ranked[SOURCE_COLUMNS:]
    columns = [(name or "articles", counts) for name, counts in shown]
    if rest:
        columns.append(("other", [sum(values) for values in zip(*(c for _, c in rest), strict=True)]))
    if len(ranked) > 1:
        columns.append(("total", [sum(values) for values in zip(*(c for _, c in ranked), strict=True)]))
    table = Table()
    table.add_column(by, no_wrap=True)
    for name, _ in columns:
        table.add_column(name, justify="right")
    for row, period in enumerate(periods):
        table.add_row(period.isoformat(), *(str(counts[row]) for _, counts in columns))
    Console(soft_wrap=False).print(table)
