"""`newsmon schedule`: each source's schedule, current polling interval and next run; `schedule now` runs some
at the next tick.

Schedules live in the database and the scheduler tick reads them every few seconds, so a source file whose
`schedule` changed takes effect once any `newsmon` command has synced the registry (this one does), with no
restart of beat or the workers.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError, unknown_sources


def register(cli: click.Group) -> None:
    cli.add_command(schedule)


def human_seconds(seconds: float | None) -> str:
    """900 -> '15m', 5400 -> '1h30m', 45 -> '45s'."""
    if seconds is None:
        return "-"
    value, sign = int(abs(seconds)), "-" if seconds < 0 else ""
    if value < 60:
        return f"{sign}{value}s"
    hours, minutes = divmod(value // 60, 60)
    days, hours = divmod(hours, 24)
    text = (f"{days}d" if days else "") + (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return sign + (text or "0m")


def schedule_rows(now: datetime) -> list[dict[str, Any]]:
    from newsmon.cli.sources import sync_registry
    from newsmon.schedules import ScheduleError, parse_schedule

    repo = context.repository(migrate=True)
    sync_registry(repo)
    rows = []
    for item in repo.source_schedules():
        try:
            parsed = parse_schedule(item.schedule, item.timezone)
            kind, cron = parsed.describe(), parsed.kind == "cron"
        except ScheduleError as exc:
            kind, cron = f"invalid: {exc}", False
        rows.append(
            {
                "source": item.name,
                "enabled": item.enabled,
                "schedule": kind,
                # a cron schedule has run times, not an interval
                "interval_seconds": None
                if cron
                else item.interval_seconds or context.settings().schedule_interval,
                "next_run_at": item.next_run_at.isoformat() if item.next_run_at else None,
                "next_run_in": (item.next_run_at - now).total_seconds() if item.next_run_at else 0.0,
                "last_run_at": item.last_run_at.isoformat() if item.last_run_at else None,
            }
        )
    return rows


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON array, for machines.")
@click.pass_context
def schedule(ctx: click.Context, as_json: bool) -> None:
    """Each source's schedule, polling interval and next run."""
    if ctx.invoked_subcommand is not None:
        return
    rows = schedule_rows(datetime.now(UTC))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="schedule")
    for column in ("source", "schedule", "interval", "next run", "last run"):
        table.add_column(column)
    for row in rows:
        next_run = "due now" if row["next_run_in"] <= 0 else f"in {human_seconds(row['next_run_in'])}"
        table.add_row(
            row["source"] + ("" if row["enabled"] else " (disabled)"),
            row["schedule"],
            "-" if row["interval_seconds"] is None else human_seconds(row["interval_seconds"]),
            next_run if row["enabled"] else "-",
            row["last_run_at"] or "never",
        )
    Console().print(table)


@schedule.command("now")
@click.argument("names", nargs=-1)
@click.option("--all", "all_sources", is_flag=True, help="Every source.")
def run_now(names: tuple[str, ...], all_sources: bool) -> None:
    """Make NAMES (or --all) due, so the next scheduler tick enqueues their crawls."""
    repo = context.repository(migrate=True)
    known = {item.name for item in repo.source_schedules()}
    chosen = sorted(known) if all_sources else list(names)
    if not chosen:
        raise UserError("name at least one source, or --all (see `newsmon schedule`)")
    unknown = [n for n in chosen if n not in known]
    if unknown:
        raise unknown_sources(unknown, known, "newsmon schedule")
    repo.make_due(chosen, datetime.now(UTC))
    click.echo(f"{len(chosen)} source(s) due at the next tick")
