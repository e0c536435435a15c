"""Process set-up every crawl process gets."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc arenas are glibc's")
def test_a_crawl_process_can_limit_its_malloc_arenas() -> None:
    code = "from newsmon.child_process import limit_malloc_arenas; print(limit_malloc_arenas(2))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"
