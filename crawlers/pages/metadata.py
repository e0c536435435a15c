"""Machine-readable metadata of a page: JSON-LD, OpenGraph and other meta tags, links.

Read once per page into `PageMetadata`, so that later steps pick values by order of evidence without
walking the tree again.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from lxml import html as lxml_html

from crawlers.pages.xpath import xpath
from newsmon.text.normalise import unescape_entities as text_entities

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "newsarticle",
        "article",
        "reportagenews",
        "blogposting",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "livebloggposting",
        "liveblogposting",
        "report",
        "scholarlyarticle",
        "socialmediaposting",
        "techarticle",
        "askpublicnewsarticle",
        "satiricalarticle",
        "factcheck",
        "pressrelease",
    }
)
PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage", "searchresultspage", "contactpage"})
JSON_CLEAN_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# XHTML-era wrappers around script content: <![CDATA[ ... ]]>, also inside /* */ or // comments.
CDATA_RE = re.compile(r"^\s*(?:/\*\s*|//\s*)?<!\[CDATA\[(?:\s*\*/)?|(?:/\*\s*|//\s*)?\]\]>(?:\s*\*/)?\s*$")
TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")


@dataclass
class PageMetadata:
    """What the page says about itself; every field may be missing."""

    jsonld: dict[str, Any] = field(default_factory=dict)  # the article object, if any
    jsonld_types: set[str] = field(default_factory=set)  # every @type seen (lower case)
    meta: dict[str, list[str]] = field(default_factory=dict)  # lower-cased name/property/itemprop -> values
    canonical: str | None = None
    alternates: list[tuple[str, str]] = field(default_factory=list)
    html_lang: str | None = None
    title_tag: str | None = None
    markup: str | None = field(default=None, repr=False, compare=False)  # the page's HTML, where known
    _mentioned: dict[tuple[str, bool], bool] = field(default_factory=dict, repr=False, compare=False)

    def mentions(self, word: str, *, any_case: bool = False) -> bool:
        """False only when the page's HTML holds `word` nowhere (with `any_case`, as written in lower case,
        upper case or capitalised: attribute names). A search of the tree for an attribute or value the page
        never names is skipped on it: every such search walks all of a page's nodes, a quarter of a
        millisecond on a real page, where a substring test costs a twentieth of that. Values written only
        as character references (`class="&#97;uthor"`) are not seen."""
        if self.markup is None:
            return True
        key = (word, any_case)
        if key not in self._mentioned:
            forms = (word, word.upper(), word.capitalize()) if any_case else (word,)
            self._mentioned[key] = any(form in self.markup for form in forms)
        return self._mentioned[key]

    def first(self, *keys: str) -> str | None:
        """The first non-empty meta value under any of `keys`, in the order given."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value and value.strip():
                    return value.strip()
        return None

    def all(self, *keys: str) -> list[str]:
        return [value.strip() for key in keys for value in self.meta.get(key, ()) if value and value.strip()]


def read_metadata(tree: lxml_html.HtmlElement, url: str, markup: str | None = None) -> PageMetadata:
    """Collect JSON-LD, meta tags and links from a parsed page (`markup`: its HTML, see `mentions`)."""
    data = PageMetadata(markup=markup)
    _read_meta_tags(tree, data)
    _read_links(tree, url, data)
    data.jsonld, data.jsonld_types = _read_jsonld(tree)
    lang = tree.get("lang") or tree.get("xml:lang")
    data.html_lang = lang.strip() if lang else None
    titles = xpath("//head/title/text()|//title/text()")(tree)
    data.title_tag = " ".join(titles[0].split()) if titles else None
    return data


def _read_meta_tags(tree: lxml_html.HtmlElement, data: PageMetadata) -> None:
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        value = element.get("content")
        if value is None:
            value = element.get("datetime")
        if key and value is not None:
            data.meta.setdefault(key.strip().lower(), []).append(unescape_entities(value))
        http_equiv = element.get("http-equiv")
        if http_equiv and element.get("content"):
            data.meta.setdefault(http_equiv.strip().lower(), []).append(element.get("content", ""))
    if not data.mentions("itemprop", any_case=True):
        return
    for element in xpath("//*[@itemprop][not(self::meta)]")(tree):
        key = element.get("itemprop", "").strip().lower()
        if key in {"datepublished", "datemodified", "datecreated"}:
            value = element.get("datetime") or element.get("content") or element.text_content()
            data.meta.setdefault(key, []).append(value)


def _read_links(tree: lxml_html.HtmlElement, url: str, data: PageMetadata) -> None:
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if not href:
            continue
        if "canonical" in rel and data.canonical is None:
            data.canonical = urljoin(url, href)
        elif "alternate" in rel and link.get("hreflang"):
            pair = (link.get("hreflang", "").strip(), urljoin(url, href))
            if pair not in data.alternates:
                data.alternates.append(pair)


def _read_jsonld(tree: lxml_html.HtmlElement) -> tuple[dict[str, Any], set[str]]:
    types: set[str] = set()
    best: dict[str, Any] = {}
    for script in xpath('//script[contains(translate(@type, "JSONLD", "jsonld"), "ld+json")]')(tree):
        for node in _walk(_load_json(script.text or "")):
            node_types = _types_of(node)
            types.update(node_types)
            if is_article_type(node_types) and _richer(node, best):
                best = node
    return _unescaped(best), types


def unescape_entities(text: str) -> str:
    """Entities left in a value: JSON-LD strings are not HTML and keep theirs («&quot;»), and CMSs escape
    meta content twice («&amp;#039;», one level of which the HTML parser takes)."""
    if text.startswith(("http", "/")):  # a URL: «&para=2» is a parameter, not «¶=2»
        return text
    return text_entities(text)


def _unescaped(value: Any, depth: int = 0) -> Any:
    """`value` (a JSON-LD node) with the entities of its strings unescaped."""
    if isinstance(value, str):
        return unescape_entities(value)
    if depth > 6:
        return value
    if isinstance(value, list):
        return [_unescaped(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {key: _unescaped(item, depth + 1) for key, item in value.items()}
    return value


def is_article_type(types: set[str]) -> bool:
    """schema.org article types, including every *Article subtype (ReportageNewsArticle...)."""
    return bool(types & ARTICLE_TYPES) or any(kind.endswith("article") for kind in types)


def _richer(node: dict[str, Any], best: dict[str, Any]) -> bool:
    def score(item: dict[str, Any]) -> int:
        return sum(1 for key in ("headline", "datePublished", "articleBody", "author") if item.get(key))

    return not best or score(node) > score(best)


def _load_json(text: str) -> Any:
    text = CDATA_RE.sub("", text).strip()
    if text.startswith("<!--"):
        text = text.strip("<!->").strip()
    decoder = json.JSONDecoder()
    cleaned = JSON_CLEAN_RE.sub(" ", text)
    for attempt in (text, cleaned, TRAILING_COMMA_RE.sub(r"\1", cleaned)):
        try:
            return decoder.raw_decode(attempt)[0]  # ignores trailing junk (a stray "}", a second object)
        except ValueError:
            continue
    logger.debug("unreadable JSON-LD block (%d chars)", len(text))
    return None


def _walk(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every dict in a JSON-LD document: top level, lists, @graph and nested mainEntity."""
    if depth > 6:
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement", "hasPart"):
            if isinstance(value.get(key), (dict, list)):
                yield from _walk(value[key], depth + 1)


def _types_of(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(item).lower().rsplit("/", 1)[-1] for item in kinds if item}


def jsonld_names(value: Any) -> list[str]:
    """Names from a JSON-LD person/organisation value (string, object or list of either)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            return [str(item) for item in name if item]
        return [str(name)] if name else []
    if isinstance(value, list):
        return [name for item in value for name in jsonld_names(item)]
    return []


def jsonld_url(value: Any) -> str | None:
    """A URL from a JSON-LD image/url value (string, ImageObject or list)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return jsonld_url(value.get("url") or value.get("contentUrl") or value.get("@id"))
    if isinstance(value, list) and value:
        return jsonld_url(value[0])
    return None


def jsonld_text(value: Any) -> str | None:
    """A plain string from a JSON-LD value that may be a list or a language map."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        return next((text for item in value if (text := jsonld_text(item))), None)
    if isinstance(value, dict):
        return jsonld_text(value.get("@value") or value.get("name"))
    return None
