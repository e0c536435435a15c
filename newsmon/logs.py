"""Logging set-up: plain or JSON lines (NEWSMON_LOG_JSON), carrying source, run id and URL when given."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

CONTEXT_FIELDS = ("source", "run_id", "url", "watch", "alert_id")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in CONTEXT_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(*, debug: bool = False) -> None:
    from newsmon.config import ConfigError, get_settings

    try:
        settings = get_settings()
        level, as_json = ("DEBUG" if debug else settings.log_level), settings.log_json
    except ConfigError:
        level, as_json = "INFO", False  # the command itself reports the bad setting
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if as_json else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level if debug else max(logging.getLevelName(level), logging.WARNING))
    for name in ("newsmon", "crawlers", "pipelines", "tasks"):
        logging.getLogger(name).setLevel(level)
