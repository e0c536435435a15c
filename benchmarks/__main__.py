"""`make bench`: run every script in benchmarks/ and write their figures to benchmarks/RESULTS.md.

Each script prints its own figures next to a baseline measured in the same run; this runner only collects
them, with the date and the machine they came from.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT = int(os.environ.get("NEWSMON_BENCH_TIMEOUT", "1800"))


def machine() -> str:
    cpu = platform.processor() or "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def main() -> int:
    only = set(sys.argv[1:])
    scripts = sorted(
        p for p in HERE.glob("*.py") if not p.name.startswith("_") and (not only or p.stem in only)
    )
    sections = []
    failed = 0
    for script in scripts:
        print(f"== {script.name}", flush=True)
        started = time.monotonic()
        try:
            result = subprocess.run(
                [sys.executable, str(script)],
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                cwd=HERE.parent,
            )
            output, code = result.stdout.strip(), result.returncode
            if code != 0:
                output += "\n" + result.stderr.strip()[-2000:]
        except subprocess.TimeoutExpired:
            output, code = f"timed out after {TIMEOUT}s", -1
        failed += code != 0
        print(output, flush=True)
        took = time.monotonic() - started
        sections.append(f"## {script.stem}\n\nexit {code}, {took:.0f}s\n\n```\n{output}\n```\n")
    header = (
        "# Benchmark results\n\nWritten by `make bench` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}.\n"
        "Speed on shared machines is noisy: read the ratios against the baseline measured in the same run.\n\n"
    )
    (HERE / "RESULTS.md").write_text(header + "\n".join(sections), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
