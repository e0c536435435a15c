"""The beat schedule as data: kebab-case entries, each expiring before the next tick would duplicate it."""

from __future__ import annotations

from typing import Any

SWEEP_SECONDS = 10.0


def beat_schedule() -> dict[str, dict[str, Any]]:
    return {
        "sweep-outbox": {
            "task": "newsmon.sweep",
            "schedule": SWEEP_SECONDS,
            "options": {"expires": SWEEP_SECONDS, "queue": "process"},
        },
    }
