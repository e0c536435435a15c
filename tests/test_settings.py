"""Settings: every one documented, the environment read, bad values named."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.config import ConfigError, Settings, load_settings

DOCS = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`NEWSMON_{name.upper()}`" not in text]
    assert missing == [], f"settings missing from docs/settings.md: {missing}"


def test_every_setting_has_help_text() -> None:
    assert [n for n, f in Settings.model_fields.items() if not f.description] == []


def test_embedded_defaults_need_no_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "BROKER_URL", "REDIS_URL", "DATA_DIR", "CONFIG"):
        monkeypatch.delenv(f"NEWSMON_{name}", raising=False)
    settings = load_settings()
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.effective_broker_url.startswith("sqla+sqlite:///")
    assert settings.effective_redis_url is None


def test_environment_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "newsmon.toml"
    config.write_text('dedupe_window_days = 14\nbroker_url = "redis://127.0.0.1:6379/0"\n')
    monkeypatch.setenv("NEWSMON_CONFIG", str(config))
    monkeypatch.setenv("NEWSMON_DEDUPE_WINDOW_DAYS", "7")
    settings = load_settings()
    assert settings.dedupe_window_days == 7  # the environment wins over the file
    assert settings.effective_redis_url == "redis://127.0.0.1:6379/0"


def test_malformed_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMON_DEDUPE_THRESHOLD", "high")
    with pytest.raises(ConfigError, match="NEWSMON_DEDUPE_THRESHOLD"):
        load_settings()
