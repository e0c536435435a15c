"""Syntax tree -> rule tree: aliases expanded, words analysed into vocabulary ids, the query checked.

`compile_query` gives a `Query` for one query (search, previews, tests); `WatchMatcher` compiles many
queries against one shared vocabulary with the same `compile_rule`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace

import newsmon.text as text_analysis
from newsmon.query.nodes import AliasRef, And, Filter, Near, Node, Not, Or, Phrase, Word, format_query
from newsmon.query.parser import QuerySyntaxError, apply_field, parse_query
from newsmon.query.rules import (
    AndRule,
    ArticleView,
    FilterRule,
    NearRule,
    NotRule,
    OrRule,
    Rule,
    TermRule,
)
from newsmon.query.vocabulary import EXACT, MORPH, PREFIX, Vocabulary, WordSpec

MIN_PREFIX = 2
_ALIAS_NAME = re.compile(r"[\w.\-]+")


class MatchResult:
    """Why an article matched: the query words and phrases found and where (character spans).

    Worked out on first access: a worker that only needs the watch ids pays nothing for spans.
    """

    __slots__ = ("_found", "_rule", "_view")

    def __init__(self, rule: Rule, view: ArticleView) -> None:
        self._rule = rule
        self._view = view
        self._found: (
            tuple[tuple[str, ...], tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]] | None
        ) = None

    def _resolve(self) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
        if self._found is None:
            spans = list(self._rule.spans(self._view))
            self._found = (
                tuple(dict.fromkeys(self._rule.labels(self._view))),
                tuple(self._view.char_spans(spans, "text")),
                tuple(self._view.char_spans(spans, "title")),
            )
        return self._found

    @property
    def terms(self) -> tuple[str, ...]:
        """Query text of the positive words and phrases found (NEAR pairs as "a NEAR/n b")."""
        return self._resolve()[0]

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """(start, end) character offsets in the article text as given, merged and in order."""
        return self._resolve()[1]

    @property
    def title_spans(self) -> tuple[tuple[int, int], ...]:
        return self._resolve()[2]

    def to_dict(self) -> dict[str, list[object]]:
        terms, spans, title_spans = self._resolve()
        return {
            "terms": list(terms),
            "spans": [list(s) for s in spans],
            "title_spans": [list(s) for s in title_spans],
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MatchResult) and self._resolve() == other._resolve()

    def __hash__(self) -> int:
        return hash(self._resolve())

    def __repr__(self) -> str:
        terms, spans, title_spans = self._resolve()
        return f"MatchResult(terms={terms!r}, spans={spans!r}, title_spans={title_spans!r})"


def normalise_aliases(aliases: Mapping[str, str] | None) -> dict[str, str]:
    """Alias book keyed by lowercase name without "@"; names must be letters, digits, _ . -."""
    book: dict[str, str] = {}
    for name, body in (aliases or {}).items():
        key = name.strip().removeprefix("@").lower()
        if not _ALIAS_NAME.fullmatch(key):
            raise QuerySyntaxError(f"alias name {name!r} must use letters, digits, _ . -", name, 0)
        if not isinstance(body, str) or not body.strip():
            raise QuerySyntaxError(f"alias @{key} has no spellings", str(body), 0)
        book[key] = body
    return book


def expand_aliases(node: Node, aliases: Mapping[str, str], query: str, seen: tuple[str, ...] = ()) -> Node:
    """The tree with every @alias replaced by its parsed definition (fields pushed into it)."""
    if isinstance(node, AliasRef):
        name = node.name.lower()
        if name not in aliases:
            known = ", ".join(f"@{key}" for key in sorted(aliases)) or "none are defined"
            raise QuerySyntaxError(f"unknown alias @{node.name}; known aliases: {known}", query, node.pos)
        if name in seen:
            raise QuerySyntaxError(f"alias @{name} refers to itself", query, node.pos)
        try:
            body = expand_aliases(parse_query(aliases[name]), aliases, aliases[name], (*seen, name))
        except QuerySyntaxError as exc:
            raise QuerySyntaxError(f"in @{name}: {exc.message}", query, node.pos) from None
        return apply_field(body, node.field, query) if node.field else body
    if isinstance(node, And | Or):
        items = tuple(expand_aliases(item, aliases, query, seen) for item in node.items)
        flat = tuple(x for item in items for x in (item.items if type(item) is type(node) else (item,)))
        return replace(node, items=flat)
    if isinstance(node, Not):
        return replace(node, item=expand_aliases(node.item, aliases, query, seen))
    if isinstance(node, Near):
        left = expand_aliases(node.left, aliases, query, seen)
        right = expand_aliases(node.right, aliases, query, seen)
        return replace(node, left=left, right=right)
    return node


class RuleCompiler:
    """Turns an alias-free tree into rules whose words live in `vocabulary`."""

    def __init__(self, vocabulary: Vocabulary, query: str) -> None:
        self.vocabulary = vocabulary
        self.query = query

    def compile(self, node: Node) -> Rule:
        if isinstance(node, Word | Phrase):
            return self.term(node)
        if isinstance(node, Filter):
            return FilterRule(node.field, node.value, node.prefix)
        if isinstance(node, Not):
            return NotRule(self.compile(node.item))
        if isinstance(node, Near):
            return NearRule(self.spellings(node.left), self.spellings(node.right), node.distance)
        if isinstance(node, And):
            return AndRule(tuple(self.compile(item) for item in node.items))
        if isinstance(node, Or):
            return OrRule(tuple(self.compile(item) for item in node.items))
        raise QuerySyntaxError(f"unexpanded alias @{node.name}", self.query, node.pos)

    def spellings(self, node: Node) -> tuple[TermRule, ...]:
        items = node.items if isinstance(node, Or) else (node,)
        if not all(isinstance(item, Word | Phrase) for item in items):
            raise QuerySyntaxError(
                "NEAR joins words, phrases, @aliases or {alternatives}", self.query, node.pos
            )
        return tuple(self.term(item) for item in items)  # type: ignore[arg-type]

    def term(self, node: Word | Phrase) -> TermRule:
        words = (node.text,) if isinstance(node, Word) else node.words
        norms = [token.norm for word in words for token in text_analysis.tokenize(word)]
        if not norms:
            shown = node.text if isinstance(node, Word) else " ".join(node.words)
            raise QuerySyntaxError(f"{shown!r} has no letters or digits to search for", self.query, node.pos)
        kinds = [EXACT if node.exact else MORPH] * len(norms)
        if isinstance(node, Word) and node.prefix:
            if len(norms[-1]) < MIN_PREFIX:
                message = f"{node.text}* is too short: a prefix needs at least {MIN_PREFIX} letters before *"
                raise QuerySyntaxError(message, self.query, node.pos)
            kinds[-1] = PREFIX
        ids = tuple(
            self.vocabulary.add(WordSpec(kind, norm)) for kind, norm in zip(kinds, norms, strict=True)
        )
        return TermRule(ids, node.field, format_query(replace(node, field=None)))


def compile_rule(text: str, vocabulary: Vocabulary, aliases: Mapping[str, str]) -> tuple[Node, Rule]:
    """Parse, expand and compile one query into `vocabulary`; QuerySyntaxError if it cannot match sensibly."""
    tree = expand_aliases(parse_query(text), aliases, text)
    rule = RuleCompiler(vocabulary, text).compile(tree)
    if rule.triggers(vocabulary) is None:
        raise QuerySyntaxError(
            "a query needs at least one positive term: a word or phrase that must occur "
            "(NOT, source: and lang: only narrow a query down)",
            text,
            0,
        )
    return tree, rule


class Query:
    """A compiled query: match, highlight and list its terms. Build with `compile_query`."""

    def __init__(self, text: str, aliases: Mapping[str, str] | None = None) -> None:
        self.text = text
        self.aliases = normalise_aliases(aliases)
        self.vocabulary = Vocabulary()
        self.tree, self.rule = compile_rule(text, self.vocabulary, self.aliases)

    def __repr__(self) -> str:
        return f"Query({format_query(self.tree)!r})"

    def view(
        self, text: str, lang: str | None = None, *, title: str | None = None, source: str | None = None
    ) -> ArticleView:
        return ArticleView(self.vocabulary, text, lang=lang, title=title, source=source)

    def matches(
        self, text: str, lang: str | None = None, *, title: str | None = None, source: str | None = None
    ) -> bool:
        """Whether an article (body `text`, optional title and source name) satisfies the query."""
        return self.rule.evaluate(self.view(text, lang, title=title, source=source))

    def match(
        self, text: str, lang: str | None = None, *, title: str | None = None, source: str | None = None
    ) -> MatchResult | None:
        """Like `matches`, with the terms found and their spans; None when the article does not match."""
        view = self.view(text, lang, title=title, source=source)
        return MatchResult(self.rule, view) if self.rule.evaluate(view) else None

    def highlight(self, text: str, lang: str | None = None) -> list[tuple[int, int]]:
        """Character spans in `text` (as given) of the positive words and phrases found, merged, in order."""
        view = self.view(text, lang)
        return view.char_spans(list(self.rule.spans(view)))

    def terms(self) -> list[str]:
        """The positive words and phrases (aliases expanded), as query text: what search must look for."""
        return list(dict.fromkeys(_positive_labels(self.tree)))


def _positive_labels(node: Node, negated: bool = False) -> Iterator[str]:
    if isinstance(node, Not):
        yield from _positive_labels(node.item, not negated)
    elif isinstance(node, Word | Phrase):
        if not negated:
            yield format_query(node)
    elif isinstance(node, And | Or):
        for item in node.items:
            yield from _positive_labels(item, negated)
    elif isinstance(node, Near):
        yield from _positive_labels(node.left, negated)
        yield from _positive_labels(node.right, negated)


def compile_query(text: str, *, aliases: Mapping[str, str] | None = None) -> Query:
    """Compile query text (with named aliases such as {"zhambyl": "Жамбыл | Jambyl"}) into a `Query`."""
    return Query(text, aliases)
