"""Requests as JSON text, so that any process of a crawl can read what another one queued.

Not pickle: a queue entry is plain data a person can read in `redis-cli`, and loading it runs no code.
Callbacks travel by name (Scrapy's `Request.to_dict(spider=...)` / `request_from_dict`), so both ends must
run the same spider. Headers and body are bytes; they are kept as latin-1 text, a lossless byte-per-character
mapping. Everything in `meta` and `cb_kwargs` must already be JSON (strings, numbers, lists, dicts): a request
carrying anything else raises TypeError here and stays with the process that made it.
"""

from __future__ import annotations

import json
from typing import Any

from scrapy import Request, Spider
from scrapy.utils.request import request_from_dict


def _text(data: bytes | str) -> str:
    return data.decode("latin-1") if isinstance(data, bytes) else data


def request_to_json(request: Request, spider: Spider) -> str:
    """The request as one JSON object; TypeError/ValueError if part of it cannot be shared."""
    data: dict[str, Any] = request.to_dict(spider=spider)
    data["headers"] = {
        _text(name): [_text(value) for value in values] for name, values in data["headers"].items()
    }
    data["body"] = _text(data["body"])
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def request_from_json(text: str | bytes, spider: Spider) -> Request:
    """The request `request_to_json` wrote, with its callbacks bound to this process's spider."""
    data: dict[str, Any] = json.loads(text)
    data["headers"] = {
        name.encode("latin-1"): [value.encode("latin-1") for value in values]
        for name, values in data["headers"].items()
    }
    data["body"] = data["body"].encode("latin-1")
    return request_from_dict(data, spider=spider)
