"""What every crawl process gets before it runs, whether started fresh or forked from the warm launcher: SIGTERM
when its parent dies, an address-space backstop under Scrapy's own memory cap, and fewer malloc arenas."""

from __future__ import annotations

import contextlib
import ctypes
import resource
import signal
from pathlib import Path

PR_SET_PDEATHSIG = 1
M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)
BACKSTOP_FACTOR = 4  # address space reserved is well above the resident memory Scrapy's cap measures


def die_with_parent() -> None:
    """Linux only: the kernel sends this process SIGTERM when the thread that started it exits."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def cap_address_space(memory_mb: int, *, above_current: bool = False) -> None:
    """A hard limit of BACKSTOP_FACTOR times the memory cap: a runaway allocation fails (MemoryError) there.

    A fork of the warm launcher counts it from the address space it inherited (`above_current`), which is
    mostly shared with the launcher; a fresh process starts from nothing after exec."""
    limit = memory_mb * BACKSTOP_FACTOR * 1024 * 1024
    if above_current:
        limit += _address_space()
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _address_space() -> int:
    """This process's mapped address space in bytes (0 where /proc is missing)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    return 0


def limit_malloc_arenas(arenas: int) -> bool:
    """Let glibc's malloc use at most `arenas` arenas in this process and its forks (as MALLOC_ARENA_MAX).

    glibc gives threads that allocate at the same time arenas of their own, up to eight per core, and
    memory freed in one is seldom returned to the system. A crawl's threads (extraction and analysis before
    the worker processes take over, storage, Twisted's pool) so kept 35-50 MB more than with one or two
    arenas (benchmarks/bench_crawl_5000.py). Threads that hold the GIL rarely allocate at once, so sharing
    costs little. Returns False where there is no glibc."""
    with contextlib.suppress(OSError, AttributeError):
        return bool(ctypes.CDLL(None).mallopt(M_ARENA_MAX, arenas))
    return False
