"""Russian and Kazakh names of the same places and offices, so one search finds both languages.

The same press release appears as «в Жамбылской области» and «Жамбыл облысында»: morphology links
forms of one word, not the Russian adjective to the Kazakh name or «область» to «облыс». Search widens
each query word that names one of these with its equivalents (`word` -> `word OR equivalent`; a
phrase gets a second reading with the equivalents put in) before the query runs, so ranking, snippets
and verification all see the wider query. =exact words and prefixes are taken as written.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import newsmon.text as text_analysis
from newsmon.query import And, Near, Node, Not, Or, Phrase, Word

# Each row: words that name the same thing, Russian first. Morphology covers their forms.
EQUIVALENTS: tuple[tuple[str, ...], ...] = (
    ("область", "облыс"),
    ("район", "аудан"),
    ("город", "қала"),
    ("село", "ауыл"),
    ("аким", "әкім"),
    ("акимат", "әкімдік"),
    ("министерство", "министрлік"),
    ("жамбылский", "жамбыл"),
    ("таразский", "тараз"),
    ("алматинский", "алматы"),
    ("карагандинский", "қарағанды"),
    ("туркестанский", "түркістан"),
    ("кызылординский", "қызылорда"),
    ("акмолинский", "ақмола"),
    ("павлодарский", "павлодар"),
    ("костанайский", "қостанай"),
    ("атырауский", "атырау"),
    ("мангистауский", "маңғыстау"),
    ("актюбинский", "ақтөбе"),
    ("жетысуский", "жетісу"),
    ("улытауский", "ұлытау"),
    ("меркенский", "мерке"),
    ("кордайский", "қордай"),
    ("байзакский", "байзақ"),
    ("жуалынский", "жуалы"),
    ("мойынкумский", "мойынқұм"),
    ("сарысуский", "сарысу"),
    ("шуский", "шу"),
)


@lru_cache(maxsize=1)
def _index() -> tuple[tuple[frozenset[str], tuple[str, ...]], ...]:
    """(terms of one word of a row, the row) pairs."""
    return tuple((text_analysis.word_terms(word), row) for row in EQUIVALENTS for word in row)


@lru_cache(maxsize=10_000)
def equivalents_of(word: str) -> tuple[str, ...]:
    """Other words for what `word` (any form) names, in table order; empty when it is not in the table."""
    terms = text_analysis.word_terms(word)
    found: list[str] = []
    for row_terms, row in _index():
        if terms & row_terms:
            found.extend(other for other in row if not terms & text_analysis.word_terms(other))
    return tuple(dict.fromkeys(found))


def widen(node: Node) -> Node:
    """The tree with every plain word and phrase that names a place or office also read in the other language."""
    if isinstance(node, Word):
        if node.exact or node.prefix:
            return node
        others = [Word(other, field=node.field, pos=node.pos) for other in equivalents_of(node.text)]
        return Or((node, *others), pos=node.pos) if others else node
    if isinstance(node, Phrase):
        if node.exact:
            return node
        words = tuple((equivalents_of(word) or (word,))[0] for word in node.words)
        return Or((node, replace(node, words=words)), pos=node.pos) if words != node.words else node
    if isinstance(node, And | Or):
        items = [widen(item) for item in node.items]
        flat = tuple(x for item in items for x in (item.items if type(item) is type(node) else (item,)))
        return replace(node, items=flat)
    if isinstance(node, Not):
        return replace(node, item=widen(node.item))
    if isinstance(node, Near):
        return replace(node, left=widen(node.left), right=widen(node.right))
    return node
