"""`newsmon crawl`: crawl sources now in the foreground, or enqueue the crawls for the workers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError

# A source being crawled elsewhere is skipped, which is no failure of this command.
NOT_FAILED = {"ok", "locked"}


def register(cli: click.Group) -> None:
    cli.add_command(crawl)


def check_since(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse a --since the crawl would refuse, before a run is recorded and a crawl process started for
    nothing (the spider's own parser decides, so both accept the same forms)."""
    if value is None:
        return None
    from crawlers.spiders.base import parse_since

    try:
        window = parse_since(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if window and window >= datetime.now(UTC) - datetime.min.replace(tzinfo=UTC):
        raise click.BadParameter(f"{value!r} reaches back before the year 1")
    return value


@click.command()
@click.argument("names", nargs=-1)
@click.option("--all", "all_sources", is_flag=True, help="Every enabled source.")
@click.option(
    "--since",
    callback=check_since,
    help="How far back: 2d, 12h, 90m, 1w, 1y or a number of days; 0: no bound (default: NEWSMON_SINCE_DAYS).",
)
@click.option("--limit", type=click.IntRange(1), help="At most this many articles per source.")
@click.option("--queue", "to_queue", is_flag=True, help="Enqueue on the crawl queue instead of running here.")
def crawl(
    names: tuple[str, ...], all_sources: bool, since: str | None, limit: int | None, to_queue: bool
) -> None:
    """Crawl NAMES (or --all) now; exits 1 when a crawl here does not end ok."""
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
    failed = _crawl_here(names, since, limit)
    if failed:
        raise UserError(f"{len(failed)} of {len(names)} crawls did not end ok: {', '.join(failed)}")


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def shortfall(summary: dict[str, Any]) -> list[str]:
    """What kept pages from becoming new articles, each only when it happened: articles dropped as older
    than the since-window, feeds and sitemaps that could not be read (or only in part), pages that are no
    articles, and a home page that failed while the portal answered."""
    from tasks.run_summary import failure_text

    parts = []
    if summary["too_old"]:
        parts.append(f"{summary['too_old']} older than the window")
    if unreadable := summary["errors"].get("parse", 0):
        parts.append(_plural(unreadable, "feed/sitemap unreadable", "feeds/sitemaps unreadable"))
    if summary["not_articles"]:
        parts.append(_plural(summary["not_articles"], "not an article", "not articles"))
    if summary["home_error"] and summary["pages"]:  # an unreachable portal's reason says it all
        parts.append(f"home page: {failure_text(summary['home_error'])}")
    return parts


def result_lines(result: dict[str, Any]) -> list[str]:
    """What one crawl did, and for one that did not end ok, why and where its log is."""
    from tasks.run_summary import summarise

    name, status = result["source"], result["status"]
    if status == "locked":
        return [f"{name}: skipped, another process is crawling it"]
    summary = summarise(result.get("stats", {}))
    figures = [
        f"{summary['pages']} pages",
        f"{summary['new']} new",
        f"{summary['copies']} copies of known stories",
        *shortfall(summary),
    ]
    lines = [f"{name}: {status} ({result.get('reason', '')}), " + ", ".join(figures)]
    if status not in NOT_FAILED:
        if result.get("error"):
            lines.append(f"  error: {result['error']}")
        if result.get("log"):
            lines.append(f"  log: {result['log']}")
    return lines


def _crawl_here(names: tuple[str, ...], since: str | None, limit: int | None) -> list[str]:
    """Crawl each source in turn with a progress bar; the names of those that did not end ok."""
    from rich.markup import escape
    from rich.progress import Progress

    from tasks.crawl import CrawlOptions, crawl_source

    failed = []
    with Progress() as progress:
        bar = progress.add_task("crawling", total=len(names))
        for name in names:
            progress.update(bar, description=f"crawling {name}")
            result = crawl_source(name, CrawlOptions(since=since, limit=limit))
            for line in result_lines(result):
                progress.console.print(escape(line), highlight=False, soft_wrap=True)
            if result["status"] not in NOT_FAILED:
                failed.append(name)
            progress.advance(bar)
    return failed
