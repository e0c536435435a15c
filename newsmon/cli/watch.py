"""`newsmon watch` and `newsmon channel`: standing queries and where their alerts go.

A watch file (import/export) is YAML with an optional `aliases:` mapping (name -> spellings, usable as @name
in every watch's query) and a `watches:` list. Aliases are stored in the database and shared by all watches.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


TEXT_FIELDS = frozenset({"name", "query", "owner", "digest_at", "timezone", "quiet_hours", "mode"})
LIST_FIELDS = {  # field -> what its entries are, for error messages
    "channels": "channel names",
    "sources": "source names such as zakon.kz",
    "regions": "region names such as zhambyl",
    "languages": "language codes such as ru, kk",
}
UNSET_WHEN_EMPTY = frozenset({"digest_at", "quiet_hours", "spike_factor"})  # nothing = the default
MAX_MENTIONS, MAX_SPIKE_FACTOR = 10_000, 1000  # the bounds the API takes
CLOCK = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
DELETED_NAME = re.compile(r" \(deleted \d+\)$")
YES_WORDS, NO_WORDS = ("yes", "y", "on", "true"), ("no", "n", "off", "false")  # YAML 1.1 booleans


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


def _check_fields(name: str, values: dict[str, Any]) -> None:
    """Field values a watch cannot work with, named in one line."""
    if not values["name"]:
        raise UserError("a watch needs a name")
    if DELETED_NAME.search(values["name"]):
        raise UserError(
            f"watch {name!r}: a name ending in '(deleted N)' marks a removed watch; choose another"
        )
    if not values.get("owner", "default"):
        raise UserError(f"watch {name!r}: owner must not be empty")
    mode = values.get("mode", "instant")
    if mode not in MODES:
        raise UserError(f"watch {name!r}: mode must be one of {', '.join(MODES)}{_not(mode)}")
    if not isinstance(values.get("enabled", True), bool):
        raise UserError(f"watch {name!r}: enabled must be true or false{_not(values['enabled'])}")
    _check_times(name, values)
    _check_numbers(name, values)


def _check_times(name: str, values: dict[str, Any]) -> None:
    if values.get("digest_at") is not None and not CLOCK.fullmatch(values["digest_at"]):
        raise UserError(f"watch {name!r}: digest_at must be a local time HH:MM, not {values['digest_at']!r}")
    quiet = values.get("quiet_hours")
    if quiet is not None and not all(CLOCK.fullmatch(p) for p in _pair(quiet)):
        raise UserError(f"watch {name!r}: quiet_hours must be HH:MM-HH:MM (e.g. 22:00-07:00), not {quiet!r}")
    zone = values.get("timezone", "Asia/Almaty")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: `Europe` is a directory of zones
        raise UserError(
            f"watch {name!r}: timezone: unknown time zone {zone!r}; use a name such as Asia/Almaty"
        ) from None


def _check_numbers(name: str, values: dict[str, Any]) -> None:
    mentions = values.get("min_mentions", 1)
    if not isinstance(mentions, int) or isinstance(mentions, bool) or not 1 <= mentions <= MAX_MENTIONS:
        raise UserError(
            f"watch {name!r}: min_mentions must be a whole number from 1 to {MAX_MENTIONS}{_not(mentions)}"
        )
    factor = values.get("spike_factor")
    if factor is not None and (
        not isinstance(factor, int | float) or isinstance(factor, bool) or not 1 < factor <= MAX_SPIKE_FACTOR
    ):
        raise UserError(
            f"watch {name!r}: spike_factor must be a number above 1 and at most {MAX_SPIKE_FACTOR} "
            f"(e.g. 3){_not(factor)}"
        )


def _not(value: Any) -> str:
    return ", not empty" if value is None or value == "" else f", not {value!r}"


def _pair(text: str) -> list[str]:
    parts = text.split("-")
    return parts if len(parts) == 2 else ["?"]


def _watch_from(data: dict, watch_id: int = 0) -> Watch:
    if not isinstance(data, dict):
        raise UserError(f"a watch must be a mapping of fields, not {type(data).__name__}")
    unknown = set(data) - set(WATCH_FIELDS)
    if unknown:
        raise UserError(
            f"unknown watch field(s): {', '.join(sorted(unknown))}; known: {', '.join(WATCH_FIELDS)}"
        )
    if "name" not in data or "query" not in data:
        raise UserError("a watch needs a name and a query")
    name = str(data["name"]).strip()
    values = {field: _field(name, field, value) for field, value in data.items()}
    _check_fields(name, values)
    return Watch(id=watch_id, **values)


def _field(name: str, field: str, value: Any) -> Any:
    """One field as a watch stores it; types checked where they cannot be fixed later."""
    if field in LIST_FIELDS:
        entries = _entries(name, field, value)
        return _languages(name, entries) if field == "languages" else entries
    if field in TEXT_FIELDS:
        return _text(name, field, value)
    return None if field in UNSET_WHEN_EMPTY and (value is None or value == "") else value


def _text(name: str, field: str, value: Any) -> str | None:
    """A text field without surrounding spaces; nothing unsets `digest_at` and `quiet_hours`."""
    if field == "digest_at" and isinstance(value, int) and not isinstance(value, bool):
        return f"{value // 60:02d}:{value % 60:02d}"  # YAML 1.1 reads an unquoted 21:30 as 1290 minutes
    if value is None or (isinstance(value, str) and not value.strip()):
        return None if field in UNSET_WHEN_EMPTY else ""
    if not isinstance(value, str):
        raise _quoting_error(name, field, value) or UserError(
            f"watch {name!r}: {field} must be text{_not(value)}"
        )
    return value.strip()


def _entries(name: str, field: str, value: Any) -> tuple[str, ...]:
    """A list field as the options, the files and `--set` give it: a list, one word, or words separated by
    commas (`ru,kk`), each once. Nothing is none: every source, region and language; no channel."""
    items = () if value is None else [value] if isinstance(value, str) else value
    wrong = [items] if not isinstance(items, list | tuple) else [e for e in items if not isinstance(e, str)]
    if wrong:
        raise _quoting_error(name, field, wrong[0]) or UserError(
            f"watch {name!r}: {field} must be {LIST_FIELDS[field]}; not {value!r}"
        )
    parts = (part.strip() for entry in items for part in entry.split(","))
    return tuple(dict.fromkeys(part for part in parts if part))


def _quoting_error(name: str, field: str, value: Any) -> UserError | None:
    """The error for a word YAML 1.1 read as a yes/no value or a number, or None for other values.

    `languages: [no]` is read as false: false may have been written no, n, off or false, so it cannot be
    read back as a word; quoting it keeps the word ('no' is Norwegian). Of those words only `no` is a
    language code."""
    if isinstance(value, bool):
        words = YES_WORDS if value else ("no",) if field == "languages" else NO_WORDS
        said, hint = (
            (words[0], ":") if len(words) == 1 else (f"{', '.join(words[:-1])} or {words[-1]}", ", e.g.")
        )
        return UserError(
            f"watch {name!r}: {field}: {said} was read as a yes/no value; write it in quotes{hint} '{words[0]}'"
        )
    if isinstance(value, int | float):
        return UserError(f"watch {name!r}: {field}: {value} was read as a number; write it in quotes")
    return None


def _languages(name: str, entries: tuple[str, ...]) -> tuple[str, ...]:
    """A watch's languages read as search reads `lang` and as the API saves them: lowercase, `kz` as kk,
    each once. A watch saved with `RU` would match no article, so a word that is no code is refused with
    the watch's name."""
    from newsmon.search.options import language_codes

    try:
        return language_codes(entries)
    except ValueError as exc:
        raise UserError(f"watch {name!r}: languages: {exc}") from None


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
    item = _watch_from({"name": name, "query": query, "channels": list(channels), **options})
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
    click.echo(yaml.safe_dump(_watch_dict(item), allow_unicode=True, sort_keys=False))


@watch.command()
@click.argument("name")
@click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE", help="e.g. --set query='Тараз'")
def edit(name: str, assignments: tuple[str, ...]) -> None:
    """Change fields of a watch."""
    repo = context.repository()
    item = _live_watch(repo, name)
    data = _watch_dict(item)
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep:
            raise UserError(f"--set takes FIELD=VALUE, got {assignment!r}")
        data[key.strip()] = _assigned(name, key.strip(), value)
    updated = _watch_from(data, item.id)
    if updated.name != item.name and repo.get_watch(updated.name) is not None:
        raise UserError(f"a watch named {updated.name!r} exists; choose another name")
    _check_query(updated.query)
    _check_channels(updated.channels)
    repo.update_watch(updated)
    click.echo(f"watch {updated.name!r} updated")


def _assigned(name: str, field: str, text: str) -> Any:
    """A value typed after `--set FIELD=`: text fields as typed; a list field as a YAML list (`[a, b]`) or
    else as words separated by commas (`zakon`, `ru,kk`; `no` is then Norwegian, not YAML's false);
    numbers and true/false as YAML reads them."""
    if field not in WATCH_FIELDS or field in TEXT_FIELDS:
        return text
    if field in LIST_FIELDS and not text.lstrip().startswith(("[", "{")):
        return text
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "cannot be read"
        raise UserError(f"watch {name!r}: {field}: {text!r} is not valid YAML ({problem})") from None


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
            item = _watch_from(entry)
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
    items = [_watch_dict(w) for w in repo.list_watches() if w.enabled]
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
