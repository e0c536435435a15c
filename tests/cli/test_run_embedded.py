"""`newsmon run` on the embedded default: SQLite database and SQLite-backed broker, no server at all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from newsmon.models import Article, Channel, Watch
from newsmon.storage import ArticleToStore, Repository
from newsmon.storage.migrate import upgrade
from pipelines.outbox import MatchQueue


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    return {**env, "NEWSMON_DATA_DIR": str(tmp_path / ".newsmon"), "NEWSMON_SHIPPED_SOURCES": "false"}


def test_run_matches_and_delivers_without_any_server(tmp_path: Path) -> None:
    data = tmp_path / ".newsmon"
    repo = Repository.from_url(f"sqlite:///{data / 'newsmon.db'}")
    upgrade(repo.engine)
    alerts_file = tmp_path / "alerts.jsonl"
    repo.upsert_channel(Channel(id=0, name="file", kind="jsonl", target=str(alerts_file)))
    repo.add_watch(Watch(id=0, name="akim", query="Сапарбаев", channels=("file",)))
    process = subprocess.Popen(
        [sys.executable, "-m", "newsmon.cli", "run", "-c", "1"],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        text = "Аким области Бердибек Сапарбаев провёл приём граждан в Шуском районе."
        article = Article(
            url="https://akimat.kz/ru/news/7",
            text=text,
            title="Приём граждан",
            language="ru",
            published=datetime(2025, 3, 1, 5, tzinfo=UTC),
        )
        stored = repo.store_article(ArticleToStore(article, article.url, "h7"))
        assert MatchQueue(f"sqla+sqlite:///{data / 'broker.db'}").enqueue([stored.article_id])
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not (alerts_file.exists() and alerts_file.read_text().strip()):
            time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=60)[0].decode(errors="replace")
    lines = alerts_file.read_text().splitlines() if alerts_file.exists() else []
    assert len(lines) == 1, output[-3000:]
    assert json.loads(lines[0])["data"]["watch_name"] == "akim"
    assert repo.count_alerts("sent") == 1
    repo.dispose()


def test_worker_with_unreachable_broker_says_so_in_one_line(tmp_path: Path) -> None:
    env = {**_env(tmp_path), "NEWSMON_BROKER_URL": "redis://user:secret@127.0.0.1:1/0"}
    result = subprocess.run(
        [sys.executable, "-m", "newsmon.cli", "worker"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "NEWSMON_BROKER_URL" in result.stderr and "secret" not in result.stderr
    assert "Traceback" not in result.stderr


def _children(pid: int) -> set[int]:
    """Direct children of a process (Linux /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_killing_run_outright_leaves_no_scheduler_behind(tmp_path: Path) -> None:
    """`kill -9` of `newsmon run` (the OOM killer): its embedded beat must not go on sending ticks alone."""
    process = subprocess.Popen(
        [sys.executable, "-m", "newsmon.cli", "run", "-c", "1"],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        children: set[int] = set()
        while time.monotonic() < deadline and len(children) < 2:  # the pool process and beat
            time.sleep(0.5)
            children = _children(process.pid)
        assert len(children) >= 2, "newsmon run did not start its pool process and beat"
        time.sleep(2)  # beat_init has run in the beat process
        process.kill()
        process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(pid) for pid in children):
            time.sleep(0.5)
        left = [pid for pid in children if _alive(pid)]
    finally:
        for pid in _children(process.pid):
            os.kill(pid, signal.SIGKILL)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == [], "processes of newsmon run outlived it"
