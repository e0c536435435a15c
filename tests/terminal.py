"""Run `newsmon` in a pseudo-terminal, to see what a person at a terminal sees (colours included)."""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time

COLUMNS = 200


def run_in_terminal(*args: str, timeout: float = 60, columns: int = COLUMNS) -> str:
    """Standard output of `newsmon ARGS` written to a terminal `columns` wide, escape sequences kept.

    The command inherits the test's environment (its NEWSMON_* settings) with a colour terminal."""
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES"}}
    env["TERM"] = "xterm-256color"
    with subprocess.Popen(
        [sys.executable, "-m", "newsmon.cli", *args],
        stdin=subprocess.DEVNULL,
        stdout=secondary,
        stderr=subprocess.PIPE,
        env=env,
    ) as process:
        os.close(secondary)
        try:
            output = _read_until_closed(primary, time.monotonic() + timeout, process)
        finally:
            os.close(primary)
        _, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr.decode()
    return output.decode("utf-8").replace("\r\n", "\n")


def _read_until_closed(primary: int, deadline: float, process: subprocess.Popen[bytes]) -> bytes:
    """Everything written to the terminal until the command closes it (EIO), or an error at the deadline."""
    chunks = []
    while select.select([primary], [], [], max(0.0, deadline - time.monotonic()))[0]:
        try:
            chunk = os.read(primary, 65536)
        except OSError as exc:  # EIO: the command exited and closed the terminal
            if exc.errno != errno.EIO:
                raise
            return b"".join(chunks)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
    process.kill()
    raise AssertionError(f"{' '.join(process.args)} did not finish in time")
