"""`newsmon tokens`: API tokens for the HTTP API and the web pages (reader, editor, admin)."""

from __future__ import annotations

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError
from newsmon.storage.tokens import ROLES, TokenError


def register(cli: click.Group) -> None:
    cli.add_command(tokens)


@click.group()
def tokens() -> None:
    """Who may use the HTTP API: reader (search, read), editor (+ watches), admin (+ sources, alerts)."""


@tokens.command()
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="reader", show_default=True)
def create(name: str, role: str) -> None:
    """Make a token NAME; its secret is printed once and cannot be shown again.

    NAME has 1 to 64 letters, digits, '.', '_' or '-'; a revoked token's name may be used again.
    """
    repo = context.repository(migrate=True)
    try:
        token, secret = repo.create_token(name, role)
    except TokenError as exc:
        raise UserError(str(exc)) from None
    click.echo(secret)
    click.echo(
        f"token {token.name!r} ({token.role}) created; keep the secret above, it is not stored", err=True
    )


@tokens.command("list")
def list_tokens() -> None:
    """Every token with its role, when it was made and last used (never the secret)."""
    rows = context.repository(migrate=True).list_tokens()
    if not rows:
        click.echo("no tokens; make one with `newsmon tokens create NAME --role reader`")
    for token in rows:
        used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never"
        state = f"revoked {token.revoked_at.isoformat(timespec='seconds')}" if token.revoked_at else "active"
        created = token.created_at.isoformat(timespec="seconds")
        click.echo(f"{token.name:<24} {token.role:<7} {state:<34} created {created}  last used {used}")


@tokens.command()
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke the token NAME at once (the API stops taking it within a few seconds)."""
    if not context.repository(migrate=True).revoke_token(name):
        raise UserError(f"no active token named {name!r}; see `newsmon tokens list`")
    click.echo(f"token {name!r} revoked")
