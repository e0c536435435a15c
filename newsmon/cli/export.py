"""`newsmon export`: every article matching a query to CSV, JSONL or Parquet, with a progress bar."""

from __future__ import annotations

from pathlib import Path

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError
from newsmon.cli.search import filter_options, filters_from


def register(cli: click.Group) -> None:
    cli.add_command(export_command)


@click.command("export")
@click.argument("query")
@click.option(
    "--format",
    "output",
    type=click.Choice(["csv", "jsonl", "parquet"]),
    help="Output format; by default taken from the file extension.",
)
@click.option(
    "-o",
    "--output-file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The file to write; - for standard output (then --format is needed).",
)
@filter_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def export_command(
    query: str,
    output: str | None,
    path: Path,
    since: str | None,
    until: str | None,
    sources: tuple[str, ...],
    lang: str | None,
    quiet: bool,
) -> None:
    """Write every article matching QUERY (each copy of a story is a row; see docs/search.md)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from newsmon.search import ExportRequest, SearchError, export, export_format
    from newsmon.search.export import STDOUT

    filters = filters_from(since, until, sources, lang)
    try:
        request = ExportRequest(query, path, export_format(path, output), filters)
        repo = context.repository()
        columns = (TextColumn("exporting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        progress = Progress(*columns, console=Console(stderr=True), disable=quiet)
        task = progress.add_task("export", total=None)

        def advance(rows: int) -> None:
            """Show the bar with the first rows written: a refused query prints its error alone."""
            if not progress.live.is_started:
                progress.start()
            progress.advance(task, rows)

        try:
            written = export(
                repo, request, advance, None if quiet else lambda total: progress.update(task, total=total)
            )
            progress.update(task, total=written, completed=written)  # the total may have been an estimate
        finally:
            if progress.live.is_started:
                progress.stop()
    except SearchError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
    where = "standard output" if path == STDOUT else path
    click.echo(f"{written} articles written to {where} ({request.format})", err=True)
