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
RESULTS = HERE / "RESULTS.md"
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


def previous_sections() -> dict[str, str]:
    """The sections of scripts not run this time, kept when `make bench` is given a subset."""
    if not RESULTS.exists():
        return {}
    parts = RESULTS.read_text(encoding="utf-8").split("\n## ")[1:]
    return {part.split("\n", 1)[0].strip(): "## " + part.rstrip("\n") + "\n" for part in parts}


def main() -> int:
    only = set(sys.argv[1:])
    scripts = sorted(
        p for p in HERE.glob("*.py") if not p.name.startswith("_") and (not only or p.stem in only)
    )
    sections = previous_sections() if only else {}
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
        stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        sections[script.stem] = (
            f"## {script.stem}\n\n{stamp}, exit {code}, {took:.0f}s\n\n```\n{output}\n```\n"
        )
    header = (
        f"# Benchmark results\n\nWritten by `make bench` on {machine()}; each section says when it ran.\n"
        "Speed on shared machines is noisy: read the ratios against the baseline measured in the same run.\n\n"
    )
    body = "\n".join(sections[name] for name in sorted(sections))
    RESULTS.write_text(header + body, encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
