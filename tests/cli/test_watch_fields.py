"""Every field of a watch from the shell (`watch add`, `watch edit --set FIELD=VALUE`, `watch import`): list
fields take nothing, one word, words separated by commas or a YAML list, whichever way they come; a value a
watch cannot work with stops the command with one line naming the watch and the field, and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tests.cli.test_watch_cli import fails, ok, run
from tests.newsmon_env import newsmon_settings


@pytest.fixture
def shell(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """On SQLite only: reading the fields does not depend on the database (test_watch_cli stores watches on
    both). A shell with channels `mail` and `chat` and a watch `akim` with every field at its default."""
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=sqlite_url):
        runner = CliRunner()
        ok(runner, "channel", "add", "mail", "jsonl", str(tmp_path / "mail.jsonl"))
        ok(runner, "channel", "add", "chat", "jsonl", str(tmp_path / "chat.jsonl"))
        ok(runner, "watch", "add", "akim", "Карашукеев")
        yield runner


def shown(shell: CliRunner, name: str = "akim") -> dict:
    return yaml.safe_load(ok(shell, "watch", "show", name))


@pytest.mark.parametrize("field", ["sources", "regions"])
def test_set_list_field_takes_nothing_a_word_commas_or_a_list(shell: CliRunner, field: str) -> None:
    for typed, saved in [
        ("zakon", ["zakon"]),
        ("", []),
        ("zakon.kz,tengrinews.kz", ["zakon.kz", "tengrinews.kz"]),
        ("[]", []),
        (" zakon.kz , tengrinews.kz,, zakon.kz", ["zakon.kz", "tengrinews.kz"]),
        ("[nur.kz, tengrinews.kz]", ["nur.kz", "tengrinews.kz"]),
    ]:
        assert ok(shell, "watch", "edit", "akim", "--set", f"{field}={typed}") == "watch 'akim' updated\n"
        assert shown(shell)[field] == saved, typed


def test_set_channels_takes_nothing_a_word_commas_or_a_list(shell: CliRunner) -> None:
    ok(shell, "watch", "edit", "akim", "--set", "channels=mail")
    assert shown(shell)["channels"] == ["mail"]
    ok(shell, "watch", "edit", "akim", "--set", "channels=mail,chat")
    assert shown(shell)["channels"] == ["mail", "chat"]
    ok(shell, "watch", "edit", "akim", "--set", "channels=")
    assert shown(shell)["channels"] == []
    ok(shell, "watch", "edit", "akim", "--set", "channels=[chat]")
    assert shown(shell)["channels"] == ["chat"]
    assert "unknown channel(s): pager" in fails(
        shell, "watch", "edit", "akim", "--set", "channels=mail,pager"
    )


def test_set_languages_reads_a_bare_no_as_norwegian_and_a_listed_one_as_yaml_does(shell: CliRunner) -> None:
    ok(shell, "watch", "edit", "akim", "--set", "languages=no")
    assert shown(shell)["languages"] == ["no"]
    ok(shell, "watch", "edit", "akim", "--set", "languages=NO,kz")
    assert shown(shell)["languages"] == ["no", "kk"]

    line = fails(shell, "watch", "edit", "akim", "--set", "languages=[no, ru]")
    assert line == "Error: watch 'akim': languages: no was read as a yes/no value; write it in quotes: 'no'"
    ok(shell, "watch", "edit", "akim", "--set", "languages=['no', ru]")
    assert shown(shell)["languages"] == ["no", "ru"]


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        (
            "sources={zakon: 1}",
            "watch 'akim': sources must be source names such as zakon.kz; not {'zakon': 1}",
        ),
        ("sources=[[zakon]]", "watch 'akim': sources must be source names such as zakon.kz; not [['zakon']]"),
        ("regions=[2024]", "watch 'akim': regions: 2024 was read as a number; write it in quotes"),
        ("channels=[mail, off]", "watch 'akim': channels: no, n, off or false was read as a yes/no value"),
        ("sources=[zakon", "watch 'akim': sources: '[zakon' is not valid YAML (expected ',' or ']'"),
    ],
)
def test_set_list_field_of_a_wrong_type_names_the_watch_and_the_field(
    shell: CliRunner, assignment: str, message: str
) -> None:
    ok(shell, "watch", "edit", "akim", "--set", "sources=nur.kz", "--set", "channels=mail")
    before = shown(shell)

    assert fails(shell, "watch", "edit", "akim", "--set", assignment).startswith(f"Error: {message}")
    assert shown(shell) == before


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("min_mentions=", "watch 'akim': min_mentions must be a whole number from 1 to 10000, not empty"),
        ("min_mentions=two", "watch 'akim': min_mentions must be a whole number from 1 to 10000, not 'two'"),
        (
            "min_mentions=99999999999999999999",
            "watch 'akim': min_mentions must be a whole number from 1 to 10000",
        ),
        ("digest_at=25:00", "watch 'akim': digest_at must be a local time HH:MM, not '25:00'"),
        ("quiet_hours=x", "watch 'akim': quiet_hours must be HH:MM-HH:MM (e.g. 22:00-07:00), not 'x'"),
        ("mode=", "watch 'akim': mode must be one of instant, hourly, daily, weekly, not empty"),
        ("timezone=", "watch 'akim': timezone: unknown time zone ''"),
        ("timezone=Europe", "watch 'akim': timezone: unknown time zone 'Europe'"),
        ("spike_factor=.nan", "watch 'akim': spike_factor must be a number above 1 and at most 1000"),
        ("spike_factor=.inf", "watch 'akim': spike_factor must be a number above 1 and at most 1000"),
        ("enabled=", "watch 'akim': enabled must be true or false, not empty"),
        ("enabled=maybe", "watch 'akim': enabled must be true or false, not 'maybe'"),
        ("owner=", "watch 'akim': owner must not be empty"),
        ("name=", "a watch needs a name"),
        ("name=akim (deleted 7)", "watch 'akim (deleted 7)': a name ending in '(deleted N)' marks a removed"),
        ("name=region", "a watch named 'region' exists; choose another name"),
    ],
)
def test_set_an_odd_value_is_one_line_naming_the_field_and_changes_nothing(
    shell: CliRunner, assignment: str, message: str
) -> None:
    ok(shell, "watch", "add", "region", "Жамбыл")
    before = shown(shell)

    assert fails(shell, "watch", "edit", "akim", "--set", assignment).startswith(f"Error: {message}")
    assert shown(shell) == before
    assert "akim" in ok(shell, "watch", "list")


def test_set_nothing_clears_the_digest_time_quiet_hours_and_spike_factor(shell: CliRunner) -> None:
    ok(
        shell,
        "watch",
        "edit",
        "akim",
        "--set",
        "digest_at=08:30",
        "--set",
        "quiet_hours=22:00-07:00",
        "--set",
        "spike_factor=3",
    )
    ok(
        shell,
        "watch",
        "edit",
        "akim",
        "--set",
        "digest_at=",
        "--set",
        "quiet_hours=",
        "--set",
        "spike_factor=",
    )
    watch = shown(shell)
    assert (watch["digest_at"], watch["quiet_hours"], watch["spike_factor"]) == (None, None, None)


def test_add_reads_sources_and_regions_as_edit_does(shell: CliRunner) -> None:
    ok(
        shell,
        "watch",
        "add",
        "region",
        "Жамбыл",
        "--source",
        "zakon.kz,tengrinews.kz",
        "--source",
        "zakon.kz",
        "--region",
        " zhambyl ",
    )
    watch = shown(shell, "region")
    assert (watch["sources"], watch["regions"]) == (["zakon.kz", "tengrinews.kz"], ["zhambyl"])
    line = fails(shell, "watch", "add", " akim ", "Тараз")
    assert line == "Error: a watch named 'akim' exists; use `newsmon watch edit`"


def test_import_refuses_a_yes_no_value_in_a_list_asking_for_quotes(shell: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "watches.yaml"
    source.write_text(
        "watches:\n"
        "  - {name: oslo, query: Осло, languages: [no]}\n"
        "  - {name: bergen, query: Берген, languages: ['no', ru]}\n"
        "  - {name: portal, query: Тараз, sources: zakon.kz}\n"
        "  - {name: portals, query: Тараз, sources: 'zakon.kz, tengrinews.kz', regions: zhambyl}\n"
        "  - {name: switch, query: Тараз, sources: [on]}\n"
        "  - {name: quiet, query: Тараз, channels: [mail, off]}\n"
        "  - {name: year, query: 2024}\n",
        encoding="utf-8",
    )
    result = run(shell, "watch", "import", str(source))

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        f"{source}: watch 1: watch 'oslo': languages: no was read as a yes/no value; write it in quotes: 'no'",
        f"{source}: watch 5: watch 'switch': sources: yes, y, on or true was read as a yes/no value; "
        "write it in quotes, e.g. 'yes'",
        f"{source}: watch 6: watch 'quiet': channels: no, n, off or false was read as a yes/no value; "
        "write it in quotes, e.g. 'no'",
        f"{source}: watch 7: watch 'year': query: 2024 was read as a number; write it in quotes",
        f"Error: 4 watches in {source} were not imported (see above)",
    ]
    assert shown(shell, "bergen")["languages"] == ["no", "ru"]
    assert shown(shell, "portal")["sources"] == ["zakon.kz"]
    portals = shown(shell, "portals")
    assert (portals["sources"], portals["regions"]) == (["zakon.kz", "tengrinews.kz"], ["zhambyl"])
    listing = ok(shell, "watch", "list")
    assert all(f"{name} [" not in listing for name in ("oslo", "switch", "quiet", "year"))
