"""The scenario as data (tests/fixtures/e2e/scenario.yaml): portals, watches, seed articles and the plan."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.portals import Look, Piece, PortalNetwork

SCENARIO_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "e2e" / "scenario.yaml"


@dataclass(frozen=True, slots=True)
class Planned:
    """One publication of the plan: where, when (seconds after the start) and which watches must alert."""

    id: str
    at: float
    portal: str
    piece: Piece
    expect: tuple[str, ...] = ()
    reprint_of: str | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    portals: dict[str, tuple[str, Look]]
    watches: dict[str, str]
    seed: tuple[tuple[str, Piece], ...]
    plan: tuple[Planned, ...]

    def build_network(self, kinds: set[str] | None = None) -> PortalNetwork:
        """Start the portals (only those of `kinds`, when given) with their seed articles."""
        network = PortalNetwork()
        for name, (kind, look) in self.portals.items():
            if kinds is None or kind in kinds:
                network.add(name, kind, look)
        network.seed([(portal, piece) for portal, piece in self.seed if portal in network.portals])
        return network

    def only_on(self, portals: set[str]) -> Scenario:
        """The plan without the publications on portals left out (e.g. no browser on this machine)."""
        plan = tuple(p for p in self.plan if p.portal in portals)
        kept = {p.id for p in plan}
        plan = tuple(p for p in plan if p.reprint_of is None or p.reprint_of in kept)
        return Scenario(self.portals, self.watches, self.seed, plan)


def _piece(entry: dict[str, Any]) -> Piece:
    return Piece(slug=entry["slug"], title=entry["title"], body=entry["body"], lang=entry.get("lang", "ru"))


def load_scenario(path: Path = SCENARIO_FILE) -> Scenario:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    portals = {
        name: (spec["kind"], Look(site=spec["site"], footer=spec["footer"]))
        for name, spec in raw["portals"].items()
    }
    plan = tuple(
        Planned(
            id=entry["id"],
            at=float(entry["at"]),
            portal=entry["portal"],
            piece=_piece(entry),
            expect=tuple(entry.get("expect") or ()),
            reprint_of=entry.get("reprint_of"),
        )
        for entry in raw["plan"]
    )
    seed = tuple((entry["portal"], _piece(entry)) for entry in raw["seed"])
    return Scenario(portals, dict(raw["watches"]), seed, plan)
