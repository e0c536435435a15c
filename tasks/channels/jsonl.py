"""JSONL file: one JSON object per alert, appended to a file; a key already in the file is not written again.

The check and the append happen under an exclusive lock on the file (fcntl.flock), so two workers on one
machine delivering the same alert write it once. Each line is flushed and fsynced before send() returns.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from newsmon.models import Channel
from tasks.channels.base import ChannelConfigError, DeliveryError, Message

logger = logging.getLogger(__name__)


def jsonl_path(target: str) -> Path:
    text = target.strip()
    if not text:
        raise ChannelConfigError("jsonl channel: the target file path is empty")
    if "://" in text:
        raise ChannelConfigError(
            f"jsonl channel: the target must be a file path, not a URL ({text.split('://')[0]}://)"
        )
    path = Path(text).expanduser()
    if path.is_dir():
        raise ChannelConfigError(f"jsonl channel: {path} is a directory, not a file")
    return path


def already_written(stream: IO[str], idempotency_key: str) -> bool:
    """Whether a line of the file carries this idempotency key (cheap substring test before parsing)."""
    stream.seek(0)
    quoted = json.dumps(idempotency_key, ensure_ascii=False)
    for line in stream:
        if quoted not in line:
            continue
        try:
            if json.loads(line).get("idempotency_key") == idempotency_key:
                return True
        except (ValueError, AttributeError):
            continue
    return False


class JsonlChannel:
    kind = "jsonl"

    def validate(self, target: str, options: Mapping[str, Any]) -> None:
        jsonl_path(target)

    def secrets(self, channel: Channel) -> list[str]:
        return []

    def send(self, channel: Channel, message: Message, *, idempotency_key: str, timeout: float) -> None:
        path = jsonl_path(channel.target)
        record = {
            "idempotency_key": idempotency_key,
            "channel": channel.name,
            "delivered_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "subject": message.subject,
            "text": message.text,
            "data": message.data,
        }
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a+", encoding="utf-8") as stream:
                fcntl.flock(stream, fcntl.LOCK_EX)
                if already_written(stream, idempotency_key):
                    logger.info("Alert %s is already in %s; not written again", idempotency_key, path)
                    return
                stream.seek(0, os.SEEK_END)
                stream.write(line)
                stream.flush()
                os.fsync(stream.fileno())
        except (PermissionError, IsADirectoryError, NotADirectoryError) as exc:
            raise DeliveryError(
                f"jsonl {channel.name!r}: cannot write {path} ({exc.strerror})", retryable=False
            ) from None
        except OSError as exc:
            raise DeliveryError(
                f"jsonl {channel.name!r}: writing {path} failed ({exc.strerror})", retryable=True
            ) from None
        logger.info("Wrote alert %s to %s", idempotency_key, path)
