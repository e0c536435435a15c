"""`newsmon search`: the archive searched with the watches' query language, from the shell."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError

if TYPE_CHECKING:
    from newsmon.search import Result

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
    if output == "table":
        _print_table(results, next_cursor)
        return
    rows = [_row(result) for result in results]
    if output == "json":
        click.echo(json.dumps({"results": rows, "next_cursor": next_cursor}, ensure_ascii=False, indent=2))
    elif output == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    elif output == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=RESULT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _row(result: Result) -> dict[str, Any]:
    """A result as JSON and CSV give it: the snippet's matched words between [[ and ]]."""
    from newsmon.cli.snippets import marked

    return {**result.to_dict(), "snippet": marked(*_snippet(result))}


def _snippet(result: Result) -> tuple[str, list[tuple[int, int]]]:
    """A result's snippet unmarked and the spans of its matched words.

    The service marks them «[[…]]», which around words the article quoted doubles its guillemets
    (««[[…]]»»); the command marks them itself, in colour or with [[ ]]."""
    from newsmon.query import split_marked

    return split_marked(result.snippet)


def _print_table(results: list[Result], next_cursor: str | None) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from newsmon.cli.snippets import rich_markup

    console = Console(soft_wrap=False)
    if not results:
        console.print("no matching articles")
        return
    terminal = console.is_terminal and console.color_system is not None
    table = Table(show_lines=True)
    for name in ("date (UTC)", "source", "story", "copies", "article"):
        table.add_column(name, no_wrap=name != "article")
    for result in results:
        snippet = rich_markup(*_snippet(result), terminal=terminal)
        table.add_row(
            result.published.date().isoformat() if result.published else "",
            f"{result.source or ''} ({result.language or '?'})",
            str(result.story_id),
            str(result.copies),
            f"[bold]{escape(result.title or '')}[/bold]\n{snippet}\n{escape(result.url)}",
        )
    console.print(table)
    if next_cursor:
        console.print(f"more: --cursor {next_cursor}", markup=False, highlight=False)
