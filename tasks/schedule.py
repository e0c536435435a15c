"""The beat schedule as data: kebab-case entries, each expiring before the next tick would duplicate it.

Beat's own schedule stays this small on purpose: per-source schedules live in the database and are claimed
by the `schedule-crawls` tick (see tasks/scheduling.py), so changing them needs no restart, and a second beat
process only adds harmless extra ticks.
"""

from __future__ import annotations

from typing import Any

from newsmon.config import get_settings

SWEEP_SECONDS = 10.0
HEALTH_SECONDS = 300.0
ALERTS_TICK_SECONDS = 60.0  # digests at each owner's boundary, spikes once a day


def beat_schedule() -> dict[str, dict[str, Any]]:
    settings = get_settings()
    tick = settings.schedule_tick
    keep_trends = settings.trends_keep_every  # the commonest words' counts, kept ahead of their first ask
    return {
        "sweep-outbox": {
            "task": "newsmon.sweep",
            "schedule": SWEEP_SECONDS,
            "options": {"expires": SWEEP_SECONDS, "queue": "process"},
        },
        "schedule-crawls": {
            "task": "newsmon.schedule_crawls",
            "schedule": tick,
            "options": {"expires": tick, "queue": "process"},
        },
        "alerts-tick": {
            "task": "newsmon.alerts_tick",
            "schedule": ALERTS_TICK_SECONDS,
            "options": {"expires": ALERTS_TICK_SECONDS, "queue": "process"},
        },
        "keep-common-trends": {
            "task": "newsmon.keep_common_trends",
            "schedule": keep_trends,
            "options": {"expires": keep_trends, "queue": "process"},
        },
        "check-health": {
            "task": "newsmon.check_health",
            "schedule": HEALTH_SECONDS,
            "options": {"expires": HEALTH_SECONDS, "queue": "process"},
        },
    }
