"""End to end: articles published on live portals (feed, sitemap, listing, rendered) reach a monitor's webhook
and mailbox once per (watch, story, channel), through a worker killed with SIGKILL and a Redis restart.

The system runs as in production: its own Redis server, PostgreSQL, `newsmon beat`, a crawl worker and a
process/alerts worker, all separate processes. Settings only make it fast (short polling, 1 s backoff).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsmon.config import get_settings
from newsmon.models import Channel, StoredArticle, Watch
from newsmon.storage import Repository
from newsmon.storage.migrate import upgrade
from pipelines.canonical import canonical_url
from tests.e2e.controller import Controller, Event
from tests.e2e.portals import KINDS, PortalNetwork
from tests.e2e.receivers import SmtpReceiver, WebhookReceiver, all_receipts
from tests.e2e.scenario import Scenario, load_scenario
from tests.e2e.system import FAST_SETTINGS, System, SystemConfig, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.timeout(480)]
CHANNELS = ("hook", "mail")
SETTLE_SECONDS = 180  # after the last publication, for everything to arrive
QUIET_SECONDS = 12  # then nothing more may arrive (longer than one sweep)


@pytest.fixture
def scenario_network() -> Iterator[tuple[Scenario, PortalNetwork]]:
    scenario = load_scenario()
    kinds = set(KINDS)
    if not Path(get_settings().chromium_path).exists():
        kinds.discard("rendered")  # no browser here: the rendered portal and its articles are left out
    network = scenario.build_network(kinds)
    yield scenario.only_on(set(network.portals)), network
    network.stop()


@pytest.fixture
def receivers() -> Iterator[tuple[WebhookReceiver, SmtpReceiver]]:
    webhook, smtp = WebhookReceiver(), SmtpReceiver()
    yield webhook, smtp
    webhook.stop()
    smtp.stop()


def _prepare(repo: Repository, scenario: Scenario, webhook: WebhookReceiver, smtp: SmtpReceiver) -> None:
    upgrade(repo.engine)
    repo.upsert_channel(Channel(id=0, name="hook", kind="webhook", target=webhook.url))
    repo.upsert_channel(Channel(id=0, name="mail", kind="email", target=smtp.target))
    for name, query in scenario.watches.items():
        repo.add_watch(Watch(id=0, name=name, query=query, channels=CHANNELS))


def _every_source_crawled(repo: Repository, network: PortalNetwork) -> bool:
    return all(
        any(run.status == "ok" for run in repo.recent_runs(name, limit=10)) for name in network.portals
    )


def _expected_keys(repo: Repository, scenario: Scenario, controller: Controller) -> set[str] | None:
    """match:<watch>:<story>:<channel> of every planted mention, once its article is stored; None before."""
    watches = {w.name: w.id for w in repo.list_watches()}
    channels = [c.id for c in repo.list_channels()]
    keys = set()
    for planned in scenario.plan:
        if not planned.expect:
            continue
        stored = _stored(repo, controller.published[planned.id].url)
        if stored is None or stored.story_id is None:
            return None
        keys |= {f"match:{watches[w]}:{stored.story_id}:{c}" for w in planned.expect for c in channels}
    return keys


def _stored(repo: Repository, url: str) -> StoredArticle | None:
    return repo.article_by_url(canonical_url(url))


def _settled(repo: Repository, scenario: Scenario, controller: Controller, receipts: list) -> bool:
    articles = [_stored(repo, p.url) for p in controller.published.values()]
    if any(a is None or not a.matched for a in articles):
        return False
    if repo.count_alerts("pending") or repo.count_alerts("sending"):
        return False
    expected = _expected_keys(repo, scenario, controller)
    return expected is not None and expected <= {r.key for r in receipts()}


def test_mentions_reach_monitor_once_through_worker_kill_and_redis_restart(
    postgres_url: str, tmp_path: Path, scenario_network, receivers
) -> None:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    scenario, network = scenario_network
    webhook, smtp = receivers
    repo = Repository.from_url(postgres_url)
    _prepare(repo, scenario, webhook, smtp)
    system = System(SystemConfig(postgres_url, tmp_path, dict(FAST_SETTINGS)))
    system.write_sources(list(network.portals.values()))
    controller = Controller(network)
    worker = "process-worker"
    faults = [
        Event(16, "SIGKILL the process worker", lambda: system.services[worker].kill()),
        Event(20, "start the process worker again", lambda: system.services[worker].start()),
        Event(37, "restart Redis", lambda: system.redis.restart(downtime=3)),
    ]
    with system:
        system.start()
        assert wait_for(lambda: _every_source_crawled(repo, network), 150), system.logs()
        controller.run(scenario.plan, faults)
        receipts = lambda: all_receipts(webhook, smtp)  # noqa: E731
        settled = wait_for(lambda: _settled(repo, scenario, controller, receipts), SETTLE_SECONDS, 1.0)
        assert settled, _report(repo, controller, receipts(), system)
        time.sleep(QUIET_SECONDS)  # anything sent twice or by a near miss shows up now
        status = _status_json(system)

    arrived = receipts()
    expected = _expected_keys(repo, scenario, controller)
    assert expected is not None
    counts = Counter(r.key for r in arrived)
    # Every planted mention arrived, on both channels, exactly once; nothing else arrived.
    assert set(counts) == expected, _report(repo, controller, arrived, system)
    assert all(n == 1 for n in counts.values()), counts
    assert {r.channel for r in arrived} == {"webhook", "email"}
    # Reprints joined the story of their original; near misses are stored and matched but alerted nobody.
    for planned in scenario.plan:
        article = _stored(repo, controller.published[planned.id].url)
        assert article is not None and article.matched, f"{planned.id} was lost"
        if planned.reprint_of:
            original = _stored(repo, controller.published[planned.reprint_of].url)
            assert article.story_id == original.story_id, f"{planned.id} is not in its original's story"
    alerted_stories = {a.story_id for a in repo.list_alerts(limit=1000)}
    near_misses = [p for p in scenario.plan if not p.expect and not p.reprint_of]
    for planned in near_misses:
        assert _stored(repo, controller.published[planned.id].url).story_id not in alerted_stories, planned.id
    assert repo.count_alerts() == repo.count_alerts("sent") == len(expected)
    # The interruptions are recorded runs, not silence: no run is left running, every source crawled after both.
    runs = repo.recent_runs(limit=2000)
    assert not [r for r in runs if r.status == "running"], [
        (r.source, r.id) for r in runs if r.status == "running"
    ]
    redis_back = next(h.at for h in controller.journal if h.name == "restart Redis")
    for name in network.portals:
        assert any(r.source == name and r.status == "ok" and r.started_at > redis_back for r in runs), name
    assert {row["source"] for row in status if row["verdict"] != "never crawled"} >= set(network.portals)
    repo.dispose()


def _status_json(system: System) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "newsmon.cli", "status", "--json"],
        env=system.env(),
        cwd=system.workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def _report(repo: Repository, controller: Controller, receipts: list, system: System) -> str:
    lines = ["journal:"] + [f"  {h.at:%H:%M:%S.%f} {h.name}" for h in controller.journal]
    for planned_id, published in controller.published.items():
        stored = _stored(repo, published.url)
        state = "lost" if stored is None else f"story {stored.story_id} matched={stored.matched}"
        lines.append(f"  {planned_id}: {state}")
    lines.append(f"receipts: {sorted(Counter(r.key for r in receipts).items())}")
    lines.append(f"alerts: {[(a.id, a.status, a.idempotency_key) for a in repo.list_alerts(limit=200)]}")
    runs = repo.recent_runs(limit=200)
    lines.append("runs: " + ", ".join(f"{r.source}#{r.id}:{r.status}" for r in runs))
    lines.append(f"restarted by the supervisor (service, exit code): {system.restarts}")
    lines.append(f"full logs: {system.workdir}")
    return "\n".join(lines) + "\n" + system.logs()
