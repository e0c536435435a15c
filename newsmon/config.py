"""The one settings object.

Every setting has a default that needs no server (SQLite in the data directory, a SQLite-backed broker), help
text, and an environment variable `NEWSMON_<NAME>`. An optional TOML file named by `NEWSMON_CONFIG` (or
`newsmon.toml` in the current directory) supplies values too; the environment wins over the file.
Every field must be described in docs/settings.md (a test checks).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it and says what to do."""


def _config_file() -> Path | None:
    named = os.environ.get("NEWSMON_CONFIG")
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigError(f"NEWSMON_CONFIG names {path}, which is not a file")
        return path
    local = Path("newsmon.toml")
    return local if local.is_file() else None


class Settings(BaseSettings):
    """newsmon settings; read from NEWSMON_* variables and an optional TOML file."""

    model_config = SettingsConfigDict(env_prefix="NEWSMON_", extra="ignore", validate_default=True)

    # --- where things live -------------------------------------------------------------------------
    data_dir: Path = Field(
        Path(".newsmon"), description="Directory for the embedded database, broker and local state."
    )
    database_url: str = Field(
        "",
        description="SQLAlchemy URL of the database. Empty: a SQLite file newsmon.db in the data directory. "
        "Production: postgresql+psycopg://user@host/db.",
    )
    broker_url: str = Field(
        "",
        description="Celery broker URL. Empty: a SQLite-backed broker in the data directory (no server). "
        "Production: redis://host:6379/0.",
    )
    redis_url: str = Field(
        "",
        description="Redis URL for shared state (locks, near-duplicate index, scheduler). Empty: use the "
        "database instead. Defaults to the broker URL when that is redis://.",
    )
    sources_dir: Path | None = Field(
        None,
        description="Directory of your own source definition files (.yaml, .yml, .txt), read with the shipped "
        "registry; a definition there replaces a shipped one of the same name. Empty: sources/ in "
        "NEWSMON_DATA_DIR, read when it exists (`newsmon sources add` writes there).",
    )
    shipped_sources: bool = Field(
        True,
        description="Read the shipped registry of Kazakh portals with your own definitions. false: only your "
        "own sources are listed and crawled; shipped sources registered before are marked removed at the next "
        "sync (their articles stay).",
    )
    # --- crawling ----------------------------------------------------------------------------------
    user_agent: str = Field(
        "newsmon/0.1 (+{contact_url})",
        description="User-Agent sent to portals; {contact_url} is replaced by contact_url.",
    )
    contact_url: str = Field(
        "https://github.com/newsmon/newsmon",
        description="URL in the User-Agent where portal owners reach us.",
    )
    obey_robots: bool = Field(True, description="Obey robots.txt.")
    concurrency_per_domain: int = Field(2, ge=1, le=32, description="Concurrent requests per domain.")
    download_timeout: int = Field(30, ge=1, description="Seconds before a request times out.")
    download_max_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Largest response body accepted, in bytes."
    )
    download_delay: float = Field(
        0.5, ge=0, description="Seconds between two requests to one portal (AutoThrottle may wait longer)."
    )
    autothrottle: bool = Field(True, description="Use Scrapy's AutoThrottle to adapt to a portal's speed.")
    since_days: int = Field(
        3, ge=0, description="How far back a crawl reaches by default (sitemap lastmod, feed dates), in days."
    )
    recheck_hours: float = Field(
        24.0,
        ge=0,
        description="A stored article published (else stored) less than this many hours ago, seen again by a crawl "
        "without a feed or sitemap date saying it changed, is fetched again to catch updates; 0 never.",
    )
    recheck_first_minutes: float = Field(
        30.0,
        ge=0,
        description="The first such fetch comes this many minutes after the last; each next one waits as long as "
        "the article was old at its last fetch (30 min, 1 h, 2 h...), so a day holds about six.",
    )
    crawl_time_limit: int = Field(900, ge=10, description="Seconds a crawl may run before it is stopped.")
    crawl_memory_mb: int = Field(1024, ge=64, description="Memory cap of one crawl process, in MiB.")
    crawl_launcher: bool = Field(
        True,
        description="Start each crawl as a fork of a warm launcher process, one per worker process, that has "
        "Scrapy and the pipelines loaded (seconds faster per crawl); false starts a fresh process each time.",
    )
    full_crawl_every: int = Field(
        3600,
        ge=0,
        description="A scheduled crawl whose discovery pages all answer 304 is skipped, but a full crawl runs at "
        "least this often (seconds); 0 always crawls in full.",
    )
    chromium_path: str = Field(
        "/usr/bin/chromium", description="Chromium executable for sources marked render (scrapy-playwright)."
    )
    # --- scheduling and health ----------------------------------------------------------------------
    schedule_interval: int = Field(
        900, ge=10, description="Seconds between crawls of a source without its own schedule, to start with."
    )
    schedule_min_interval: int = Field(
        120,
        ge=10,
        description="Shortest interval adaptive polling reaches for a source that finds new articles every time.",
    )
    schedule_max_interval: int = Field(
        6 * 3600,
        ge=10,
        description="Longest interval adaptive polling reaches for a source whose crawls keep finding nothing new.",
    )
    schedule_jitter: float = Field(
        0.1,
        ge=0,
        le=0.5,
        description="Random spread of each next run, as a fraction of the interval (0.1 = ±10%).",
    )
    schedule_tick: float = Field(
        15.0,
        gt=0,
        description="Seconds between scheduler ticks that claim due sources and enqueue their crawls.",
    )
    ops_channels: str = Field(
        "",
        description="Comma-separated channel names that receive ops alerts (a source stale, failing, or "
        "extracting badly). Empty: ops problems are only shown by `newsmon status`.",
    )
    # --- processing --------------------------------------------------------------------------------
    timezone: str = Field(
        "Asia/Almaty",
        description="Time zone of the times in alerts, digests and spike alerts whose watch names none. "
        "(Dates a page writes without a zone are read in its source's `timezone`.)",
    )
    dedupe_threshold: float = Field(
        0.5,
        gt=0,
        lt=1,
        description="Resemblance (Jaccard or containment of word shingles) a near-duplicate candidate needs to "
        "join a story, after its facts (numbers, dates, names) are checked.",
    )
    dedupe_window_days: int = Field(
        30, ge=1, description="Near-duplicates are looked for among articles published this many days apart."
    )
    trends_keep_every: float = Field(
        86_400.0,
        gt=0,
        description="Seconds between runs of the upkeep that keeps the commonest words' trend counts ahead of "
        "their first ask (beat's keep-common-trends).",
    )
    trends_keep_min_articles: int = Field(
        100_000,
        ge=1,
        description="The upkeep keeps the trend counts of the 100 words whose commonest term is in at least this "
        "many articles (150 words kept in all: the rest are those asked for).",
    )
    # --- alerts ------------------------------------------------------------------------------------
    alert_max_attempts: int = Field(8, ge=1, description="Delivery attempts before an alert is dead.")
    alert_backoff_seconds: float = Field(
        10, gt=0, description="First retry delay in seconds; doubles each attempt, with jitter."
    )
    alert_lease_seconds: int = Field(
        300,
        ge=1,
        description="How long a worker holds an alert it is sending; if it dies, the sweeper sends the alert "
        "again (same idempotency key) once the lease runs out. Keep it above the channels' send timeout.",
    )
    match_grace_seconds: float = Field(
        20,
        ge=0,
        description="The sweeper re-enqueues matching for articles left unmatched this long after they "
        "were stored (the message sent at commit normally handles them first).",
    )
    alert_jsonl_path: Path | None = Field(
        None, description="Also append every delivered alert to this JSONL file (the demo uses it)."
    )
    # --- serving and logs --------------------------------------------------------------------------
    log_level: str = Field("INFO", description="Log level: DEBUG, INFO, WARNING, ERROR.")
    log_json: bool = Field(False, description="Write logs as JSON lines.")
    api_host: str = Field("127.0.0.1", description="Address `newsmon serve` listens on.")
    api_port: int = Field(8000, ge=1, le=65535, description="Port `newsmon serve` listens on.")
    api_rate_limit: int = Field(
        600,
        ge=0,
        description="Requests per minute one API token may make (bursts up to that many); 0 turns the limit off.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _config_file()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value

    # --- derived values ----------------------------------------------------------------------------
    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'newsmon.db').resolve()}"

    @property
    def effective_broker_url(self) -> str:
        return self.broker_url or f"sqla+sqlite:///{(self.data_dir / 'broker.db').resolve()}"

    @property
    def effective_redis_url(self) -> str | None:
        if self.redis_url:
            return self.redis_url
        if self.broker_url.startswith(("redis://", "rediss://")):
            return self.broker_url
        return None

    @property
    def effective_user_agent(self) -> str:
        return self.user_agent.replace("{contact_url}", self.contact_url)


def load_settings(**overrides: Any) -> Settings:
    """Read settings, turning validation errors into one line that names the setting."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "?"
        raise ConfigError(
            f"setting NEWSMON_{name.upper()} is invalid: {first['msg']} (got {first.get('input')!r})"
        ) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests pass their own Settings instead."""
    return load_settings()
