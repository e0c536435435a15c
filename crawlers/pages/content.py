"""The main text of an article page, without menus, related news, comments, share buttons or banners.

trafilatura finds the body; three second opinions fix what it typically gets wrong on news portals: the
lead paragraph that sits above the body in its own block (dropped by trafilatura), the rest of a body an
advertising slot cut into several blocks of one class (trafilatura keeps the first), and a too-short
result where the page's own `articleBody` (JSON-LD or itemprop) is the better evidence. Boilerplate lines
that slip through («Читайте также», «Поделиться», subscription calls, cookie notices) are removed last.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import copy
from functools import lru_cache
from typing import Any

import trafilatura
import trafilatura.core
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import Extractor

from crawlers.pages.metadata import PageMetadata, jsonld_text
from crawlers.pages.xpath import xpath

logger = logging.getLogger(__name__)

LEAD_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:lead|lede|perex|intro|standfirst|summary|subtitle|sub-?tit\w*|subheadline|subhead|"
    r"description|excerpt|teaser|abstract|dek|deck|anons|annotation|announce|article__heading|"
    r"article-heading|article__lead|article-lead|news-lead|post-lead|epigraph|vrez|podzag\w*)(?:$|[\s_-])",
    re.IGNORECASE,
)
NOT_LEAD_RE = re.compile(r"related|teaser-list|promo|comment|footer|nav|menu|sidebar|widget", re.IGNORECASE)
BOILERPLATE_RE = re.compile(
    r"^(?:читайте также|читайте нас|читайте новости|смотрите также|по теме|подписывайтесь|подпишитесь|"
    r"поделиться|поделитесь|комментари|оставьте комментарий|мы используем cookie|сайт использует cookie|"
    r"этот сайт использует|используя сайт|нашли ошибку|если вы нашли ошибку|выделите|реклама|"
    r"сондай-ақ оқыңыз|оқи отырыңыз|бөлісу|жазылыңыз|пікір|қатысты жаңалықтар|тағы оқыңыз|"
    r"read also|read more|see also|share this|share on|subscribe|follow us|we use cookies|"
    r"this site uses cookies|advertisement|sponsored|related:|czytaj (?:więcej|też|także)|zobacz (?:też|także)|"
    r"lesen sie auch|lesen sie mehr|mehr zum thema|original-content von:|lire aussi|à lire aussi|leer más|"
    r"lee también|leggi anche)",
    re.IGNORECASE,
)
BOILERPLATE_MAX_LEN = 160
WORD_RE = re.compile(r"[^\W\d_]+")
NON_TEXT_TAGS = ("script", "style", "noscript", "template", "svg", "link", "meta", etree.Comment)
# What trafilatura deletes (keeping the tail text) whatever its options: gone before it copies the tree twice.
NEVER_BODY_TAGS = (
    "footer",
    "aside",
    "iframe",
    "button",
    "select",
    "textarea",
    "input",
    "video",
    "audio",
    "canvas",
    "embed",
    "object",
    "figure",
    "picture",
)
MIN_LEAD_CHARS = 40
MAX_LEAD_CHARS = 1200
# A body shorter than this is retried in recall mode, and kept if the retry finds more.
MIN_BODY_CHARS = 200
# trafilatura's own escalation, done here on a cheaper measure of the page (`text_chars`): a body under
# ESCALATION_MAX_CHARS that holds less than ESCALATION_PAGE_SHARE of the page's text is retried in recall
# mode, and the retry kept if ESCALATION_GAIN times longer.
ESCALATION_MAX_CHARS = 3000
ESCALATION_PAGE_SHARE = 0.2
ESCALATION_GAIN = 1.5


def main_text(tree: lxml_html.HtmlElement, url: str, meta: PageMetadata) -> str:
    """The article body as plain text, paragraphs separated by newlines."""
    page = page_copy(tree)
    page_chars = text_chars(page)
    text = trafilatura_text(page, url, meta=meta)
    body = page_article_body(tree, meta)
    if body and len(body) > max(2 * len(text), len(text) + 400) and _contains_most_of(body, text):
        text = body
    short = len(text) < MIN_BODY_CHARS
    if short or len(text) < min(ESCALATION_MAX_CHARS, ESCALATION_PAGE_SHARE * page_chars):
        recall = trafilatura_text(page_copy(tree), url, favor_recall=True, meta=meta)
        if len(recall) > (len(text) if short else ESCALATION_GAIN * len(text)):
            text = recall
    text = continued_body(tree, text)
    lead = find_lead(tree, meta, text)
    if lead:
        text = f"{lead}\n{text}" if text else lead
    return clean_paragraphs(text)


JUNK_TOKENS = frozenset(
    {
        "related",
        "relation",
        "relations",
        "readalso",
        "also",
        "readmore",
        "recommend",
        "recommended",
        "recommendations",
        "promo",
        "subscribe",
        "subscription",
        "newsletter",
        "share",
        "sharing",
        "sharer",
        "social",
        "socials",
        "banner",
        "adv",
        "advert",
        "advertisement",
        "ads",
        "ad",
        "adsbygoogle",
        "cookie",
        "cookies",
        "consent",
        "gdpr",
        "popup",
        "modal",
        "comment",
        "comments",
        "breadcrumb",
        "breadcrumbs",
        "popular",
        "trending",
        "outbrain",
        "taboola",
        "donate",
        "donation",
        "sharethis",
        "likes",
    }
)
CLASS_TOKEN_RE = re.compile(r"[\s_\-]+")
# Every junk token contains one of these: a quick filter before the exact token test.
JUNK_HINTS = (
    "relat", "also", "more", "recommend", "promo", "subscri", "newsletter", "shar", "social", "banner", "ad",
    "cookie", "consent", "gdpr", "popup", "modal", "comment", "breadcrumb", "popular", "trending",
    "outbrain", "taboola", "donat", "likes",
)  # fmt: skip
JUNK_HINT_RE = re.compile("|".join(JUNK_HINTS))
JUNK_MAX_CHARS = 1000


def prune_boilerplate(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """Drop widgets named as such (related, share, subscribe, ads, cookies, comments) and link-only
    paragraphs (teasers of other articles inside the body). Blocks holding the headline stay."""
    for element in _junk_candidates(tree):
        marks = f"{element.get('class', '')} {element.get('id', '')}"
        tokens = set(CLASS_TOKEN_RE.split(marks.lower()))
        if not tokens & JUNK_TOKENS or next(element.iter("h1"), None) is not None:
            continue
        text = element.text_content()
        links = sum(len(link.text_content()) for link in element.iter("a"))
        if len(text) < JUNK_MAX_CHARS or links > 0.5 * len(text):
            element.drop_tree()
    for paragraph in xpath("//body//p[count(a) = 1]")(tree):
        text = " ".join(paragraph.text_content().split())
        link = " ".join(paragraph.find("a").text_content().split())
        if len(text) > 20 and text == link and paragraph.getparent() is not None:
            paragraph.drop_tree()
    return tree


def _junk_candidates(tree: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """Elements inside <body> whose class or id contains a junk hint (most name nothing of the kind)."""
    found = []
    for element in xpath("/html/body//*[@class or @id]")(tree):  # XPath: no Python object for the rest
        marks = f"{element.get('class') or ''} {element.get('id') or ''}"
        if element.tag != "main" and JUNK_HINT_RE.search(marks.lower()):
            found.append(element)
    return found


def unwrap_layout_tables(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """Old portals lay pages out with tables; turned into divs, they stop being dumped as data tables."""
    for table in xpath("//table[.//h1 or .//h2 or .//table or count(.//p) > 2]")(tree):
        for element in table.iter("table", "thead", "tbody", "tfoot", "tr", "td", "th"):
            element.tag = "div"
            for attribute in ("width", "colspan", "rowspan", "valign", "align"):
                element.attrib.pop(attribute, None)
    return tree


def text_copy(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """A copy of the page without what never holds article text (scripts, styles, SVG, the head's
    metadata), so that every later pass walks a smaller tree."""
    copied = copy(tree)
    etree.strip_elements(copied, *NON_TEXT_TAGS, with_tail=False)
    etree.strip_elements(copied, *NEVER_BODY_TAGS, with_tail=False)
    return copied


def page_copy(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """What trafilatura is given of a page: a copy without scripts, layout tables and named widgets."""
    return prune_boilerplate(unwrap_layout_tables(text_copy(tree)))


def text_chars(tree: lxml_html.HtmlElement) -> int:
    """Characters of the text of a page copy, runs of whitespace counted as one."""
    body = tree.find("body")
    text = (body if body is not None else tree).text_content()
    return len(" ".join(text.split()))


def trafilatura_text(
    page: lxml_html.HtmlElement, url: str, *, favor_recall: bool = False, meta: PageMetadata | None = None
) -> str:
    """trafilatura's body of a `page_copy` (it prunes what it is given), without its recall escalation:
    `main_text` escalates on a measure of the page's text that costs a tenth of trafilatura's, which
    cleans and reads the whole page again (a tenth of the extraction process's time in a crawl). With the
    page's `meta`, the searches in `SKIPPABLE_SEARCHES` that its HTML gives nothing to find are skipped."""
    skipped = _skippable(meta) if meta is not None else ()
    try:
        with _trafilatura_settings(skipped):
            doc = trafilatura.bare_extraction(page, options=_extractor_for(url, favor_recall))
    except Exception:  # trafilatura has many failure modes on broken markup; the page still yields an Article
        logger.warning("trafilatura failed on %s", url, exc_info=True)
        return ""
    return (doc.text or "") if doc is not None else ""


# trafilatura's whole-page searches (lists of XPaths in trafilatura.core) that find only elements whose id
# or class holds one of these words, as written (their regular expressions are case-sensitive). Each walks
# every element of the page, 0.4-0.9 ms on a real page; a page whose HTML names none of the words is not
# searched (most pages: 46 of the 57 shared pages for the first, 14 for the second). The words were read off
# the expressions of one trafilatura release, whose text `_KNOWN_SEARCHES` pins: a release that changes them
# is searched in full, as trafilatura would.
SKIPPABLE_SEARCHES = {
    # infinite-scroll containers and Elementor share buttons
    "RAW_TREE_PRUNE_XPATH": ("mvp-post-add-", "infinite", "elementor-share-buttons"),
    # comment sections: ids and classes like comment(s), Comments, comol, disqus_thread, post-comments
    "REMOVE_COMMENTS_AND_LISTS_XPATH": ("omment", "comol", "disqus_thread"),
}
_KNOWN_SEARCHES = {
    "RAW_TREE_PRUNE_XPATH": "3e76348faf670213",
    "REMOVE_COMMENTS_AND_LISTS_XPATH": "65e3d0c57525deb2",
}


def searches_digest(name: str) -> str | None:
    """A digest of the text of trafilatura's XPaths under `name` (whitespace folded), None if it has none."""
    expressions = getattr(trafilatura.core, name, None)
    if not isinstance(expressions, list) or not all(hasattr(x, "path") for x in expressions):
        return None
    text = "\n".join(" ".join(x.path.split()) for x in expressions)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


@lru_cache(maxsize=1)
def _checked_searches() -> dict[str, tuple[str, ...]]:
    """The skippable searches whose text is the one the words were read from."""
    return {
        name: words
        for name, words in SKIPPABLE_SEARCHES.items()
        if searches_digest(name) == _KNOWN_SEARCHES[name]
    }


def _skippable(meta: PageMetadata) -> tuple[str, ...]:
    return tuple(
        name for name, words in _checked_searches().items() if not any(meta.mentions(word) for word in words)
    )


_SETTINGS_LOCK = threading.Lock()


@contextmanager
def _trafilatura_settings(skipped: tuple[str, ...] = ()) -> Iterator[None]:
    """trafilatura's escalation turned off, and the `skipped` searches emptied, for one call (module
    settings of trafilatura 2.x, read at each call; where a version has none, nothing changes). The lock
    keeps another thread's call from seeing them half restored; trafilatura holds the GIL throughout, so
    nothing runs slower for it."""
    changes: dict[str, Any] = {name: [] for name in skipped}
    if getattr(trafilatura.core, "ESCALATION_MAX_LENGTH", None) is not None:
        changes["ESCALATION_MAX_LENGTH"] = 0
    with _SETTINGS_LOCK:
        saved = {name: getattr(trafilatura.core, name) for name in changes}
        try:
            for name, value in changes.items():
                setattr(trafilatura.core, name, value)
            yield
        finally:
            for name, value in saved.items():
                setattr(trafilatura.core, name, value)


@lru_cache(maxsize=2)
def _extractor(favor_recall: bool) -> Extractor:
    return Extractor(
        output_format="python", fast=True, recall=favor_recall, comments=False, tables=True, dedup=False
    )


def _extractor_for(url: str, favor_recall: bool) -> Extractor:
    """trafilatura's options for one page: a copy of options built once, since building them (reading the
    configuration, the date settings) took a fifth of a millisecond a page. trafilatura copies the options
    it changes, so a shared template stays as built."""
    options = copy(_extractor(favor_recall))
    options.url = url
    options.source = url.encode("utf-8", "replace").decode("utf-8")
    return options


MIN_BODY_PARAGRAPH = 40
TAG_RE = re.compile(r"[a-z][a-z0-9]*\Z")
BODY_BLOCKS = ("p", "h2", "h3", "h4", "li", "blockquote")


def continued_body(tree: lxml_html.HtmlElement, text: str) -> str:
    """`text` with the paragraphs of the other blocks its body was cut into.

    Portals put advertising slots inside long articles by closing the body block and opening another of
    the same class after the slot (rp.pl: three `div.body.articleBody`). The block holding most of the
    extracted paragraphs names the class; what its namesakes in the same <article> (or page, without one)
    hold beyond those is added in page order, where it reads as prose rather than a list of teasers."""
    known = {_fold(line)[:80] for line in text.split("\n") if len(line) >= MIN_BODY_PARAGRAPH}
    if len(known) < 2:
        return text
    holders: Counter[tuple[str, frozenset[str]]] = Counter()
    for paragraph in tree.iter("p"):
        parent = paragraph.getparent()
        if parent is not None and _fold(paragraph.text_content())[:80] in known:
            holders[(parent.tag, _class_words(parent))] += 1
    if not holders:
        return text
    (tag, words), count = holders.most_common(1)[0]
    if count < 2 or not words or not TAG_RE.match(tag):
        return text
    named = xpath(f"//{tag}[contains(concat(' ', @class, ' '), $word)]")(tree, word=f" {min(words)} ")
    blocks = [element for element in named if _class_words(element) == words]
    blocks = [block for block in blocks if not any(other in block.iterancestors() for other in blocks)]
    if len(blocks) < 2:
        return text
    main = max(blocks, key=lambda block: _known_paragraphs(block, known))
    if _known_paragraphs(main, known) < 2:  # teaser cards of a listing hold one paragraph each
        return text
    scope = next(main.iterancestors("article"), None)
    first = blocks.index(main)
    before: list[str] = []
    after: list[str] = []
    for position, block in enumerate(blocks):  # in page order, as tree.iter() gives them
        if block is not main and (scope is None or scope in block.iterancestors()):
            (before if position < first else after).extend(_prose_lines(block, known))
    if not before and not after:
        return text
    return "\n".join([*before, text, *after])


def _class_words(element: lxml_html.HtmlElement) -> frozenset[str]:
    """The class names that say what a block is, without modifiers (`-bottom-space`, `_active`)."""
    return frozenset(word for word in (element.get("class") or "").split() if word[0] not in "-_")


def _known_paragraphs(block: lxml_html.HtmlElement, known: set[str]) -> int:
    return sum(1 for p in block.iter("p") if _fold(p.text_content())[:80] in known)


def _prose_lines(block: lxml_html.HtmlElement, known: set[str]) -> list[str]:
    """The block's paragraphs not yet extracted, when it holds prose: no headline of its own, and at least
    one paragraph of some length. Paragraphs that are mostly a link (teasers of other articles) are left
    out, as are widgets the block embeds (related, share, ads)."""
    if next(block.iter("h1"), None) is not None:
        return []
    lines = []
    for element in block.iter(*BODY_BLOCKS):
        path = _ancestors_within(element, block)  # the element itself first
        if any(ancestor.tag in BODY_BLOCKS for ancestor in path[1:]) or any(map(_is_junk, path)):
            continue
        line = " ".join(element.text_content().split())
        links = sum(len(link.text_content().strip()) for link in element.iter("a"))
        if line and links <= 0.5 * len(line) and _fold(line)[:80] not in known:
            lines.append(line)
    return lines if any(len(line) >= 2 * MIN_BODY_PARAGRAPH for line in lines) else []


def _ancestors_within(
    element: lxml_html.HtmlElement, block: lxml_html.HtmlElement
) -> list[lxml_html.HtmlElement]:
    found = [element]
    for ancestor in element.iterancestors():
        if ancestor is block:
            break
        found.append(ancestor)
    return found


def _is_junk(element: lxml_html.HtmlElement) -> bool:
    marks = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return bool(JUNK_HINT_RE.search(marks)) and bool(set(CLASS_TOKEN_RE.split(marks)) & JUNK_TOKENS)


def page_article_body(tree: lxml_html.HtmlElement, meta: PageMetadata) -> str:
    """The body the page marks itself: JSON-LD articleBody or an itemprop=articleBody element."""
    body = jsonld_text(meta.jsonld.get("articleBody")) if meta.jsonld else None
    if body and "<" in body:
        body = _text_of(lxml_html.fragment_fromstring(body, create_parent="div"))
    if not body and meta.mentions("articleBody"):
        elements = xpath('//*[@itemprop="articleBody"]')(tree)
        body = _text_of(elements[0]) if elements else None
    return body or ""


def _text_of(element: lxml_html.HtmlElement) -> str:
    element = copy(element)
    for junk in xpath(".//script|.//style|.//noscript|.//figure|.//aside|.//form|.//iframe")(element):
        junk.drop_tree()
    blocks = []
    for block in xpath(".//p|.//h2|.//h3|.//li|.//blockquote")(element) or [element]:
        words = " ".join(block.text_content().split())
        if words:
            blocks.append(words)
    return "\n".join(blocks)


def _contains_most_of(body: str, text: str) -> bool:
    if not text:
        return True
    body_words = set(body.lower().split())
    words = text.lower().split()
    return sum(1 for word in words if word in body_words) >= 0.8 * len(words)


def find_lead(tree: lxml_html.HtmlElement, meta: PageMetadata, text: str) -> str | None:
    """The lead paragraph shown above the body, when the body text does not already contain it."""
    folded_text = _fold(text)
    description = _fold(meta.first("og:description", "description", "twitter:description") or "")
    for element in _lead_candidates(tree):
        lead = " ".join(element.text_content().split())
        if not MIN_LEAD_CHARS <= len(lead) <= MAX_LEAD_CHARS:
            continue
        folded = _fold(lead)
        if folded[:80] in folded_text:
            return None
        marked = bool(LEAD_CLASS_RE.search(_class_and_id(element)))
        if marked or (description and folded[:60] == description[:60] and len(folded) < 2 * len(description)):
            return lead
    return None


def _lead_candidates(tree: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """Blocks right after the headline: its following siblings and those of its parents."""
    headlines = xpath("//h1")(tree)
    if not headlines:
        return []
    found = []
    node = headlines[0]
    for _level in range(4):
        for sibling in node.itersiblings():
            if not isinstance(sibling.tag, str) or NOT_LEAD_RE.search(_class_and_id(sibling)):
                continue
            found.append(sibling)
            found.extend(
                child
                for child in sibling.iterdescendants("p", "div", "h2", "strong")
                if child.tag == "p" or LEAD_CLASS_RE.search(_class_and_id(child))
            )
            if len(found) > 40:
                return found
        node = node.getparent()
        if node is None or node.tag in {"body", "html", "main"}:
            break
    return found


def _class_and_id(element: lxml_html.HtmlElement) -> str:
    return f"{element.get('class', '')} {element.get('id', '')} {element.get('itemprop', '')}"


def _fold(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split()).lower()


def drop_heading_lines(text: str, title: str | None, is_byline: Callable[[str], bool]) -> str:
    """Remove the headline and byline lines trafilatura keeps at the top of the body."""
    lines = text.split("\n")
    folded_title = _fold(title or "")
    while lines:
        first = _fold(lines[0])
        if (
            (folded_title and first == folded_title)
            or (len(first) <= 60 and is_byline(lines[0]))
            or _is_counter_or_time(lines[0])
        ):
            lines.pop(0)
        elif folded_title and len(lines) > 1 and _fold(lines[1]) == folded_title and _is_kicker(lines[0]):
            del lines[:2]  # a kicker above the headline («Lass uns übers Wetter reden»)
        else:
            break
    return "\n".join(lines)


def _is_kicker(line: str) -> bool:
    """A short line that is no sentence (no closing punctuation): a topic line set above a headline."""
    line = line.strip()
    return 0 < len(line) <= 80 and line[-1] not in ".!?…:;"


def _is_counter_or_time(line: str) -> bool:
    """A short line of numbers and short words only: a view counter («78»), a time («Di, 10:19 Uhr»,
    «14:05»), which sit above a headline and are no sentence of the article."""
    line = line.strip()
    if not line or len(line) > 30 or not any(ch.isdigit() for ch in line):
        return False
    return all(len(word) <= 3 for word in WORD_RE.findall(line))


def clean_paragraphs(text: str) -> str:
    """Drop short boilerplate lines and repeated paragraphs; fold whitespace inside lines."""
    kept: list[str] = []
    seen: set[str] = set()
    for line in text.splitlines():
        line = " ".join(line.replace("\xa0", " ").split())
        if not line:
            continue
        if len(line) <= BOILERPLATE_MAX_LEN and BOILERPLATE_RE.match(line):
            continue
        key = line.lower()
        if key in seen and len(line) > 30:
            continue
        seen.add(key)
        kept.append(line)
    return "\n".join(kept)
