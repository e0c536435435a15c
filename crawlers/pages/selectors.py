"""Per-source selectors (CSS or XPath) for portals where the generic extractor is wrong.

A source lists them by field name (`title`, `text`, `published`, `updated`, `authors`, `tags`,
`section`, `image`, `description`, `remove`). XPath is recognised by a leading "/" or "(".
A selector that matches nothing yields None, so the generic evidence is used instead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from lxml import html as lxml_html
from parsel import Selector

logger = logging.getLogger(__name__)

FIELDS = frozenset(
    {"title", "text", "published", "updated", "authors", "tags", "section", "image", "description", "remove"}
)


class SelectorError(ValueError):
    """A source's selector does not compile; the message names the source field and the selector."""


def select_fields(
    tree: lxml_html.HtmlElement, selectors: Mapping[str, str], errors: list[str] | None = None
) -> dict[str, list[str]]:
    """Texts each selector finds, keyed by field; fields that find nothing are left out.

    A selector that does not compile raises SelectorError, or, when `errors` is given, is reported
    there and skipped so the generic evidence fills the field.
    """
    if not selectors:
        return {}
    document = Selector(root=tree, type="html")
    found: dict[str, list[str]] = {}
    for field, query in selectors.items():
        if field not in FIELDS or field == "remove":
            continue
        try:
            values = [_fold_spaces(value) for value in _texts(document, field, query)]
        except SelectorError as error:
            if errors is None:
                raise
            errors.append(str(error))
            continue
        values = [value for value in values if value]
        if values:
            found[field] = values
    return found


def remove_elements(tree: lxml_html.HtmlElement, selectors: Mapping[str, str]) -> None:
    """Drop what a source's `remove` selector names (widgets the generic cleaner keeps)."""
    query = selectors.get("remove")
    if not query:
        return
    try:
        selected_elements = _select(Selector(root=tree, type="html"), "remove", query)
    except SelectorError:
        logger.error("ignoring the remove selector %r: it does not compile", query)
        return
    for selected in selected_elements:
        element = selected.root
        if isinstance(element, lxml_html.HtmlElement) and element.getparent() is not None:
            element.drop_tree()


def _texts(document: Selector, field: str, query: str) -> list[str]:
    texts = []
    for selected in _select(document, field, query):
        root = selected.root
        if isinstance(root, str):
            texts.append(root)
        elif field == "text":
            texts.append(_block_text(root))
        elif field in {"published", "updated"} and (root.get("datetime") or root.get("content")):
            texts.append(root.get("datetime") or root.get("content"))
        elif field == "image" and (root.get("src") or root.get("content")):
            texts.append(root.get("src") or root.get("content"))
        else:
            texts.append(root.text_content())
    return texts


def check_selector(field: str, query: str) -> None:
    """Raise SelectorError for a selector that does not compile, when its definition loads rather than on
    every page of a crawl."""
    _select(Selector(text="<html></html>"), field, query)


def _select(document: Selector, field: str, query: str) -> list[Selector]:
    try:
        if query.lstrip().startswith(("/", "(")):
            return list(document.xpath(query))
        return list(document.css(query))
    except (ValueError, SyntaxError) as error:  # parsel: ValueError; cssselect: SelectorSyntaxError
        raise SelectorError(f"selector for {field!r} does not compile: {query!r} ({error})") from error


def _block_text(element: lxml_html.HtmlElement) -> str:
    blocks = [
        " ".join(block.text_content().split())
        for block in element.xpath(".//p|.//h2|.//h3|.//li|.//blockquote")
        if not block.xpath("ancestor::script|ancestor::style")
    ]
    blocks = [block for block in blocks if block]
    return "\n".join(blocks) if blocks else element.text_content()


def _fold_spaces(value: str) -> str:
    lines = (" ".join(line.split()) for line in value.splitlines())
    return "\n".join(line for line in lines if line)
