"""`newsmon demo` end to end: real crawls of the sample portals, stories, alerts once, nothing twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from newsmon.demo.portals.outcome import expected_alerts


def run_demo(cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    return subprocess.run(
        [sys.executable, "-m", "newsmon.cli", "demo"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_demo_alerts_each_planned_story_once_and_a_second_run_adds_nothing(tmp_path: Path) -> None:
    first = run_demo(tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "14 articles in 10 stories stored" in first.stdout
    lines = (tmp_path / ".newsmon" / "demo-alerts.jsonl").read_text().splitlines()
    delivered = [json.loads(line)["data"] for line in lines]
    per_watch = Counter(alert["watch_name"] for alert in delivered)
    assert per_watch == {watch: len(stories) for watch, stories in expected_alerts().items()}
    assert len({(a["watch_name"], a["story_id"]) for a in delivered}) == len(delivered)  # once per story
    assert "Бейбітшілік пен келісім" in first.stdout  # the console channel printed the alerts

    second = run_demo(tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "14 articles in 10 stories stored; 0 alerts sent this run" in second.stdout.replace("\n", " ")
    assert len((tmp_path / ".newsmon" / "demo-alerts.jsonl").read_text().splitlines()) == len(delivered)
