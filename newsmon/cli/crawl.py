"""`newsmon crawl`: crawl sources now in the foreground, or enqueue the crawls for the workers."""

from __future__ import annotations

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError


def register(cli: click.Group) -> None:
    cli.add_command(crawl)


@click.command()
@click.argument("names", nargs=-1)
@click.option("--all", "all_sources", is_flag=True, help="Every enabled source.")
@click.option("--since", help="How far back, e.g. 2d or 12h (default: NEWSMON_SINCE_DAYS).")
@click.option("--limit", type=click.IntRange(1), help="At most this many articles per source.")
@click.option("--queue", "to_queue", is_flag=True, help="Enqueue on the crawl queue instead of running here.")
def crawl(
    names: tuple[str, ...], all_sources: bool, since: str | None, limit: int | None, to_queue: bool
) -> None:
    """Crawl NAMES (or --all) now."""
    from newsmon.cli.sources import sync_registry

    repo = context.repository(migrate=True)
    sync_registry(repo)
    known = {s.name: s for s in repo.list_sources()}
    if all_sources:
        names = tuple(n for n, s in known.items() if s.enabled)
    if not names:
        raise UserError("name at least one source, or --all (see `newsmon sources list`)")
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UserError(f"unknown source(s): {', '.join(unknown)} (see `newsmon sources list`)")
    if to_queue:
        from tasks.crawl import crawl_source_task

        for name in names:
            crawl_source_task.apply_async((name, since, limit, True), queue="crawl")
            click.echo(f"enqueued {name}")
        return
    _crawl_here(names, since, limit)


def _crawl_here(names: tuple[str, ...], since: str | None, limit: int | None) -> None:
    from rich.progress import Progress

    from tasks.crawl import CrawlOptions, crawl_source

    with Progress() as progress:
        bar = progress.add_task("crawling", total=len(names))
        for name in names:
            progress.update(bar, description=f"crawling {name}")
            result = crawl_source(name, CrawlOptions(since=since, limit=limit))
            stats = result.get("stats", {})
            progress.console.print(
                f"{name}: {result['status']} ({result.get('reason', '')}), "
                f"{stats.get('downloader/response_count', 0)} pages, {stats.get('newsmon/store/new', 0)} new, "
                f"{stats.get('newsmon/store/copy', 0)} copies of known stories"
            )
            progress.advance(bar)
