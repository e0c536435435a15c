"""Source health: each source's recent crawl runs and articles against its own history, and ops alerts.

Three problems are looked for, each judged against the source itself rather than a global threshold:
  stale              nothing new for longer than the source's usual gap between articles allows
  failing            the last few runs failed, timed out or mostly got errors
  extraction broken  a field (title, text, date, author) is filled far less often than it used to be
Each problem alerts the ops channels (NEWSMON_OPS_CHANNELS) once when it starts and once when it clears,
through the same alert outbox as watches; the alerts themselves record which problems are open. A source
whose latest run failed before it counts as failing has the verdict `last run failed`, with no alert yet.

The latest full crawl's own problems are listed too, after the verdict and with no alert (they come and go
with a portal's pages, and say what to look at rather than that monitoring stopped):
  unreadable         feeds or sitemaps that could not be read, or only in part (malformed, truncated)
  home page error    the home page did not answer (HTTP 404, timeout...)
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from statistics import mean
from typing import Any

from newsmon.config import get_settings
from newsmon.models import CrawlRun
from newsmon.storage import NewAlert, Repository
from tasks import context
from tasks.app import app
from tasks.poll import NOT_MODIFIED
from tasks.run_summary import FILL_FIELDS, failure_text, summarise, unreachable

log = logging.getLogger(__name__)
HISTORY = timedelta(days=14)
HISTORY_RUNS = 20
FAILING_RUNS = 3  # this many bad runs in a row: failing
BAD_ERROR_RATE = 0.5  # a run that got errors for half its requests counts as bad
STALE_FACTOR = 4.0  # stale after this many usual gaps without a new article
MIN_STALE = timedelta(hours=2)
RECENT_RUNS = 3
MIN_ITEMS = 3  # runs that extracted fewer articles say nothing about fill rates
FILL_DROP = 0.5  # broken when a field's recent fill rate is under half its usual one
MIN_USUAL_FILL = 0.5
PROBLEMS = ("failing", "extraction broken", "stale")  # each alerts the ops channels
FAILED = {"failed", "timeout"}
LAST_RUN_FAILED = "last run failed"  # a verdict, not yet a problem: ops alerts wait for FAILING_RUNS


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str  # one of PROBLEMS, or of the latest full crawl (not alerted): unreadable | home page error
    detail: str


@dataclass(frozen=True, slots=True)
class SourceHealth:
    source: str
    home: str
    verdict: str  # ok | never crawled | last run failed | one of PROBLEMS
    problems: tuple[Problem, ...]
    last_success: datetime | None
    articles_24h: int
    usual_24h: float
    # Share of the last 10 runs that ended that were bad (failed, timed out, or errors for half their requests).
    bad_run_share: float | None
    fill: dict[str, float] = field(default_factory=dict)
    coverage: dict[str, int] = field(default_factory=dict)
    # Per discovery path of the last good run: found, only, missed (listed by another path) and sample URLs.
    path_coverage: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Why the latest finished run failed or timed out ("portal unreachable: ..."); None when it went well.
    last_failure: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "verdict": self.verdict,
            "problems": [{"kind": p.kind, "detail": p.detail} for p in self.problems],
            "last_success": self.last_success.isoformat() if self.last_success else None,
            "articles_24h": self.articles_24h,
            "usual_24h": round(self.usual_24h, 1),
            "bad_run_share": self.bad_run_share,
            # The former name of bad_run_share, kept in GET /api/sources for clients that read it.
            "error_rate": self.bad_run_share,
            "fill": self.fill,
            "coverage": self.coverage,
            "path_coverage": self.path_coverage,
            "last_failure": self.last_failure,
        }


def coverage_summary(path_coverage: dict[str, dict[str, Any]]) -> str | None:
    """What each discovery path of the last good run missed that another path listed (`feed missed 3`,
    `paths agree`), as `newsmon status` and the sources page show it; None for a source with one path."""
    if not path_coverage:
        return None
    missed = [f"{path} missed {c['missed']}" for path, c in path_coverage.items() if c.get("missed")]
    return ", ".join(missed) or "paths agree"


def _summary(run: CrawlRun) -> dict[str, Any]:
    return run.stats.get("summary") or summarise(run.stats)


def is_bad(run: CrawlRun) -> bool:
    return failure_reason(run) is not None or _summary(run)["error_rate"] >= BAD_ERROR_RATE


def _finished(runs: Sequence[CrawlRun]) -> list[CrawlRun]:
    """Runs that ran to an end of their own, newest first (an interrupted run says nothing of the portal)."""
    return [r for r in runs if r.status not in {"running", "interrupted"}]


def failure_reason(run: CrawlRun) -> str | None:
    """Why a run failed; None for a success. A run recorded `ok` whose every request failed (an older record)
    failed too: nothing was crawled."""
    if run.status in FAILED:
        return run.finish_reason or run.status
    return unreachable(run.stats) if run.status == "ok" else None


def succeeded(run: CrawlRun) -> bool:
    return run.status == "ok" and failure_reason(run) is None


def last_failure(runs: Sequence[CrawlRun]) -> str | None:
    """Why the latest finished run failed, so one failed run is not shown as `ok` while `failing` waits."""
    latest = next(iter(_finished(runs)), None)
    return failure_reason(latest) if latest is not None else None


def _verdict(problems: Sequence[Problem], runs: Sequence[CrawlRun], failure: str | None) -> str:
    alerting = [p for p in problems if p.kind in PROBLEMS]
    if alerting:
        return alerting[0].kind
    if failure is not None:
        return LAST_RUN_FAILED
    return "ok" if runs else "never crawled"


def failing(runs: Sequence[CrawlRun]) -> Problem | None:
    """The last FAILING_RUNS finished runs (newest first) were all bad."""
    finished = _finished(runs)[:FAILING_RUNS]
    if len(finished) < FAILING_RUNS or not all(is_bad(r) for r in finished):
        return None
    return Problem("failing", f"last {FAILING_RUNS} runs failed; latest: {_latest_reason(finished[0])}")


def _latest_reason(run: CrawlRun) -> str:
    return failure_reason(run) or run.finish_reason or "?"


def _fill_means(runs: Sequence[CrawlRun]) -> dict[str, float]:
    fills = [_summary(r)["fill"] for r in runs]
    return {name: mean(f.get(name, 0.0) for f in fills) for name in FILL_FIELDS} if fills else {}


def extraction_broken(runs: Sequence[CrawlRun]) -> Problem | None:
    """A field filled far less often in the recent runs than in the source's earlier ones."""
    useful = [r for r in runs if r.status == "ok" and _summary(r)["extracted"] >= MIN_ITEMS]
    recent, earlier = useful[:RECENT_RUNS], useful[RECENT_RUNS:]
    if len(recent) < RECENT_RUNS or len(earlier) < RECENT_RUNS:
        return None
    now, usual = _fill_means(recent), _fill_means(earlier)
    broken = [n for n in FILL_FIELDS if usual[n] >= MIN_USUAL_FILL and now[n] < usual[n] * FILL_DROP]
    if not broken:
        return None
    details = ", ".join(f"{n} filled in {now[n]:.0%} of articles (usually {usual[n]:.0%})" for n in broken)
    return Problem("extraction broken", details)


def stale(activity: dict[str, Any], runs: Sequence[CrawlRun], now: datetime) -> Problem | None:
    """No new article for longer than STALE_FACTOR of the source's usual gaps, though crawls succeed."""
    latest, count = activity.get("latest"), int(activity.get("history", 0))
    if latest is None or count < 2 or not any(succeeded(r) and r.started_at > latest for r in runs):
        return None
    allowed = max(MIN_STALE, HISTORY / count * STALE_FACTOR)
    quiet = now - latest
    if quiet <= allowed:
        return None
    return Problem(
        "stale",
        f"nothing new for {quiet.total_seconds() / 3600:.0f} h (usually every {_hours(HISTORY / count)})",
    )


def crawl_problems(runs: Sequence[CrawlRun]) -> list[Problem]:
    """What the latest full crawl (not a cheap poll that found nothing changed) could not read, when it
    reached the portal: feeds and sitemaps (its parse errors) and the home page."""
    crawls = [r for r in _finished(runs) if r.finish_reason != NOT_MODIFIED]
    if not crawls or not succeeded(crawls[0]):
        return []
    summary = _summary(crawls[0])
    found = []
    if unreadable := summary["errors"].get("parse", 0):
        feeds = "feed/sitemap" if unreadable == 1 else "feeds/sitemaps"
        found.append(Problem("unreadable", f"{unreadable} {feeds} unreadable"))
    if home := summary.get("home_error"):  # not in summaries recorded before it was counted
        found.append(Problem("home page error", f"home page: {failure_text(home)}"))
    return found


def _hours(gap: timedelta) -> str:
    hours = gap.total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.0f} days"


def source_health(repo: Repository, now: datetime) -> list[SourceHealth]:
    """Health of every enabled source, newest runs and articles against its own history."""
    day = repo.source_activity(now - timedelta(days=1))
    history = repo.source_activity(now - HISTORY)
    coverage = repo.articles_by_path(now - HISTORY)
    out = []
    for source in repo.list_sources():
        if not source.enabled:
            continue
        runs = repo.recent_runs(source.name, limit=HISTORY_RUNS)
        seen = {**history.get(source.name, {}), "history": history.get(source.name, {}).get("recent", 0)}
        found = [p for p in (failing(runs), extraction_broken(runs), stale(seen, runs, now)) if p]
        found += crawl_problems(runs)
        ok_runs = [r for r in runs if succeeded(r)]
        last_good = _summary(ok_runs[0]) if ok_runs else {}
        finished = [r for r in runs if r.status != "running"][:10]
        failure = last_failure(runs)
        out.append(
            SourceHealth(
                source=source.name,
                home=source.home,
                verdict=_verdict(found, runs, failure),
                problems=tuple(found),
                last_success=ok_runs[0].finished_at if ok_runs else None,
                articles_24h=day.get(source.name, {}).get("recent", 0),
                usual_24h=seen["history"] / HISTORY.days,
                bad_run_share=round(sum(map(is_bad, finished)) / len(finished), 2) if finished else None,
                fill=last_good.get("fill", {}),
                coverage=coverage.get(source.name, {}),
                path_coverage=last_good.get("coverage", {}),
                last_failure=failure,
            )
        )
    return out


def _ops_alert(health: SourceHealth, problem: Problem, state: str, now: datetime) -> dict[str, Any]:
    title = f"{health.source}: {problem.kind}" + (" (cleared)" if state == "cleared" else "")
    return {
        "watch_name": "ops",
        "kind": "ops",
        "ops_problem": problem.kind,
        "ops_state": state,
        "title": title,
        "url": health.home,
        "source": health.source,
        "snippet": problem.detail if state == "opened" else f"{problem.kind} is over: {health.verdict}",
        "published": now.isoformat(),
    }


def raise_ops_alerts(repo: Repository, report: Sequence[SourceHealth], now: datetime) -> list[int]:
    """Alert each problem once when it starts and once when it clears; returns the alert ids created."""
    names = [n.strip() for n in get_settings().ops_channels.split(",") if n.strip()]
    channels = [c for c in (repo.get_channel(n) for n in names) if c is not None and c.enabled]
    if len(channels) < len(names):
        log.warning("some of NEWSMON_OPS_CHANNELS (%s) are unknown or disabled", ", ".join(names))
    if not channels:
        return []
    created: list[int] = []
    for health in report:
        current = {p.kind: p for p in health.problems}
        for kind in PROBLEMS:
            prefix = f"ops:{health.source}:{kind}:"
            latest = repo.latest_ops_alert(prefix)
            is_open = latest is not None and latest.payload.get("ops_state") == "opened"
            if (kind in current) == is_open:
                continue
            state = "opened" if kind in current else "cleared"
            episode = now.strftime("%Y%m%dT%H%M%S%f")
            if latest is not None and state == "cleared":
                episode = latest.idempotency_key.split(":")[-3]  # the clearing closes the episode it opened
            problem = current.get(kind) or Problem(kind, "")
            payload = _ops_alert(health, problem, state, now)
            log.warning("source %s: %s %s", health.source, kind, state, extra={"source": health.source})
            for channel in channels:
                key = f"{prefix}{episode}:{state}:{channel.id}"
                alert_id = repo.add_alert(NewAlert(channel.id, key, payload), kind="ops")
                if alert_id is not None:
                    created.append(alert_id)
    return created


def enqueue_delivery(alert_id: int) -> None:
    from tasks.delivery import deliver_alert_task

    deliver_alert_task.apply_async((alert_id,), queue="alerts")


def check_health(
    now: datetime | None = None, enqueue: Callable[[int], None] = enqueue_delivery
) -> dict[str, int]:
    """Assess every source and raise or clear ops alerts; one checker at a time (a short lease)."""
    repo = context.repository()
    now = now or datetime.now(UTC)
    owner = uuid.uuid4().hex
    if not repo.acquire_lock("health", owner, timedelta(minutes=5)):
        return {"sources": 0, "problems": 0, "alerts": 0}
    try:
        report = source_health(repo, now)
        created = raise_ops_alerts(repo, report, now)
    finally:
        repo.release_lock("health", owner)
    for alert_id in created:
        enqueue(alert_id)  # the sweeper sends it too if this message is lost
    problems = sum(1 for h in report if h.problems)
    log.info("health: %d sources, %d with problems, %d ops alerts", len(report), problems, len(created))
    return {"sources": len(report), "problems": problems, "alerts": len(created)}


@app.task(name="newsmon.check_health", acks_late=True)
def check_health_task() -> dict[str, int]:
    return check_health()
