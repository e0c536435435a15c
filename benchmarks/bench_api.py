"""HTTP API throughput: search requests per second through `newsmon serve`, next to /healthz in the same run.

A synthetic archive (the search benchmark's corpus: word forms drawn by corpus frequency, two copies per
story) is stored in SQLite; `newsmon serve --workers N` serves it on loopback; an asyncio load generator
(C concurrent keep-alive HTTP/1.1 connections, a minimal client so it costs little CPU; each request is one
write on a TCP_NODELAY socket) sends requests for a fixed time and reports requests per second and latency
percentiles. The baseline is /healthz (no token, one `SELECT 1`) under the same load generator, so the
difference is what search, auth and the rate limiter cost. Searches rotate over --queries distinct queries
(the server keeps compiled queries, so after the warm-up these are repeats), then a second run asks
queries never asked before, each once: what a search costs when nothing about its query is cached. Usage:

    .venv/bin/python benchmarks/bench_api.py [--n 20000] [--workers 2] [--concurrency 16] [--seconds 10]

Target: >= 200 search requests/s on 2 cores (the load generator shares them).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from benchmarks.bench_search import Corpus, fill  # noqa: E402
from newsmon.storage import Repository  # noqa: E402
from newsmon.storage.migrate import upgrade  # noqa: E402


def search_path(a: str, b: str, rng: random.Random) -> str:
    """/api/articles for the two-term query `a b`, 20 results, in a random sort order."""
    params = {"query": f"{a} {b}", "limit": 20, "sort": rng.choice(["relevance", "date"])}
    return str(httpx.URL("/api/articles", params=params))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(workdir: Path, database_url: str, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "NEWSMON_DATA_DIR": str(workdir),
        "NEWSMON_DATABASE_URL": database_url,
        "NEWSMON_REDIS_URL": "",
        "NEWSMON_BROKER_URL": "",
        "NEWSMON_LOG_LEVEL": "WARNING",
        # The limiter stays on (its cost is part of the figure) but far above what one client sends.
        "NEWSMON_API_RATE_LIMIT": str(10**9),
    }
    command = [sys.executable, "-m", "newsmon.cli", "serve", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(
        command, env=env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"newsmon serve did not start: {process.communicate(timeout=10)[1].decode()[-2000:]}")


class Connection:
    """A keep-alive HTTP/1.1 connection speaking just enough HTTP for the benchmark.

    httpx costs more CPU per request than the server does on /healthz; on two shared cores that would
    measure the load generator. Responses must carry Content-Length (uvicorn's JSON responses do).
    """

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.extra}\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = next(
            int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")
        )
        await self.reader.readexactly(length)
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def load(
    base: str, paths: list[str], headers: dict[str, str], concurrency: int, seconds: float
) -> dict:
    """Send requests from `concurrency` clients for `seconds`; latency per request and status counts."""
    url = httpx.URL(base)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        # Clients arrive 10 ms apart, as real ones do, not in one burst: asyncio accepts every pending
        # connection at once, so a burst can land all of them on one of the server's worker processes.
        await asyncio.sleep(offset * 0.01)
        connection = Connection(url.host, url.port or 80, headers)
        i = offset
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                status = await connection.get(paths[i % len(paths)])
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[status] = statuses.get(status, 0) + 1
                i += concurrency
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    return {"latencies": latencies, "statuses": statuses, "elapsed": time.perf_counter() - started}


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the server process and its worker processes, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    pids += [int(child) for child in children]
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def measured(
    pid: int, base: str, paths: list[str], headers: dict[str, str], args: argparse.Namespace
) -> dict:
    before = server_cpu_seconds(pid)
    result = asyncio.run(load(base, paths, headers, args.concurrency, args.seconds))
    result["cpu"] = server_cpu_seconds(pid) - before
    return result


def report(label: str, result: dict) -> str:
    ordered = sorted(result["latencies"])
    count = len(ordered)

    def pct(p: float) -> float:
        return ordered[min(count - 1, int(count * p))]

    rate = count / result["elapsed"]
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(result["statuses"].items()))
    per_cpu = count / result["cpu"] if result.get("cpu") else float("nan")
    return (
        f"  {label}: {rate:,.0f} req/s ({count:,} requests); latency p50 {statistics.median(ordered):.1f} ms, "
        f"p90 {pct(0.90):.1f} ms, p99 {pct(0.99):.1f} ms, max {ordered[-1]:.1f} ms; statuses {statuses}\n"
        f"    server CPU {result.get('cpu', 0):.1f} s = {per_cpu:,.0f} requests per server CPU-second "
        f"(two cores given to the server alone: about {2 * per_cpu:,.0f} req/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20_000, help="synthetic articles in the archive")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each measurement")
    parser.add_argument("--queries", type=int, default=200, help="distinct search queries to rotate")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="newsmon-bench-api-") as tmp:
        workdir = Path(tmp)
        database_url = f"sqlite:///{workdir / 'bench.db'}"
        repo = Repository.from_url(database_url)
        upgrade(repo.engine)
        corpus = Corpus(seed=7)
        print(f"archive: {args.n:,} synthetic articles stored in {fill(repo, corpus, args.n):.1f} s (SQLite)")
        _, secret = repo.create_token("bench", "reader")
        repo.dispose()
        rng = random.Random(11)
        pairs = corpus.mid_frequency_pairs(args.queries)
        search_paths = [search_path(a, b, rng) for a, b in pairs]
        # Enough never-seen queries that none repeats within one measurement.
        asked = set(pairs)
        fresh_pairs = [
            p for p in dict.fromkeys(corpus.mid_frequency_pairs(int(args.seconds * 1000))) if p not in asked
        ]
        fresh_paths = [search_path(a, b, rng) for a, b in fresh_pairs]
        process, base = start_server(workdir, database_url, args.workers)
        try:
            headers = {"Authorization": f"Bearer {secret}"}
            check = httpx.get(f"{base}{search_paths[0]}", headers=headers, timeout=30)
            assert check.status_code == 200, check.text
            asyncio.run(load(base, search_paths, headers, args.concurrency, 2.0))  # warm caches and workers
            print(
                f"newsmon serve --workers {args.workers}; {args.concurrency} concurrent keep-alive clients "
                f"(minimal asyncio client, same machine), {args.seconds:.0f} s each, {os.cpu_count()} cores"
            )
            baseline = measured(process.pid, base, ["/healthz"], {}, args)
            print(report("baseline GET /healthz (no token, SELECT 1)", baseline))
            searched = measured(process.pid, base, search_paths, headers, args)
            print(
                report(
                    f"GET /api/articles (two-term search, 20 results, {len(search_paths)} queries)", searched
                )
            )
            fresh = measured(process.pid, base, fresh_paths, headers, args)
            print(report("GET /api/articles, each query asked once (nothing about it cached)", fresh))
            rate = len(searched["latencies"]) / searched["elapsed"]
            fresh_rate = len(fresh["latencies"]) / fresh["elapsed"]
            print(
                f"  target >= 200 search req/s: {'met' if rate >= 200 else 'NOT met'} ({rate:,.0f}; "
                f"{fresh_rate:,.0f} with queries never asked before)"
            )
            print(
                f"  load average during the run: {os.getloadavg()[0]:.1f} (other work on the machine slows all figures)"
            )
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
