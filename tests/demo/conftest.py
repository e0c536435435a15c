"""The demo portals running on loopback for the whole module, and an HTTP client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from newsmon.demo.server import DemoPortals

# The element holding the article text on each portal's layout.
BODY_XPATH = {
    "akimat": "//div[@class='news-body']",
    "gazeta": "//div[@class='entry-content']",
    "agency": "//div[@class='article__body']",
}


@pytest.fixture(scope="module")
def portals() -> Iterator[DemoPortals]:
    with DemoPortals() as running:
        yield running


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http
