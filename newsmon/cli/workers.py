"""`newsmon worker`, `newsmon beat` and `newsmon run` (everything in one process)."""

from __future__ import annotations

import os

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError, without_password

ALL_QUEUES = "crawl,process,alerts"


def register(cli: click.Group) -> None:
    cli.add_command(worker)
    cli.add_command(beat)
    cli.add_command(run)


def require_broker() -> None:
    """Fail with one line naming NEWSMON_BROKER_URL when the broker cannot be reached (Celery would retry forever)."""
    from tasks.app import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=5)
    except Exception as exc:
        url = without_password(context.settings().effective_broker_url)
        raise UserError(
            f"cannot reach the broker at {url} ({exc}); check NEWSMON_BROKER_URL and the server"
        ) from None


def _sync_sources() -> int:
    from newsmon.cli.sources import sync_registry

    return sync_registry(context.repository())


def _watch_definitions() -> None:
    """Every scheduler tick this worker runs first syncs the definition files if any changed."""
    from newsmon.cli.sources import DefinitionWatcher
    from tasks.scheduling import before_each_tick

    before_each_tick(DefinitionWatcher())


@click.command()
@click.option(
    "-Q", "--queues", default=ALL_QUEUES, show_default=True, help="Comma-separated queues to consume."
)
@click.option("-c", "--concurrency", type=int, default=2, show_default=True, help="Worker processes.")
@click.option("--loglevel", default="INFO", show_default=True)
def worker(queues: str, concurrency: int, loglevel: str) -> None:
    """Run a Celery worker on the configured broker."""
    from tasks.app import app

    require_broker()
    _watch_definitions()
    app.worker_main(["worker", "-Q", queues, "-c", str(concurrency), "-l", loglevel, "--without-gossip"])


@click.command()
@click.option("--loglevel", default="INFO", show_default=True)
def beat(loglevel: str) -> None:
    """Run the scheduler (crawls due, outbox sweeper)."""
    context.repository(migrate=True)
    _sync_sources()
    require_broker()
    from tasks.app import app

    schedule = context.settings().data_dir / "beat-schedule"
    app.start(["beat", "-l", loglevel, "-s", str(schedule)])


@click.command()
@click.option("-c", "--concurrency", type=int, default=2, show_default=True, help="Worker processes.")
@click.option("--loglevel", default="INFO", show_default=True)
def run(concurrency: int, loglevel: str) -> None:
    """Everything in one process on the embedded default: worker on all queues with the scheduler inside."""
    context.repository(migrate=True)
    _sync_sources()
    require_broker()
    _watch_definitions()
    from tasks.app import EMBEDDED_BEAT, app

    os.environ[EMBEDDED_BEAT] = "1"
    schedule = context.settings().data_dir / "beat-schedule"
    app.worker_main(
        [
            "worker",
            "-B",
            "-s",
            str(schedule),
            "-Q",
            ALL_QUEUES,
            "-c",
            str(concurrency),
            "-l",
            loglevel,
            "--without-gossip",
        ]
    )
