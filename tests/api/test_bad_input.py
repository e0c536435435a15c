"""Bad input gets a 4xx naming the parameter, never a 500: fixed cases, then random ones (hypothesis)."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import ApiFixture


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"query": "Тараз AND ("}, 400, "query"),
        ({"query": '"незакрытая фраза'}, 400, "query"),
        ({"query": "Тараз", "since": "вчера"}, 400, "since"),
        ({"query": "Тараз", "since": "5000y"}, 400, "since"),
        ({"query": "Тараз", "until": "2025-13-45"}, 400, "until"),
        ({"query": "Тараз", "since": "2025-09-05", "until": "2025-09-01"}, 400, "until"),
        ({"query": "Тараз", "limit": 100_000}, 422, "limit"),
        ({"query": "Тараз", "limit": 0}, 422, "limit"),
        ({"query": "Тараз", "limit": "many"}, 422, "limit"),
        ({"query": "Тараз", "sort": "alphabet"}, 422, "sort"),
        ({"query": "Тараз", "lang": "deutsch"}, 400, "lang"),
        ({"query": "Тараз", "cursor": "not-a-cursor"}, 400, "cursor"),
        ({"query": "Тараз", "source": "nowhere.kz"}, 400, "source"),
        ({"query": "Тараз", "colour": "red"}, 400, "colour"),
        ({"q": "Тараз"}, 400, "q"),
        ({"query": ""}, 422, "query"),
        ({}, 422, "query"),
    ],
)
def test_bad_search_parameters_name_the_field(
    sqlite_api: ApiFixture, params: dict, status: int, field: str
) -> None:
    response = sqlite_api.get("/api/articles", params=params)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["field"] == field and error["message"]


def test_a_cursor_for_another_sort_is_refused(sqlite_api: ApiFixture, sqlite_stored: dict) -> None:
    first = sqlite_api.get("/api/articles", params={"query": "Тараз", "limit": 1}).json()
    response = sqlite_api.get(
        "/api/articles", params={"query": "Тараз", "sort": "date", "cursor": first["next_cursor"]}
    )
    assert response.status_code == 400 and response.json()["error"]["field"] == "cursor"


def test_a_page_past_the_end_is_empty_not_an_error(sqlite_api: ApiFixture, sqlite_stored: dict) -> None:
    cursor = None
    for _ in range(20):
        params = {"query": "Тараз", "limit": 1} | ({"cursor": cursor} if cursor else {})
        body = sqlite_api.get("/api/articles", params=params).json()
        if body["next_cursor"] is None:
            break
        cursor = body["next_cursor"]
    # a cursor made from the last result: asking past it gives an empty page
    last = body["results"][-1]
    from newsmon.search.options import encode_cursor

    beyond = encode_cursor("relevance", (last["score"] + 1e9, 10**9))
    response = sqlite_api.get("/api/articles", params={"query": "Тараз", "cursor": beyond})
    assert response.status_code == 200
    assert response.json() == {"query": "Тараз", "count": 0, "results": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [
        ("post", "/api/watches", {"name": "w", "query": "("}, 400, "query"),
        ("post", "/api/watches", {"name": "w", "query": "Тараз", "colour": "red"}, 422, "colour"),
        ("post", "/api/watches", {"name": "w", "query": "Тараз", "mode": "hourlyish"}, 422, "mode"),
        ("post", "/api/watches", {"name": "w", "query": "Тараз", "timezone": "Mars/Base"}, 422, "timezone"),
        ("post", "/api/watches", {"name": "w", "query": "Тараз", "digest_at": "25:00"}, 422, "digest_at"),
        ("post", "/api/watches", {"name": "w", "query": "Тараз", "channels": ["nowhere"]}, 400, "channels"),
        ("post", "/api/watches", {"query": "Тараз"}, 422, "name"),
        ("post", "/api/watches", {"name": "w", "query": "Тараз", "channels": [5]}, 422, "channels[0]"),
        ("post", "/api/watches", {"name": "w (deleted 3)", "query": "Тараз"}, 400, "name"),
        ("post", "/api/watches/test", {"query": "Тараз", "texts": []}, 422, "texts"),
        ("post", "/api/watches/test", {"query": "Тараз", "texts": "Тараз"}, 422, "texts"),
        ("post", "/api/watches/test", {"query": "Тараз", "texts": [5]}, 422, "texts[0]"),
        ("post", "/api/watches/test", {"query": "Тараз", "texts": ["a", {"text": 5}]}, 422, "texts[1].text"),
        ("post", "/api/watches/test", {"query": "Тараз", "texts": [{"lang": "kk"}]}, 422, "texts[0].text"),
        (
            "post",
            "/api/watches/test",
            {"query": "Тараз", "texts": [{"text": "a", "lang": "x" * 11}]},
            422,
            "texts[0].lang",
        ),
        ("post", "/api/watches/test", {"query": "NEAR/x", "texts": ["a"]}, 400, "query"),
        ("get", "/api/watches/0", None, 422, "watch_id"),
        ("get", "/api/watches/abc", None, 422, "watch_id"),
        ("get", "/api/watches/99999999999999999999", None, 422, "watch_id"),
    ],
)
def test_bad_watch_input_names_the_field(
    sqlite_api: ApiFixture, method: str, path: str, body: dict | None, status: int, field: str
) -> None:
    headers = sqlite_api.headers("editor")
    if method == "get":
        response = sqlite_api.client.get(path, headers=headers)
    else:
        response = sqlite_api.client.post(path, headers=headers, json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["field"] == field


def test_a_text_of_the_wrong_type_is_named_as_the_caller_wrote_it(sqlite_api: ApiFixture) -> None:
    response = sqlite_api.post("/api/watches/test", "editor", json={"query": "Тараз", "texts": [5]})
    assert response.status_code == 422
    assert response.json()["error"] == {
        "message": 'texts[0]: each text is a string or an object {"text": ..., "lang": ...} (got 5)',
        "field": "texts[0]",
    }


def test_a_field_of_the_wrong_shape_says_what_it_takes_in_words(sqlite_api: ApiFixture) -> None:
    body = {"name": "w", "query": "Тараз", "digest_at": "9am"}
    response = sqlite_api.post("/api/watches", "editor", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "digest_at: a time like 09:00 (got '9am')"


def test_malformed_json_body_names_the_body(sqlite_api: ApiFixture) -> None:
    response = sqlite_api.client.post(
        "/api/watches",
        headers={**sqlite_api.headers("editor"), "content-type": "application/json"},
        content=b"{not json",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "body"
    assert error["message"].startswith("body is not valid JSON at character 1: Expecting property name")


@pytest.mark.parametrize("body", [None, [1, 2]])
def test_a_missing_body_or_one_that_is_not_an_object_names_the_body(
    sqlite_api: ApiFixture, body: list | None
) -> None:
    response = sqlite_api.post("/api/watches", "editor", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "body" and error["message"].startswith("body: ")


def test_a_validator_message_reads_as_a_sentence(sqlite_api: ApiFixture) -> None:
    body = {"name": "w", "query": "Тараз", "timezone": "Mars/Base"}
    error = sqlite_api.post("/api/watches", "editor", json=body).json()["error"]
    assert error["field"] == "timezone"
    assert error["message"].startswith("timezone: unknown time zone 'Mars/Base'; use a tz database name")


def _api_requests(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every /api endpoint in the OpenAPI document, with 1 for each path parameter."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        if path.startswith("/api/"):
            found.extend((method.upper(), re.sub(r"\{[^}]+\}", "1", path)) for method in operations)
    return found


def test_every_api_endpoint_refuses_a_parameter_it_does_not_take(sqlite_api: ApiFixture) -> None:
    requests = _api_requests(sqlite_api.client.app)
    assert len(requests) >= 15 and ("GET", "/api/articles/1") in requests
    for method, path in requests:
        response = sqlite_api.client.request(
            method, path, params={"colour": "red"}, headers=sqlite_api.headers("admin")
        )
        assert response.status_code == 400, (method, path, response.text)
        error = response.json()["error"]
        assert error["field"] == "colour", (method, path)
        assert error["message"].startswith("unknown parameter 'colour'; this endpoint takes"), (method, path)


@pytest.mark.parametrize(
    ("path", "takes"),
    [
        ("/api/articles/3", "takes no query parameters"),
        ("/api/stories/3", "takes no query parameters"),
        ("/api/watches", "takes no query parameters"),
        ("/api/alerts", "takes before, limit, status"),
        ("/api/alerts/3", "takes no query parameters"),
        ("/api/sources", "takes no query parameters"),
        ("/api/tokens", "takes no query parameters"),
    ],
)
def test_an_unknown_parameter_is_named_after_the_token_is_checked(
    sqlite_api: ApiFixture, path: str, takes: str
) -> None:
    assert sqlite_api.client.get(path, params={"colour": "red"}).status_code == 401
    response = sqlite_api.get(path, "admin", params={"colour": "red"})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": f"unknown parameter 'colour'; this endpoint {takes}",
        "field": "colour",
    }


def test_a_token_without_the_role_is_refused_before_its_parameters_are_looked_at(
    sqlite_api: ApiFixture,
) -> None:
    response = sqlite_api.get("/api/tokens", "reader", params={"colour": "red"})
    assert response.status_code == 403 and response.json()["error"]["field"] == "authorization"


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
values = st.one_of(
    texts,
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["7d", "2025-09-01", "2025-09-01T10:00+05:00", "relevance", "date", "ru", "kk", "day"]),
)
names = st.sampled_from(
    ["query", "since", "until", "source", "lang", "sort", "limit", "cursor", "by", "format"]
)
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY_SETTINGS
@given(
    params=st.dictionaries(names, values, max_size=6), path=st.sampled_from(["articles", "trends", "export"])
)
def test_random_read_parameters_never_give_500(
    sqlite_api: ApiFixture, sqlite_stored: dict, params: dict, path: str
) -> None:
    response = sqlite_api.get(f"/api/{path}", params=params)
    assert response.status_code < 500, (params, response.text)
    if response.status_code >= 400:
        assert response.json()["error"]["message"]


query_words = st.sampled_from(
    [
        "Тараз",
        "аким",
        "облыс*",
        '"Жамбыл облысы"',
        "AND",
        "OR",
        "NOT",
        "NEAR/3",
        "(",
        ")",
        "-",
        "=школа",
        "title:",
        "source:",
        "lang:kk",
        "@alias",
        "«",
        "»",
        "*",
        '"',
        "{",
        "}",
        "ә",
        "Қ",
    ]
)


@PROPERTY_SETTINGS
@given(words=st.lists(st.one_of(query_words, texts), min_size=1, max_size=8))
def test_random_queries_never_give_500(sqlite_api: ApiFixture, sqlite_stored: dict, words: list[str]) -> None:
    query = " ".join(words)
    for path in ("/api/articles", "/api/trends"):
        response = sqlite_api.get(path, params={"query": query})
        assert response.status_code < 500, (query, response.text)
    response = sqlite_api.post("/api/watches/test", "editor", json={"query": query or "x", "texts": [query]})
    assert response.status_code < 500, (query, response.text)


@PROPERTY_SETTINGS
@given(path_part=texts)
def test_random_ids_in_paths_never_give_500(sqlite_api: ApiFixture, path_part: str) -> None:
    from urllib.parse import quote

    for prefix in ("/api/articles/", "/api/stories/", "/api/watches/", "/api/alerts/"):
        response = sqlite_api.get(prefix + quote(path_part, safe=""), role="admin")
        assert response.status_code < 500, (prefix, path_part, response.text)
