"""`newsmon ingest`: archives in JSONL and CSV through the crawl's stages, with a summary and a per-line report."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsmon.storage import Repository
from tests.conftest import SAMPLES
from tests.newsmon_env import newsmon_settings

TEXT = (SAMPLES / "zhambyl-conference.ru.txt").read_text(encoding="utf-8").split("\n")[-1]
KAZAKH = "Тараз қаласында «Бейбітшілік пен келісім» жобасы бойынша халықаралық конференция өтті. " * 3


def run_ingest(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Result:
    from newsmon.cli.main import cli

    with newsmon_settings(monkeypatch, tmp_path / "data", database_url=database_url):
        return CliRunner().invoke(cli, ["ingest", *args], catch_exceptions=False)


def write_jsonl(path: Path, lines: list[object]) -> Path:
    path.write_text(
        "".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines)
    )
    return path


def report_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_archive_is_stored_summarised_and_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    archive = write_jsonl(
        tmp_path / "archive.jsonl",
        [
            {"url": "https://ztgzt.kz/news/1", "title": "Конференция в Таразе | Знамя труда", "text": TEXT,
             "published": "2024-02-10 11:00", "source": "ztgzt"},
            {"url": "https://inform.kz/ru/1", "title": "Конференция в Таразе", "text": TEXT, "published": "2024-02-10T12:00:00+05:00"},
            {"url": "https://jambyltv.kz/kz/news/7", "text": KAZAKH, "language": "kk"},
            {"url": "https://ztgzt.kz/news/1?utm_source=tg", "text": TEXT, "title": "Конференция"},
            {"url": "https://ztgzt.kz/news/1", "text": TEXT + " Дополнение: итоги подведут в марте на отдельной встрече с экспертами."},
            "{not json",
            {"title": "без ссылки", "text": TEXT},
            {"url": "ftp://files.kz/1", "text": TEXT},
            {"url": "https://a.kz/2", "text": TEXT, "published": "вчера"},
            {"url": "https://a.kz/3", "text": "   "},
            ["a", "list"],
        ],
    )  # fmt: skip
    report = tmp_path / "report.jsonl"

    result = run_ingest(
        [str(archive), "--report", str(report), "--no-match"], tmp_path, monkeypatch, database_url
    )

    assert result.exit_code == 0, result.output
    assert "11 lines: 2 new, 1 copy, 1 version, 1 unchanged, 6 rejected; 2 stories" in result.output
    lines = report_of(report)
    assert [line["line"] for line in lines] == list(range(1, 12))
    assert [line["result"] for line in lines[:5]] == ["new", "copy", "new", "unchanged", "version"]
    assert lines[1]["reason"] == "exact_copy" and lines[1]["story_id"] == lines[0]["story_id"]
    reasons = {line["line"]: line.get("reason", "") for line in lines if line["result"] == "rejected"}
    assert "invalid JSON" in reasons[6]
    assert "url is missing" in reasons[7]
    assert "not an http(s) URL" in reasons[8]
    assert "not an ISO 8601 date" in reasons[9]
    assert "text is empty" in reasons[10]
    assert "not a JSON object" in reasons[11]
    repo = Repository.from_url(database_url)
    stored = repo.article_by_url("https://ztgzt.kz/news/1")
    assert stored is not None and stored.title == "Конференция в Таразе" and stored.version == 2
    assert (
        stored.published is not None and stored.published.isoformat() == "2024-02-10T05:00:00+00:00"
    )  # UTC+6
    assert repo.get_article(lines[1]["article_id"]).published.isoformat() == "2024-02-10T07:00:00+00:00"  # type: ignore[union-attr]
    assert repo.get_article(lines[2]["article_id"]).language == "kk"  # type: ignore[union-attr]
    repo.dispose()


def test_a_second_import_of_the_same_file_adds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    archive = write_jsonl(tmp_path / "a.jsonl", [{"url": "https://ztgzt.kz/news/1", "text": TEXT}])
    run_ingest([str(archive), "--no-match"], tmp_path, monkeypatch, sqlite_url)

    again = run_ingest([str(archive), "--no-match"], tmp_path, monkeypatch, sqlite_url)

    assert "1 lines: 1 unchanged; 1 stories" in again.output


def test_lines_with_only_an_id_are_stored_under_an_archive_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    archive = write_jsonl(
        tmp_path / "a.jsonl", [{"id": "a0001", "lang": "ru", "text": TEXT, "title": "Конференция"}]
    )
    report = tmp_path / "r.jsonl"

    run_ingest(
        [str(archive), "--report", str(report), "--no-match", "--source", "lenta"],
        tmp_path,
        monkeypatch,
        sqlite_url,
    )

    (line,) = report_of(report)
    assert line["id"] == "a0001" and line["result"] == "new"
    assert line["url"] == "https://archive.invalid/lenta/a0001"


def test_csv_archive_is_read_by_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    archive = tmp_path / "archive.csv"
    with archive.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["url", "title", "text", "published", "source", "language"])
        writer.writerow(
            ["https://ztgzt.kz/news/1", "Конференция", TEXT, "2025-02-10T10:00:00+05:00", "ztgzt", "ru"]
        )
        writer.writerow(["https://jambyltv.kz/kz/news/7", "Конференция", KAZAKH, "", "jambyltv", ""])
        writer.writerow(["", "Без ссылки", TEXT, "", "", ""])
    report = tmp_path / "r.jsonl"

    result = run_ingest(
        [str(archive), "--report", str(report), "--no-match"], tmp_path, monkeypatch, sqlite_url
    )

    assert "3 lines: 2 new, 1 rejected; 2 stories" in result.output
    lines = report_of(report)
    assert [line["line"] for line in lines] == [2, 3, 4]  # line numbers of the file, header is line 1
    assert "url is missing" in lines[2]["reason"]


def test_csv_without_a_required_column_is_rejected_with_the_column_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    archive = tmp_path / "archive.csv"
    archive.write_text("link,title,body\nhttps://ztgzt.kz/news/1,Конференция,Текст\n", encoding="utf-8")
    report = tmp_path / "r.jsonl"

    result = run_ingest([str(archive), "--report", str(report)], tmp_path, monkeypatch, sqlite_url)

    assert result.exit_code == 0
    assert "1 lines: 1 rejected; 0 stories" in result.output
    (line,) = report_of(report)
    assert line["result"] == "rejected" and "lacks column(s): text, url" in line["reason"]


def test_matching_is_enqueued_on_the_embedded_broker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    archive = write_jsonl(
        tmp_path / "a.jsonl", [{"url": f"https://a.kz/{n}", "text": f"{n} {TEXT}"} for n in range(3)]
    )

    result = run_ingest([str(archive)], tmp_path, monkeypatch, sqlite_url)

    assert "3 lines: 1 new, 2 copy; 1 stories" in result.output
    assert (tmp_path / "data" / "broker.db").exists()


def test_progress_is_reported_on_stderr_when_it_is_not_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    monkeypatch.setattr("newsmon.cli.ingest.PROGRESS_EVERY", 2)
    archive = write_jsonl(
        tmp_path / "a.jsonl", [{"url": f"https://a.kz/{n}", "text": f"{n} {TEXT}"} for n in range(5)]
    )
    monkeypatch.setattr("pipelines.ingest.BATCH_SIZE", 2)

    result = run_ingest([str(archive), "--no-match"], tmp_path, monkeypatch, sqlite_url)

    assert "ingested 2/5 lines" in result.stderr and "ingested 4/5 lines" in result.stderr
    assert "ingested" not in result.stdout


def test_lines_prepared_in_worker_processes_give_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.quality_dedupe import QUALITY_SET
    from benchmarks.quality_ingest_grouping import read_rows
    from newsmon.cli.main import cli

    rows = read_rows(QUALITY_SET)[:450]  # three batches, copies among them
    archive = write_jsonl(tmp_path / "archive.jsonl", [*rows[:100], "{broken", *rows[100:]])
    reports = {}
    for workers in (1, 2):
        report = tmp_path / f"report-{workers}.jsonl"
        args = [str(archive), "--report", str(report), "--no-match", "--workers", str(workers)]
        with newsmon_settings(monkeypatch, tmp_path / f"data-{workers}"):
            result = CliRunner().invoke(cli, ["ingest", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        reports[workers] = report_of(report)

    assert len(reports[2]) == 451 and reports[2][100]["result"] == "rejected"
    assert reports[2] == reports[1]


def test_a_large_import_ends_by_keeping_its_common_words_trends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """An archive loaded in one go gets the daily upkeep at once: its common words chart from kept counts."""
    from newsmon.search import prepare_query
    from newsmon.search.trends import _countable_terms

    monkeypatch.setattr("newsmon.cli.ingest.KEEP_TRENDS_AFTER", 5)
    monkeypatch.setenv("NEWSMON_TRENDS_KEEP_MIN_ARTICLES", "5")
    archive = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"url": f"https://a.kz/{n}", "text": f"Сообщение номер {n}. Тараз, аким, конференция."}
            for n in range(6)
        ],
    )

    result = run_ingest([str(archive), "--no-match"], tmp_path, monkeypatch, database_url)

    assert "6 lines: 6 new" in result.output
    assert "kept trend counts for" in result.output and "тараз" in result.output.lower()
    repo = Repository.from_url(database_url)
    assert repo.trend_key(_countable_terms(prepare_query("Тараз")) or ()) is not None
    repo.dispose()
