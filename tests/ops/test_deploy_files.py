"""The deployment files: the compose file runs real newsmon commands on the real queues, and the systemd units
pass `systemd-analyze verify` (or at least parse as unit files where systemd is missing)."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from newsmon.cli.main import cli
from tasks.app import QUEUES
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
INSTALLED_EXECUTABLE = "/opt/newsmon/.venv/bin/newsmon"


def newsmon_commands(argv: list[str]) -> None:
    """Fail unless argv is a newsmon command line that parses (without running it)."""
    command = cli.commands.get(argv[0])
    assert command is not None, f"{argv[0]!r} is not a newsmon command"
    context = command.make_context(argv[0], list(argv[1:]), resilient_parsing=False)
    if "-Q" in argv:
        queues = argv[argv.index("-Q") + 1].split(",")
        assert set(queues) <= set(QUEUES), queues
    context.close()


def test_compose_services_run_newsmon_commands() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "worker-crawl", "worker-process", "beat", "api", "flower"} <= set(
        services
    )
    for name in ("migrate", "worker-crawl", "worker-process", "beat", "api"):
        service = services[name]
        assert service["image"] == "newsmon:latest"
        newsmon_commands(service["command"])
        assert service["environment"]["NEWSMON_BROKER_URL"].startswith("redis://redis:")
    consumed = {
        q for name in ("worker-crawl", "worker-process") for q in services[name]["command"][2].split(",")
    }
    assert consumed == set(QUEUES)  # every queue has a consumer
    assert "noeviction" in services["redis"]["command"]


def unit_sections(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_unit_files_start_newsmon_commands(unit: Path) -> None:
    sections = unit_sections(unit)
    assert {"Unit", "Service", "Install"} <= set(sections.sections())
    start = sections["Service"]["ExecStart"].split()
    assert start[0] == INSTALLED_EXECUTABLE
    newsmon_commands([part.replace("%i", "crawl") for part in start[1:]])


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    real = str(Path(sys.executable).with_name("newsmon"))
    paths = []
    for unit in UNITS:
        name = unit.name.replace("@.service", "@crawl.service")
        copy = tmp_path / name
        copy.write_text(
            unit.read_text(encoding="utf-8").replace(INSTALLED_EXECUTABLE, real), encoding="utf-8"
        )
        paths.append(str(copy))
    done = subprocess.run(["systemd-analyze", "verify", *paths], capture_output=True, text=True, timeout=60)
    ours = [line for line in (done.stdout + done.stderr).splitlines() if "newsmon" in line]
    assert ours == [], ours


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_units_create_the_cache_directory_the_settings_name(unit: Path) -> None:
    """The language model is unpacked into NEWSMON_CACHE_DIR; a unit's user must be able to write it."""
    settings = (unit.parent / "newsmon.env.example").read_text(encoding="utf-8").splitlines()
    assert "NEWSMON_CACHE_DIR=/var/cache/newsmon" in settings
    assert unit_sections(unit)["Service"]["CacheDirectory"] == "newsmon"
