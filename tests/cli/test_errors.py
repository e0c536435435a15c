"""Bad settings, unreachable databases and unknown options end in one line, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def newsmon(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "newsmon.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=120,
    )


def test_malformed_setting_names_it(tmp_path: Path) -> None:
    result = newsmon("db", "current", env={"NEWSMON_API_PORT": "abc"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "NEWSMON_API_PORT" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_names_the_url_setting(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/nothing"
    result = newsmon("db", "upgrade", env={"NEWSMON_DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 2
    assert "NEWSMON_DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    result = newsmon("crawl", "--everything", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such option" in result.stderr


def test_db_upgrade_creates_the_embedded_database(tmp_path: Path) -> None:
    result = newsmon("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".newsmon" / "newsmon.db").exists()


def test_a_database_without_tables_says_how_to_create_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'blank.db'}"
    result = newsmon("search", "Тараз", env={"NEWSMON_DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 2
    assert "newsmon db upgrade" in result.stderr and "Traceback" not in result.stderr
