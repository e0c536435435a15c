"""Article fields other than body and dates: title, authors, description, image, tags, section, URLs."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from crawlers.pages.metadata import PageMetadata, jsonld_names, jsonld_text, jsonld_url
from crawlers.pages.xpath import xpath

TITLE_SEPARATORS_RE = re.compile(r"\s+[|—–\-:·•»/]{1,2}\s+|\s*[｜：]\s*|\s+::\s+")
AUTHOR_PREFIX_RE = re.compile(
    r"^(?:автор(?:ы)?|авторы материала|текст|by|von|par|por|di|door|av|af|жазған|авторы)\s*[:\-—]?\s+",
    re.IGNORECASE,
)
# «Фото: ...», «Фотограф: ...», «Суретті түсірген: ...», «Снимка: Getty Images»: a photographer's or a
# picture agency's credit, not the writer's.
PHOTO_CREDIT_RE = re.compile(r"^(?:фото|photo|foto|fotó|снимка|сурет|zdjęcie|kuva)\w*\b", re.IGNORECASE)
# A byline label left without its name.
AUTHOR_LABELS = frozenset(
    {
        "автор",
        "авторы",
        "author",
        "authors",
        "auteur",
        "autor",
        "autorin",
        "by",
        "von",
        "par",
        "por",
        "жазған",
    }
)
# Longer parts of a byline are affiliations or sentences («..., university professor, Site»).
MAX_NAME_WORDS = 5
# A word of a signature line («Асель», «НҰРЖАНОВА», «А.», «Сейтқали-Бек»): letters, an initial's dot.
NAME_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*\.?")
MAX_SIGNATURE_WORDS = 4
AUTHOR_SPLIT_RE = re.compile(r"\s*(?:[,;、，]|\s+и\s+|\s+and\s+|\s+und\s+|\s+et\s+|\s+y\s+|\s+және\s+|&)\s*")
WORD_RE = re.compile(r"\w+", re.UNICODE)
# Searches that read itemprop attributes are left out on pages whose HTML never names one
# (`PageMetadata.mentions`): each branch of a union walks the whole page.
ITEMPROP_HEADLINE_XPATH = "//*[@itemprop='headline'][not(self::meta)]"
ITEMPROP_AUTHOR_XPATH = "//*[@itemprop='author'][not(self::meta)][not(.//*[@itemprop='name'])]|//*[@itemprop='author']//*[@itemprop='name']"
# A byline element; every branch needs "author" in an attribute value.
BYLINE_AUTHOR_XPATH = (
    "//a[@rel='author']|//*[contains(@class, 'author')][not(contains(@class, 'avatar'))]"
    "[not(ancestor-or-self::*[contains(@class, 'comment')])][not(.//*[contains(@class, 'author')])]"
)
# Chinese portals credit the article's editors in a line of their own, and name no one else:
# «(责编：牛镛、岳弘彬)», «【责任编辑：王頔】», «编辑：李明».
EDITOR_LINE_XPATH = (
    "//body//*[self::div or self::p or self::span][not(*)][string-length(normalize-space(.)) < 60]"
    "[contains(., '编辑') or contains(., '责编') or contains(., '作者')]"
)
CJK_RE = re.compile("[\u4e00-\u9fff]")
EDITOR_LINE_RE = re.compile(r"^[(（【\[]?\s*(?:责任编辑|责编|编辑|作者)\s*[：:]\s*(.+?)\s*[)）】\]]?$")


def _words(text: str) -> list[str]:
    return WORD_RE.findall(text.lower())


def find_title(tree: lxml_html.HtmlElement, meta: PageMetadata, url: str) -> str | None:
    """The headline: an h1 that agrees with the metadata, else og:title/JSON-LD headline, else <title>.

    Site-name suffixes (« | Знамя труда», « - Kazinform») are cut from metadata titles.
    """
    site = meta.first("og:site_name", "application-name", "twitter:site") or ""
    meta_titles = [
        title
        for title in (
            jsonld_text(meta.jsonld.get("headline")) if meta.jsonld else None,
            meta.first("og:title"),
            meta.first("twitter:title"),
            meta.first("headline", "title", "dc.title", "parsely-title", "sailthru.title"),
            meta.title_tag,
        )
        if title
    ]
    headline = _best_h1(tree, meta, meta_titles, site)
    if headline:
        return headline
    for title in meta_titles:
        cleaned = strip_site_name(title, site, url)
        if cleaned:
            return cleaned
    return None


def _best_h1(
    tree: lxml_html.HtmlElement, meta: PageMetadata, meta_titles: list[str], site: str
) -> str | None:
    candidates: list[list[str]] = []  # per h1: its text, then the text without a leading kicker
    for element in xpath(_with_itemprop(meta, "//h1", ITEMPROP_HEADLINE_XPATH))(tree)[:6]:
        text = " ".join(element.text_content().split())
        if len(text) < 4 or len(text) > 400 or _is_logo(element, text, site):
            continue
        candidates.append([text, *_without_kicker(element)])
    if not candidates:
        return None
    agreed = _agreeing_title(candidates, meta_titles, site)
    if agreed:
        return agreed
    meta_words = [set(_words(title)) for title in meta_titles]
    best, best_score = None, 0.0
    for text, *_variants in candidates:
        words = _words(text)
        if not words:
            continue
        score = max(
            (sum(1 for word in words if word in known) / len(words) for known in meta_words), default=0
        )
        if score > best_score:
            best, best_score = text, score
    if best is not None and best_score >= 0.5:
        return best
    distinct = list(dict.fromkeys(variants[0] for variants in candidates))
    if len(distinct) == 1 and (not meta_titles or len(_words(distinct[0])) >= 3):
        return distinct[0]
    if len(_words(distinct[0])) >= 4:  # the first real headline on the page
        return distinct[0]
    return None


def _agreeing_title(candidates: list[list[str]], meta_titles: list[str], site: str) -> str | None:
    """A metadata title that says exactly what an h1 (or the h1 without its kicker) says.

    Word-for-word agreement picks the metadata spelling (no kicker, no stray quotes).
    """
    stripped = [strip_site_name(title, site, "") for title in meta_titles]
    for variants in candidates:
        for variant in reversed(variants):  # the kicker-less reading first
            for title in stripped:
                if _typographic(title) == _typographic(variant):
                    return variant  # the same text: the page's own typography («…» where meta has "...")
                if title.casefold() == variant.casefold() or _words(title) == _words(variant):
                    return title
    return None


def _typographic(text: str) -> str:
    """Text with the spellings metadata uses for typographic characters made equal ("..." and «…»)."""
    return " ".join(text.replace("...", "…").replace(" …", "…").split())


def _without_kicker(element: lxml_html.HtmlElement) -> list[str]:
    """The headline without a leading place/rubric label («<span>Frain</span> Incendie…»)."""
    children = [child for child in element if isinstance(child.tag, str)]
    if not children or (element.text or "").strip():
        return []
    kicker = " ".join(children[0].text_content().split())
    full = " ".join(element.text_content().split())
    rest = full[len(kicker) :].lstrip(".:|—–- ") if full.startswith(kicker) else ""
    if kicker and len(kicker.split()) <= 4 and len(rest.split()) >= 3:
        return [rest]
    return []


def _is_logo(element: lxml_html.HtmlElement, text: str, site: str) -> bool:
    marks = f"{element.get('class', '')} {element.get('id', '')}".lower()
    if "logo" in marks or "brand" in marks or "site-title" in marks:
        return True
    if site and text.lower() == site.lower():
        return True
    links = xpath(".//a/@href")(element)
    return bool(links) and all(urlsplit(link).path in {"", "/"} for link in links)


def strip_site_name(title: str, site: str, url: str) -> str:
    """Cut a site name before or after a separator; keep the longer headline side otherwise."""
    title = " ".join(title.split())
    parts = [part for part in TITLE_SEPARATORS_RE.split(title) if part.strip()]
    if len(parts) < 2:
        return title
    host_words = set(_words(urlsplit(url).hostname or "")) - {"www", "com", "kz", "ru", "org", "net"}
    site_words = set(_words(site)) | host_words

    def is_site(part: str) -> bool:
        words = _words(part)
        return bool(words) and (sum(1 for word in words if word in site_words) / len(words) >= 0.5)

    if is_site(parts[-1]) or is_site(parts[0]):
        separator_at = (
            _last_separator(title) if is_site(parts[-1]) else TITLE_SEPARATORS_RE.search(title).end()  # type: ignore[union-attr]
        )
        kept = title[:separator_at] if is_site(parts[-1]) else title[separator_at:]
        return kept.strip() or title
    if len(parts[-1]) <= 30 and len(parts[0]) > 2 * len(parts[-1]):
        return title[: _last_separator(title)].strip()
    return title


def _last_separator(title: str) -> int:
    matches = list(TITLE_SEPARATORS_RE.finditer(title))
    return matches[-1].start() if matches else len(title)


def find_authors(
    tree: lxml_html.HtmlElement, meta: PageMetadata, url: str, text: str = ""
) -> tuple[str, ...]:
    """People (or the organisation) credited: JSON-LD author, meta author tags, a byline element, a
    signature closing the body (`text`), then an editors' line. The next is read when one holds no name
    («105092», «Auteur») or names only the site itself, which is the answer when nothing further names a
    person."""
    site = site_keys(meta, url)
    candidates = (
        lambda: jsonld_names(meta.jsonld.get("author")) if meta.jsonld else [],
        lambda: meta.all("author", "article:author", "parsely-author", "sailthru.author", "dc.creator"),
        lambda: [
            " ".join(element.text_content().split())
            for element in _byline_elements(tree, meta)
            if 3 <= len(element.text_content().strip()) <= 80
        ],
        lambda: signature(tree, text),
        lambda: editor_line(tree, text),
    )
    fallback: tuple[str, ...] = ()
    for names in candidates:
        found = clean_authors(names(), site)
        if found and all(_name_key(name) in site for name in found):
            fallback = fallback or found  # the site itself: kept unless a person is named further on
        elif found:
            return found
    return fallback


def _with_itemprop(meta: PageMetadata, expression: str, itemprop_expression: str) -> str:
    """`expression`, or its union with `itemprop_expression` where the page may name itemprop attributes."""
    if meta.mentions("itemprop", any_case=True):
        return f"{expression}|{itemprop_expression}"
    return expression


def _byline_elements(tree: lxml_html.HtmlElement, meta: PageMetadata) -> list[lxml_html.HtmlElement]:
    """The first three elements marked as the author's, in page order."""
    if not meta.mentions("author"):
        return []
    return xpath(_with_itemprop(meta, BYLINE_AUTHOR_XPATH, ITEMPROP_AUTHOR_XPATH))(tree)[:3]


def signature(tree: lxml_html.HtmlElement, text: str) -> list[str]:
    """The writer's name as the last line of the body, set apart (bold, or aligned right), as regional
    papers sign their articles: «<p style="text-align: right"><strong>Айгүл Сейтқали</strong></p>»."""
    line = " ".join(text.rstrip().rpartition("\n")[2].split())
    words = line.split()
    if not 2 <= len(words) <= MAX_SIGNATURE_WORDS or not all(
        NAME_WORD_RE.fullmatch(word) and word[0].isupper() for word in words
    ):
        return []
    for element in xpath("//body//p[normalize-space(.) = $line]")(tree, line=line):
        bold = xpath("normalize-space(string(.//strong|.//b))")(element) == line
        style = (element.get("style") or "").replace(" ", "").lower()
        if bold or "text-align:right" in style or (element.get("align") or "").lower() == "right":
            return [line]
    return []


def editor_line(tree: lxml_html.HtmlElement, text: str) -> list[str]:
    """The names of an editors' line (`EDITOR_LINE_XPATH`), the last on the page; looked for only when the
    body (`text`) is Chinese, the search costs other pages half a millisecond."""
    if not CJK_RE.search(text):
        return []
    for element in reversed(xpath(EDITOR_LINE_XPATH)(tree)):
        match = EDITOR_LINE_RE.match(" ".join(element.text_content().split()))
        if match:
            return [match.group(1)]
    return []


def clean_authors(names: list[str], site: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Split joined bylines, drop prefixes, photo credits, what is not a name (ids, labels, URLs,
    affiliations), the site's own name (`site_keys`) after a person's, and duplicates; keep order."""
    found: list[str] = []
    for raw in names:
        raw = " ".join(str(raw).split())
        if PHOTO_CREDIT_RE.match(raw):
            continue
        parts = [part.strip(" .:-—|") for part in AUTHOR_SPLIT_RE.split(AUTHOR_PREFIX_RE.sub("", raw))]
        for name in parts:
            # The site as the whole byline is its author (an Organization); after a name it is a suffix.
            suffix = len(parts) > 1 and _name_key(name) in site
            if _is_name(name) and not suffix and name not in found:
                found.append(name)
    return tuple(found[:8])


def _is_name(name: str) -> bool:
    return (
        2 <= len(name) <= 80
        and not name.startswith("http")
        and "@" not in name
        and any(ch.isalpha() for ch in name)  # «105092»: an id from the CMS
        and name.casefold() not in AUTHOR_LABELS
        and len(name.split()) <= MAX_NAME_WORDS
    )


def site_keys(meta: PageMetadata, url: str) -> frozenset[str]:
    """The names a site goes by, folded: its host with and without the domain, og:site_name, the JSON-LD
    publisher («Povilas Aleksandravičius, Lrt.lt»: the byline's last part is the site)."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    names = [host, host.split(".")[0], meta.first("og:site_name"), meta.first("application-name")]
    if meta.jsonld:
        names += jsonld_names(meta.jsonld.get("publisher"))
    return frozenset(key for name in names if name and len(key := _name_key(name)) >= 3)


def _name_key(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def find_description(meta: PageMetadata) -> str | None:
    value = (
        meta.first("og:description")
        or (jsonld_text(meta.jsonld.get("description")) if meta.jsonld else None)
        or meta.first("description", "twitter:description", "dc.description")
    )
    return " ".join(value.split()) if value else None


def find_image(meta: PageMetadata, url: str) -> str | None:
    value = meta.first(
        "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"
    )
    if not value and meta.jsonld:
        value = jsonld_url(meta.jsonld.get("image"))
    return urljoin(url, value) if value else None


def find_tags(tree: lxml_html.HtmlElement, meta: PageMetadata) -> tuple[str, ...]:
    """Tags: article:tag, then JSON-LD keywords, then tag links (rel=tag or a tags block)."""
    tags = meta.all("article:tag", "og:article:tag")
    if not tags and meta.jsonld:
        keywords = meta.jsonld.get("keywords")
        tags = keywords if isinstance(keywords, list) else str(keywords or "").split(",")
    if not tags:
        tags = xpath(
            "//a[@rel='tag']//text()|//*[contains(@class, 'tags') or contains(@class, 'tag-list')]//a//text()"
        )(tree)
    cleaned = [" ".join(str(tag).split()).lstrip("#") for tag in tags]
    return tuple(dict.fromkeys(tag for tag in cleaned if 1 < len(tag) <= 60))[:30]


def find_section(meta: PageMetadata) -> str | None:
    value = meta.first("article:section", "og:article:section", "section", "parsely-section")
    if not value and meta.jsonld:
        value = jsonld_text(meta.jsonld.get("articleSection"))
    return " ".join(value.split()) if value else None


def find_canonical(meta: PageMetadata, url: str) -> str:
    value = meta.canonical or meta.first("og:url")
    if not value and meta.jsonld:
        value = jsonld_url(meta.jsonld.get("url")) or jsonld_url(meta.jsonld.get("mainEntityOfPage"))
    return urljoin(url, value) if value else url
