"""Where the time went between publication on a portal and an alert's arrival, from what the system stored.

Each delivered alert is traced through the timestamps the stages leave behind: the controller's publish
instant, the crawl run that stored the article (crawl_runs.started_at), the moment the page was extracted
(articles.fetched_at), stored (articles.stored_at), matched (alerts.created_at, written in the matching
transaction), sent (alerts.sent_at), and the receiver's clock. Everything runs on one machine, one clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from newsmon.models import Alert, CrawlRun, StoredArticle
from newsmon.storage import Repository
from tests.e2e.portals import Published
from tests.e2e.receivers import Receipt

STAGES = ("wait for poll", "crawl start-up + fetch", "extract -> stored", "match", "deliver", "receive")


@dataclass(frozen=True, slots=True)
class Trace:
    """One alert's way from the portal to the receiver; stage durations in seconds."""

    path: str  # feed | sitemap | listing | rendered
    key: str
    channel: str
    total: float
    stages: dict[str, float]


def stored_by_url(repo: Repository, since: datetime) -> dict[str, StoredArticle]:
    return {article.url: article for article in repo.articles_since(since, limit=100_000)}


def runs_by_source(repo: Repository, sources: Iterable[str]) -> dict[str, list[CrawlRun]]:
    return {name: repo.recent_runs(name, limit=5000) for name in set(sources)}


def storing_run(runs: Sequence[CrawlRun], stored_at: datetime) -> CrawlRun | None:
    """The crawl run during which an article was stored (the latest that started before it)."""
    before = [r for r in runs if r.started_at <= stored_at]
    return max(before, key=lambda r: r.started_at) if before else None


def _seconds(later: datetime | None, earlier: datetime | None) -> float:
    if later is None or earlier is None:
        return float("nan")
    return (later - earlier).total_seconds()


def trace_alert(
    alert: Alert,
    published: Published,
    article: StoredArticle,
    run: CrawlRun | None,
    receipt: Receipt,
) -> Trace:
    started = run.started_at if run else article.stored_at
    crawl_from = max(started, published.at) if started else published.at
    fetched = article.fetched_at or article.stored_at
    stages = {
        "wait for poll": max(0.0, _seconds(started, published.at)),
        "crawl start-up + fetch": _seconds(fetched, crawl_from),
        "extract -> stored": _seconds(article.stored_at, fetched),
        "match": _seconds(alert.created_at, article.stored_at),
        "deliver": _seconds(alert.sent_at or receipt.at, alert.created_at),
        "receive": _seconds(receipt.at, alert.sent_at) if alert.sent_at else 0.0,
    }
    return Trace(
        published.kind, alert.idempotency_key, receipt.channel, _seconds(receipt.at, published.at), stages
    )


def trace_all(repo: Repository, published: Sequence[Published], receipts: Sequence[Receipt]) -> list[Trace]:
    """A trace for the first arrival of every alert of a published article."""
    if not published:
        return []
    since = min(p.at for p in published) - timedelta(minutes=5)
    articles = stored_by_url(repo, since)
    runs = runs_by_source(repo, (p.portal for p in published))
    first: dict[str, Receipt] = {}
    for receipt in sorted(receipts, key=lambda r: r.at):
        first.setdefault(receipt.key, receipt)
    by_article = {p.url: p for p in published}
    by_id = {a.id: a for a in articles.values()}
    traces = []
    for alert in repo.list_alerts("sent", limit=100_000):
        receipt = first.get(alert.idempotency_key)
        article = by_id.get(alert.article_id or 0)
        origin = by_article.get(article.url) if article else None
        if receipt is None or article is None or origin is None or article.stored_at is None:
            continue
        run = storing_run(runs.get(origin.portal, []), article.stored_at)
        traces.append(trace_alert(alert, origin, article, run, receipt))
    return traces


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def latency_table(traces: Sequence[Trace]) -> list[str]:
    """p50/p95/max of publication -> arrival per discovery path, and the median of every stage."""
    lines = [f"{'path':<10} {'alerts':>6} {'p50 s':>7} {'p95 s':>7} {'max s':>7}   median per stage (s)"]
    header = "  ".join(f"{name}" for name in STAGES)
    lines.append(f"{'':<42}{header}")
    for path in sorted({t.path for t in traces}):
        group = [t for t in traces if t.path == path]
        totals = [t.total for t in group]
        stage_medians = "  ".join(
            f"{median(t.stages[name] for t in group):>{len(name)}.1f}" for name in STAGES
        )
        lines.append(
            f"{path:<10} {len(group):>6} {percentile(totals, 0.5):>7.1f} {percentile(totals, 0.95):>7.1f} "
            f"{max(totals):>7.1f}   {stage_medians}"
        )
    return lines
