"""The controller: publishes articles and injects faults at chosen times, and notes when each happened."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tests.e2e.portals import PortalNetwork, Published
from tests.e2e.scenario import Planned

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Event:
    """Something to do `at` seconds after the start: publish an article, kill a worker, restart Redis."""

    at: float
    name: str
    action: Callable[[], object]


@dataclass(frozen=True, slots=True)
class Happened:
    name: str
    at: datetime
    took: float  # seconds the action itself took (a restart waits for the server)


class Controller:
    """Runs a timeline of publications and faults against a portal network, in the calling thread."""

    def __init__(self, network: PortalNetwork) -> None:
        self.network = network
        self.published: dict[str, Published] = {}
        self.journal: list[Happened] = []

    def publication(self, planned: Planned) -> Event:
        def publish() -> Published:
            done = self.network[planned.portal].publish(planned.piece)
            self.published[planned.id] = done
            return done

        return Event(planned.at, f"publish {planned.id} on {planned.portal}", publish)

    def run(self, plan: Sequence[Planned], faults: Sequence[Event] = (), speed: float = 1.0) -> None:
        """Carry out every publication and fault at its time (times divided by `speed`)."""
        events = sorted([*(self.publication(p) for p in plan), *faults], key=lambda e: e.at)
        start = time.monotonic()
        for event in events:
            delay = start + event.at / speed - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            began, stamp = time.monotonic(), datetime.now(UTC)
            event.action()
            self.journal.append(Happened(event.name, stamp, time.monotonic() - began))
            log.info("%s at +%.1fs", event.name, time.monotonic() - start)
