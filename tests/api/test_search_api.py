"""Reading through the API: search with filters and cursors, an article, a story with its copies, trends, export."""

from __future__ import annotations

import csv
import io
import json

from tests.api.conftest import ApiFixture


def _search(api: ApiFixture, **params: object) -> dict:
    response = api.get("/api/articles", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_search_finds_word_forms_and_marks_them(api: ApiFixture, stored: dict) -> None:
    body = _search(api, query="Тараз")
    by_story = {r["story_id"]: r for r in body["results"]}
    assert by_story[stored["school_kk"].story_id]["title"] == "Таразда жаңа мектеп ашылды"  # a Kazakh form
    school = by_story[stored["school_inform"].story_id]
    start, end = school["highlights"][0]
    assert school["snippet"][start:end] in {"Тараз", "Таразе"}
    assert "«[[" not in school["snippet"]
    assert school["links"]["story"] == f"/api/stories/{stored['school_inform'].story_id}"


def test_one_result_per_story_counts_its_matching_copies(api: ApiFixture, stored: dict) -> None:
    body = _search(api, query="отопительный сезон")
    (heating,) = body["results"]
    assert heating["story_id"] == stored["heating_akimat"].story_id
    assert heating["copies"] == 2  # two Russian copies match; the Kazakh one uses other words


def test_filters_narrow_by_source_language_and_time(api: ApiFixture, stored: dict) -> None:
    assert {r["source"] for r in _search(api, query="Тараз", source="inform")["results"]} == {"inform"}
    assert {r["language"] for r in _search(api, query="Тараз", lang="kk")["results"]} == {"kk"}
    window = _search(api, query="Тараз", since="2025-09-03", until="2025-09-03", sort="date")["results"]
    assert window and all(r["published"].startswith("2025-09-03") for r in window)


def test_cursor_pages_walk_every_result_once(api: ApiFixture, stored: dict) -> None:
    everything = [r["article_id"] for r in _search(api, query="Тараз", sort="date", limit=100)["results"]]
    seen, cursor = [], None
    while True:
        params = {"query": "Тараз", "sort": "date", "limit": 2} | ({"cursor": cursor} if cursor else {})
        body = _search(api, **params)
        seen += [r["article_id"] for r in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == everything and len(everything) >= 5


def test_article_has_its_text_and_earlier_versions(api: ApiFixture, stored: dict) -> None:
    response = api.get(f"/api/articles/{stored['school_akimat'].article_id}")
    assert response.status_code == 200
    article = response.json()
    assert article["version"] == 2 and "вручил ключи" in article["text"]
    assert [v["version"] for v in article["versions"]] == [1, 2]
    assert "вручил ключи" not in article["versions"][0]["text"]


def test_story_lists_every_portal_that_carried_it(api: ApiFixture, stored: dict) -> None:
    response = api.get(f"/api/stories/{stored['heating_akimat'].story_id}")
    story = response.json()
    assert {c["source"] for c in story["copies"]} == {"akimat", "gazeta", "agency"}
    assert {c["language"] for c in story["copies"]} == {"ru", "kk"}


def test_unknown_ids_are_404_with_the_field(api: ApiFixture, stored: dict) -> None:
    for path, field in (("/api/articles/999", "article_id"), ("/api/stories/999", "story_id")):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["field"] == field


def test_trends_count_mentions_per_day_and_source(api: ApiFixture, stored: dict) -> None:
    body = api.get(
        "/api/trends", params={"query": "Тараз", "since": "2025-09-01", "until": "2025-09-04"}
    ).json()
    assert body["periods"] == ["2025-09-01", "2025-09-02", "2025-09-03", "2025-09-04"]
    series = {line["source"]: line["counts"] for line in body["series"]}
    assert series["inform"] == [0, 0, 1, 1]
    assert body["total"] == sum(sum(counts) for counts in series.values())


def test_export_streams_every_copy(api: ApiFixture, stored: dict) -> None:
    lines = api.get("/api/export", params={"query": "отопительный"}).text.splitlines()
    assert {json.loads(line)["source"] for line in lines} == {"akimat", "gazeta"}
    response = api.get("/api/export", params={"query": "школа", "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {row["source"] for row in rows} == {"akimat", "inform"}
