"""`newsmon sources`: the registry of portals (shipped files plus the user's directory), and onboarding."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError, unknown_sources
from newsmon.models import Source
from newsmon.storage import Repository

if TYPE_CHECKING:
    from crawlers.readings import Offer, Reading
    from crawlers.sources import DefinitionError

log = logging.getLogger(__name__)


def register(cli: click.Group) -> None:
    cli.add_command(sources)


def sync_registry(repo: Repository, report: Callable[[str], object] | None = None) -> int:
    """Load every definition file and register the sources in the database; bad entries are reported
    (file, source, field, what is wrong; on stderr unless `report` says where), once each, and skipped; the
    others load."""
    from crawlers.sources import load_sources

    loaded = load_sources(log_errors=False)
    for error in loaded.errors:
        (report or _to_stderr)(f"source definition skipped: {error}")
    # Sources whose definition is gone from the directories read here are marked removed; those of a file
    # that could not be read keep their last good definition until it reads again (storage.ops.sync_sources).
    repo.sync_sources(loaded, unread={error.file for error in loaded.errors}, read=loaded.directories)
    return len(loaded)


def _neither_source_nor_url(text: str, known: Iterable[str]) -> UserError:
    """`sources test` of something that is not a defined source and has no scheme: a host typed without
    http:// gets the URL to type, a near name the names it may mean."""
    if "." in text or ":" in text:
        return UserError(f"{text!r} is neither a known source nor a URL; did you mean http://{text}?")
    error = unknown_sources([text], known, "newsmon sources list")
    return UserError(f"{text!r} is neither a known source nor a URL{error.message.partition(repr(text))[2]}")


def _to_stderr(line: str) -> None:
    click.echo(f"newsmon: {line}", err=True)


class DefinitionWatcher:
    """Syncs the definition files into the database whenever one was added, changed or removed since the
    last look. The scheduler's tick calls it (`tasks.scheduling.before_each_tick`), so a file dropped into
    the sources directory is crawled within a tick, with no command to run and no restart. A look is a
    directory listing; the files are parsed only when it differs."""

    def __init__(self) -> None:
        self._seen: tuple[tuple[str, int, int], ...] | None = None

    def __call__(self, repo: Repository) -> bool:
        from crawlers.sources import definitions_signature

        seen = definitions_signature()
        if seen == self._seen:
            return False
        count = sync_registry(repo, report=log.warning)
        log.info("source definitions changed: %d sources synced", count)
        self._seen = seen
        return True


@click.group()
def sources() -> None:
    """Portals to crawl."""


LIST_COLUMNS = ("name", "languages", "region", "discovery", "home")


def _list_row(source: Source) -> tuple[str, ...]:
    paths = [
        p
        for p, items in (("feed", source.feeds), ("sitemap", source.sitemaps), ("listing", source.listings))
        if items
    ]
    discovery = "+".join(paths) or "discover"
    if source.render:
        discovery += " render"
    home = source.home if source.enabled else f"{source.home} (disabled)"
    return (source.name, ",".join(source.languages) or "-", source.region or "-", discovery, home)


@sources.command("list")
def list_sources() -> None:
    """Every source, with its languages, region and discovery paths."""
    repo = context.repository(migrate=True)
    sync_registry(repo)
    rows = [LIST_COLUMNS, *(_list_row(source) for source in repo.list_sources())]
    widths = [max(len(row[column]) for row in rows) for column in range(len(LIST_COLUMNS) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        click.echo("  ".join([*cells, row[-1]]))


@sources.command()
@click.argument("name")
def show(name: str) -> None:
    """The full definition of one source, as YAML."""
    from crawlers.sources import source_to_yaml

    repo = context.repository(migrate=True)
    sync_registry(repo)
    source = repo.get_source(name)
    if source is None:
        raise unknown_sources([name], (s.name for s in repo.list_sources()), "newsmon sources list")
    click.echo(source_to_yaml(source))


@sources.command()
@click.argument("url")
@click.option("--name", help="Name for the source (default: the host without www.).")
@click.option(
    "--replace",
    "replace_shipped",
    is_flag=True,
    help="Replace the shipped definition of the same name (its languages, region and paths are not kept).",
)
def add(url: str, name: str | None, replace_shipped: bool) -> None:
    """Add a portal by its home URL: writes a definition file into NEWSMON_SOURCES_DIR (unset: the
    `sources` directory in NEWSMON_DATA_DIR), the directory every command reads."""
    from crawlers.sources import DefinitionError, load_sources, new_definition, user_sources_dir

    directory = user_sources_dir(context.settings())
    try:
        source, path, text = new_definition(url, name, directory)
    except DefinitionError as exc:
        raise UserError(_cannot_add(url, exc, named=bool(name))) from None
    if path.exists():
        raise UserError(f"{path} exists already; edit it instead, or choose another name with --name")
    existing = load_sources(log_errors=False).sources.get(source.name)
    replacing = _name_in_use(source.name, existing, replace_shipped)
    directory.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:
        out.write(text)
    context.repository(migrate=True).upsert_source(source)
    click.echo(f"wrote {path}: source {source.name}, home {source.home}{replacing}")
    click.echo(f"add languages, region and paths there; try it with `newsmon sources test {source.name}`")


def _name_in_use(name: str, existing: Source | None, replace_shipped: bool) -> str:
    """Refuse a name that is taken: a silent replacement would drop the existing definition's fields.

    Only a shipped definition may be replaced (with --replace); two files of the user's own with one name
    would be an error at every load. Returns what to add to the success message.
    """
    from crawlers.sources import is_shipped

    if existing is None:
        return ""
    if is_shipped(existing) and replace_shipped:
        return f" (replaces the shipped definition in {existing.origin})"
    what = "the shipped" if is_shipped(existing) else "your"
    hint = "--replace to replace it" if is_shipped(existing) else f"edit {existing.origin}"
    raise UserError(
        f"source {name} already exists ({what} definition in {existing.origin}, home {existing.home}); "
        f"choose another name with --name, or {hint}"
    )


def _cannot_add(url: str, exc: DefinitionError, *, named: bool) -> str:
    """Each wrong field in one line, with the way out when only the name taken from the host is wrong."""
    hint = " (choose one with --name)" if not named and any(e.field == "name" for e in exc.errors) else ""
    return f"cannot add {url!r}: {_problems(exc)}{hint}"


def _problems(exc: DefinitionError) -> str:
    """The wrong fields of a definition, in one line (the file is not written yet, so only the fields)."""
    return "; ".join(f"{error.field or 'definition'}: {error.message}" for error in exc.errors)


@sources.command()
@click.argument("url_or_name")
@click.option("-n", "--samples", type=click.IntRange(1, 20), default=5, show_default=True)
def test(url_or_name: str, samples: int) -> None:
    """Show what a portal offers and how a crawl reads each feed, sitemap and listing, extract sample
    articles with warnings, and suggest a definition."""
    from crawlers.discovery import definition_notes, discover, sample_articles, suggest_definition
    from crawlers.sources import DefinitionError, source_from_url, source_to_yaml

    repo = context.repository(migrate=True)
    sync_registry(repo)
    defined = repo.get_source(url_or_name)
    source = defined
    if source is None:
        if "://" not in url_or_name:
            raise _neither_source_nor_url(url_or_name, (s.name for s in repo.list_sources()))
        try:
            source = source_from_url(url_or_name)
        except DefinitionError as exc:
            raise UserError(f"cannot test {url_or_name!r}: {_problems(exc)}") from None
    offer = discover(source.home, source=source)
    if offer.unreachable:
        raise UserError(f"cannot reach {source.home}: {offer.unreachable}")
    origin = f" (source {defined.name}, defined in {defined.origin or 'the registry'})" if defined else ""
    click.echo(f"{source.home}{origin}")
    _echo_offer(offer, source, named=defined is not None)
    seen_languages = []
    for article, warnings in sample_articles(source, n=samples, offer=offer):
        if len(article.text) >= 400 and article.language:  # an article, not a stub or a file
            seen_languages.append(article.language)
        click.echo(f"\n  {article.url}")
        for key in ("title", "published", "language", "authors"):
            click.echo(f"    {key}: {getattr(article, key)}")
        click.echo(f"    text: {len(article.text)} characters: {article.text[:160]!r}")
        if warnings:
            click.echo(f"    warnings: {', '.join(warnings)}")
    notes = "".join(f"{line}\n" for line in definition_notes(offer))
    suggestion = suggest_definition(source.home, offer, defined, seen_languages)
    click.echo("\nsuggested definition:\n" + notes + source_to_yaml(suggestion))


def _reading_line(reading: Reading, *, named: bool) -> str:
    """One feed, sitemap or listing: what a crawl reads from it, or its problem."""
    from datetime import UTC

    from crawlers.readings import (
        DEFINITION,
        DISCOVERED,
        HOME_LISTING,
        NEWS_SITEMAP,
        NOT_CRAWLED,
        SITEMAP_INDEX,
    )

    origins = {
        DEFINITION: "from the definition",
        DISCOVERED: "discovered",
        NOT_CRAWLED: "discovered; a crawl of this definition does not read it",
    }
    if reading.problem:
        text = f"problem: {reading.problem}"
    else:
        parts = [reading.amount]
        if reading.kind in (NEWS_SITEMAP, SITEMAP_INDEX):
            parts.insert(0, reading.kind)
        if reading.newest is not None:
            parts.append(f"newest {reading.newest.astimezone(UTC):%Y-%m-%d %H:%M} UTC")
        if reading.too_old:
            parts.append(f"{reading.too_old} older than the since-window")
        text = ", ".join(parts)
    if reading.kind == HOME_LISTING:
        text = f"the home page, read as the listing: {text}"
    label = f" ({origins[reading.origin]})" if named and reading.kind != HOME_LISTING else ""
    return f"{reading.url}: {text}{label}"


def _echo_offer(offer: Offer, source: Source, *, named: bool) -> None:
    """Each feed, sitemap and listing page with how it reads, then what to look at."""
    from crawlers.readings import FEED, HOME_LISTING, LISTING, NOT_CRAWLED, SITEMAP_KINDS

    window = offer.window
    if window is not None:
        setting = "since_days" if source.since_days is not None else "NEWSMON_SINCE_DAYS"
        span = f"{window.days} days" if window.cutoff else "none"
        click.echo(f"  since-window: {span} ({setting})")
    for label, kinds in (
        ("feeds", (FEED,)),
        ("sitemaps", SITEMAP_KINDS),
        ("listings", (LISTING, HOME_LISTING)),
    ):
        readings = offer.of_kind(*kinds)
        click.echo(f"  {label}:" + ("" if readings else " none found"))
        for reading in readings:
            indent = "      " if reading.parent else "    "
            click.echo(indent + _reading_line(reading, named=named))
        if label == "sitemaps":
            click.echo(f"  news sitemaps: {', '.join(offer.news_sitemaps) or 'none found'}")
    if offer.listings:
        click.echo(f"    section pages (candidates for listings): {', '.join(offer.listings)}")
    for reading in offer.readings:
        if reading.all_too_old and reading.origin != NOT_CRAWLED and window is not None:
            click.echo(
                f"  warning: all {reading.amount} of {reading.url} are older than the "
                f"since-window ({window.days} days): a crawl stores nothing from it"
            )
    for problem in offer.problems:
        click.echo(f"  problem: {problem}")
