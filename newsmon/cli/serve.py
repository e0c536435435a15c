"""`newsmon serve`: the HTTP API and the web pages under uvicorn."""

from __future__ import annotations

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError


def register(cli: click.Group) -> None:
    cli.add_command(serve)


@click.command()
@click.option("--host", help="Address to listen on [default: setting api_host, 127.0.0.1].")
@click.option("--port", type=click.IntRange(0, 65535), help="Port [default: setting api_port, 8000].")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the API (/api/..., OpenAPI at /docs) and the web pages; needs a token from `newsmon tokens`."""
    from newsmon.api.serving import ServeError, run_server

    settings = context.settings()
    context.repository(migrate=True).dispose()  # bring the schema up to date once, before workers start
    try:
        run_server(
            host or settings.api_host,
            settings.api_port if port is None else port,
            workers,
            settings.log_level.lower(),
        )
    except ServeError as exc:
        raise UserError(str(exc)) from None
