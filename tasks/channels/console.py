"""Console: a compact alert block on the worker's stdout (or stderr), for the demo and for local runs."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from newsmon.models import Channel
from tasks.channels.base import ChannelConfigError, Message

logger = logging.getLogger(__name__)

TARGETS = frozenset({"", "-", "stdout", "stderr"})
_HIGHLIGHT = re.compile(r"\*([^*\n]+)\*")


def styled_text(text: str) -> Text:
    """Plain text with the *highlighted* words in bold; scraped text is never read as rich markup."""
    out = Text()
    position = 0
    for match in _HIGHLIGHT.finditer(text):
        out.append(text[position : match.start()])
        out.append(match.group(1), style="bold yellow")
        position = match.end()
    out.append(text[position:])
    return out


class ConsoleChannel:
    kind = "console"

    def validate(self, target: str, options: Mapping[str, Any]) -> None:
        if target.strip().lower() not in TARGETS:
            raise ChannelConfigError(f"console channel: target must be stdout or stderr, not {target!r}")

    def secrets(self, channel: Channel) -> list[str]:
        return []

    def send(self, channel: Channel, message: Message, *, idempotency_key: str, timeout: float) -> None:
        stream = sys.stderr if channel.target.strip().lower() == "stderr" else sys.stdout
        console = Console(file=stream, highlight=False, emoji=False)
        title = Text(" ".join(message.subject.split()), style="bold")
        console.print(Panel(styled_text(message.text), title=title, title_align="left", expand=False))
        logger.debug("Printed alert %s on %s", idempotency_key, channel.name)
