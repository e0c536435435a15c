"""`newsmon watch` and `newsmon channel`: standing queries and where their alerts go.

A watch file (import/export) is YAML with an optional `aliases:` mapping (name -> spellings, usable as @name
in every watch's query) and a `watches:` list. Aliases are stored in the database and shared by all watches.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import yaml

from newsmon.cli import context
from newsmon.cli.errors import UserError
from newsmon.cli.watch_fields import MODES, assigned, watch_dict, watch_from
from newsmon.models import Channel, Watch


def register(cli: click.Group) -> None:
    cli.add_command(watch)
    cli.add_command(channel)


def _compile(text: str, aliases: Mapping[str, str] | None = None) -> Any:
    """The compiled query, or one line naming the fault and its position."""
    from newsmon.query import QuerySyntaxError, compile_query

    try:
        return compile_query(text, aliases=aliases)
    except QuerySyntaxError as exc:
        hint = f"; {exc.hint}" if exc.hint else ""
        raise UserError(f"invalid query {text!r}: {exc.message} at position {exc.position}{hint}") from None


def _check_query(text: str, aliases: Mapping[str, str] | None = None) -> None:
    if aliases is None and "@" in text:
        aliases = context.repository(migrate=True).list_aliases()
    _compile(text, aliases)


def _check_aliases(aliases: Any) -> dict[str, str]:
    """An `aliases:` mapping, each definition checked as a query (and its references to other aliases)."""
    if not isinstance(aliases, Mapping):
        raise UserError("`aliases:` must map names to spellings, e.g. zhambyl: Жамбыл | Jambyl")
    book = {str(name).removeprefix("@"): str(body) for name, body in aliases.items()}
    for name in book:
        try:
            _compile(f"@{name}", book)
        except UserError as exc:
            raise UserError(f"alias @{name}: {exc.message}") from None
    return book


def _check_channels(names: tuple[str, ...]) -> None:
    known = {c.name for c in context.repository(migrate=True).list_channels()}
    missing = [n for n in names if n not in known]
    if missing:
        raise UserError(f"unknown channel(s): {', '.join(missing)}; add them with `newsmon channel add`")


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
@click.option(
    "--lang",
    "languages",
    multiple=True,
    help="Only these languages, e.g. ru or kk (repeatable; kz is read as kk).",
)
@click.option("--region", "regions", multiple=True, help="Only sources of these regions (repeatable).")
@click.option(
    "--min-mentions",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Fire only when an article names the watch at least this many times.",
)
@click.option(
    "--spike-factor",
    type=float,
    help="Also alert when today's stories exceed the usual day this many times (e.g. 3).",
)
def add(name: str, query: str, channels: tuple[str, ...], **options: Any) -> None:
    """Save a watch NAME for QUERY."""
    item = watch_from({"name": name, "query": query, "channels": list(channels), **options})
    _check_query(query)
    _check_channels(channels)
    repo = context.repository(migrate=True)
    if repo.get_watch(item.name) is not None:
        raise UserError(f"a watch named {item.name!r} exists; use `newsmon watch edit`")
    saved = repo.add_watch(item)
    click.echo(f"watch #{saved.id} {saved.name!r} saved")


@watch.command("list")
def list_watches() -> None:
    """Every watch with its query and channels."""
    for item in context.repository(migrate=True).list_watches():
        if item.deleted:
            continue  # removed: kept only for the alerts that point at it
        state = "" if item.enabled else " (disabled)"
        mode = item.mode if item.mode in {"instant", "hourly"} else f"{item.mode} {item.digest_at or '09:00'}"
        click.echo(
            f"#{item.id} {item.name}{state} [{mode}]: {item.query}  "
            f"-> {', '.join(item.channels) or 'no channel'}"
        )


@watch.command()
@click.argument("name")
def show(name: str) -> None:
    """One watch as YAML."""
    item = _live_watch(context.repository(), name)
    click.echo(yaml.safe_dump(watch_dict(item), allow_unicode=True, sort_keys=False))


@watch.command()
@click.argument("name")
@click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE", help="e.g. --set query='Тараз'")
def edit(name: str, assignments: tuple[str, ...]) -> None:
    """Change fields of a watch."""
    repo = context.repository()
    item = _live_watch(repo, name)
    data = watch_dict(item)
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep:
            raise UserError(f"--set takes FIELD=VALUE, got {assignment!r}")
        data[key.strip()] = assigned(name, key.strip(), value)
    updated = watch_from(data, item.id)
    if updated.name != item.name and repo.get_watch(updated.name) is not None:
        raise UserError(f"a watch named {updated.name!r} exists; choose another name")
    _check_query(updated.query)
    _check_channels(updated.channels)
    repo.update_watch(updated)
    click.echo(f"watch {updated.name!r} updated")


@watch.command()
@click.argument("name")
def rm(name: str) -> None:
    """Remove a watch (its past alerts stay)."""
    repo = context.repository()
    item = _live_watch(repo, name)
    if not repo.delete_watch(item.id):
        raise UserError(f"no watch named {name!r}")
    click.echo(f"watch {name!r} removed")


def _live_watch(repo: Any, name: str) -> Watch:
    """The watch by that name; a removed one (kept under `NAME (deleted ID)`) is not there to change."""
    item = repo.get_watch(name)
    if item is None or item.deleted:
        raise UserError(f"no watch named {name!r}")
    return item


def _read_watch_file(file: Path) -> tuple[dict[str, str], list[Any]]:
    try:
        document = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UserError(f"{file}: not valid YAML ({' '.join(str(exc).split())})") from None
    if not isinstance(document, dict) or not isinstance(document.get("watches", []), list):
        raise UserError(f"{file}: expected `aliases:` (a mapping) and `watches:` (a list)")
    return _check_aliases(document.get("aliases") or {}), document.get("watches") or []


@watch.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_watches(file: Path) -> None:
    """Create or update aliases and watches from a YAML file (`aliases:` mapping, `watches:` list).

    A bad watch is reported and skipped; the others are imported."""
    aliases, entries = _read_watch_file(file)
    repo = context.repository(migrate=True)
    for name, definition in aliases.items():
        repo.set_alias(name, definition)
    book = repo.list_aliases()
    imported, failed = 0, 0
    for number, entry in enumerate(entries, 1):
        try:
            item = watch_from(entry)
            _check_query(item.query, book)
            _check_channels(item.channels)
        except UserError as exc:
            failed += 1
            click.echo(f"{file}: watch {number}: {exc.message}", err=True)
            continue
        existing = repo.get_watch(item.name)
        if existing is None:
            repo.add_watch(item)
        else:
            repo.update_watch(dataclasses.replace(item, id=existing.id))
        imported += 1
    click.echo(f"{len(aliases)} aliases and {imported} watches imported from {file}")
    if failed:
        raise UserError(f"{failed} watches in {file} were not imported (see above)")


@watch.command("export")
def export_watches() -> None:
    """Print the aliases and every watch as YAML (the import format)."""
    repo = context.repository(migrate=True)
    items = [watch_dict(w) for w in repo.list_watches() if w.enabled]
    document = {"aliases": repo.list_aliases(), "watches": items}
    click.echo(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))


@watch.group("alias")
def alias() -> None:
    """Named spellings every watch may use as @name (e.g. @zhambyl = Жамбыл | Jambyl | Zhambyl)."""


@alias.command("set")
@click.argument("name")
@click.argument("definition")
def set_alias(name: str, definition: str) -> None:
    """Define or replace alias NAME (used as @NAME in queries)."""
    repo = context.repository(migrate=True)
    book = _check_aliases({**repo.list_aliases(), name.removeprefix("@"): definition})
    repo.set_alias(name.removeprefix("@"), book[name.removeprefix("@")])
    click.echo(f"alias @{name.removeprefix('@')} saved")


@alias.command("list")
def list_aliases() -> None:
    """Every alias and its spellings."""
    for name, definition in context.repository(migrate=True).list_aliases().items():
        click.echo(f"@{name} = {definition}")


@alias.command("rm")
@click.argument("name")
def rm_alias(name: str) -> None:
    """Remove alias NAME (watches that still use it stop matching until it is defined again)."""
    repo = context.repository(migrate=True)
    name = name.removeprefix("@")
    users = [w.name for w in repo.list_watches(enabled_only=True) if f"@{name}" in w.query]
    if not repo.delete_alias(name):
        raise UserError(f"no alias named @{name}")
    click.echo(f"alias @{name} removed" + (f"; still used by: {', '.join(users)}" if users else ""))


@watch.command("test")
@click.argument("query")
@click.argument("files", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@click.option("--since", help="Run against stored articles of this period instead, e.g. 7d.")
def test_query(query: str, files: tuple[str, ...], fmt: str, since: str | None) -> None:
    """Try QUERY on texts (files, or - for stdin) or on stored articles, with matches highlighted.

    A terminal shows the matched words in colour; piped output wraps them in [[ ]], as `newsmon search` does."""
    from newsmon.cli.snippets import for_stdout
    from newsmon.query import snippet_with_spans

    aliases = context.repository(migrate=True).list_aliases() if "@" in query else None
    compiled = _compile(query, aliases)
    matched = 0
    for label, text, lang in _texts(files, fmt, since):
        spans = compiled.highlight(text, lang) if compiled.matches(text, lang) else []
        if spans:
            matched += 1
            click.echo(f"MATCH    {label}: {for_stdout(*snippet_with_spans(text, spans))}")
        else:
            click.echo(f"no match {label}")
    click.echo(f"{matched} matched")


def _texts(files: tuple[str, ...], fmt: str, since: str | None) -> Iterator[tuple[str, str, str | None]]:
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
