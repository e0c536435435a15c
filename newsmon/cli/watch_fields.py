"""Reading a watch's fields from options, files and `--set`, with errors that name the watch and the field.

The same rules as the API's: list fields from one word, `a,b` or a YAML list; language codes normalised; YAML
1.1's yes/no and number readings of bare words caught with the quoting to use.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from newsmon.cli.errors import UserError
from newsmon.models import Watch

MODES = ["instant", "hourly", "daily", "weekly"]
WATCH_FIELDS = [f.name for f in dataclasses.fields(Watch) if f.name != "id"]
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


def watch_from(data: dict, watch_id: int = 0) -> Watch:
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


def watch_dict(item: Watch) -> dict:
    data = dataclasses.asdict(item)
    data.pop("id")
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def assigned(name: str, field: str, text: str) -> Any:
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
