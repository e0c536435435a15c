"""Publication on a portal -> alert at the monitor's webhook, for every delivered alert, with the whole system
running as in production: its own Redis, PostgreSQL, `newsmon beat`, a crawl worker (2 processes) and a
process/alerts worker, against live loopback portals.

N feed-backed portals (default 200) plus one sitemap, one listing and one JavaScript-built portal (if Chromium
is installed). After a warm-up, articles that name the akim are published at random portals at a steady
rate; each should alert once. Printed: p50/p95/max of publication -> arrival per discovery path, the median
of every stage (from the stored timestamps), the crawl throughput the workers achieved and what it implies
for the time between two polls of one source, and how many articles had not arrived when the run ended.

  python benchmarks/e2e_latency.py [--sources 200] [--publish-minutes 6] [--drain-minutes 4] [--every 4]
                                   [--warmup 60] [--max-interval 120]

The default warm-up measures a cold start (the first round of full crawls is still going on); a warm-up of
one round (~800 s at 200 sources) measures the steady state, where most polls are cheap (304).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsmon.config import get_settings  # noqa: E402
from newsmon.models import Channel, Watch  # noqa: E402
from newsmon.storage import Repository  # noqa: E402
from newsmon.storage.migrate import upgrade  # noqa: E402
from tests.e2e.controller import Controller  # noqa: E402
from tests.e2e.portals import Look, Piece, PortalNetwork  # noqa: E402
from tests.e2e.receivers import WebhookReceiver  # noqa: E402
from tests.e2e.scenario import Planned  # noqa: E402
from tests.e2e.system import System, SystemConfig, wait_for  # noqa: E402
from tests.e2e.timeline import latency_table, percentile, trace_all  # noqa: E402

ADMIN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
# Polling as short as the scheduler allows; everything else as in production (AutoThrottle, download delay).
SETTINGS = {
    "NEWSMON_SCHEDULE_INTERVAL": "60",
    "NEWSMON_SCHEDULE_MIN_INTERVAL": "30",
    "NEWSMON_SCHEDULE_MAX_INTERVAL": "120",
    "NEWSMON_SCHEDULE_TICK": "2",
    "NEWSMON_CRAWL_TIME_LIMIT": "120",
    "NEWSMON_LOG_LEVEL": "INFO",
}
WORDS = [
    "район",
    "село",
    "школа",
    "дорога",
    "вода",
    "свет",
    "газ",
    "парк",
    "мост",
    "больница",
    "поликлиника",
    "стадион",
    "библиотека",
    "клуб",
    "рынок",
    "фермер",
    "урожай",
    "пшеница",
    "сахар",
    "свёкла",
    "хлопок",
    "скот",
    "пастбище",
    "канал",
    "арык",
    "насос",
    "трактор",
    "комбайн",
    "семена",
    "учитель",
    "врач",
    "строитель",
    "инженер",
    "водитель",
    "студент",
    "пенсионер",
    "ветеран",
    "волонтёр",
    "спортсмен",
    "художник",
    "ремонт",
    "строительство",
    "открытие",
    "проверка",
    "совещание",
    "встреча",
    "субсидия",
    "кредит",
    "программа",
    "проект",
    "план",
    "жители",
    "собрание",
    "обращение",
    "вопрос",
    "решение",
    "поручение",
    "срок",
    "качество",
    "бюджет",
    "средства",
    "миллион",
    "тенге",
]
DISTRICTS = ("Байзакском", "Жуалынском", "Кордайском", "Меркенском", "Мойынкумском", "Таласском", "Шуском")


@contextmanager
def fresh_database() -> object:
    import psycopg

    name = f"newsmon_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def article(number: int, rng: random.Random) -> Piece:
    """A distinct story that names the akim (random wording, so no two are near-duplicates)."""
    lead = (
        f"Аким области Бердибек Сапарбаев проверил {rng.choice(WORDS)} в {rng.choice(DISTRICTS)} районе, "
        f"где за год выполнено {rng.randint(10, 990)} работ."
    )
    paragraphs = [lead] + [
        " ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + "." for _ in range(3)
    ]
    return Piece(
        slug=f"news-{number}",
        title=f"Сообщение номер {number}: {rng.choice(WORDS)}",
        body="\n\n".join(paragraphs),
    )


def build_network(sources: int, rendered: bool) -> PortalNetwork:
    network = PortalNetwork()
    for index in range(sources):
        network.add(f"feed-{index:03d}", "feed", Look(site=f"Новости региона {index}"))
    network.add("sitemap-000", "sitemap", Look(site="Агентство по карте сайта"))
    network.add("listing-000", "listing", Look(site="Газета со списком"))
    if rendered:
        network.add("rendered-000", "rendered", Look(site="Портал со скриптом"))
    return network


def plan(network: PortalNetwork, minutes: float, every: float, rng: random.Random) -> list[Planned]:
    """One article every `every` seconds; every fourth on the sitemap, listing or rendered portal."""
    names = list(network.portals)
    feeds = [n for n in names if n.startswith("feed-")]
    others = [n for n in names if not n.startswith("feed-")]
    out = []
    for number in range(int(minutes * 60 / every)):
        portal = rng.choice(others) if number % 4 == 3 else rng.choice(feeds)
        out.append(Planned(f"a{number}", number * every, portal, article(number, rng), expect=("akim",)))
    return out


def crawl_figures(repo: Repository, since: datetime) -> list[str]:
    runs = [r for r in repo.recent_runs(limit=100_000) if r.started_at >= since and r.finished_at]
    if not runs:
        return ["no finished crawl runs"]
    span = (max(r.finished_at for r in runs) - min(r.started_at for r in runs)).total_seconds()
    lines = [f"crawl runs finished: {len(runs)} in {span:.0f} s ({len(runs) / span * 60:.1f} per minute)"]
    polls = [r for r in runs if r.finish_reason == "not modified"]
    for kind, chosen in (("full crawls", [r for r in runs if r not in polls]), ("cheap polls (304)", polls)):
        if chosen:
            durations = [(r.finished_at - r.started_at).total_seconds() for r in chosen]
            lines.append(
                f"  {kind}: {len(chosen)}, duration p50 {median(durations):.2f} s, "
                f"p95 {percentile(durations, 0.95):.2f} s"
            )
    return lines


def first_round(repo: Repository, sources: list[str], started: datetime) -> str:
    """When every source had been crawled once (the cold start: each source's first full crawl)."""
    firsts = []
    for name in sources:
        done = [
            r.finished_at for r in repo.recent_runs(name, limit=1000) if r.status == "ok" and r.finished_at
        ]
        if done:
            firsts.append((min(done) - started).total_seconds())
    if not firsts:
        return "first round: no source crawled"
    last = f"the last {max(firsts):.0f} s" if len(firsts) == len(sources) else "not all"
    return (
        f"first round (cold start): {len(firsts)} of {len(sources)} sources crawled once, {last} after the "
        f"system started (half of them by {median(firsts):.0f} s)"
    )


def poll_gaps(repo: Repository, sources: list[str]) -> str:
    gaps = []
    for name in sources:
        starts = sorted(r.started_at for r in repo.recent_runs(name, limit=1000))
        gaps += [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    if not gaps:
        return "time between two polls of one source: no source was polled twice"
    return (
        f"time between two polls of one source: p50 {median(gaps):.0f} s, p95 {percentile(gaps, 0.95):.0f} s "
        f"({len(gaps)} gaps)"
    )


def run(args: argparse.Namespace) -> int:
    rng = random.Random(7)
    rendered = Path(get_settings().chromium_path).exists()
    network = build_network(args.sources, rendered)
    webhook = WebhookReceiver()
    with fresh_database() as url, tempfile.TemporaryDirectory(prefix="newsmon-e2e-") as tmp:
        repo = Repository.from_url(url)
        upgrade(repo.engine)
        repo.upsert_channel(Channel(id=0, name="hook", kind="webhook", target=webhook.url))
        repo.add_watch(Watch(id=0, name="akim", query="Сапарбаев", channels=("hook",)))
        settings = {**SETTINGS, "NEWSMON_SCHEDULE_MAX_INTERVAL": str(args.max_interval)}
        system = System(SystemConfig(url, Path(tmp), settings, crawl_concurrency=args.concurrency))
        system.write_sources(list(network.portals.values()))
        controller = Controller(network)
        started = datetime.now(UTC)
        with system:
            system.start()
            time.sleep(args.warmup)
            planned = plan(network, args.publish_minutes, args.every, rng)
            controller.run(planned)
            wait_for(
                lambda: len({r.key for r in webhook.receipts}) >= len(planned), args.drain_minutes * 60, 2
            )
        traces = trace_all(repo, list(controller.published.values()), list(webhook.receipts))
        print(f"{args.sources} feed portals + sitemap, listing{', rendered' if rendered else ''}; "
              f"{args.concurrency} crawl processes; {len(planned)} articles published over "
              f"{args.publish_minutes} min after {args.warmup} s warm-up, drained for up to {args.drain_minutes} min")  # fmt: skip
        print(
            f"delivered: {len(traces)} of {len(planned)}; not arrived by the end: {len(planned) - len(traces)}"
        )
        for line in latency_table(traces):
            print(line)
        for line in crawl_figures(repo, started):
            print(line)
        print(first_round(repo, list(network.portals), started))
        print(poll_gaps(repo, list(network.portals)))
        repo.dispose()
    webhook.stop()
    network.stop()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=200, help="feed-backed portals")
    parser.add_argument("--concurrency", type=int, default=4, help="crawl worker processes (two per core)")
    parser.add_argument("--warmup", type=float, default=60, help="seconds before the first publication")
    parser.add_argument(
        "--max-interval",
        type=int,
        default=120,
        help="ceiling of adaptive polling (s): a quiet source is polled at least this often",
    )
    parser.add_argument("--publish-minutes", type=float, default=6)
    parser.add_argument("--every", type=float, default=4, help="seconds between publications")
    parser.add_argument("--drain-minutes", type=float, default=4)
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
