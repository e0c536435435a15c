"""A 5,000-article portal crawled through the full pipeline against a bare Scrapy spider, same run.

The portal is generated on disk from real text (the Zhambyl conference article, varied, Lenta.ru news
sentences and Kazakh TV-news sentences from KazNERD): a sitemap index with five sitemaps, an RSS feed, a home page and 5,000 article
pages of real size (navigation, teasers, inline scripts and styles around the body). A threaded HTTP
server serves it on 127.0.0.1. Both crawls run as `scrapy` processes with DOWNLOAD_DELAY=0, AutoThrottle
off and CONCURRENT_REQUESTS(_PER_DOMAIN)=32:
- full: `scrapy crawl source` (sitemaps + feed) through extraction, normalise, dedupe and store into a
  fresh SQLite database (matching not enqueued);
- bare: a spider that reads the same sitemaps, feed and home page, fetches the same pages, yields nothing.
Wall time, CPU time and peak RSS of each crawl process are printed (os.wait4, and
getrusage(RUSAGE_CHILDREN) at the end), and the CPU time and peak summed PSS of the crawl with the worker
processes it starts for extraction and analysis (sampled from /proc), with the ratio full/bare, and each
process's share of both, and the CPU floor: the lowest ratio that CPU (with the portal server's) allows
if it kept every core busy. Both crawls keep their bytecode in a temporary PYTHONPYCACHEPREFIX after a warm-up
import, as an installed service would (this checkout sets PYTHONDONTWRITEBYTECODE).

Run: .venv/bin/python benchmarks/bench_crawl_5000.py [--articles N] [--rounds N] [--without-storage]
[--set NAME=VALUE ...] [--timeline] [--queues] (--without-storage adds a third crawl with
NEWSMON_PIPELINES=0: fetch and extraction only, to tell the crawler's share from the storage pipeline's;
--set passes Scrapy settings to the full crawls, e.g. NEWSMON_ANALYSE_EXTRACTED= (empty) to analyse in the
pipelines' stages instead of beside the extraction, or NEWSMON_EXTRACT_PROCESSES=2; --timeline prints the
cores each process kept busy; --queues where the pages waited: in flight in the downloader, held by the
scraper, in the item pipelines, sampled by `benchmarks/crawl_queues.py`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared" / "samples" / "zhambyl-conference.ru.txt"
KAZAKH = ROOT.parent / "shared" / "datasets" / "kazakh" / "kaznerd_test_sentences.jsonl.gz"
RUSSIAN = ROOT.parent / "shared" / "datasets" / "russian" / "MorphoRuEval2017-Lenta-train.conllu"
PER_SITEMAP = 1000
CONCURRENCY = "32"
PLACES = ("Таразе", "Шу", "Мерке", "Кордае", "Таласе", "Жуалы", "Байзаке", "Сарысу", "Мойынкуме", "Жамбыле")
SCRIPT_BLOB = "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}\n" * 90
STYLE_BLOB = ".menu a{color:#036;padding:4px 8px}.teaser h3{font-size:15px;margin:0}\n" * 80

BARE_SPIDER = """
import scrapy
from scrapy.utils.sitemap import Sitemap


class BareSpider(scrapy.Spider):
    name = "bare"

    async def start(self):
        yield scrapy.Request(self.home + "sitemap.xml", self.parse_sitemap)
        yield scrapy.Request(self.home + "rss.xml", self.parse)
        yield scrapy.Request(self.home, self.parse)

    def parse_sitemap(self, response):
        sitemap = Sitemap(response.body)
        for entry in sitemap:
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(entry["loc"], self.parse_sitemap)
            else:
                yield scrapy.Request(entry["loc"], self.parse)

    def parse(self, response):
        return None
"""


@dataclass(frozen=True)
class Corpus:
    sample: list[str]  # sentences of the Zhambyl conference article
    russian: list[str]  # Lenta.ru news sentences
    kazakh: list[str]  # KazNERD TV-news sentences


def load_corpus() -> Corpus:
    sample = " ".join(SAMPLE.read_text(encoding="utf-8").split("\n")[2:])
    with gzip.open(KAZAKH, "rt", encoding="utf-8") as lines:
        kazakh = [detokenise(json.loads(line)["tokens"]) for line in lines]
    russian, tokens = [], []
    for line in RUSSIAN.read_text(encoding="utf-8").splitlines():
        if line.strip():
            tokens.append(line.split("\t")[1])
        elif tokens:
            russian.append(detokenise(tokens))
            tokens = []
    return Corpus(
        [s for s in re.split(r"(?<=[.!?])\s+", sample) if len(s) > 40],
        [s for s in russian if len(s) > 40],
        [s for s in kazakh if len(s) > 30],
    )


def detokenise(tokens: list[str]) -> str:
    text = re.sub(r"\s+([,.!?:;»)])", r"\1", " ".join(tokens))
    return re.sub(r"([«(])\s+", r"\1", text)


def vary(sentence: str, rng: random.Random) -> str:
    """The sample's sentences with other numbers and places, so that articles differ."""
    sentence = re.sub(r"\d+", lambda m: str(rng.randint(2, 400)), sentence)
    return re.sub(r"Таразе", lambda m: rng.choice(PLACES), sentence)


def article_text(corpus: Corpus, rng: random.Random) -> tuple[str, str, list[str]]:
    """(language, title, paragraphs) of one article."""
    if rng.random() < 0.5:
        sentences = [vary(s, rng) for s in rng.sample(corpus.sample, 2)]
        sentences += rng.sample(corpus.russian, rng.randint(6, 10))
        rng.shuffle(sentences)
        language = "ru"
    else:
        sentences = rng.sample(corpus.kazakh, rng.randint(10, 16))
        language = "kk"
    title = sentences[0].rstrip(".")[:140]
    paragraphs = [" ".join(sentences[i : i + 3]) for i in range(1, len(sentences), 3)]
    return language, title, paragraphs


def page_html(url: str, title: str, published: datetime, paragraphs: list[str], teasers: str) -> str:
    iso = published.isoformat()
    ld = json.dumps({"@type": "NewsArticle", "headline": title, "datePublished": iso}, ensure_ascii=False)
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    menu = "".join(f'<li><a href="/section/{n}/">Раздел {n}</a></li>' for n in range(40))
    return (
        f'<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>{escape(title)} | Жамбыл</title>'
        f'<meta property="og:title" content="{escape(title)}"><meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="{iso}"><link rel="canonical" href="{url}">'
        f'<script type="application/ld+json">{ld}</script><style>{STYLE_BLOB}</style>'
        f"<script>{SCRIPT_BLOB}</script></head><body><header><nav class='menu'><ul>{menu}</ul></nav></header>"
        f"<main><article><h1>{escape(title)}</h1><div class='date'>{published:%d.%m.%Y, %H:%M}</div>"
        f"{body}<div class='share'>Поделиться: <a href='#'>VK</a> <a href='#'>Telegram</a></div></article>"
        f"<aside class='popular'><h2>Популярное</h2>{teasers}</aside></main>"
        f"<footer><p>© 2025 Жамбыл. Все права защищены.</p></footer></body></html>"
    )


def build_portal(root: Path, home: str, count: int, seed: int = 5000) -> list[tuple[str, str, datetime]]:
    """Write the portal's files; returns (url, title, published) per article, newest first."""
    rng = random.Random(seed)
    corpus = load_corpus()
    now = datetime.now(UTC).replace(microsecond=0)
    entries = []
    for number in range(count):
        published = now - timedelta(minutes=7 * number + rng.randint(0, 6))
        path = f"news/{published:%Y/%m/%d}/{number}.html"
        entries.append((home + path, *article_text(corpus, rng), published, path))
    teasers = "".join(
        f"<div class='teaser'><h3><a href='{url}'>{escape(title)}</a></h3></div>"
        for url, _lang, title, *_ in entries[:10]
    )
    for url, _language, title, paragraphs, published, path in entries:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page_html(url, title, published, paragraphs, teasers), encoding="utf-8")
    articles = [(url, title, published) for url, _l, title, _p, published, _path in entries]
    write_discovery(root, home, articles)
    return articles


def write_discovery(root: Path, home: str, articles: list[tuple[str, str, datetime]]) -> None:
    (root / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {home}sitemap.xml\n")
    chunks = [articles[i : i + PER_SITEMAP] for i in range(0, len(articles), PER_SITEMAP)]
    index = "".join(f"<sitemap><loc>{home}sitemaps/{n}.xml</loc></sitemap>" for n in range(len(chunks)))
    (root / "sitemap.xml").write_text(
        f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}'
        "</sitemapindex>"
    )
    (root / "sitemaps").mkdir(exist_ok=True)
    for n, chunk in enumerate(chunks):
        urls = "".join(f"<url><loc>{u}</loc><lastmod>{p.isoformat()}</lastmod></url>" for u, _t, p in chunk)
        (root / "sitemaps" / f"{n}.xml").write_text(
            f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        )
    items = "".join(
        f"<item><title>{escape(t)}</title><link>{u}</link><pubDate>{p:%a, %d %b %Y %H:%M:%S +0000}</pubDate>"
        "</item>"
        for u, t, p in articles[:50]
    )
    (root / "rss.xml").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>')
    links = "".join(f"<li><a href='{u}'>{escape(t)}</a></li>" for u, t, _p in articles[:30])
    (root / "index.html").write_text(
        f'<html><head><link rel="alternate" type="application/rss+xml" href="{home}rss.xml"></head>'
        f"<body><ul>{links}</ul></body></html>",
        encoding="utf-8",
    )


class QuietHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Run:
    """What one crawl cost: wall time, CPU time (user + system) and peak RSS of the crawl process, and
    the CPU time and peak summed PSS of the crawl with its worker processes (sampled from /proc)."""

    seconds: float
    cpu: float
    rss_mb: float
    tree_cpu: float = 0.0
    tree_pss_mb: float = 0.0
    peak_parts: tuple[tuple[str, int], ...] = ()
    cpu_parts: tuple[tuple[str, float], ...] = ()  # the CPU seconds of each process but the crawl's own
    timeline: tuple[tuple[float, dict[str, float]], ...] = ()  # (seconds in, CPU seconds so far by role)


def proportional_size(pid: int) -> int:
    """A process's memory with the pages it shares divided among their sharers (PSS), in bytes: the
    workers fork from one server process, so adding up their RSS would count its modules again in each."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _proc_stat(pid: int) -> tuple[int, int, int] | None:
    """(parent pid, CPU clock ticks used, resident pages) from /proc/PID/stat, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[21])


CHILDREN_LISTED = Path(f"/proc/self/task/{threading.get_native_id()}/children").exists()


def _tree_by_scan(root: int) -> set[int]:
    """The root and its descendants, from the parent of every process in /proc."""
    parents = {
        pid: stat[0]
        for pid in map(int, filter(str.isdigit, os.listdir("/proc")))
        if (stat := _proc_stat(pid))
    }
    tree, grew = {root}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree, grew = tree | found, bool(found)
    return tree


class TreeSampler(threading.Thread):
    """Samples a process and all its descendants from /proc every 0.2 s: the CPU time each has used (its
    last sample) and the largest sum of their PSS. The offload workers are the forkserver's children and
    are not reaped by the crawl process, so wait4() alone does not count them.

    Reading a process's PSS costs the kernel a walk of its page tables: 5.3 ms of CPU for a 214 MB process,
    which at every tick took 5-6% of a core from the crawl measured. So PSS is read once a second, and at
    any tick where the summed RSS (one cheap read) passes its highest yet, where a new peak can be."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.cpu, self.peak_pss, self.peak_rss, self.ticks = root, {}, 0, 0, 0
        self.peak_parts: list[tuple[str, int]] = []  # (process, PSS) at the peak
        self.roles: dict[int, str] = {}
        self.timeline: list[tuple[float, dict[str, float]]] = []
        self.started = time.perf_counter()
        self.done = threading.Event()
        self.tick = os.sysconf("SC_CLK_TCK")

    def run(self) -> None:
        while not self.done.wait(0.2):
            stats = {pid: stat for pid in self._tree() if (stat := _proc_stat(pid)) is not None}
            for pid, (_parent, cpu, _rss) in stats.items():
                self.cpu[pid] = cpu / self.tick
            for pid in stats.keys() - self.roles.keys():
                self.roles[pid] = self._role(pid, stats[pid][0])
            by_role: dict[str, float] = {}
            for pid, cpu in self.cpu.items():
                by_role[self.roles[pid]] = by_role.get(self.roles[pid], 0.0) + cpu
            self.timeline.append((time.perf_counter() - self.started, by_role))
            rss = sum(pages for _parent, _cpu, pages in stats.values())
            self.ticks += 1
            if rss <= self.peak_rss and self.ticks % 5:
                continue
            self.peak_rss = max(self.peak_rss, rss)
            parts = [(self.roles[pid], proportional_size(pid)) for pid in sorted(stats)]
            if sum(size for _role, size in parts) > self.peak_pss:
                self.peak_pss, self.peak_parts = sum(size for _role, size in parts), parts

    def _tree(self) -> set[int]:
        """The root and its descendants, from each thread's children list: a few small reads a tick, where
        scanning every process in /proc cost 5-6 ms of this process's CPU, taken from the crawl measured.
        A kernel without those lists (CONFIG_PROC_CHILDREN) gets the scan."""
        if not CHILDREN_LISTED:
            return _tree_by_scan(self.root)
        tree, todo = set(), [self.root]
        while todo:
            pid = todo.pop()
            tree.add(pid)
            try:
                tasks = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for task in tasks:
                try:
                    children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
                except OSError:
                    continue
                todo.extend(int(child) for child in children if int(child) not in tree)
        return tree

    def _role(self, pid: int, parent: int) -> str:
        """crawl, forkserver, resource tracker or worker (a worker's command line is its fork server's)."""
        if pid == self.root:
            return "crawl"
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            return "gone"
        if "resource_tracker" in command:
            return "resource tracker"
        return "forkserver" if parent == self.root else "worker"


def run_process(command: list[str], env: dict[str, str], cwd: Path) -> Run:
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=log)
        sampler = TreeSampler(process.pid)
        sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            log.seek(0)
            tail = log.read().decode("utf-8", "replace")[-3000:]
            raise RuntimeError(f"{command[:5]} failed ({process.returncode}):\n{tail}")
    own_cpu = usage.ru_utime + usage.ru_stime
    others = sum(cpu for pid, cpu in sampler.cpu.items() if pid != process.pid)
    return Run(
        seconds,
        own_cpu,
        usage.ru_maxrss / 1024,
        own_cpu + others,
        sampler.peak_pss / 2**20,
        tuple(sampler.peak_parts),
        tuple((sampler.roles[pid], cpu) for pid, cpu in sorted(sampler.cpu.items()) if pid != process.pid),
        tuple(sampler.timeline),
    )


def crawl_env(work: Path, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        PYTHONPYCACHEPREFIX=str(work / "pycache"),
        PYTHONPATH=str(ROOT),
        NEWSMON_DATA_DIR=str(data_dir),
        SCRAPY_SETTINGS_MODULE="crawlers.settings",
    )
    return env


def common_settings() -> list[str]:
    settings = {
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS": CONCURRENCY,
        "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
        "LOG_LEVEL": "WARNING",
    }
    return [part for key, value in settings.items() for part in ("-s", f"{key}={value}")]


def full_crawl(
    work: Path, home: str, round_: int, storage: bool = True, extra: Sequence[str] = ()
) -> tuple[Run, dict]:
    data_dir = work / f"data{round_}"
    env = crawl_env(work, data_dir)
    source = work / "portal.json"
    source.write_text(json.dumps({"name": "bench-portal", "home": home, "languages": ["ru", "kk"],
                                  "feeds": [home + "rss.xml"], "sitemaps": [home + "sitemap.xml"]}))  # fmt: skip
    python = sys.executable
    subprocess.run([python, "-m", "newsmon.cli", "db", "upgrade"], env=env, check=True, capture_output=True)
    stats_file = work / f"stats{round_}.json"
    command = [python, "-m", "scrapy", "crawl", "source", "-a", f"sources_file={source}", "-a", "since=0",
               "-s", "NEWSMON_ENQUEUE_MATCHING=0", "-s", f"NEWSMON_STATS_FILE={stats_file}",
               "-s", f"NEWSMON_PIPELINES={int(storage)}", *common_settings(),
               *(part for setting in extra for part in ("-s", setting))]  # fmt: skip
    run = run_process(command, env, ROOT)
    stats = json.loads(stats_file.read_text())["stats"]
    with sqlite3.connect(data_dir / "newsmon.db") as db:
        stats["stored articles"] = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    return run, stats


def bare_crawl(work: Path, home: str) -> Run:
    spider = work / "bare.py"
    spider.write_text(BARE_SPIDER)
    env = {k: v for k, v in crawl_env(work, work / "bare-data").items() if k != "SCRAPY_SETTINGS_MODULE"}
    command = [sys.executable, "-m", "scrapy", "runspider", str(spider), "-a", f"home={home}",
               "-s", "ROBOTSTXT_OBEY=True", "-s", "TELNETCONSOLE_ENABLED=False", *common_settings()]  # fmt: skip
    return run_process(command, env, work)


def warm_up(work: Path) -> None:
    """Compile the modules both crawls import into the bytecode cache (not timed)."""
    modules = (
        "scrapy.crawler, crawlers.spiders.source, crawlers.pages, pipelines.store, pipelines.dedupe, pipelines.seen, "
        "crawlers.pages.extract, pipelines.preparing"  # the last two: what the extraction process loads
    )
    env = crawl_env(work, work / "warm")
    subprocess.run([sys.executable, "-c", f"import {modules}"], env=env, check=True, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--without-storage",
        action="store_true",
        help="Also crawl with NEWSMON_PIPELINES=0 (extraction only).",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="A Scrapy setting for the full crawls (e.g. NEWSMON_EXTRACT_PROCESSES=2); repeatable.",
    )
    parser.add_argument(
        "--timeline",
        action="store_true",
        help="Print the cores each process of the full crawl kept busy, every two seconds.",
    )
    parser.add_argument(
        "--queues",
        action="store_true",
        help="Print where the full crawl's pages waited (downloader, scraper, item pipelines).",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        site = work / "site"
        with serve(site) as server:
            home = f"http://127.0.0.1:{server.server_address[1]}/"
            started = time.perf_counter()
            build_portal(site, home, args.articles)
            size = sum(p.stat().st_size for p in (site / "news").rglob("*.html")) / args.articles / 1024
            print(f"portal: {args.articles} articles, mean page {size:.0f} KB, built in "
                  f"{time.perf_counter() - started:.1f}s")  # fmt: skip
            warm_up(work)
            for round_ in range(args.rounds):
                started_cpu = time.process_time()
                bare = bare_crawl(work, home)
                bare_server, started_cpu = time.process_time() - started_cpu, time.process_time()
                queues = work / f"queues{round_}.jsonl"
                extra = [*args.set, *(queue_settings(queues) if args.queues else ())]
                full, stats = full_crawl(work, home, round_, extra=extra)
                full_server = time.process_time() - started_cpu
                report(bare, full, stats)
                print(f"the portal's HTTP server and the /proc sampler (this process): {bare_server:.1f}s CPU "
                      f"during the bare crawl, {full_server:.1f}s during the full one")  # fmt: skip
                print(cpu_floor(bare, full, full_server))
                if args.timeline:
                    print(timeline(full))
                if args.queues:
                    print(queue_report(queues))
                if args.without_storage:
                    alone, _stats = full_crawl(work, home, round_ + 1000, storage=False, extra=args.set)
                    print(f"crawl without storage: {alone.seconds:6.1f}s wall  {alone.tree_cpu:6.1f}s CPU  "
                          f"peak PSS {alone.tree_pss_mb:4.0f} MB with its workers  "
                          f"(ratio {alone.seconds / bare.seconds:.2f} wall)\n  by process, {breakdown(alone)}")  # fmt: skip
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of any crawl process (getrusage RUSAGE_CHILDREN): {children:.0f} MB")


def breakdown(run: Run) -> str:
    memory = ", ".join(f"{role} {size / 2**20:.0f} MB" for role, size in run.peak_parts)
    cpu = ", ".join(f"{role} {seconds:.1f}s" for role, seconds in (("crawl", run.cpu), *run.cpu_parts))
    return f"PSS at the peak: {memory}; CPU: {cpu}"


def queue_settings(path: Path) -> list[str]:
    """Settings that add `benchmarks.crawl_queues.QueueSampler` beside the project's own extensions."""
    from crawlers import settings

    extensions = {**settings.EXTENSIONS, "benchmarks.crawl_queues.QueueSampler": 0}
    return [f"EXTENSIONS={json.dumps(extensions)}", f"BENCH_QUEUES_FILE={path}"]


def queue_report(path: Path) -> str:
    """Median queue lengths while the crawl ran at full speed (the middle 80% of its samples)."""
    samples = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    middle = samples[len(samples) // 10 : len(samples) - len(samples) // 10] or samples
    if len(middle) < 2:
        return "queues: too few samples"

    def median(key: str) -> float:
        return sorted(sample[key] for sample in middle)[len(middle) // 2]

    rate = (middle[-1]["scraped"] - middle[0]["scraped"]) / max(middle[-1]["t"] - middle[0]["t"], 1e-9)
    return (
        f"queues, median of {len(middle)} samples: downloading {median('downloading'):.0f}, responses in "
        f"the scraper {median('in_scraper'):.0f} (waiting for extraction or in the item pipelines), items "
        f"in the item pipelines {median('in_pipelines'):.0f}; {rate:.0f} items/s meanwhile"
    )


def timeline(run: Run, step: float = 2.0) -> str:
    """Cores busy per process role in each `step` seconds: where the two cores idle shows what waits."""
    lines, last, since = ["cores busy, every 2 s (crawl / worker):"], {}, 0.0
    for seconds, by_role in run.timeline:
        if seconds - since >= step or seconds == run.timeline[-1][0]:
            span = max(seconds - since, 1e-9)
            busy = [(by_role.get(role, 0.0) - last.get(role, 0.0)) / span for role in ("crawl", "worker")]
            lines.append(f"  {since:5.1f}s  {busy[0]:.2f} / {busy[1]:.2f}")
            last, since = by_role, seconds
    return "\n".join(lines)


def cpu_floor(bare: Run, full: Run, server_cpu: float) -> str:
    """The lowest wall ratio the full crawl's CPU allows here: its processes' CPU and the portal server's,
    spread over every core without a moment idle, against the bare crawl's wall time."""
    cores = len(os.sched_getaffinity(0))
    floor = (full.tree_cpu + server_cpu) / cores / bare.seconds
    return (f"CPU floor: {full.tree_cpu + server_cpu:.1f}s of CPU on {cores} cores cannot take less than "
            f"{floor:.2f}x the bare crawl's wall time; 1.5x needs at most {1.5 * cores * bare.seconds:.1f}s")  # fmt: skip


def report(bare: Run, full: Run, stats: dict) -> None:
    keys = ("downloader/request_count", "item_scraped_count", "stored articles", "newsmon/dedupe/new",
            "newsmon/dedupe/near_duplicate", "newsmon/extract/no_date", "newsmon/store/batches",
            "newsmon/normalise/analysed_with_extraction")  # fmt: skip
    articles = stats.get("item_scraped_count", 0)
    for name, run in (("bare spider", bare), ("full pipeline", full)):
        print(
            f"{name + ':':<15} {run.seconds:6.1f}s wall  {run.cpu:6.1f}s CPU  peak RSS {run.rss_mb:4.0f} MB"
            f"  | with its workers: {run.tree_cpu:6.1f}s CPU  peak PSS {run.tree_pss_mb:4.0f} MB"
        )
    per_article = 1000 * full.tree_cpu / max(articles, 1)
    print(f"full pipeline: {articles / full.seconds:.0f} articles/s, {per_article:.1f} ms CPU per article")
    print(f"full pipeline by process, {breakdown(full)}")
    print(f"ratio full/bare: {full.seconds / bare.seconds:.2f} wall, {full.tree_cpu / bare.tree_cpu:.2f} CPU"
          "  (target <= 1.5 wall; peak memory target <= 400 MB)")  # fmt: skip
    print("  " + ", ".join(f"{key}={stats.get(key, 0)}" for key in keys))


if __name__ == "__main__":
    main()
