"""Checks on the values of a definition: each mistake names the file, the source and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.sources import DefinitionError, load_source_file, load_sources, new_definition


@pytest.mark.parametrize(
    ("line", "field", "says"),
    [
        ('schedule: "every tuesday-ish"', "schedule", "is not 'adaptive', an interval"),
        ('schedule: "61 * * * *"', "schedule", "cron expression '61 * * * *' is invalid"),
        ('schedule: "5"', "schedule", "'5' is shorter than 10 seconds"),
        ("selectors: {titel: h1}", "selectors", "unknown selector field 'titel'"),
        ('selectors: {title: "h1[[["}', "selectors", "selector for 'title' does not compile: 'h1[[['"),
        (
            'selectors: {published: "//time[["}',
            "selectors",
            "selector for 'published' does not compile: '//time[['",
        ),
        ("feeds: [ftp://x/feed]", "feeds", "'ftp://x/feed' is not an http(s) URL"),
        ('listings: ["javascript:void(0)"]', "listings", "'javascript:void(0)' is not an http(s) URL"),
        ('sitemaps: ["::not a url::"]', "sitemaps", "'::not a url::' is not an http(s) URL"),
        ('feeds: ["https://"]', "feeds", "'https://' is not an http(s) URL"),
        ("languagez: [ru]", "languagez", "unknown field"),
    ],
)
def test_a_wrong_value_names_file_source_and_field_and_the_rest_still_load(
    tmp_path: Path, line: str, field: str, says: str
) -> None:
    (tmp_path / "bad.yaml").write_text(f"name: wrong-paper\nhome: https://wrong.example/\n{line}\n")
    (tmp_path / "good.yaml").write_text("name: good-paper\nhome: https://good.example/\n")

    registry = load_sources(tmp_path)

    assert "good-paper" in registry and "wrong-paper" not in registry
    (error,) = registry.errors
    assert str(error).startswith(f"{tmp_path / 'bad.yaml'}: source wrong-paper: field {field}: ")
    assert says in str(error)
    assert "Value error" not in str(error) and "Extra inputs" not in str(error)


def test_every_form_the_scheduler_and_extractor_accept_loads(tmp_path: Path) -> None:
    path = tmp_path / "fine.yaml"
    path.write_text(
        "- {name: a, home: 'https://a.example/', schedule: adaptive}\n"
        "- {name: b, home: 'https://b.example/', schedule: 15m}\n"
        "- {name: c, home: 'https://c.example/', schedule: '900'}\n"
        "- {name: d, home: 'https://d.example/', schedule: '*/30 6-22 * * mon-fri'}\n"
        "- name: e\n  home: https://e.example/\n  selectors: {title: h1, remove: .ads}\n"
        "  feeds: [/rss, 'https://feeds.example/e.xml', //cdn.example/e.xml]\n"
        "  listings: [news/, '?page=1', '/ru/news?lang=ru']\n"
    )

    sources, errors = load_source_file(path)

    assert errors == []
    e = sources[-1]
    assert e.feeds == ("https://e.example/rss", "https://feeds.example/e.xml", "https://cdn.example/e.xml")
    assert e.listings == (
        "https://e.example/news/",
        "https://e.example/?page=1",
        "https://e.example/ru/news?lang=ru",
    )


def test_comments_in_a_text_file_are_ignored_wherever_they_are(tmp_path: Path) -> None:
    (tmp_path / "papers.txt").write_text(
        "# regional papers\n"
        "   # an indented comment\n"
        "https://good.example/  # a trailing comment\n"
        "\thttps://other.example/\t# after a tab\n"
        "https://anchor.example/#top\n"
    )

    registry = load_sources(tmp_path)

    assert registry.errors == ()
    assert registry["good.example"].home == "https://good.example/"
    assert registry["other.example"].home == "https://other.example/"
    assert registry["anchor.example"].home == "https://anchor.example/#top"  # a fragment is not a comment


def test_the_data_directory_is_read_when_no_sources_directory_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsmon.config import get_settings

    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "mine.yaml").write_text("https://my-portal.example/\n")
    monkeypatch.delenv("NEWSMON_SOURCES_DIR", raising=False)
    monkeypatch.setenv("NEWSMON_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        registry = load_sources()
    finally:
        get_settings.cache_clear()

    assert registry.errors == ()
    assert registry["my-portal.example"].origin == str(tmp_path / "sources" / "mine.yaml")


@pytest.mark.parametrize(
    ("url", "name", "field"),
    [
        ("not-a-url", None, "home"),
        ("http://[::1]:8080/", None, "name"),
        ("https://a.example/", "A B", "name"),
    ],
)
def test_a_new_definition_the_loader_would_reject_is_refused(
    tmp_path: Path, url: str, name: str | None, field: str
) -> None:
    with pytest.raises(DefinitionError) as refused:
        new_definition(url, name, tmp_path)

    assert [error.field for error in refused.value.errors] == [field]


def test_a_host_in_another_script_is_named_by_its_ascii_form(tmp_path: Path) -> None:
    (tmp_path / "idn.yaml").write_text("https://www.ақорда.example/\n")

    registry = load_sources(tmp_path)

    assert registry.errors == ()
    assert registry["xn--80aal3bk85c.example"].home == "https://www.ақорда.example/"


def test_a_new_definition_is_the_text_that_loads_back(tmp_path: Path) -> None:
    source, path, text = new_definition("https://www.new-portal.example", None, tmp_path)

    path.write_text(text, encoding="utf-8")

    assert path == tmp_path / "new-portal.example.yaml"
    assert load_source_file(path) == ([source], [])
