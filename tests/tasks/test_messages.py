"""Alert and digest rendering: what the owner reads in each channel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasks.messages import render_alert, render_digest, snippet_segments

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels"


def payloads() -> list[dict]:
    return json.loads((FIXTURES / "digest_items.json").read_text(encoding="utf-8"))


ALERT = {
    "watch_name": "Бейбітшілік пен келісім",
    "watch_id": 3,
    "story_id": 77,
    "article_id": 701,
    "title": "В Таразе прошла конференция <script>alert('x')</script>",
    "url": "https://ztgzt.kz/news/701?a=1&b=2",
    "source": "ztgzt.kz",
    "published": "2026-11-25T09:05:00Z",
    "snippet": "Конференция «[[Бейбітшілік пен келісім]]» прошла в [[Жамбылской области]] <img src=x onerror=alert(1)>",
    "also_on": [
        {"source": "inform.kz", "url": "https://www.inform.kz/ru/701", "title": "Конференция в Таразе"},
        {"source": "evil", "url": "javascript:alert(1)", "title": "x"},
    ],
    "language": "ru",
}


def test_alert_text_shows_title_source_local_time_link_and_highlights():
    message = render_alert(ALERT, owner_tz="Asia/Almaty")

    assert message.subject.startswith("[newsmon] Бейбітшілік пен келісім: В Таразе прошла конференция")
    assert "ztgzt.kz · 25.11.2026 14:05 (Asia/Almaty)" in message.text
    assert "https://ztgzt.kz/news/701?a=1&b=2" in message.text
    assert "«*Бейбітшілік пен келісім*» прошла в *Жамбылской области*" in message.text
    assert "inform.kz: Конференция в Таразе https://www.inform.kz/ru/701" in message.text
    assert "Watch: Бейбітшілік пен келісім" in message.text


def test_alert_html_escapes_scraped_text():
    message = render_alert(ALERT, owner_tz="Asia/Almaty")

    for part in (message.html, message.chat_html):
        assert "<script>" not in part
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in part
        assert "<img" not in part
        assert 'href="javascript:' not in part
    assert "<mark>Жамбылской области</mark>" in message.html
    assert '<a href="https://ztgzt.kz/news/701?a=1&amp;b=2">' in message.html
    assert "<b>Жамбылской области</b>" in message.chat_html


def test_alert_data_is_the_payload_with_plain_snippet_and_spans():
    data = render_alert(ALERT, owner_tz="Asia/Almaty").data

    assert data["kind"] == "alert"
    assert data["watch_id"] == 3 and data["story_id"] == 77 and data["article_id"] == 701
    assert data["published"] == "2026-11-25T09:05:00+00:00"
    assert [data["snippet"][s:e] for s, e in data["highlights"]] == [
        "Бейбітшілік пен келісім",
        "Жамбылской области",
    ]
    assert "[[" not in data["snippet"]
    json.dumps(data)  # ready for a webhook


def test_publication_time_follows_the_owner_and_the_2024_switch():
    before = dict(ALERT, published="2024-02-20T06:00:00Z")  # UTC+6 before 1 March 2024
    assert "20.02.2024 12:00 (Asia/Almaty)" in render_alert(before, owner_tz="Asia/Almaty").text
    assert "25.11.2026 09:05 (UTC)" in render_alert(ALERT, owner_tz="UTC").text
    unknown = dict(ALERT, published=None)
    assert "publication time unknown" in render_alert(unknown, owner_tz="Asia/Almaty").text


def test_highlights_as_spans():
    payload = dict(
        ALERT, snippet="Аким Жамбылской области посетил Тараз", highlights=[[5, 23], [32, 37], [99, 120]]
    )
    message = render_alert(payload, owner_tz="Asia/Almaty")
    assert "Аким *Жамбылской области* посетил *Тараз*" in message.text


def test_snippet_segments_tolerate_unclosed_markers_and_overlaps():
    assert snippet_segments("a [[b c") == (("a [[b c", False),)
    assert snippet_segments("abcdef", [[0, 3], [2, 5]]) == (("abc", True), ("de", True), ("f", False))
    long = snippet_segments("x" * 1000 + " [[tail]]")
    assert sum(len(text) for text, _ in long) <= 601


def test_bad_payload_and_zone_are_named():
    with pytest.raises(ValueError, match="url"):
        render_alert({"title": "no link"}, owner_tz="Asia/Almaty")
    with pytest.raises(ValueError, match="Mars/Olympus"):
        render_alert(ALERT, owner_tz="Mars/Olympus")


def test_minimal_payload_still_renders():
    message = render_alert({"url": "https://kt.kz/1"}, owner_tz="Asia/Almaty")
    assert "(no title)" in message.text
    assert "https://kt.kz/1" in message.html


def test_digest_groups_by_watch_and_lists_each_story_once():
    digest = render_digest("aigul", "daily", payloads(), owner_tz="Asia/Almaty")

    watches = [w["watch_name"] for w in digest.data["watches"]]
    assert watches == ["Жамбыл облысы", "Аким области"]
    story_ids = [item["story_id"] for w in digest.data["watches"] for item in w["items"]]
    assert len(story_ids) == len(set(story_ids)) == digest.data["story_count"] == 4
    assert digest.subject == "[newsmon] daily digest: 4 stories"
    assert digest.text.count("Тараз принимает форум") == 1
    assert "Also matched: Аким области" in digest.text
    first_group = digest.data["watches"][0]["items"]
    assert [i["published"] for i in first_group] == sorted(
        (i["published"] for i in first_group), reverse=True
    )
    assert "&lt;b&gt;" in digest.html and "<b>bold" not in digest.html


def test_digest_skips_a_bad_item_and_keeps_the_rest():
    digest = render_digest("aigul", "weekly", [{"title": "no url"}, *payloads()[:1]], owner_tz="Asia/Almaty")
    assert digest.data["story_count"] == 1


def test_digest_for_telegram_stays_under_its_limit():
    many = [
        dict(payloads()[0], story_id=i, url=f"https://kt.kz/{i}", title="Новость " * 10) for i in range(200)
    ]
    digest = render_digest("aigul", "daily", many, owner_tz="Asia/Almaty")
    assert len(digest.chat_html) <= 4096
    assert "more" in digest.chat_html.splitlines()[-1]
    assert digest.data["story_count"] == 200


def test_empty_digest_says_so():
    digest = render_digest("aigul", "daily", [], owner_tz="Asia/Almaty")
    assert "No new stories" in digest.text
    assert digest.data["story_count"] == 0
