"""`newsmon watch` end to end, as a monitor uses it from the shell: add, list, show, edit, rm, aliases,
import/export, test; bad input stops with one line that names the fault."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from newsmon.cli.main import cli
from newsmon.models import Article
from newsmon.storage import ArticleToStore
from tests.newsmon_env import newsmon_settings
from tests.terminal import run_in_terminal

ANSI = re.compile(r"\x1b\[[0-9;]*m")
TEXT = "В Таразе прошла конференция, посвящённая проекту «Бейбітшілік пен келісім». Аким Жамбылской области."


@pytest.fixture
def shell(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=database_url):
        runner = CliRunner()
        ok(runner, "channel", "add", "mail", "jsonl", str(tmp_path / "mail.jsonl"))
        ok(runner, "channel", "add", "chat", "jsonl", str(tmp_path / "chat.jsonl"))
        yield runner


def run(shell: CliRunner, *args: str, stdin: str | None = None) -> Result:
    return shell.invoke(cli, list(args), input=stdin, catch_exceptions=False)


def ok(shell: CliRunner, *args: str, stdin: str | None = None) -> str:
    result = run(shell, *args, stdin=stdin)
    assert result.exit_code == 0, result.output
    return result.stdout


def fails(shell: CliRunner, *args: str) -> str:
    result = run(shell, *args)
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_add_list_show_edit_rm(shell: CliRunner) -> None:
    ok(
        shell,
        "watch",
        "add",
        "akim",
        "Карашукеев",
        "--channel",
        "mail",
        "--mode",
        "daily",
        "--digest-at",
        "08:30",
    )
    ok(
        shell,
        "watch",
        "add",
        "project",
        '"Бейбітшілік пен келісім"',
        "--channel",
        "chat",
        "--min-mentions",
        "2",
    )

    listing = ok(shell, "watch", "list")
    assert "akim [daily 08:30]: Карашукеев  -> mail" in listing
    assert "project [instant]" in listing

    shown = yaml.safe_load(ok(shell, "watch", "show", "project"))
    assert shown["query"] == '"Бейбітшілік пен келісім"' and shown["min_mentions"] == 2

    ok(shell, "watch", "edit", "akim", "--set", "quiet_hours=22:00-07:00", "--set", "channels=[mail, chat]")
    ok(shell, "watch", "edit", "akim", "--set", "query=Карашукеев OR Karashukeyev", "--set", "spike_factor=3")
    edited = yaml.safe_load(ok(shell, "watch", "show", "akim"))
    assert edited["quiet_hours"] == "22:00-07:00" and edited["channels"] == ["mail", "chat"]
    assert edited["query"] == "Карашукеев OR Karashukeyev" and edited["spike_factor"] == 3
    assert edited["digest_at"] == "08:30"

    ok(shell, "watch", "rm", "akim")
    assert "akim" not in ok(shell, "watch", "list")
    assert "no watch named 'akim'" in fails(shell, "watch", "show", "akim")
    # The removed watch is kept for its alerts under another name, which cannot bring it back.
    from tasks import context

    kept = next(w for w in context.repository().list_watches() if w.former_name == "akim")
    assert "no watch named" in fails(shell, "watch", "edit", kept.name, "--set", "enabled=true")
    assert "no watch named" in fails(shell, "watch", "rm", kept.name)
    assert context.repository().get_watch(kept.id) == kept


def test_invalid_query_is_one_line_with_the_position(shell: CliRunner) -> None:
    line = fails(shell, "watch", "add", "broken", "Тараз AND (аким", "--channel", "mail")
    assert line.startswith("Error: invalid query 'Тараз AND (аким'")
    assert "at position 15" in line
    assert "at position 15" in fails(shell, "watch", "test", "Тараз AND (аким", "-")
    ok(shell, "watch", "add", "fine", "Тараз", "--channel", "mail")
    assert "position" in fails(shell, "watch", "edit", "fine", "--set", "query=NEAR/3")


def test_unknown_channel_and_bad_fields_are_refused(shell: CliRunner) -> None:
    assert "unknown channel(s): pager" in fails(shell, "watch", "add", "w", "Тараз", "--channel", "pager")
    assert "digest_at must be a local time HH:MM" in fails(
        shell, "watch", "add", "w", "Тараз", "--mode", "daily", "--digest-at", "9am"
    )
    assert "quiet_hours must be HH:MM-HH:MM" in fails(
        shell, "watch", "add", "w", "Тараз", "--quiet-hours", "22-7"
    )
    assert "unknown time zone 'Mars/Olympus'" in fails(
        shell, "watch", "add", "w", "Тараз", "--tz", "Mars/Olympus"
    )
    ok(shell, "watch", "add", "w", "Тараз", "--channel", "mail")
    assert "unknown channel(s): pager" in fails(shell, "watch", "edit", "w", "--set", "channels=[pager]")
    assert "a watch named 'w' exists" in fails(shell, "watch", "add", "w", "Тараз")


def test_import_export_round_trip_with_aliases(shell: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "watches.yaml"
    source.write_text(
        yaml.safe_dump(
            {
                "aliases": {"zhambyl": "Жамбыл | Jambyl | Zhambyl", "region": "@zhambyl NEAR/1 облысы"},
                "watches": [
                    {"name": "region", "query": "@region", "channels": ["mail"], "mode": "daily"},
                    {
                        "name": "akim",
                        "query": "Карашукеев",
                        "channels": ["chat"],
                        "quiet_hours": "22:00-07:00",
                    },
                ],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    assert "2 aliases and 2 watches imported" in ok(shell, "watch", "import", str(source))
    exported = ok(shell, "watch", "export")
    document = yaml.safe_load(exported)
    assert document["aliases"] == {"region": "@zhambyl NEAR/1 облысы", "zhambyl": "Жамбыл | Jambyl | Zhambyl"}
    assert [w["name"] for w in document["watches"]] == ["region", "akim"]
    assert "@region = @zhambyl NEAR/1 облысы" in ok(shell, "watch", "alias", "list")

    again = tmp_path / "again.yaml"
    again.write_text(exported, encoding="utf-8")
    ok(shell, "watch", "import", str(again))  # importing the export changes nothing
    assert yaml.safe_load(ok(shell, "watch", "export")) == document


def test_import_reports_a_bad_watch_and_keeps_the_others(shell: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "watches.yaml"
    source.write_text(
        "watches:\n"
        "  - {name: good, query: Тараз, channels: [mail]}\n"
        "  - {name: bad, query: 'Тараз AND (', channels: [mail]}\n"
        "  - {name: nochannel, query: Тараз, channels: [pager]}\n"
        "  - {name: alias-less, query: '@nowhere'}\n",
        encoding="utf-8",
    )
    result = run(shell, "watch", "import", str(source))
    assert result.exit_code == 1
    assert "watch 2: invalid query" in result.stderr and "watch 3: unknown channel(s): pager" in result.stderr
    assert "unknown alias @nowhere" in result.stderr
    assert "3 watches in" in result.stderr
    assert [w["name"] for w in yaml.safe_load(ok(shell, "watch", "export"))["watches"]] == ["good"]


def test_bad_alias_is_refused_with_its_name(shell: CliRunner) -> None:
    assert "alias @loop" in fails(shell, "watch", "alias", "set", "loop", "@loop | x")
    ok(shell, "watch", "alias", "set", "akim", "Карашукеев | Karashukeyev")
    ok(shell, "watch", "add", "akim", "@akim", "--channel", "mail")
    assert "still used by: akim" in ok(shell, "watch", "alias", "rm", "akim")


def test_watch_test_on_files_stdin_jsonl_and_stored_articles(
    shell: CliRunner, tmp_path: Path, database_url: str
) -> None:
    text_file = tmp_path / "article.txt"
    text_file.write_text(TEXT, encoding="utf-8")
    lines = tmp_path / "texts.jsonl"
    lines.write_text(
        json.dumps({"text": "Жамбыл облысының әкімі", "lang": "kk"}, ensure_ascii=False)
        + "\n"
        + json.dumps({"text": "Погода в Алматы"}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    out = ok(shell, "watch", "test", '"Бейбітшілік пен келісім"', str(text_file))
    assert "MATCH" in out and "1 matched" in out
    assert "1 matched" in ok(shell, "watch", "test", "Тараз", "-", stdin=TEXT)
    out = ok(shell, "watch", "test", "Жамбыл", str(lines), "--format", "jsonl")
    assert f"MATCH    {lines}:1" in out and f"no match {lines}:2" in out

    from tasks import context

    article = Article(url="https://a.kz/1", text=TEXT, title="Конференция", language="ru", source="akimat")
    context.repository().store_article(ArticleToStore(article, article.url, "h1"))
    ok(shell, "watch", "alias", "set", "project", '"Бейбітшілік пен келісім"')
    out = ok(shell, "watch", "test", "@project", "--since", "7d")
    assert "MATCH    article 1 [akimat]" in out and "1 matched" in out


def test_watch_test_piped_marks_quoted_words_once_inside_the_articles_guillemets(
    shell: CliRunner, tmp_path: Path
) -> None:
    # Given an article that puts the project's name in «»
    text_file = tmp_path / "article.txt"
    text_file.write_text(TEXT, encoding="utf-8")
    # When its matches are printed to a pipe
    phrase = ok(shell, "watch", "test", '"Бейбітшілік пен келісім"', str(text_file))
    words = ok(shell, "watch", "test", "Бейбітшілік AND келісім", str(text_file))
    # Then the matched words are between [[ ]] once and the article's «» stay as published
    assert "проекту «[[Бейбітшілік пен келісім]]». Аким" in phrase
    assert "проекту «[[Бейбітшілік]] пен [[келісім]]». Аким" in words
    assert "««" not in phrase + words and "»»" not in phrase + words


def test_watch_test_in_a_terminal_colours_the_matched_words_and_adds_no_marks(
    shell: CliRunner, tmp_path: Path
) -> None:
    text_file = tmp_path / "article.txt"
    text_file.write_text(TEXT, encoding="utf-8")
    out = run_in_terminal("watch", "test", '"Бейбітшілік пен келісім"', str(text_file))
    assert re.search(r"«(\x1b\[[0-9;]*m)+Бейбітшілік пен келісім\x1b\[0m»", out), out
    assert f"MATCH    {text_file}: {TEXT}" in ANSI.sub("", out)
