"""`newsmon db`: schema migrations."""

from __future__ import annotations

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
