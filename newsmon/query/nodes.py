"""The query syntax tree: what the parser produces, what the matcher compiles and what search translates.

The tree is public so that the search backends (SQLite FTS5, PostgreSQL tsquery) can walk it with
`walk()` and translate each node; `format_query()` prints a tree back as query text that parses to
the same tree.

Leaves are `Word`, `Phrase`, `AliasRef` (a named alias, expanded by the compiler) and `Filter`
(article metadata: `source:` and `lang:`). Inner nodes are `And`, `Or`, `Not` and `Near`.
Positions (`pos`, the character offset in the query) are kept for error messages only and do not take
part in equality.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

TEXT_FIELDS = ("title", "text")
META_FIELDS = ("source", "lang")
FIELDS = TEXT_FIELDS + META_FIELDS


@dataclass(frozen=True, slots=True)
class Word:
    """One word: morphological by default, `exact` (`=word`) or `prefix` (`word*`); `field` title/text/None."""

    text: str
    exact: bool = False
    prefix: bool = False
    field: str | None = None
    pos: int = dataclasses.field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Phrase:
    """Consecutive words («Бейбітшілік пен келісім»), each matched like a `Word` (or exactly)."""

    words: tuple[str, ...]
    exact: bool = False
    field: str | None = None
    pos: int = dataclasses.field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class AliasRef:
    """`@name`: a named alias defined outside the query (all spellings of one entity)."""

    name: str
    field: str | None = None
    pos: int = dataclasses.field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Filter:
    """`source:zakon.kz` or `lang:kk`: a condition on the article's metadata, not on its words."""

    field: str
    value: str
    prefix: bool = False
    pos: int = dataclasses.field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]
    pos: int = dataclasses.field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]
    pos: int = dataclasses.field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Not:
    item: Node
    pos: int = dataclasses.field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Near:
    """`left NEAR/n right`: both within `distance` words of each other, in either order."""

    left: Node
    right: Node
    distance: int
    pos: int = dataclasses.field(default=0, compare=False, repr=False)


Node = Word | Phrase | AliasRef | Filter | And | Or | Not | Near
Leaf = Word | Phrase | AliasRef | Filter


def children(node: Node) -> tuple[Node, ...]:
    """The direct children of a node (empty for leaves)."""
    if isinstance(node, And | Or):
        return node.items
    if isinstance(node, Not):
        return (node.item,)
    if isinstance(node, Near):
        return (node.left, node.right)
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children (depth first)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def positive_leaves(node: Node, negated: bool = False) -> Iterator[Word | Phrase | AliasRef]:
    """Word, phrase and alias leaves that are not under a NOT: what a match is made of."""
    if isinstance(node, Not):
        yield from positive_leaves(node.item, not negated)
    elif isinstance(node, Word | Phrase | AliasRef):
        if not negated:
            yield node
    else:
        for child in children(node):
            yield from positive_leaves(child, negated)


def format_query(node: Node) -> str:
    """Query text for a tree; parsing it gives the same tree back."""
    if isinstance(node, Word):
        text = node.text if node.prefix or _is_bare(node.text) else f'"{node.text}"'
        return f"{_field_prefix(node.field)}{'=' if node.exact else ''}{text}{'*' if node.prefix else ''}"
    if isinstance(node, Phrase):
        return f'{_field_prefix(node.field)}{"=" if node.exact else ""}"{" ".join(node.words)}"'
    if isinstance(node, AliasRef):
        return f"{_field_prefix(node.field)}@{node.name}"
    if isinstance(node, Filter):
        value = node.value if node.prefix or _is_bare(node.value) else f'"{node.value}"'
        return f"{node.field}:{value}{'*' if node.prefix else ''}"
    if isinstance(node, Not):
        return f"NOT {_operand(node.item)}"
    if isinstance(node, Near):
        return f"{_operand(node.left)} NEAR/{node.distance} {_operand(node.right)}"
    joiner = " AND " if isinstance(node, And) else " OR "
    return joiner.join(_operand(item) for item in node.items)


def _operand(node: Node) -> str:
    text = format_query(node)
    return f"({text})" if isinstance(node, And | Or | Near) else text


def _field_prefix(name: str | None) -> str:
    return f"{name}:" if name else ""


def _is_bare(text: str) -> bool:
    """Whether `text` reads back as this very word without quotes."""
    from newsmon.query.parser import reads_as_bare_word  # the lexer decides; imported late (cycle)

    return reads_as_bare_word(text)
