"""Source definitions: the shipped registry, one-line definitions, and errors that name the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crawlers.sources import load_source_file, load_sources, source_from_url, source_to_yaml
from crawlers.sources.registry import SHIPPED_DIR, SourceDefinition

ZHAMBYL = {"gov.kz-zhambyl", "ztgzt.kz", "aqjolgazet.kz", "jambyltv.kz"}
NATIONAL = {"inform.kz", "qz.inform.kz", "kazpravda.kz", "zakon.kz", "tengrinews.kz", "nur.kz",
            "informburo.kz", "kt.kz", "egemen.kz", "el.kz"}  # fmt: skip


def test_shipped_registry_loads_without_errors(tmp_path):
    registry = load_sources(tmp_path)

    assert registry.errors == ()
    assert set(registry.sources) == ZHAMBYL | NATIONAL
    assert {s.name for s in registry if s.region == "zhambyl"} == ZHAMBYL
    assert all(s.languages for s in registry)


def test_shipped_portals_are_polled_often_enough_to_alert_within_a_minute(tmp_path):
    from newsmon.schedules import parse_schedule

    registry = load_sources(tmp_path)

    assert {name: parse_schedule(s.schedule).seconds for name, s in registry.sources.items()} == {
        name: 30 for name in registry.sources
    }


def test_shipped_registry_states_only_verified_paths(tmp_path):
    registry = load_sources(tmp_path)

    assert registry["zakon.kz"].sitemaps == ("https://www.zakon.kz/sitemap/index.xml",)
    assert registry["tengrinews.kz"].sitemaps == ("https://tengrinews.kz/sitemap_ru.xml",)
    assert all(not s.feeds for s in registry)  # no feed URL was verified: they are discovered
    assert registry["gov.kz-zhambyl"].render is True
    for path in SHIPPED_DIR.glob("*.yaml"):
        assert "Verified:" in path.read_text(encoding="utf-8"), path


def test_one_line_definition_is_a_home_url(tmp_path):
    (tmp_path / "ztgzt.yaml").write_text("https://www.ztgzt.kz\n")
    (tmp_path / "more.txt").write_text("# regional papers\nhttps://aqjolgazet.kz/\nhttps://new-portal.kz/\n")

    registry = load_sources(tmp_path)

    assert registry.errors == ()
    assert registry["ztgzt.kz"].home == "https://www.ztgzt.kz/"
    assert registry["ztgzt.kz"].origin == str(
        tmp_path / "ztgzt.yaml"
    )  # the user's file replaces the shipped one
    assert registry["new-portal.kz"].feeds == ()


def test_bad_file_is_reported_and_the_others_still_load(tmp_path):
    (tmp_path / "good.yaml").write_text(
        "- https://portal-one.kz/\n- {home: 'https://portal-two.kz/', languages: [kk]}\n"
    )
    (tmp_path / "bad.yaml").write_text(
        "- name: broken\n  home: https://broken.kz/\n  languagez: [ru]\n"
        "- name: badregex\n  home: https://x.kz/\n  article_patterns: ['news/(']\n"
        "- name: badtz\n  home: https://y.kz/\n  timezone: Asia/Nowhere\n"
        "- https://fine.kz/\n"
    )
    (tmp_path / "unreadable.yaml").write_text("home: [unclosed\n")

    registry = load_sources(tmp_path)

    assert {"portal-one.kz", "portal-two.kz", "fine.kz"} <= set(registry.sources)
    messages = [str(error) for error in registry.errors]
    assert any("bad.yaml: source broken: field languagez" in m for m in messages)
    assert any("source badregex: field article_patterns" in m and "regular expression" in m for m in messages)
    assert any("source badtz: field timezone" in m for m in messages)
    (unreadable,) = [m for m in messages if "unreadable.yaml" in m]
    assert "cannot read definitions: YAML syntax error at line 2, column 1:" in unreadable
    assert "\n" not in unreadable  # one line, as every other definition error


def test_duplicate_names_in_one_directory_are_reported(tmp_path):
    (tmp_path / "a.yaml").write_text("https://same.kz/\n")
    (tmp_path / "b.yaml").write_text("{name: same.kz, home: 'https://www.same.kz/'}\n")

    sources, errors = load_sources(tmp_path).sources, load_sources(tmp_path).errors

    assert sources["same.kz"].home == "https://same.kz/"
    assert [e.field for e in errors] == ["name"]


def test_relative_discovery_paths_resolve_against_home(tmp_path):
    path = tmp_path / "z.yaml"
    path.write_text("home: https://www.zakon.kz/\nsitemaps: [/sitemap/index.xml]\nlistings: [/news/]\n")

    (source,), errors = load_source_file(path)

    assert errors == []
    assert source.sitemaps == ("https://www.zakon.kz/sitemap/index.xml",)
    assert source.listings == ("https://www.zakon.kz/news/",)


def test_yaml_round_trip_keeps_every_field(tmp_path):
    definition = SourceDefinition(
        name="jambyltv.kz", home="https://jambyltv.kz/", languages=["ru", "kk"], region="zhambyl",
        listings=["/ru/", "/kz/"], pagination="{url}?page={n}", max_pages=5, article_patterns=[r"/news/\d+"],
        selectors={"title": "h1.news-title"}, schedule="*/30 * * * *", since_days=2, limit=50, founded="1994-01-01",
    )  # fmt: skip
    source = definition.to_source()
    path = tmp_path / "jambyltv.yaml"
    path.write_text(source_to_yaml(source), encoding="utf-8")

    (loaded,), errors = load_source_file(path)

    assert errors == []
    assert {**_fields(loaded), "origin": None} == {**_fields(source), "origin": None}


def test_suggested_yaml_of_a_url_is_minimal():
    text = source_to_yaml(source_from_url("https://www.inform.kz"))

    assert yaml.safe_load(text) == {"name": "inform.kz", "home": "https://www.inform.kz/"}


def _fields(source) -> dict:
    return {name: getattr(source, name) for name in source.__slots__}


def test_sources_dir_setting_is_used_by_default(tmp_path, monkeypatch):
    from newsmon.config import get_settings

    (tmp_path / "mine.yaml").write_text("https://my-portal.kz/\n")
    monkeypatch.setenv("NEWSMON_SOURCES_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert "my-portal.kz" in load_sources()
    finally:
        get_settings.cache_clear()


def test_missing_user_directory_is_an_error_not_a_crash():
    registry = load_sources(Path("/nonexistent/sources"))

    assert "zakon.kz" in registry
    assert "does not exist" in str(registry.errors[0])


def test_a_crawl_of_a_skipped_definition_says_why(tmp_path, monkeypatch):
    from crawlers.spiders.base import resolve_source
    from newsmon.config import get_settings

    (tmp_path / "weekly.yaml").write_text(
        "name: weekly-paper\nhome: https://weekly.kz/\nschedule: every tuesday\n"
    )
    (tmp_path / "broken.yaml").write_text("home: [unclosed\n")
    monkeypatch.setenv("NEWSMON_SOURCES_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        with pytest.raises(ValueError) as skipped:
            resolve_source("weekly-paper", None, None)
        with pytest.raises(ValueError) as unknown:
            resolve_source("nowhere", None, None)
    finally:
        get_settings.cache_clear()

    assert "unknown source 'weekly-paper': its definition was skipped" in str(skipped.value)
    assert "weekly.yaml: source weekly-paper: field schedule" in str(skipped.value)
    assert "broken.yaml" not in str(skipped.value)
    assert "unknown source 'nowhere' (definitions that could not be read:" in str(unknown.value)
    assert "broken.yaml: cannot read definitions" in str(unknown.value)
