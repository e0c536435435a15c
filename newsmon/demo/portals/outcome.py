"""The outcome the offline demo should reach: which articles form each story and which watches alert on it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from newsmon.demo.portals.site import DemoArticle, demo_articles

EXPECTED_FILE = Path(__file__).resolve().with_name("expected.yaml")


@dataclass(frozen=True, slots=True)
class ExpectedStory:
    """One story of the demo: its articles (all portals) and the watches that should alert on it once."""

    key: str
    title: str
    watches: tuple[str, ...]
    articles: tuple[DemoArticle, ...]
    note: str


def expected_stories(path: Path = EXPECTED_FILE) -> list[ExpectedStory]:
    """Stories of expected.yaml with their articles; an article or story left unpaired is an error."""
    stories = yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]
    articles = demo_articles()
    orphans = sorted({f"{a.portal}:{a.id}" for a in articles if a.story not in stories})
    if orphans:
        raise ValueError(f"{path.name}: articles with a story not listed: {', '.join(orphans)}")
    found = []
    for key, spec in stories.items():
        members = tuple(a for a in articles if a.story == key)
        if not members:
            raise ValueError(f"{path.name}: story {key!r} has no article")
        found.append(
            ExpectedStory(key, spec["title"], tuple(spec.get("watches") or ()), members, spec.get("note", ""))
        )
    return found


def expected_alerts(path: Path = EXPECTED_FILE) -> dict[str, list[str]]:
    """Watch name -> keys of the stories it should alert on (once each)."""
    alerts: dict[str, list[str]] = {}
    for story in expected_stories(path):
        for watch in story.watches:
            alerts.setdefault(watch, []).append(story.key)
    return alerts
