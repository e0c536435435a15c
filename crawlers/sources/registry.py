"""Source definitions: YAML files (or one-line home URLs) validated into `newsmon.models.Source`.

A portal is data, not code. A definition file may hold a bare URL, one mapping, a list of URLs and
mappings, or a mapping with a `sources:` list; `.txt` files hold one home URL per line. One bad file or
entry is reported (file, source, field) and the others still load.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from crawlers.pages.zones import zone_for_url
from crawlers.sources.definition import SourceDefinition, name_from_url
from newsmon.models import Source

if TYPE_CHECKING:
    from newsmon.config import Settings

logger = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).resolve().parent
DEFINITION_SUFFIXES = (".yaml", ".yml", ".txt")
_TRAILING_COMMENT = re.compile(r"\s#.*$")  # "#" after whitespace; a "#" inside a URL is a fragment
# pydantic's wording for the problems it finds itself, in the words of docs/sources.md.
_MESSAGES = {"extra_forbidden": "unknown field (see docs/sources.md for the fields)", "missing": "required"}


@dataclass(frozen=True, slots=True)
class SourceError:
    """One definition that could not be loaded, with where it was and what was wrong."""

    file: str
    source: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.source:
            where.append(f"source {self.source}")
        if self.field:
            where.append(f"field {self.field}")
        return f"{': '.join(where)}: {self.message}"


class DefinitionError(ValueError):
    """A definition that must not be written: the loader would reject it."""

    def __init__(self, errors: Iterable[SourceError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(str(error) for error in self.errors))


@dataclass(frozen=True, slots=True)
class SourceSet:
    """Sources by name, plus the errors met while loading them."""

    sources: dict[str, Source] = field(default_factory=dict)
    errors: tuple[SourceError, ...] = ()
    # The directories whose files were read: a definition that came from one of them and is not in
    # `sources` is gone; one from elsewhere (another host's directory) is not this load's to judge.
    directories: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> Source:
        return self.sources[name]

    def __contains__(self, name: object) -> bool:
        return name in self.sources

    def __iter__(self) -> Iterator[Source]:
        return iter(self.sources.values())

    def __len__(self) -> int:
        return len(self.sources)


def source_from_url(url: str) -> Source:
    """The minimal source: a home URL; everything else is discovered at crawl time.

    A URL that is not a home page raises DefinitionError, worded like the loader's errors.
    """
    sources, errors = _validate_entries([url.strip()], "<url>")
    if errors:
        raise DefinitionError(errors)
    return replace(sources[0], origin=None)


def user_sources_dir(settings: Settings) -> Path:
    """The user's definitions: NEWSMON_SOURCES_DIR, else `sources/` in NEWSMON_DATA_DIR.

    `sources add` writes there and the loader reads there, so an added source is what every command sees.
    """
    return settings.sources_dir or settings.data_dir / "sources"


def is_shipped(source: Source) -> bool:
    """Whether the definition comes from the registry shipped with newsmon (not the user's directory)."""
    return source.origin is not None and Path(source.origin).parent == SHIPPED_DIR


def _entries(document: Any) -> list[Any]:
    if document is None:
        return []
    if isinstance(document, dict) and "sources" in document and "home" not in document:
        document = document["sources"]
    if isinstance(document, str | dict):
        return [document]
    if isinstance(document, list):
        return document
    raise ValueError(f"expected a URL, a mapping or a list, got {type(document).__name__}")


def _text_lines(text: str) -> list[str]:
    """Home URLs of a `.txt` file: comments (whole-line, indented or after the URL) and blank lines dropped."""
    lines = (_TRAILING_COMMENT.sub("", line).strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _read_entries(path: Path) -> list[Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".txt":
        return _text_lines(text)
    return _entries(yaml.safe_load(text))


def _entry_label(entry: Any, index: int) -> str:
    if isinstance(entry, dict):
        return str(entry.get("name") or entry.get("home") or f"#{index + 1}")
    return str(entry) if isinstance(entry, str) else f"#{index + 1}"


def _problems(exc: ValidationError, file: str, label: str) -> list[SourceError]:
    """One error per wrong field, worded for people rather than in pydantic's terms."""
    errors = []
    for problem in exc.errors():
        loc = ".".join(str(part) for part in problem["loc"]) or None
        message = _MESSAGES.get(problem["type"]) or problem["msg"].removeprefix("Value error, ")
        errors.append(SourceError(file, label, loc, message))
    return errors


def _validate_entries(entries: list[Any], file: str) -> tuple[list[Source], list[SourceError]]:
    sources: list[Source] = []
    errors: list[SourceError] = []
    for index, entry in enumerate(entries):
        label = _entry_label(entry, index)
        raw = {"home": entry} if isinstance(entry, str) else entry
        if not isinstance(raw, dict):
            errors.append(SourceError(file, label, None, "expected a URL or a mapping"))
            continue
        try:
            sources.append(SourceDefinition.model_validate(raw).to_source(origin=file))
        except ValidationError as exc:
            errors.extend(_problems(exc, file, label))
    return sources, errors


def load_source_file(path: Path) -> tuple[list[Source], list[SourceError]]:
    """Sources defined in one file, and the errors of the entries that are wrong."""
    try:
        entries = _read_entries(path)
    except yaml.YAMLError as exc:
        return [], [SourceError(str(path), None, None, f"cannot read definitions: {_yaml_problem(exc)}")]
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return [], [SourceError(str(path), None, None, f"cannot read definitions: {exc}")]
    return _validate_entries(entries, str(path))


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML syntax error on one line, with the file's own line and column («line 3, column 7: ...»)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"YAML syntax error at {where}{problem}"


def new_definition(home: str, name: str | None, directory: Path) -> tuple[Source, Path, str]:
    """The source, file and text that `sources add` writes, checked exactly as the loader will read them back.

    Raises DefinitionError when the loader would skip the file, so nothing invalid is written.
    """
    raw = {"home": home.strip(), **({"name": name} if name else {})}
    label = str(directory / f"{name or name_from_url(raw['home'])}.yaml")
    checked, errors = _validate_entries([raw], label)
    if errors:
        raise DefinitionError(errors)
    source = checked[0]
    path = directory / f"{source.name}.yaml"
    text = source_to_yaml(source)
    written, errors = _validate_entries(_entries(yaml.safe_load(text)), str(path))
    if errors or len(written) != 1:
        raise DefinitionError(errors)
    return written[0], path, text


def _definition_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in DEFINITION_SUFFIXES)


def _load_dir(directory: Path, found: dict[str, Source], errors: list[SourceError], *, shipped: bool) -> None:
    local: set[str] = set()
    for path in _definition_files(directory):
        sources, file_errors = load_source_file(path)
        errors.extend(file_errors)
        for source in sources:
            if source.name in local:
                first = found[source.name].origin
                errors.append(SourceError(str(path), source.name, "name", f"already defined in {first}"))
                continue
            if source.name in found and not shipped:
                logger.info("Source %s from %s replaces the shipped definition", source.name, path)
            local.add(source.name)
            found[source.name] = source


def _default_dir() -> Path | None:
    """The user's directory from the settings; the data directory's `sources/` only once something is in it."""
    from newsmon.config import get_settings

    settings = get_settings()
    directory = user_sources_dir(settings)
    return directory if settings.sources_dir is not None or directory.is_dir() else None


def _shipped_wanted() -> bool:
    from newsmon.config import get_settings

    return get_settings().shipped_sources


def definitions_signature(extra_dir: Path | None = None) -> tuple[tuple[str, int, int], ...]:
    """What `load_sources` would read, as (file, modification time, size) of every definition file: equal
    signatures mean equal definitions, found with a directory listing instead of parsing every file."""
    directories = [SHIPPED_DIR, extra_dir if extra_dir is not None else _default_dir()]
    found = []
    for directory in directories:
        if directory is None or not directory.is_dir():
            found.append((str(directory), -1, -1))
            continue
        for path in _definition_files(directory):
            with suppress(OSError):  # removed between the listing and the look
                stat = path.stat()
                found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def load_sources(extra_dir: Path | None = None, *, log_errors: bool = True) -> SourceSet:
    """The shipped registry (unless NEWSMON_SHIPPED_SOURCES is off) plus the user's definitions (extra_dir, else
    `user_sources_dir`).

    A user's definition replaces a shipped one of the same name. Errors are returned in the set and, unless
    `log_errors` is false (the caller reports them itself, so they are not shown twice), logged as warnings.
    """
    if extra_dir is None:
        extra_dir = _default_dir()
    found: dict[str, Source] = {}
    errors: list[SourceError] = []
    if _shipped_wanted():
        _load_dir(SHIPPED_DIR, found, errors, shipped=True)
    # Read even when its sources are not wanted: a sync then marks those registered before as removed.
    directories = [str(SHIPPED_DIR)]
    if extra_dir is not None:
        if extra_dir.is_dir():
            _load_dir(extra_dir, found, errors, shipped=False)
            directories.append(str(extra_dir))
        else:
            errors.append(SourceError(str(extra_dir), None, None, "sources directory does not exist"))
    if log_errors:
        for error in errors:
            logger.warning("Source definition error: %s", error)
    return SourceSet(sources=found, errors=tuple(errors), directories=tuple(directories))


_DEFAULTS = {f.name: f.default for f in fields(Source)}


def source_to_yaml(source: Source) -> str:
    """A definition file for `source`, listing only the fields that differ from the defaults (the zone of the
    home's country is the default zone)."""
    data: dict[str, Any] = {"name": source.name, "home": source.home}
    for f in fields(Source):
        if f.name in ("name", "home", "origin"):
            continue
        value = getattr(source, f.name)
        default = zone_for_url(source.home) if f.name == "timezone" else _DEFAULTS[f.name]
        if value == default:
            continue
        if f.name == "selectors":
            value = dict(value)
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, date):
            value = value.isoformat()
        data[f.name] = value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
