"""An item pipeline standing in for a store that is down: every article fails, as in a database outage."""

from __future__ import annotations

from typing import Any


class StoreDownPipeline:
    def process_item(self, item: Any) -> Any:
        raise ConnectionError("the store is down")
