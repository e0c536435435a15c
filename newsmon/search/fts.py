"""Query tree -> a full-text candidate expression over the analysed terms, rendered per backend.

The index holds each article's analysed terms (`articles.search_terms`: Russian lemmas, Kazakh stems,
folded), so a query word is looked up as the OR of its own terms. The translation is a superset of the
query: whatever the index cannot express (NOT, NEAR distances, =exact forms, title:/text: fields, word
order in phrases) is left out here and decided afterwards by `Query.matches` on the real text. When
nothing had to be left out (`exact`), the index alone decides and trends and exports skip verification.

Rendering quotes every term, so no query that parses can make FTS5 or tsquery raise: FTS5 gets
`"term"` with `""` inside, tsquery gets `'term'` with `''` and `\\\\` inside. Terms with no letters
or digits are dropped first (an empty FTS5 phrase would match nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

import newsmon.text as text_analysis
from newsmon.query import And, Filter, Near, Node, Or, Phrase, Word
from newsmon.storage.search import MetaFilter
from newsmon.text.kazakh import TERM_FOLD

MAX_TERM_LENGTH = 1000  # longer words are never indexed (PostgreSQL ignores words over 2047 bytes)
MIN_PREFIX = 4  # a prefix is shortened by up to two letters (stems are shorter than forms) but not below this


@dataclass(frozen=True, slots=True)
class TermGroup:
    """Any of these terms (a term may span several index tokens, as «нур-султан» does)."""

    terms: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Expr, ...]


Expr = TermGroup | AllOf | AnyOf


@dataclass(frozen=True, slots=True)
class Translation:
    """`expr` None means "no full-text condition"; `meta` are top-level source:/lang: filters for SQL."""

    expr: Expr | None
    meta: tuple[MetaFilter, ...] = ()
    exact: bool = False


def translate(tree: Node) -> Translation:
    """The candidate expression for an alias-free query tree."""
    items = tree.items if isinstance(tree, And) else (tree,)
    meta = tuple(_meta(item) for item in items if _sql_filter(item))
    rest = tuple(item for item in items if not _sql_filter(item))
    parts = [_expr(item) for item in rest]
    expr = _all_of([expr for expr, _ in parts])
    return Translation(expr, meta, exact=all(exact for _, exact in parts))


def _sql_filter(node: Node) -> bool:
    return isinstance(node, Filter) and not (node.field == "lang" and node.prefix)


def _meta(node: Node) -> MetaFilter:
    assert isinstance(node, Filter)
    value = node.value.lower()
    if node.field == "lang":
        value = text_analysis.LANGUAGE_ALIASES.get(value, value)
    return MetaFilter(node.field, value, node.prefix)


def _expr(node: Node) -> tuple[Expr | None, bool]:
    """(expression or None for "anything", whether it decides exactly what the query decides)."""
    if isinstance(node, Word):
        return _word(node)
    if isinstance(node, Phrase):
        groups = [_group(norm, exact=node.exact) for word in node.words for norm in _norms(word)]
        return _all_of(groups), False
    if isinstance(node, Near):
        return _all_of([_expr(node.left)[0], _expr(node.right)[0]]), False
    if isinstance(node, And):
        parts = [_expr(item) for item in node.items]
        return _all_of([e for e, _ in parts]), all(x for _, x in parts)
    if isinstance(node, Or):
        parts = [_expr(item) for item in node.items]
        return _any_of([e for e, _ in parts]), all(x for _, x in parts)
    return None, False  # Not, Filter below the top level, AliasRef: verified on the text


def _word(node: Word) -> tuple[Expr | None, bool]:
    norms = _norms(node.text)
    if node.prefix and norms:
        *head, last = norms
        groups = [_group(norm, exact=node.exact) for norm in head] + [_prefix_group(last)]
        return _all_of(groups), False
    groups = [_group(norm, exact=node.exact) for norm in norms]
    simple = len(norms) == 1 and not node.exact and node.field is None
    return _all_of(groups), simple and groups[0] is not None


def _norms(word: str) -> list[str]:
    return [token.norm for token in text_analysis.tokenize(word)]


def _group(norm: str, *, exact: bool) -> TermGroup | None:
    """The terms a text word satisfying this query word has in the index.

    A morphological word shares a term with its query word (the query word read without a language,
    plus its Kazakh reading when written in Latin letters, as the matcher reads it). An exact word has
    the same form, so its terms are that form's terms in any language the article may be in.
    """
    terms = set(text_analysis.word_terms(norm))
    if exact:
        terms |= text_analysis.word_terms(norm, "ru") | text_analysis.word_terms(norm, "kk")
        terms.add(norm.translate(TERM_FOLD))
    elif any(ch.isalpha() and ch < "\u0400" for ch in norm):
        terms |= text_analysis.word_terms(norm, "kk")
    return _term_group(terms, prefix=False)


def _prefix_group(norm: str) -> TermGroup | None:
    folded = norm.translate(TERM_FOLD)
    forms = {norm, folded}
    if any(ch.isalpha() and ch < "\u0400" for ch in norm):
        readings = text_analysis.word_terms(norm, "kk") - {norm}
        forms |= {max(readings, key=len)} if readings else set()
    stems = {form[: max(min(len(form), MIN_PREFIX), len(form) - 2)] for form in forms}
    return _term_group(stems, prefix=True)


def _term_group(terms: set[str], *, prefix: bool) -> TermGroup | None:
    usable = sorted(t for t in terms if any(ch.isalnum() for ch in t) and len(t) <= MAX_TERM_LENGTH)
    return TermGroup(tuple(usable), prefix) if usable else None


def _all_of(items: list[Expr | None]) -> Expr | None:
    kept = [item for item in items if item is not None]
    flat = tuple(x for item in kept for x in (item.items if isinstance(item, AllOf) else (item,)))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else AllOf(tuple(dict.fromkeys(flat)))


def _any_of(items: list[Expr | None]) -> Expr | None:
    if not items or any(item is None for item in items):
        return None
    flat = tuple(x for item in items for x in (item.items if isinstance(item, AnyOf) else (item,)))  # type: ignore[union-attr]
    return flat[0] if len(flat) == 1 else AnyOf(tuple(dict.fromkeys(flat)))


def to_fts5(expr: Expr) -> str:
    """An SQLite FTS5 MATCH expression."""
    if isinstance(expr, TermGroup):
        star = "*" if expr.prefix else ""
        quoted = [f'"{term.replace(chr(34), chr(34) * 2)}"{star}' for term in expr.terms]
        return quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")"
    joiner = " AND " if isinstance(expr, AllOf) else " OR "
    return "(" + joiner.join(to_fts5(item) for item in expr.items) + ")"


def to_tsquery(expr: Expr) -> str:
    """A PostgreSQL tsquery for to_tsquery('simple', ...)."""
    if isinstance(expr, TermGroup):
        star = ":*" if expr.prefix else ""
        quoted = [f"'{_tsquery_escape(term)}'{star}" for term in expr.terms]
        return quoted[0] if len(quoted) == 1 else "(" + " | ".join(quoted) + ")"
    joiner = " & " if isinstance(expr, AllOf) else " | "
    return "(" + joiner.join(to_tsquery(item) for item in expr.items) + ")"


def _tsquery_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("'", "''")


def render(expr: Expr | None, dialect: str) -> str | None:
    """The expression for one backend ("sqlite" or "postgresql"); None stays None (no condition)."""
    if expr is None:
        return None
    return to_tsquery(expr) if dialect == "postgresql" else to_fts5(expr)


__all__ = [
    "AllOf",
    "AnyOf",
    "Expr",
    "TermGroup",
    "Translation",
    "render",
    "to_fts5",
    "to_tsquery",
    "translate",
]
