"""A watch's languages from the shell (`watch add --lang`, `watch edit --set languages=`, `watch import`) are
saved as articles carry them, as the API and the watch form save them: `RU` as ru, `kz` as kk. A word that
is no language code is refused with the watch's name, and nothing of that watch is saved."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import Result

from tests.cli.conftest import Invoke


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def _refused(result: Result) -> str:
    """The one error line of a refused command."""
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def _languages(newsmon: Invoke, name: str) -> list[str]:
    return yaml.safe_load(_ok(newsmon("watch", "show", name)))["languages"]


def test_add_saves_the_codes_articles_carry(newsmon: Invoke) -> None:
    _ok(newsmon("watch", "add", "akim", "аким", "--lang", "RU", "--lang", " kz", "--lang", "ru"))
    assert _languages(newsmon, "akim") == ["ru", "kk"]
    _ok(newsmon("watch", "add", "region", "Жамбыл", "--lang", "KK,Ru"))
    assert _languages(newsmon, "region") == ["kk", "ru"]


def test_add_refuses_a_word_that_is_no_code_naming_it_and_the_watch(newsmon: Invoke) -> None:
    line = _refused(newsmon("watch", "add", "akim", "аким", "--lang", "ru", "--lang", "russian"))
    assert line.startswith("Error: watch 'akim': languages: 'russian' is not a language code")
    assert "kz is read as kk" in line
    assert "akim" not in _ok(newsmon("watch", "list"))


def test_edit_saves_the_codes_articles_carry_and_refuses_others(newsmon: Invoke) -> None:
    _ok(newsmon("watch", "add", "akim", "аким"))
    _ok(newsmon("watch", "edit", "akim", "--set", "languages=KZ"))
    assert _languages(newsmon, "akim") == ["kk"]
    _ok(newsmon("watch", "edit", "akim", "--set", "languages=[RU, kz, kk]"))
    assert _languages(newsmon, "akim") == ["ru", "kk"]

    line = _refused(newsmon("watch", "edit", "akim", "--set", "languages=[ru, Russian]"))
    assert line.startswith("Error: watch 'akim': languages: 'Russian' is not a language code")
    line = _refused(newsmon("watch", "edit", "akim", "--set", "languages={ru: 1}"))
    assert line == "Error: watch 'akim': languages must be language codes such as ru, kk; not {'ru': 1}"
    assert _languages(newsmon, "akim") == ["ru", "kk"]  # a refused edit changes nothing

    _ok(newsmon("watch", "edit", "akim", "--set", "languages="))  # no languages: every language
    assert _languages(newsmon, "akim") == []


def test_import_saves_the_codes_articles_carry_and_skips_only_the_bad_watch(
    newsmon: Invoke, tmp_path: Path
) -> None:
    source = tmp_path / "watches.yaml"
    source.write_text(
        "watches:\n"
        "  - {name: akim, query: аким, languages: [RU, kz]}\n"
        "  - {name: weather, query: погода, languages: [ru, russian]}\n"
        "  - {name: region, query: Жамбыл, languages: KZ}\n",
        encoding="utf-8",
    )
    result = newsmon("watch", "import", str(source))
    assert result.exit_code == 1
    assert f"{source}: watch 2: watch 'weather': languages: 'russian' is not a language code" in result.stderr
    assert f"1 watches in {source} were not imported" in result.stderr
    assert "0 aliases and 2 watches imported" in result.stdout
    assert _languages(newsmon, "akim") == ["ru", "kk"]
    assert _languages(newsmon, "region") == ["kk"]
    assert "weather" not in _ok(newsmon("watch", "list"))
