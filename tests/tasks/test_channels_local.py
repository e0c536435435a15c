"""Console and JSONL channels, the registry, and what send() does with bad channels."""

from __future__ import annotations

import json
import threading

import pytest

from newsmon.models import Channel
from tasks.channels import CHANNEL_KINDS, ChannelConfigError, DeliveryError, Message, send, validate_channel
from tasks.messages import render_alert

PAYLOAD = {
    "watch_name": "Жамбыл облысы",
    "watch_id": 3,
    "story_id": 77,
    "article_id": 701,
    "title": "В Таразе прошла конференция «Бейбітшілік пен келісім»",
    "url": "https://ztgzt.kz/news/701",
    "source": "ztgzt.kz",
    "published": "2026-11-25T09:05:00Z",
    "snippet": "Конференция прошла в [[Жамбылской области]] при участии акима.",
}


def test_console_prints_a_compact_block_with_the_alert(capsys):
    message = render_alert(PAYLOAD, owner_tz="Asia/Almaty")
    send(Channel(id=1, name="term", kind="console", target="stdout"), message, idempotency_key="k1")

    out = capsys.readouterr().out
    assert "В Таразе прошла конференция" in out
    assert "25.11.2026 14:05 (Asia/Almaty)" in out
    assert "Жамбылской области" in out
    assert "https://ztgzt.kz/news/701" in out


def test_console_does_not_read_scraped_text_as_markup(capsys):
    message = Message(subject="[bold red]x[/]", text="[link=http://evil]click[/link] *hit*", html="", data={})
    send(Channel(id=1, name="term", kind="console", target=""), message, idempotency_key="k2")
    out = capsys.readouterr().out
    assert "[bold red]x[/]" in out
    assert "[link=http://evil]click[/link]" in out


def test_jsonl_appends_one_object_per_alert_and_never_twice(tmp_path):
    path = tmp_path / "alerts" / "out.jsonl"
    ch = Channel(id=2, name="file", kind="jsonl", target=str(path))
    message = render_alert(PAYLOAD, owner_tz="Asia/Almaty")

    send(ch, message, idempotency_key="alert-1")
    send(ch, message, idempotency_key="alert-1")
    send(ch, message, idempotency_key="alert-2")

    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["idempotency_key"] for line in lines] == ["alert-1", "alert-2"]
    assert lines[0]["data"]["url"] == "https://ztgzt.kz/news/701"
    assert lines[0]["subject"] == message.subject


def test_jsonl_concurrent_deliveries_of_one_alert_write_one_line(tmp_path):
    path = tmp_path / "out.jsonl"
    ch = Channel(id=2, name="file", kind="jsonl", target=str(path))
    message = Message(subject="s", text="t", html="", data={"n": 1})
    threads = [
        threading.Thread(target=send, args=(ch, message), kwargs={"idempotency_key": "same"})
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(path.read_text().splitlines()) == 1


def test_jsonl_into_a_directory_is_refused(tmp_path):
    with pytest.raises(ChannelConfigError, match="jsonl channel"):
        validate_channel("jsonl", str(tmp_path))
    with pytest.raises(ChannelConfigError, match="jsonl channel"):
        validate_channel("jsonl", "")


def test_jsonl_unwritable_path_is_permanent(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    ch = Channel(id=2, name="file", kind="jsonl", target=str(blocker / "sub" / "out.jsonl"))
    with pytest.raises(DeliveryError) as caught:
        send(ch, Message(subject="s", text="t", html="", data={}), idempotency_key="k")
    assert not caught.value.retryable


def test_every_documented_kind_is_registered():
    assert set(CHANNEL_KINDS) == {"email", "webhook", "telegram", "slack", "apprise", "console", "jsonl"}


def test_unknown_kind_is_refused_with_the_known_ones():
    with pytest.raises(ChannelConfigError, match=r"unknown channel kind 'pager'.*webhook"):
        validate_channel("pager", "x")


def test_send_turns_bad_configuration_into_a_permanent_error():
    bad = Channel(id=9, name="broken hook", kind="webhook", target="ftp://example.kz/x")
    with pytest.raises(DeliveryError) as caught:
        send(bad, Message(subject="s", text="t", html="", data={}), idempotency_key="k")
    assert not caught.value.retryable
    assert "broken hook" in caught.value.reason

    unknown = Channel(id=9, name="odd", kind="pager", target="x")
    with pytest.raises(DeliveryError) as caught:
        send(unknown, Message(subject="s", text="t", html="", data={}), idempotency_key="k")
    assert not caught.value.retryable


def test_disabled_channel_sends_nothing(tmp_path):
    path = tmp_path / "out.jsonl"
    off = Channel(id=2, name="file", kind="jsonl", target=str(path), enabled=False)
    with pytest.raises(DeliveryError, match="disabled"):
        send(off, Message(subject="s", text="t", html="", data={}), idempotency_key="k")
    assert not path.exists()


def test_send_needs_an_idempotency_key(tmp_path):
    ch = Channel(id=2, name="file", kind="jsonl", target=str(tmp_path / "x.jsonl"))
    with pytest.raises(ValueError, match="idempotency_key"):
        send(ch, Message(subject="s", text="t", html="", data={}), idempotency_key=" ")


def test_slack_splits_long_text_into_sections_within_its_limits():
    from tasks.channels.slack import slack_payload

    text = "\n\n".join(f"paragraph {i} " + "слово " * 60 for i in range(40)) + "\n\n" + "x" * 7000
    payload = slack_payload(Message(subject="s" * 300, text=text, html="", data={}))
    header, *sections = payload["blocks"]
    assert len(header["text"]["text"]) <= 150
    assert all(len(s["text"]["text"]) <= 3000 for s in sections)
    joined = "".join(s["text"]["text"] for s in sections)
    assert "paragraph 39" in joined and joined.count("x") == 7000


def test_delivery_error_survives_pickling():
    import pickle

    error = pickle.loads(pickle.dumps(DeliveryError("HTTP 429", retryable=True, retry_after=7.0)))
    assert (error.reason, error.retryable, error.retry_after) == ("HTTP 429", True, 7.0)
