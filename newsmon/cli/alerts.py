"""`newsmon alerts`: what was sent, what is pending, what died and why, and which watch fired on which article;
resend dead alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError
from newsmon.cli.status import PIPE_MEASURE_WIDTH

if TYPE_CHECKING:
    from rich.text import Text

    from newsmon.models import ListedAlert

MAX_ALERT_ID = 2**31 - 1  # alert ids are 32-bit integers on every database


def register(cli: click.Group) -> None:
    cli.add_command(alerts)


@click.group(invoke_without_command=True)
@click.option("--dead", is_flag=True, help="Only alerts that failed for good.")
@click.option(
    "--status",
    type=click.Choice(["pending", "sending", "sent", "dead", "held", "digested"]),
    help="Filter by status (held: waiting for a digest; digested: sent inside one).",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option(
    "--before",
    type=click.IntRange(1, MAX_ALERT_ID),
    metavar="ID",
    help="Only alerts older than alert ID: the next page after one that ended at ID.",
)
@click.pass_context
def alerts(ctx: click.Context, dead: bool, status: str | None, limit: int, before: int | None) -> None:
    """List alerts, newest first: each with the watch that fired and the source, title and URL of its article;
    a dead alert shows why it died (retry it with `newsmon alerts retry`).

    When older alerts remain, the last line gives the --before that lists them."""
    if ctx.invoked_subcommand is not None:
        return
    repo = context.repository()
    channels = {c.id: c.name for c in repo.list_channels()}
    page = repo.alert_page("dead" if dead else status, limit=limit, before=before)
    if not page.alerts:
        click.echo("no alerts" if before is None else f"no alerts older than #{before}")
    else:
        _print_table(page.alerts, channels)
    if page.next_before is not None:
        click.echo(f"older alerts: repeat with --before {page.next_before}")


def _print_table(listed: list[ListedAlert], channels: dict[int, str]) -> None:
    """One row per alert, each starting with `#ID`; the article cell holds its title, URL and last error.

    In a terminal the cells wrap to its width (the URL folds, and stays one link); piped, the table is as
    wide as its longest value, so no value is cut and grep finds a row's first line whole."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0), show_lines=True)
    table.add_column("alert", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for name in ("channel", "watch", "source"):
        table.add_column(name)
    table.add_column("article", overflow="fold")
    for alert in listed:
        table.add_row(*_row(alert, channels))
    console = Console(soft_wrap=False)
    if not console.is_terminal:
        console.width = PIPE_MEASURE_WIDTH
        console.width = console.measure(table).maximum
    console.print(table)


def _row(alert: ListedAlert, channels: dict[int, str]) -> tuple[Text, ...]:
    """The cells of one alert, as Text so that names and titles holding `[...]` are not read as markup."""
    from rich.style import Style
    from rich.text import Text

    tries = "1 try" if alert.attempts == 1 else f"{alert.attempts} tries"
    article = Text(alert.title or "", style="bold")
    if alert.url:
        article.append(f"\n{alert.url}", style=Style(link=alert.url))
    if alert.last_error:
        article.append(f"\nerror: {alert.last_error}", style="red")
    return (
        Text(f"#{alert.id}\n").append(alert.kind, style="dim"),
        Text(f"{alert.status}\n").append(tries, style="dim"),
        Text(str(channels.get(alert.channel_id, alert.channel_id))),
        Text(alert.watch or "-"),
        Text(alert.source or "-"),
        article,
    )


@alerts.command()
@click.argument("alert_ids", nargs=-1, type=int, required=True)
def retry(alert_ids: tuple[int, ...]) -> None:
    """Send dead alerts again (same idempotency key, fresh attempts)."""
    from tasks.delivery import deliver_alert

    repo = context.repository()
    for alert_id in alert_ids:
        if not repo.retry_alert(alert_id):
            raise UserError(f"alert #{alert_id} is not dead (or does not exist); nothing to retry")
        click.echo(f"#{alert_id}: {deliver_alert(alert_id)}")
