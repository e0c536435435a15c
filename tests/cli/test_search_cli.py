"""`newsmon search`, `trends` and `export` on a stored archive, as an analyst runs them from the shell."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmon.cli.main import cli
from newsmon.storage import Repository
from newsmon.storage.migrate import upgrade
from tests.newsmon_env import newsmon_settings
from tests.search.conftest import ARTICLES, store_fixture_articles
from tests.terminal import run_in_terminal


@pytest.fixture
def shell(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    repo = Repository.from_url(database_url)
    upgrade(repo.engine)
    store_fixture_articles(repo)
    repo.dispose()
    with newsmon_settings(monkeypatch, tmp_path, database_url=database_url):
        yield CliRunner()


def _run(shell: CliRunner, *args: str) -> tuple[int, str, str]:
    result = shell.invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_search_table_shows_stories_once_with_highlights(shell: CliRunner) -> None:
    code, out, _ = _run(shell, "search", "Бейбітшілік пен келісім")
    assert code == 0
    assert out.count("│ 3 ") == 1 or " 3 " in out  # one story, three copies
    assert "Бейбітшілік" in out


PROJECT = '"Бейбітшілік пен келісім"'


def test_search_marks_a_quoted_match_once_in_every_piped_format(
    shell: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # a table row per line, so the phrase is not folded
    # Given stories whose articles put the project's name in «»; when they are searched for, piped
    _, jsonl, _ = _run(shell, "search", PROJECT, "--format", "jsonl")
    _, table, _ = _run(shell, "search", PROJECT)
    _, rows, _ = _run(shell, "search", PROJECT, "--format", "csv")
    snippets = [json.loads(line)["snippet"] for line in jsonl.splitlines()]
    snippets += [row["snippet"] for row in csv.DictReader(rows.splitlines())]
    # Then the words are between [[ ]] once, inside the article's own guillemets, in JSON, CSV and the table
    assert snippets and all("«[[Бейбітшілік пен келісім]]»" in snippet for snippet in snippets)
    assert "«[[Бейбітшілік пен келісім]]»" in table
    assert not any(doubled in text for text in [*snippets, table] for doubled in ("««", "»»"))


def test_search_table_in_a_terminal_colours_the_matched_words(shell: CliRunner) -> None:
    out = run_in_terminal("search", PROJECT, columns=400)  # wide enough that no snippet folds
    assert re.search(r"«(\x1b\[[0-9;]*m)+Бейбітшілік пен келісім\x1b\[0m»", out), out
    assert "[[" not in out


def test_search_jsonl_finds_kazakh_articles_for_a_russian_query(shell: CliRunner) -> None:
    code, out, _ = _run(shell, "search", "Жамбылская область", "--format", "jsonl", "--lang", "kk")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and all(row["language"] == "kk" for row in rows)
    assert any("облысында" in row["snippet"] for row in rows)
    assert all(row["story_id"] for row in rows)


def test_search_json_pages_with_the_cursor(shell: CliRunner) -> None:
    code, out, _ = _run(shell, "search", "Жамбыл", "--sort", "date", "--limit", "2", "--format", "json")
    first = json.loads(out)
    assert code == 0 and len(first["results"]) == 2 and first["next_cursor"]
    code, out, _ = _run(
        shell,
        "search",
        "Жамбыл",
        "--sort",
        "date",
        "--limit",
        "2",
        "--format",
        "json",
        "--cursor",
        first["next_cursor"],
    )
    second = json.loads(out)
    assert not {r["article_id"] for r in first["results"]} & {r["article_id"] for r in second["results"]}
    assert second["results"][0]["published"] <= first["results"][-1]["published"]


def test_search_csv_has_a_header_and_a_row_per_story(shell: CliRunner) -> None:
    code, out, _ = _run(shell, "search", "Тараз", "--format", "csv", "--source", "zakon.kz")
    rows = list(csv.DictReader(out.splitlines()))
    assert code == 0 and len(rows) == 1 and rows[0]["source"] == "zakon.kz"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("search", "Тараз AND"), "expected a word"),
        (("search", "author:Иванов"), 'unknown field "author"'),
        (("search", "Тараз", "--since", "вчера"), "--since"),
        (("search", "Тараз", "--limit", "5000"), "limit"),
        (("trends", "Тараз", "--until", "1.3.2025"), "--until"),
        (("search", "Тараз", "--source", "zakon"), "did you mean 'zakon.kz'?"),
    ],
)
def test_bad_input_is_one_clear_line(shell: CliRunner, args: tuple[str, ...], expected: str) -> None:
    result = shell.invoke(cli, list(args))
    assert result.exit_code != 0
    assert expected in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [("Тараз AND",), ("Тараз", "--source", "zakon")])
def test_a_refused_export_prints_its_error_alone(
    shell: CliRunner, tmp_path: Path, args: tuple[str, ...]
) -> None:
    target = tmp_path / "out.csv"
    result = shell.invoke(cli, ["export", *args, "-o", str(target)])
    assert result.exit_code != 0 and result.output.startswith("Error: ")
    assert "exporting" not in result.output and not target.exists()


def test_trends_by_day_prints_counts_and_a_sparkline(shell: CliRunner) -> None:
    code, out, _ = _run(
        shell, "trends", "Жамбыл", "--by", "day", "--since", "2025-03-01", "--until", "2025-03-06"
    )
    assert code == 0
    assert "2025-03-03" in out
    assert any(block in out for block in "▁▂▃▄▅▆▇█")


def test_trends_per_source_as_json(shell: CliRunner) -> None:
    code, out, _ = _run(shell, "trends", "Бейбітшілік пен келісім", "--per", "source", "--format", "json")
    payload = json.loads(out)
    assert code == 0
    assert set(payload["series"]) == {"gov.kz", "ztgzt.kz", "aqjolgazet.kz"}
    assert sum(sum(counts) for counts in payload["series"].values()) == payload["total"] == 3
    assert isinstance(payload["verified"], bool)  # whether each article's text was read to count it


def test_trends_per_source_print_a_column_per_source_and_the_total(shell: CliRunner) -> None:
    code, out, _ = _run(shell, "trends", "Бейбітшілік пен келісім", "--per", "source")
    assert code == 0
    header = next(line for line in out.splitlines() if "gov.kz" in line and "total" in line)
    assert "ztgzt.kz" in header and "aqjolgazet.kz" in header


def test_trends_of_a_window_without_matches_print_zeros(shell: CliRunner) -> None:
    code, out, _ = _run(shell, "trends", "Жамбыл", "--since", "2020-01-01", "--until", "2020-01-03")
    assert code == 0 and "2020-01-02" in out and "0 articles" in out


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export_writes_every_matching_copy(shell: CliRunner, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    code, _, err = _run(shell, "export", "Жамбыл OR Тараз", "--format", fmt, "-o", str(target), "-q")
    assert code == 0 and "articles written" in err
    if fmt == "csv":
        rows = list(csv.DictReader(target.open(encoding="utf-8")))
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(target).to_pylist()
    expected = len([a for a in ARTICLES if a["key"] != "almaty-tengri"])
    assert len(rows) == expected
    assert {"id", "story_id", "published", "source", "language", "url", "title", "text"} <= set(rows[0])


def test_export_to_standard_output_for_a_pipe(shell: CliRunner) -> None:
    result = shell.invoke(cli, ["export", "Жамбыл OR Тараз", "--format", "jsonl", "-o", "-", "-q"])
    rows = [json.loads(line) for line in result.stdout_bytes.decode("utf-8").splitlines()]
    assert result.exit_code == 0 and "written to standard output" in result.stderr
    assert len(rows) == len([a for a in ARTICLES if a["key"] != "almaty-tengri"])
    code, _, err = _run(shell, "export", "Жамбыл", "-o", "-")
    assert code != 0 and "--format" in err
