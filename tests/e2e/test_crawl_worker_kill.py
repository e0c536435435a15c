"""A crawl worker killed with SIGKILL in the middle of a crawl: once the crawl's lease runs out, the run must be
recorded as interrupted and the source crawled again (docs/deployment.md, "A worker killed outright"), so an
article published meanwhile still arrives. Before the scheduler read expired leases, the run stayed `running`
and the source claimed for NEWSMON_CRAWL_TIME_LIMIT + 300 s (20 minutes with the default limit).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsmon.models import CrawlRun
from newsmon.storage import Repository
from newsmon.storage.migrate import upgrade
from pipelines.canonical import canonical_url
from tests.e2e.portals import Look, Piece, PortalNetwork
from tests.e2e.system import FAST_SETTINGS, System, SystemConfig, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.timeout(480)]
RECOVERY_SECONDS = 60
NEWS = Piece(
    slug="novyi-most",
    title="В Таразе открыли новый мост через реку Талас",
    body="В Таразе после двух лет строительства открыли новый автомобильный мост через реку Талас. "
    "Он соединил западные микрорайоны с центром города и разгрузит старый мост.\n\n"
    "Длина моста составляет триста двадцать метров, на нём по две полосы движения в каждую сторону и "
    "тротуары с обеих сторон. Строители обещают закончить благоустройство подъездов к осени.",
)


@pytest.fixture
def network() -> Iterator[PortalNetwork]:
    portals = PortalNetwork()
    portals.add("solo", "listing", Look(site="Городские новости"))
    yield portals
    portals.stop()


def _running(repo: Repository) -> CrawlRun | None:
    return next((r for r in repo.recent_runs("solo", limit=5) if r.status == "running"), None)


def test_source_of_a_crawl_worker_killed_mid_crawl_is_crawled_again_when_its_lease_runs_out(
    postgres_url: str, tmp_path: Path, network: PortalNetwork
) -> None:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    repo = Repository.from_url(postgres_url)
    upgrade(repo.engine)
    # A short time limit gives a short crawl lease (the limit, clamped to 15-60 s): it runs out soon after the kill.
    settings = {**FAST_SETTINGS, "NEWSMON_CRAWL_TIME_LIMIT": "20"}
    system = System(SystemConfig(postgres_url, tmp_path, settings))
    system.write_sources(list(network.portals.values()))
    with system:
        system.start()
        assert wait_for(lambda: _running(repo) is not None, 120, 0.2), system.logs()
        killed = _running(repo)
        system.services["crawl-worker"].kill()
        system.services["crawl-worker"].start()
        published = network["solo"].publish(NEWS)

        def recovered() -> bool:
            run = next(r for r in repo.recent_runs("solo", limit=50) if r.id == killed.id)
            return run.status != "running" and repo.article_by_url(canonical_url(published.url)) is not None

        assert wait_for(recovered, RECOVERY_SECONDS, 1.0), [
            (r.id, r.status, r.finish_reason) for r in repo.recent_runs("solo")
        ]
    repo.dispose()
