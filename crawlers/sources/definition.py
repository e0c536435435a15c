"""The schema of one source entry and the checks on its values.

Every value is checked when its file loads, so a mistake is reported with the file, the source and the field
instead of surfacing later as a skipped crawl, a nonsense URL or an "invalid" line in `newsmon schedule`.
"""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from crawlers.pages.zones import zone_for_url
from newsmon.models import Source
from newsmon.schedules import ScheduleError, parse_schedule

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{4})?$")
_HOST = re.compile(r"^[\w.:-]+$")  # letters (IDN too), digits, dots, hyphens; ':' for IPv6
_WEB_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def name_from_url(url: str) -> str:
    """A source name from a home URL: the host without `www.` (`https://www.zakon.kz/` -> `zakon.kz`).

    A host in another script is named by its ASCII (punycode) form, which a name may hold. A port other
    than the scheme's own is kept (`127.0.0.1-8701`): it is then the port that tells two portals apart.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    with suppress(UnicodeError):  # not a host the IDNA codec reads: the name check reports it
        host = host.encode("idna").decode("ascii")
    name = host.removeprefix("www.") or "source"
    try:
        port = parts.port
    except ValueError:  # not a port number: the home URL check reports it
        port = None
    return f"{name}-{port}" if port and port != _DEFAULT_PORTS.get(parts.scheme) else name


def check_home(value: str) -> str:
    """An absolute http(s) URL with a plausible host; a bare path is given a trailing `/`."""
    parts = urlsplit(value)
    if parts.scheme not in _WEB_SCHEMES or not parts.hostname or any(ch.isspace() for ch in value):
        raise ValueError(f"must be an http(s) URL with a host, got {value!r}")
    if not _HOST.match(parts.hostname):
        raise ValueError(f"{parts.hostname!r} is not a host name")
    return value if parts.path else value + "/"


def check_link(value: str) -> str:
    """A feed, sitemap or listing: an http(s) URL or a path relative to home.

    Anything else (another scheme, `javascript:`, text with spaces) would otherwise be joined to the home
    URL and fetched as a page that does not exist.
    """
    parts = urlsplit(value)
    if not value or any(ch.isspace() for ch in value):
        valid = False
    elif parts.scheme or value.startswith("//"):
        valid = parts.scheme in (*_WEB_SCHEMES, "") and bool(parts.hostname)
    else:  # a relative path's first segment has no ':' (RFC 3986), so "::x::" is not one
        valid = ":" not in value.split("/", 1)[0].split("?", 1)[0]
    if not valid:
        raise ValueError(f"{value!r} is not an http(s) URL or a path relative to home")
    return value


def check_schedule(value: str) -> str:
    """The scheduler's own reading of the value (adaptive, an interval or a cron expression)."""
    try:
        parse_schedule(value)
    except ScheduleError as exc:
        raise ValueError(str(exc).removeprefix("schedule ")) from None
    return value


def check_selectors(value: dict[str, str]) -> dict[str, str]:
    """Only the fields the extractor reads, with selectors that compile (CSS, or XPath when they start with
    / or (): a misspelt key would be ignored without a word, a broken selector fail on every page."""
    if not value:
        return value
    from crawlers.pages.selectors import FIELDS, SelectorError, check_selector  # only then: it loads lxml

    unknown = sorted(set(value) - FIELDS)
    if unknown:
        names = ", ".join(repr(key) for key in unknown)
        raise ValueError(f"unknown selector field {names}; known: {', '.join(sorted(FIELDS))}")
    for field, query in value.items():
        try:
            check_selector(field, query)
        except SelectorError as exc:
            raise ValueError(str(exc)) from None
    return value


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
    timezone: str | None = None  # none: the zone of the home URL's country (crawlers.pages.zones)
    since_days: int | None = None
    limit: int | None = None
    founded: date | None = None
    enabled: bool = True

    @model_validator(mode="before")
    @classmethod
    def _name_from_home(cls, data: Any) -> Any:
        """The default name (the host) is checked like a written one: a host may hold what a name may not."""
        if isinstance(data, dict) and data.get("name") is None and isinstance(data.get("home"), str):
            try:
                return {**data, "name": name_from_url(check_home(data["home"].strip()))}
            except ValueError:
                return data  # the home field reports it
        return data

    @field_validator("home")
    @classmethod
    def _home(cls, value: str) -> str:
        return check_home(value)

    @field_validator("feeds", "sitemaps", "listings")
    @classmethod
    def _links(cls, value: list[str]) -> list[str]:
        return [check_link(url) for url in value]

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not _NAME.match(value):
            raise ValueError(f"{value!r} is not a name: use lower case letters, digits, '.', '_' or '-'")
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

    @field_validator("selectors")
    @classmethod
    def _selectors(cls, value: dict[str, str]) -> dict[str, str]:
        return check_selectors(value)

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        return None if value is None else check_schedule(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if value is None:
            return None
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
            timezone=self.timezone or zone_for_url(self.home),
            since_days=self.since_days,
            limit=self.limit,
            founded=self.founded,
            enabled=self.enabled,
            origin=origin,
        )
