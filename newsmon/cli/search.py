"""`newsmon search`: the archive searched with the watches' query language, from the shell."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError

FORMATS = ("table", "json", "jsonl", "csv")
RESULT_COLUMNS = (
    "article_id",
    "story_id",
    "copies",
    "published",
    "source",
    "language",
    "score",
    "title",
    "url",
    "snippet",
)


def register(cli: click.Group) -> None:
    cli.add_command(search_command)


def filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--since, --until, --source, --lang: the same filters on search, trends and export."""
    options = (
        click.option("--since", help="Only articles dated since: 7d, 12h, 2w, 1y or a date (2025-03-01)."),
        click.option("--until", help="Only articles dated before the end of this date (or before a time)."),
        click.option("--source", "sources", multiple=True, help="Only this source name (repeatable)."),
        click.option(
            "--lang",
            metavar="ru|kk|en|...",
            help="Only articles in this language (a language code; kz is kk).",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


def filters_from(since: str | None, until: str | None, sources: tuple[str, ...], lang: str | None) -> Any:
    from newsmon.search import SearchError, build_filters

    try:
        return build_filters(since, until, list(sources), lang)
    except SearchError as exc:
        raise UserError(f"--{exc.field}: {exc.message.removeprefix(exc.field + ': ')}") from None


def query_error(exc: Exception) -> UserError:
    """A SearchError as one line (a query error keeps its caret line under the query)."""
    return UserError(str(exc))


@click.command("search")
@click.argument("query")
@filter_options
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--limit", type=int, default=20, show_default=True, help="Results per page (1 to 1000).")
@click.option("--cursor", help="Continue after the page that printed this cursor.")
@click.option("--format", "output", type=click.Choice(FORMATS), default="table", show_default=True)
def search_command(
    query: str,
    since: str | None,
    until: str | None,
    sources: tuple[str, ...],
    lang: str | None,
    sort: str,
    limit: int,
    cursor: str | None,
    output: str,
) -> None:
    """Search stored articles; copies of one story are shown once, with how many copies matched."""
    from newsmon.search import SearchError, SearchRequest, search

    filters = filters_from(since, until, sources, lang)
    try:
        request = SearchRequest(query, filters, sort=sort, limit=limit, cursor=cursor)
        results, next_cursor = search(context.repository(), request)
    except SearchError as exc:
        raise query_error(exc) from None
    rows = [result.to_dict() for result in results]
    if output == "json":
        click.echo(json.dumps({"results": rows, "next_cursor": next_cursor}, ensure_ascii=False, indent=2))
    elif output == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    elif output == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=RESULT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    else:
        _print_table(rows, next_cursor)


def _print_table(rows: list[dict[str, Any]], next_cursor: str | None) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(soft_wrap=False)
    if not rows:
        console.print("no matching articles")
        return
    table = Table(show_lines=True)
    for name in ("date (UTC)", "source", "story", "copies", "article"):
        table.add_column(name, no_wrap=name != "article")
    for row in rows:
        table.add_row(
            (row["published"] or "")[:10],
            f"{row['source'] or ''} ({row['language'] or '?'})",
            str(row["story_id"]),
            str(row["copies"]),
            f"[bold]{escape(row['title'] or '')}[/bold]\n{_highlighted(row['snippet'])}\n{escape(row['url'])}",
        )
    console.print(table)
    if next_cursor:
        console.print(f"more: --cursor {next_cursor}", markup=False, highlight=False)


def _highlighted(snippet: str) -> str:
    """Rich markup for a snippet: article text escaped, matched words («[[…]]») in bold yellow."""
    from rich.markup import escape

    out, rest = [], snippet
    while "«[[" in rest:
        before, _, tail = rest.partition("«[[")
        inside, _, rest = tail.partition("]]»")
        out += [escape(before), f"[bold yellow]{escape(inside)}[/bold yellow]"]
    out.append(escape(rest))
    return "".join(out)
