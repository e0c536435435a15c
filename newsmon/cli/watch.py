"""`newsmon watch` and `newsmon channel`: standing queries and where their alerts go."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import yaml

from newsmon.cli import context
from newsmon.cli.errors import UserError
from newsmon.models import Channel, Watch

MODES = ["instant", "hourly", "daily", "weekly"]
WATCH_FIELDS = [f.name for f in dataclasses.fields(Watch) if f.name != "id"]


def register(cli: click.Group) -> None:
    cli.add_command(watch)
    cli.add_command(channel)


def _check_query(text: str) -> None:
    from newsmon.query import QuerySyntaxError, compile_query

    try:
        compile_query(text)
    except QuerySyntaxError as exc:
        raise UserError(f"invalid query: {exc}") from None


def _check_channels(names: tuple[str, ...]) -> None:
    known = {c.name for c in context.repository().list_channels()}
    missing = [n for n in names if n not in known]
    if missing:
        raise UserError(f"unknown channel(s): {', '.join(missing)}; add them with `newsmon channel add`")


def _watch_from(data: dict, watch_id: int = 0) -> Watch:
    unknown = set(data) - set(WATCH_FIELDS)
    if unknown:
        raise UserError(
            f"unknown watch field(s): {', '.join(sorted(unknown))}; known: {', '.join(WATCH_FIELDS)}"
        )
    if "name" not in data or "query" not in data:
        raise UserError("a watch needs a name and a query")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    if values.get("mode", "instant") not in MODES:
        raise UserError(f"watch {data['name']!r}: mode must be one of {', '.join(MODES)}")
    return Watch(id=watch_id, **values)


def _watch_dict(item: Watch) -> dict:
    data = dataclasses.asdict(item)
    data.pop("id")
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


@click.group()
def watch() -> None:
    """Standing queries that alert their owner."""


@watch.command()
@click.argument("name")
@click.argument("query")
@click.option("--channel", "channels", multiple=True, help="Channel name (repeatable).")
@click.option("--owner", default="default", show_default=True)
@click.option("--mode", type=click.Choice(MODES), default="instant", show_default=True)
@click.option("--digest-at", help="Local time of the daily/weekly digest, e.g. 09:00.")
@click.option("--tz", "timezone", default="Asia/Almaty", show_default=True, help="Owner's time zone.")
@click.option("--quiet-hours", help="Hold instant alerts during these local hours, e.g. 22:00-07:00.")
@click.option("--source", "sources", multiple=True, help="Only these sources (repeatable).")
@click.option("--lang", "languages", multiple=True, help="Only these languages (repeatable).")
@click.option("--region", "regions", multiple=True, help="Only sources of these regions (repeatable).")
def add(name: str, query: str, channels: tuple[str, ...], **options: object) -> None:
    """Save a watch NAME for QUERY."""
    _check_query(query)
    _check_channels(channels)
    repo = context.repository(migrate=True)
    if repo.get_watch(name) is not None:
        raise UserError(f"a watch named {name!r} exists; use `newsmon watch edit`")
    saved = repo.add_watch(_watch_from({"name": name, "query": query, "channels": list(channels), **options}))
    click.echo(f"watch #{saved.id} {saved.name!r} saved")


@watch.command("list")
def list_watches() -> None:
    """Every watch with its query and channels."""
    for item in context.repository(migrate=True).list_watches():
        state = "" if item.enabled else " (disabled)"
        click.echo(
            f"#{item.id} {item.name}{state}: {item.query}  -> {', '.join(item.channels) or 'no channel'}"
        )


@watch.command()
@click.argument("name")
def show(name: str) -> None:
    """One watch as YAML."""
    item = context.repository().get_watch(name)
    if item is None:
        raise UserError(f"no watch named {name!r}")
    click.echo(yaml.safe_dump(_watch_dict(item), allow_unicode=True, sort_keys=False))


@watch.command()
@click.argument("name")
@click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE", help="e.g. --set query='Тараз'")
def edit(name: str, assignments: tuple[str, ...]) -> None:
    """Change fields of a watch."""
    repo = context.repository()
    item = repo.get_watch(name)
    if item is None:
        raise UserError(f"no watch named {name!r}")
    data = _watch_dict(item)
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep:
            raise UserError(f"--set takes FIELD=VALUE, got {assignment!r}")
        data[key] = yaml.safe_load(value) if key not in {"query", "name"} else value
    updated = _watch_from(data, item.id)
    _check_query(updated.query)
    repo.update_watch(updated)
    click.echo(f"watch {updated.name!r} updated")


@watch.command()
@click.argument("name")
def rm(name: str) -> None:
    """Remove a watch (its past alerts stay)."""
    repo = context.repository()
    item = repo.get_watch(name)
    if item is None or not repo.delete_watch(item.id):
        raise UserError(f"no watch named {name!r}")
    click.echo(f"watch {name!r} removed")


@watch.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_watches(file: Path) -> None:
    """Create or update watches from a YAML file (a list under `watches:`)."""
    repo = context.repository(migrate=True)
    entries = (yaml.safe_load(file.read_text(encoding="utf-8")) or {}).get("watches", [])
    for entry in entries:
        item = _watch_from(entry)
        _check_query(item.query)
        existing = repo.get_watch(item.name)
        if existing is None:
            repo.add_watch(item)
        else:
            repo.update_watch(dataclasses.replace(item, id=existing.id))
    click.echo(f"{len(entries)} watches imported from {file}")


@watch.command("export")
def export_watches() -> None:
    """Print every watch as YAML (the import format)."""
    items = [_watch_dict(w) for w in context.repository().list_watches() if w.enabled]
    click.echo(yaml.safe_dump({"watches": items}, allow_unicode=True, sort_keys=False))


@watch.command("test")
@click.argument("query")
@click.argument("files", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@click.option("--since", help="Run against stored articles of this period instead, e.g. 7d.")
def test_query(query: str, files: tuple[str, ...], fmt: str, since: str | None) -> None:
    """Try QUERY on texts (files, or - for stdin) or on stored articles, with matches highlighted."""
    from newsmon.query import QuerySyntaxError, compile_query, highlight_snippet

    try:
        compiled = compile_query(query)
    except QuerySyntaxError as exc:
        raise UserError(f"invalid query: {exc}") from None
    matched = 0
    for label, text, lang in _texts(files, fmt, since):
        spans = compiled.highlight(text, lang) if compiled.matches(text, lang) else []
        if spans:
            matched += 1
            click.echo(f"MATCH    {label}: {highlight_snippet(text, spans)}")
        else:
            click.echo(f"no match {label}")
    click.echo(f"{matched} matched")


def _texts(files: tuple[str, ...], fmt: str, since: str | None):
    if since:
        from newsmon.timespec import parse_since

        repo = context.repository()
        for article in repo.articles_since(parse_since(since, datetime.now(UTC))):
            yield (
                f"article {article.id} [{article.source}]",
                f"{article.title or ''}\n{article.text}",
                article.language,
            )
        return
    for name in files or ("-",):
        handle = sys.stdin if name == "-" else open(name, encoding="utf-8")  # noqa: SIM115
        with handle:
            if fmt == "text":
                yield name, handle.read(), None
                continue
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                    yield f"{name}:{number}", entry["text"], entry.get("lang")
                except (ValueError, KeyError, TypeError):
                    raise UserError(f"{name}:{number}: not a JSON object with a `text` key") from None


@click.group()
def channel() -> None:
    """Where alerts go: email, webhook, telegram, slack, apprise, console, jsonl."""


@channel.command("add")
@click.argument("name")
@click.argument("kind")
@click.argument("target")
@click.option("--secret", help="Webhook signing secret.")
@click.option("--rate-limit", type=click.IntRange(1), help="At most this many alerts per minute.")
def add_channel(name: str, kind: str, target: str, secret: str | None, rate_limit: int | None) -> None:
    """Add or replace channel NAME of KIND sending to TARGET (see docs/channels.md)."""
    from tasks.channels import ChannelConfigError, validate_channel

    try:
        validate_channel(kind, target, {})
    except ChannelConfigError as exc:
        raise UserError(f"channel {name!r}: {exc}") from None
    repo = context.repository(migrate=True)
    repo.upsert_channel(
        Channel(id=0, name=name, kind=kind, target=target, secret=secret, rate_limit_per_minute=rate_limit)
    )
    click.echo(f"channel {name!r} ({kind}) saved")


@channel.command("list")
def list_channels() -> None:
    """Every channel (targets with credentials are shown redacted)."""
    from tasks.channels import redact

    for item in context.repository(migrate=True).list_channels():
        click.echo(f"{item.name:<16} {item.kind:<9} {redact(item.target)}")
