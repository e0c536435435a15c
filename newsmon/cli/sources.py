"""`newsmon sources`: the registry of portals (shipped files plus NEWSMON_SOURCES_DIR), and onboarding."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError
from newsmon.storage import Repository

log = logging.getLogger(__name__)


def register(cli: click.Group) -> None:
    cli.add_command(sources)


def sync_registry(repo: Repository) -> int:
    """Load every definition file and register the sources in the database; bad entries are reported
    on stderr (file, source, field, what is wrong) and skipped, the others load."""
    from crawlers.sources import load_sources

    loaded = load_sources(context.settings().sources_dir)
    for error in loaded.errors:
        click.echo(f"newsmon: source definition skipped: {error}", err=True)
    for source in loaded:
        repo.upsert_source(source)
    return len(loaded)


@click.group()
def sources() -> None:
    """Portals to crawl."""


@sources.command("list")
def list_sources() -> None:
    """Every source, with its languages, region and discovery paths."""
    repo = context.repository(migrate=True)
    sync_registry(repo)
    for source in repo.list_sources():
        paths = [
            p
            for p, items in (
                ("feed", source.feeds),
                ("sitemap", source.sitemaps),
                ("listing", source.listings),
            )
            if items
        ]
        flags = " render" if source.render else ""
        state = "" if source.enabled else " (disabled)"
        click.echo(
            f"{source.name:<22} {','.join(source.languages) or '-':<6} {source.region or '-':<10} "
            f"{'+'.join(paths) or 'discover'}{flags}{state}  {source.home}"
        )


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
@click.option("--name", help="Name for the source (default: the host).")
def add(url: str, name: str | None) -> None:
    """Add a portal by its home URL: writes a definition file into NEWSMON_SOURCES_DIR."""
    from crawlers.sources import source_from_url, source_to_yaml

    directory = context.settings().sources_dir
    if directory is None:
        directory = context.settings().data_dir / "sources"
    try:
        source = source_from_url(url)
        if name:
            source = replace(source, name=source_name(name))
    except ValueError as exc:
        raise UserError(f"cannot add {url!r}: {_first_line(exc)}") from None
    directory.mkdir(parents=True, exist_ok=True)
    path = Path(directory) / f"{source.name}.yaml"
    if path.exists():
        raise UserError(f"{path} exists already; edit it instead")
    path.write_text(source_to_yaml(source), encoding="utf-8")
    repo = context.repository(migrate=True)
    repo.upsert_source(source)
    click.echo(f"added {source.name} in {path}; try it with `newsmon sources test {source.name}`")


def source_name(name: str) -> str:
    """A name as definitions require it (checked by the same schema as the files)."""
    from crawlers.sources import SourceDefinition

    SourceDefinition(name=name, home="https://example.org/")
    return name


def _first_line(exc: Exception) -> str:
    """pydantic's message without its documentation links: the field and what is wrong."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip() and "errors.pydantic" not in line]
    return "; ".join(lines[1:3]) if len(lines) > 1 else (lines[0] if lines else type(exc).__name__)


@sources.command()
@click.argument("url_or_name")
@click.option("-n", "--samples", type=click.IntRange(1, 20), default=5, show_default=True)
def test(url_or_name: str, samples: int) -> None:
    """Show what a portal offers, extract sample articles with warnings, and suggest a definition."""
    from crawlers.discovery import discover, sample_articles, suggest_definition
    from crawlers.sources import source_from_url, source_to_yaml

    repo = context.repository(migrate=True)
    sync_registry(repo)
    source = repo.get_source(url_or_name)
    if source is None:
        if "://" not in url_or_name:
            raise UserError(f"{url_or_name!r} is neither a known source nor a URL")
        source = source_from_url(url_or_name)
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
