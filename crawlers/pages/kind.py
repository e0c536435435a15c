"""Is a page an article? Section indexes, tag pages, contacts and search results are not stored.

URL shape is strong evidence for search, tag and contact pages; structure (many headline links, little
running text) decides indexes; JSON-LD/OpenGraph article markup with real text decides articles.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from lxml import html as lxml_html

from crawlers.pages.metadata import PageMetadata, is_article_type
from crawlers.pages.xpath import xpath

MAGIC_NUMBERS = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
    b"\x00\x00\x01\x00",
)
SEARCH_PATH_RE = re.compile(r"/(?:search|poisk|izdeu|izdey|find|найти|поиск|іздеу)(?:/|$|\.)", re.I)
SEARCH_PARAMS = ("q", "s", "query", "search", "text", "searchword", "keyword")
TAG_PATH_RE = re.compile(r"/(?:tags?|teg[ia]?|tegi|hashtag|keywords?|тег|теги|tag-\w+)(?:/|$)", re.I)
CONTACT_PATH_RE = re.compile(
    r"/(?:contacts?(?:-us)?|kontakt[yi]?|bailanys|baylanys|байланыс|контакты|feedback|obratnaya-svyaz)/?(?:$|\.|\?)",
    re.I,
)
CONTACT_TITLE_RE = re.compile(
    r"^(?:контакты|байланыс|байланыс ақпараты|contacts?|contact us|обратная связь)\b", re.I
)
TAG_TITLE_RE = re.compile(r"^(?:тег|тэг|тегі|tag|#)\s*[:«\"#]?|(?:новости по тегу|по тегу|тег бойынша)", re.I)
INDEX_PATH_RE = re.compile(
    r"/(?:category|categories|rubric|rubrics|section|archive|page/\d+|news|novosti|zhanalyqtar|"
    r"zhanalyktar|жаңалықтар|новости|press/news|lenta)/?$",
    re.I,
)
MIN_PARAGRAPH_CHARS = 180
HEADLINE_LINKS_XPATH = (
    "//body//*[self::h2 or self::h3 or self::h4 or self::h5]//a[string-length(normalize-space()) > 25]"
    "|//body//a[string-length(normalize-space()) > 40][not(ancestor::nav)][not(ancestor::footer)]"
)


def binary_kind(data: bytes | str) -> bool:
    """True for PDFs, images, archives and other non-HTML payloads."""
    head = data[:1024] if isinstance(data, bytes) else data[:1024].encode("utf-8", "ignore")
    if head.lstrip().startswith(MAGIC_NUMBERS) or head.startswith(MAGIC_NUMBERS):
        return True
    return head.count(b"\x00") > 8


def kind_of_page(tree: lxml_html.HtmlElement | None, url: str, meta: PageMetadata | None, text: str) -> str:
    """ "article" or why not: "index", "tag", "contacts", "search", "empty"."""
    if tree is None or meta is None:
        return "empty"
    parts = urlsplit(url)
    path = unquote(parts.path)
    query = parse_qs(parts.query)
    title = (xpath("string(//h1)")(tree) or meta.title_tag or "").strip()
    if SEARCH_PATH_RE.search(path) or any(query.get(name) for name in SEARCH_PARAMS):
        return "search"
    if CONTACT_PATH_RE.search(path) or (CONTACT_TITLE_RE.match(title) and len(text) < 1500):
        return "contacts"
    if TAG_PATH_RE.search(path) or (TAG_TITLE_RE.search(title) and len(text) < 1500):
        return "tag"
    if not text.strip() and not xpath("normalize-space(//body)")(tree):
        return "empty"
    marked = is_article_type(meta.jsonld_types) or (meta.first("og:type") or "").lower() == "article"
    listing = bool(meta.jsonld_types & {"collectionpage", "itemlist", "searchresultspage"}) and not marked
    # a real paragraph: short news items are articles even beside a long sidebar of headlines
    has_paragraph = max((len(line) for line in text.splitlines()), default=0) >= MIN_PARAGRAPH_CHARS
    if listing and len(text) < 2000:
        return "index"
    if not marked and not has_paragraph:  # only then do the page's headline links decide
        headline_links = len(set(xpath(HEADLINE_LINKS_XPATH)(tree)))
        if INDEX_PATH_RE.search(path) and headline_links >= 5:
            return "index"
        if headline_links >= 8 and len(text) < 600:
            return "index"
    if not text.strip():
        return "empty"
    return "article"
