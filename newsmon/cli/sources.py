"""`newsmon sources`: the registry of portals (shipped files plus the user's directory), and onboarding."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError
from newsmon.models import Source
from newsmon.storage import Repository

if TYPE_CHECKING:
    from crawlers.sources import DefinitionError

log = logging.getLogger(__name__)


def register(cli: click.Group) -> None:
    cli.add_command(sources)


def sync_registry(repo: Repository) -> int:
    """Load every definition file and register the sources in the database; bad entries are reported
    on stderr (file, source, field, what is wrong), once each, and skipped; the others load."""
    from crawlers.sources import load_sources

    loaded = load_sources(log_errors=False)
    for error in loaded.errors:
        click.echo(f"newsmon: source definition skipped: {error}", err=True)
    # Sources whose definition is gone are marked removed; those of a file that could not be read keep
    # their last good definition until it reads again (newsmon.storage.ops.sync_sources).
    repo.sync_sources(loaded, unread={error.file for error in loaded.errors})
    return len(loaded)


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
        raise UserError(f"no source named {name!r} (see `newsmon sources list`)")
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
    """Show what a portal offers, extract sample articles with warnings, and suggest a definition."""
    from crawlers.discovery import discover, sample_articles, suggest_definition
    from crawlers.sources import DefinitionError, source_from_url, source_to_yaml

    repo = context.repository(migrate=True)
    sync_registry(repo)
    source = repo.get_source(url_or_name)
    if source is None:
        if "://" not in url_or_name:
            raise UserError(f"{url_or_name!r} is neither a known source nor a URL")
        try:
            source = source_from_url(url_or_name)
        except DefinitionError as exc:
            raise UserError(f"cannot test {url_or_name!r}: {_problems(exc)}") from None
    offer = discover(source.home)
    click.echo(f"{source.home}")
    for label, items in (
        ("feeds", offer.feeds),
        ("sitemaps", offer.sitemaps),
        ("news sitemaps", offer.news_sitemaps),
        ("listings", offer.listings),
    ):
        click.echo(f"  {label}: {', '.join(items) if items else 'none found'}")
    for problem in offer.problems:
        click.echo(f"  problem: {problem}")
    for article, warnings in sample_articles(source, n=samples):
        click.echo(f"\n  {article.url}")
        for key in ("title", "published", "language", "authors"):
            click.echo(f"    {key}: {getattr(article, key)}")
        click.echo(f"    text: {len(article.text)} characters: {article.text[:160]!r}")
        if warnings:
            click.echo(f"    warnings: {', '.join(warnings)}")
    click.echo("\nsuggested definition:\n" + source_to_yaml(suggest_definition(source.home, offer)))
