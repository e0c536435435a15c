"""`newsmon db`: schema migrations."""

from __future__ import annotations

import time

import click

from newsmon.cli import context
from newsmon.storage.migrate import current_revision


def register(cli: click.Group) -> None:
    cli.add_command(db)


@click.group()
def db() -> None:
    """Database schema."""


@db.command()
def upgrade() -> None:
    """Create or upgrade the schema to the latest revision (safe to repeat)."""
    repo = context.repository(migrate=True)
    click.echo(f"database at revision {current_revision(repo.engine)}: {repo.engine.url.render_as_string()}")


@db.command()
def current() -> None:
    """Print the schema revision of the configured database."""
    repo = context.repository()
    click.echo(current_revision(repo.engine) or "empty (run `newsmon db upgrade`)")


@db.command("keep-trends")
def keep_trends() -> None:
    """Keep per-day counts for the commonest words now, so their trends are fast from the first ask
    (beat does this daily; any common word asked for is kept from then on anyway). Words in at least
    NEWSMON_TRENDS_KEEP_MIN_ARTICLES articles are kept."""
    from newsmon.config import get_settings
    from newsmon.search.trends import keep_common_words

    started = time.monotonic()
    kept = keep_common_words(context.repository(migrate=True), get_settings().trends_keep_min_articles)
    took = time.monotonic() - started
    click.echo(
        f"kept trend counts for {len(kept)} more words in {took:.1f} s"
        + (f": {', '.join(kept)}" if kept else "")
    )
