"""Store the API tests' articles the way the pipelines do: analysed search terms, content hashes, stories."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import yaml

from newsmon.models import Article, Channel, Watch
from newsmon.storage import ArticleToStore, NewAlert, Repository, StoreResult, WatchHit
from pipelines.dedupe import content_hash, search_terms
from tests.conftest import FIXTURES, SAMPLES

ARTICLES_FILE = FIXTURES / "api" / "articles.yaml"

# A scraped article trying every way to run script in a page that renders it carelessly.
HOSTILE_TITLE = 'Тараз <script>window.__pwned = "title"; document.title = "pwned"</script><img src=x onerror="window.__pwned=\'img\'">'
HOSTILE_TEXT = (
    "Аким Тараза сообщил: <script>window.__pwned = 'text'</script> "
    "<img src=x onerror=\"window.__pwned='onerror'\"> "
    "<a href=\"javascript:window.__pwned='link'\">подробнее</a> "
    "<svg onload=\"window.__pwned='svg'\"></svg> "
    "\"><iframe src=javascript:window.__pwned='iframe'></iframe> и «[[ Тараз ]]» &amp; конец."
)


def _article(entry: dict[str, Any], text: str) -> Article:
    return Article(
        url=entry["url"],
        text=text,
        title=entry["title"],
        source=entry["source"],
        language=entry["lang"],
        published=datetime.fromisoformat(str(entry["published"])),
        discovered_by="feed",
    )


def to_store(article: Article, story_id: int | None = None) -> ArticleToStore:
    return ArticleToStore(
        article=article,
        canonical_url=article.url,
        content_hash=content_hash(article.text),
        search_terms=search_terms(article),
        story_id=story_id,
    )


def store_articles(repo: Repository) -> dict[str, StoreResult]:
    """Store every fixture article (and its update); returns the result per article key."""
    entries = yaml.safe_load(ARTICLES_FILE.read_text(encoding="utf-8"))["articles"]
    stories: dict[str, int] = {}
    results: dict[str, StoreResult] = {}
    for entry in entries:
        text = (
            (SAMPLES / entry["text_file"]).read_text(encoding="utf-8")
            if "text_file" in entry
            else entry["text"]
        )
        article = _article(entry, text)
        result = repo.store_article(to_store(article, stories.get(entry["story"])))
        stories.setdefault(entry["story"], result.story_id)
        results[entry["key"]] = result
        if "update" in entry:
            repo.store_article(to_store(article.with_changes(text=entry["update"]["text"])), material=True)
    return results


def store_hostile_article(repo: Repository) -> StoreResult:
    article = Article(
        url="https://example.kz/news/hostile",
        text=HOSTILE_TEXT,
        title=HOSTILE_TITLE,
        source="example",
        language="ru",
        published=datetime.fromisoformat("2025-09-05T06:00:00+00:00"),
    )
    return repo.store_article(to_store(article))


def ops_alerts(repo: Repository, count: int, dead_every: int) -> list[int]:
    """`count` ops alerts on one channel, every `dead_every`-th (the first included) dead; ids, oldest first."""
    channel = repo.upsert_channel(Channel(0, "desk", "webhook", "http://127.0.0.1:9/hook"))
    ids = []
    for n in range(count):
        alert_id = repo.add_alert(NewAlert(channel.id, f"ops:page:{n}", {"title": f"alert {n}"}), kind="ops")
        assert alert_id is not None
        if n % dead_every == 0:
            repo.mark_alert_failed(alert_id, "HTTP 500", retry_at=None)
        ids.append(alert_id)
    return ids


def matched_alert(repo: Repository, watch: str, article: Article) -> int:
    """Store the article and record that the watch (made if new) matched it, alerting the `desk` channel.

    The alert's payload names neither watch nor article, so whatever an alert list shows of them comes from
    the watch and article rows. Returns the alert's id."""
    channel = repo.upsert_channel(Channel(0, "desk", "webhook", "http://127.0.0.1:9/hook"))
    found = repo.get_watch(watch) or repo.add_watch(Watch(0, watch, "Тараз", channels=("desk",)))
    stored = repo.store_article(to_store(article))
    key = f"match:{found.id}:{stored.story_id}:{channel.id}"
    hit = WatchHit(found.id, ("тараз",), (NewAlert(channel.id, key, {"snippet": article.text[:80]}),))
    (alert_id,) = repo.record_matching(stored.article_id, [hit])
    return alert_id


def news(source: str, url: str, title: str) -> Article:
    """A Russian article about Taraz from a source, as a portal would publish it."""
    return Article(
        url=url,
        text=f"{title}. В Таразе прошло совещание акимата по подготовке к отопительному сезону.",
        title=title,
        source=source,
        language="ru",
        published=datetime.fromisoformat("2025-09-01T05:10:00+00:00"),
    )
