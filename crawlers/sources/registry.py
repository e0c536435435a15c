"""Source definitions: YAML files (or one-line home URLs) validated into `newsmon.models.Source`.

A portal is data, not code. A definition file may hold a bare URL, one mapping, a list of URLs and
mappings, or a mapping with a `sources:` list; `.txt` files hold one home URL per line. One bad file or
entry is reported (file, source, field) and the others still load.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from newsmon.models import Source

logger = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).resolve().parent
DEFINITION_SUFFIXES = (".yaml", ".yml", ".txt")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{4})?$")


class SourceDefinition(BaseModel):
    """The schema of one source entry; unknown keys are errors so that typos are caught."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = None
    home: str
    languages: list[str] = []
    region: str | None = None
    title: str | None = None
    feeds: list[str] = []
    sitemaps: list[str] = []
    listings: list[str] = []
    pagination: str | None = None
    max_pages: int = 3
    article_patterns: list[str] = []
    exclude_patterns: list[str] = []
    selectors: dict[str, str] = {}
    render: bool = False
    schedule: str | None = None
    timezone: str = "Asia/Almaty"
    since_days: int | None = None
    limit: int | None = None
    founded: date | None = None
    enabled: bool = True

    @field_validator("home")
    @classmethod
    def _home(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be an http(s) URL with a host, got {value!r}")
        return value if parts.path else value + "/"

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not _NAME.match(value):
            raise ValueError("must be lower case letters, digits, '.', '_' or '-'")
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        for code in value:
            if not _LANGUAGE.match(code):
                raise ValueError(f"{code!r} is not a language code such as ru, kk or kk-Latn")
        return value

    @field_validator("article_patterns", "exclude_patterns")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None
        return value

    @field_validator("pagination")
    @classmethod
    def _pagination(cls, value: str | None) -> str | None:
        if value is not None and "{n}" not in value:
            raise ValueError("must contain {n} (the page number), e.g. '{url}page/{n}/'")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a tz database zone such as Asia/Almaty") from None
        return value

    @field_validator("max_pages", "limit")
    @classmethod
    def _positive(cls, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise ValueError("must be 1 or more")
        return value

    @field_validator("since_days")
    @classmethod
    def _not_negative(cls, value: int | None) -> int | None:
        if value is not None and value < 0:
            raise ValueError("must be 0 or more")
        return value

    @model_validator(mode="after")
    def _absolute_urls(self) -> SourceDefinition:
        """Feeds, sitemaps and listings may be written relative to the home page."""
        for key in ("feeds", "sitemaps", "listings"):
            setattr(self, key, [urljoin(self.home, url) for url in getattr(self, key)])
        return self

    def to_source(self, origin: str | None = None) -> Source:
        return Source(
            name=self.name or name_from_url(self.home),
            home=self.home,
            languages=tuple(self.languages),
            region=self.region,
            title=self.title,
            feeds=tuple(self.feeds),
            sitemaps=tuple(self.sitemaps),
            listings=tuple(self.listings),
            pagination=self.pagination,
            max_pages=self.max_pages,
            article_patterns=tuple(self.article_patterns),
            exclude_patterns=tuple(self.exclude_patterns),
            selectors=tuple(sorted(self.selectors.items())),
            render=self.render,
            schedule=self.schedule,
            timezone=self.timezone,
            since_days=self.since_days,
            limit=self.limit,
            founded=self.founded,
            enabled=self.enabled,
            origin=origin,
        )


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


@dataclass(frozen=True, slots=True)
class SourceSet:
    """Sources by name, plus the errors met while loading them."""

    sources: dict[str, Source] = field(default_factory=dict)
    errors: tuple[SourceError, ...] = ()

    def __getitem__(self, name: str) -> Source:
        return self.sources[name]

    def __contains__(self, name: object) -> bool:
        return name in self.sources

    def __iter__(self) -> Iterator[Source]:
        return iter(self.sources.values())

    def __len__(self) -> int:
        return len(self.sources)


def name_from_url(url: str) -> str:
    """A source name from a home URL: the host without `www.` (`https://www.zakon.kz/` -> `zakon.kz`)."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or "source"


def source_from_url(url: str) -> Source:
    """The minimal source: a home URL; everything else is discovered at crawl time."""
    return SourceDefinition(home=url.strip()).to_source()


def _entries(document: Any, path: Path) -> list[Any]:
    if document is None:
        return []
    if isinstance(document, dict) and "sources" in document and "home" not in document:
        document = document["sources"]
    if isinstance(document, str | dict):
        return [document]
    if isinstance(document, list):
        return document
    raise ValueError(f"expected a URL, a mapping or a list, got {type(document).__name__}")


def _read_entries(path: Path) -> list[Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".txt":
        return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return _entries(yaml.safe_load(text), path)


def _entry_label(entry: Any, index: int) -> str:
    if isinstance(entry, dict):
        return str(entry.get("name") or entry.get("home") or f"#{index + 1}")
    return str(entry) if isinstance(entry, str) else f"#{index + 1}"


def load_source_file(path: Path) -> tuple[list[Source], list[SourceError]]:
    """Sources defined in one file, and the errors of the entries that are wrong."""
    try:
        entries = _read_entries(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
        return [], [SourceError(str(path), None, None, f"cannot read definitions: {exc}")]
    sources: list[Source] = []
    errors: list[SourceError] = []
    for index, entry in enumerate(entries):
        label = _entry_label(entry, index)
        raw = {"home": entry} if isinstance(entry, str) else entry
        if not isinstance(raw, dict):
            errors.append(SourceError(str(path), label, None, "expected a URL or a mapping"))
            continue
        try:
            sources.append(SourceDefinition.model_validate(raw).to_source(origin=str(path)))
        except ValidationError as exc:
            for problem in exc.errors():
                loc = ".".join(str(part) for part in problem["loc"]) or None
                errors.append(SourceError(str(path), label, loc, problem["msg"]))
    return sources, errors


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


def load_sources(extra_dir: Path | None = None) -> SourceSet:
    """The shipped registry plus the user's definitions (extra_dir, else settings.sources_dir).

    A user's definition replaces a shipped one of the same name.
    """
    if extra_dir is None:
        from newsmon.config import get_settings

        extra_dir = get_settings().sources_dir
    found: dict[str, Source] = {}
    errors: list[SourceError] = []
    _load_dir(SHIPPED_DIR, found, errors, shipped=True)
    if extra_dir is not None:
        if extra_dir.is_dir():
            _load_dir(extra_dir, found, errors, shipped=False)
        else:
            errors.append(SourceError(str(extra_dir), None, None, "sources directory does not exist"))
    for error in errors:
        logger.warning("Source definition error: %s", error)
    return SourceSet(sources=found, errors=tuple(errors))


_DEFAULTS = {f.name: f.default for f in fields(Source)}


def source_to_yaml(source: Source) -> str:
    """A definition file for `source`, listing only the fields that differ from the defaults."""
    data: dict[str, Any] = {"name": source.name, "home": source.home}
    for f in fields(Source):
        if f.name in ("name", "home", "origin"):
            continue
        value = getattr(source, f.name)
        if value == _DEFAULTS[f.name]:
            continue
        if f.name == "selectors":
            value = dict(value)
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, date):
            value = value.isoformat()
        data[f.name] = value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
