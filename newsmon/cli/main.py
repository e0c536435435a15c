"""The `newsmon` command: one group, one module per topic, every option also readable from NEWSMON_*."""

from __future__ import annotations

import logging
import sys

import click

from newsmon.cli import (
    alerts,
    crawl,
    db,
    demo,
    export,
    extract,
    ingest,
    schedule,
    search,
    serve,
    sources,
    status,
    stories,
    tokens,
    trends,
    watch,
    workers,
)
from newsmon.cli.errors import run_guarded


@click.group(context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "NEWSMON"})
@click.version_option(package_name="newsmon")
@click.option("--verbose", "-v", is_flag=True, help="Log at DEBUG level.")
def cli(verbose: bool) -> None:
    """newsmon: crawl news portals, group copies into stories, alert monitors, search the archive."""
    from newsmon.logs import configure_logging

    configure_logging(debug=verbose)
    logging.captureWarnings(True)


for module in (
    db,
    demo,
    workers,
    crawl,
    extract,
    sources,
    status,
    watch,
    alerts,
    stories,
    ingest,
    schedule,
    serve,
    tokens,
    search,
    trends,
    export,
):
    module.register(cli)


def main() -> None:
    sys.exit(run_guarded(cli))
