"""XPath expressions compiled once: `element.xpath(text)` compiles its text again at every call, which
for the twenty-odd expressions each page goes through cost about as much as evaluating the simpler ones."""

from __future__ import annotations

from functools import lru_cache

from lxml import etree


@lru_cache(maxsize=256)
def xpath(expression: str) -> etree.XPath:
    """The compiled `expression`; call it with the element (and any $variables as keywords)."""
    return etree.XPath(expression)
