"""How crawled items are written by `scrapy crawl ... -O out.jsonl`: one Article per line, ISO dates."""

from __future__ import annotations

import json
from typing import Any

from scrapy.exporters import JsonLinesItemExporter

from newsmon.models import Article


class ArticleJsonLinesExporter(JsonLinesItemExporter):
    """JSON lines with timezone-aware ISO 8601 datetimes (Scrapy's encoder drops the offset)."""

    def export_item(self, item: Any) -> None:
        if not isinstance(item, Article):
            super().export_item(item)
            return
        line = json.dumps(item.to_dict(), ensure_ascii=False) + "\n"
        self.file.write(line.encode(self.encoding or "utf-8"))
