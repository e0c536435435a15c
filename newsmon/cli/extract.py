"""`newsmon extract`: one page to one Article as JSON, for debugging a source and for evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import click

from newsmon.cli.errors import UserError, unknown_sources
from newsmon.models import Source

KEYS = (
    "url",
    "canonical_url",
    "title",
    "text",
    "description",
    "authors",
    "published",
    "updated",
    "language",
    "image",
    "tags",
)


def register(cli: click.Group) -> None:
    cli.add_command(extract)


@click.command()
@click.argument("file_or_url")
@click.option(
    "--url", "page_url", help="The page's URL when reading a file (for relative links and the site)."
)
@click.option("--source", "source_name", help="Use this source's selectors and time zone.")
@click.option("--all-fields", is_flag=True, help="Also print warnings, section, alternates and date source.")
def extract(file_or_url: str, page_url: str | None, source_name: str | None, all_fields: bool) -> None:
    """Print the article extracted from FILE_OR_URL as one JSON object.

    Keys: url, canonical_url, title, text, description, authors, published, updated (ISO 8601 in UTC, or
    null), language, image, tags; --all-fields adds warnings, section, alternates, date_source and the
    rest of the article.
    """
    from crawlers.pages import extract_article, page_kind

    html, url, charset = _read(file_or_url, page_url)
    source = _source(source_name) if source_name else None
    article = extract_article(html, url, source=source, headers_charset=charset)
    data = article.to_dict()
    if not all_fields:
        data = {key: data[key] for key in KEYS}
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    if article.warnings and not all_fields:  # the JSON stays as documented; what went wrong goes to stderr
        kind = page_kind(html, url) if "not_article" in article.warnings else None
        named = [f"not_article ({kind})" if w == "not_article" and kind else w for w in article.warnings]
        click.echo(f"newsmon: warnings for {url}: {', '.join(named)}", err=True)


def _source(name: str) -> Source:
    """A source by name: the definition files first (no database needed), then the database."""
    from crawlers.sources import load_sources
    from newsmon.cli import context

    registry = load_sources(context.settings().sources_dir)
    if name in registry:
        return registry[name]
    repo = context.repository(migrate=True)
    source = repo.get_source(name)
    if source is None:
        raise unknown_sources(
            [name], [*registry.sources, *(s.name for s in repo.list_sources())], "newsmon sources list"
        )
    return source


def _read(file_or_url: str, page_url: str | None) -> tuple[bytes, str, str | None]:
    if file_or_url.startswith(("http://", "https://")):
        import httpx

        from newsmon.config import get_settings

        headers = {"User-Agent": get_settings().effective_user_agent}
        try:
            response = httpx.get(file_or_url, headers=headers, follow_redirects=True, timeout=30)
        except httpx.HTTPError as exc:
            raise UserError(f"cannot fetch {file_or_url}: {exc}") from None
        if response.status_code >= 400:
            raise UserError(f"{file_or_url} answered HTTP {response.status_code}")
        return response.content, page_url or str(response.url), response.charset_encoding
    path = Path(file_or_url)
    if not path.is_file():
        raise UserError(f"{file_or_url} is neither a file nor an http(s) URL")
    return path.read_bytes(), page_url or path.resolve().as_uri(), None
