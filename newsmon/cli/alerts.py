"""`newsmon alerts`: what was sent, what is pending, what died and why; resend dead alerts."""

from __future__ import annotations

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError

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
    """List alerts, newest first; a dead alert shows why it died (retry it with `newsmon alerts retry`).

    When older alerts remain, the last line gives the --before that lists them."""
    if ctx.invoked_subcommand is not None:
        return
    repo = context.repository()
    channels = {c.id: c.name for c in repo.list_channels()}
    page = repo.alert_page("dead" if dead else status, limit=limit, before=before)
    if not page.alerts:
        click.echo("no alerts" if before is None else f"no alerts older than #{before}")
    for alert in page.alerts:
        title = (alert.payload.get("title") or alert.payload.get("subject") or "")[:70]
        if alert.kind == "digest":
            title = f"{alert.payload.get('period')} digest for {alert.payload.get('owner')}: "
            title += f"{len(alert.payload.get('items') or [])} alerts"
        error = f"  error: {alert.last_error}" if alert.last_error else ""
        click.echo(
            f"#{alert.id} {alert.status:<9} {alert.kind:<6} {channels.get(alert.channel_id, alert.channel_id)!s:<12} "
            f"attempts={alert.attempts} {title}{error}"
        )
    if page.next_before is not None:
        click.echo(f"older alerts: repeat with --before {page.next_before}")


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
