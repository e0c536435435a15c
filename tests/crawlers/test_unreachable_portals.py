"""Portals that cannot be reached at all: the crawl ends normally and says why."""

from __future__ import annotations

import socket


def test_unresolvable_host_is_counted_not_crashed(crawl):
    result = crawl("source", home="http://zhambyl-news.invalid/")

    assert result.returncode == 0, result.log
    assert result.finish_reason == "finished"
    assert result.items == []
    assert result.stat("newsmon/fetch/dns_error") >= 1
    assert "zhambyl-news.invalid" in result.log


def test_refused_connection_is_counted_not_crashed(crawl):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = crawl("source", home=f"http://127.0.0.1:{port}/")

    assert result.returncode == 0, result.log
    assert result.items == []
    assert result.stat("newsmon/fetch/connection_refused") >= 1
