"""Compiled queries: rule trees evaluated against an article read once (`ArticleView`).

A rule never looks at text itself; it asks the view which tokens satisfy which query word ids. The
`triggers` of a rule are word ids at least one of which must occur for the rule to be true; the matcher
indexes each watch under its triggers, so only watches with a chance of matching are evaluated.
"""

from __future__ import annotations

from collections.abc import Iterator

import newsmon.text as text_analysis
from newsmon.query.reading import offsets, surfaces
from newsmon.query.vocabulary import Vocabulary

Span = tuple[str, int, int]  # side ("text" or "title"), first token index, last token index
SIDES_BY_FIELD: dict[str | None, tuple[str, ...]] = {
    None: ("text", "title"),
    "text": ("text",),
    "title": ("title",),
}


class ArticleView:
    """One article (body, optional title and metadata) read once against a vocabulary."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        text: str,
        *,
        lang: str | None = None,
        title: str | None = None,
        source: str | None = None,
    ) -> None:
        self.text = text
        self.title_text = title or ""
        self.source = source
        self.given_lang = lang
        self.words = {"text": surfaces(text), "title": surfaces(self.title_text)}
        self.hits = {side: vocabulary.read_words(words, lang) for side, words in self.words.items()}
        self._sets: dict[tuple[str, int], frozenset[int]] = {}
        self._offsets: dict[str, list[tuple[int, int]]] = {}  # the first tokens' offsets, as many as asked
        self._lang: str | None = None

    @property
    def lang(self) -> str:
        """The article language as given, else detected from its text."""
        if self._lang is None:
            given = (self.given_lang or "").lower()
            self._lang = text_analysis.LANGUAGE_ALIASES.get(given, given) or text_analysis.detect_language(
                f"{self.title_text}\n{self.text}"
            )
        return self._lang

    def hit_ids(self) -> set[int]:
        return self.hits["text"].keys() | self.hits["title"].keys()

    def position_set(self, side: str, word_id: int) -> frozenset[int]:
        key = (side, word_id)
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = frozenset(self.hits[side].get(word_id, ()))
        return found

    def char_spans(self, spans: list[Span], side: str = "text") -> list[tuple[int, int]]:
        """Character spans in the original text (or title) for token spans, merged and sorted."""
        spans = [span for span in spans if span[0] == side]
        if not spans:
            return []
        needed = 1 + max(last for _, _, last in spans)
        tokens = self._offsets.get(side)
        if tokens is None or len(tokens) < needed:
            text = self.text if side == "text" else self.title_text
            tokens = self._offsets[side] = offsets(text, self.words[side], needed)
        ranges = sorted((tokens[a][0], tokens[b][1]) for _, a, b in spans)
        merged: list[tuple[int, int]] = []
        for start, end in ranges:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged


class Rule:
    """A compiled query node."""

    def evaluate(self, view: ArticleView) -> bool:
        raise NotImplementedError

    def spans(self, view: ArticleView) -> Iterator[Span]:
        """Token spans of the positive words that occur (what a highlight shows)."""
        return iter(())

    def triggers(self, vocabulary: Vocabulary) -> frozenset[int] | None:
        """Word ids one of which must occur for this rule to hold; None when it can hold without any."""
        return None

    def labels(self, view: ArticleView) -> Iterator[str]:
        """Query text of the positive words and phrases that occur."""
        return iter(())

    def trigger_suffices(self) -> bool:
        """Whether the occurrence of any trigger alone makes this rule true."""
        return False


class TermRule(Rule):
    """A word (one id) or phrase (consecutive ids) in one field or in either."""

    __slots__ = ("_first", "_rest", "_sides", "field", "label", "word_ids")

    def __init__(self, word_ids: tuple[int, ...], field: str | None, label: str) -> None:
        self.word_ids = word_ids
        self.field = field
        self.label = label
        self._sides = SIDES_BY_FIELD[field]
        self._first = word_ids[0] if len(word_ids) == 1 else None
        self._rest = word_ids[1:]

    def occurrences(self, view: ArticleView, side: str) -> list[tuple[int, int]]:
        if side not in self._sides:
            return []
        hits = view.hits[side]
        first = hits.get(self.word_ids[0])
        if not first:
            return []
        if len(self.word_ids) == 1:
            return [(i, i) for i in first]
        if not all(word_id in hits for word_id in self.word_ids):
            return []
        following = [view.position_set(side, word_id) for word_id in self.word_ids[1:]]
        if not all(following):
            return []
        last = len(self.word_ids) - 1
        return [(i, i + last) for i in first if all(i + k in found for k, found in enumerate(following, 1))]

    # evaluate() runs for every candidate watch of every article: plain loops, no generators.
    def evaluate(self, view: ArticleView) -> bool:
        hits = view.hits
        first = self._first
        if first is not None:
            for side in self._sides:  # noqa: SIM110 (a loop is faster than any/all over a generator here)
                if first in hits[side]:
                    return True
            return False
        for side in self._sides:  # noqa: SIM110 (a loop is faster than any/all over a generator here)
            if self._phrase_occurs(view, side):
                return True
        return False

    def _phrase_occurs(self, view: ArticleView, side: str) -> bool:
        """`occurrences` for a phrase, stopping at the first (most phrases only need to be found once)."""
        hits = view.hits[side]
        starts = hits.get(self.word_ids[0])
        if not starts:
            return False
        rest = self._rest
        for word_id in rest:
            if word_id not in hits:
                return False
        if len(rest) == 1:
            second = view.position_set(side, rest[0])
            for i in starts:  # noqa: SIM110 (a loop is faster than any/all over a generator here)
                if i + 1 in second:
                    return True
            return False
        following = [view.position_set(side, word_id) for word_id in rest]
        return any(all(i + k in found for k, found in enumerate(following, 1)) for i in starts)

    def spans(self, view: ArticleView) -> Iterator[Span]:
        for side in SIDES_BY_FIELD[self.field]:
            for first, last in self.occurrences(view, side):
                yield side, first, last

    def triggers(self, vocabulary: Vocabulary) -> frozenset[int] | None:
        return frozenset({min(self.word_ids, key=vocabulary.cost)})

    def trigger_suffices(self) -> bool:
        return len(self.word_ids) == 1 and self.field is None

    def labels(self, view: ArticleView) -> Iterator[str]:
        if self.evaluate(view):
            yield self.label


class NearRule(Rule):
    """Any spelling on the left within `distance` words of any spelling on the right, in either order."""

    def __init__(self, left: tuple[TermRule, ...], right: tuple[TermRule, ...], distance: int) -> None:
        self.left = left
        self.right = right
        self.distance = distance

    def pairs(self, view: ArticleView, side: str) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
        lefts = [span for term in self.left for span in term.occurrences(view, side)]
        if not lefts:
            return
        rights = [span for term in self.right for span in term.occurrences(view, side)]
        gap = self.distance + 1
        for left in lefts:
            for right in rights:
                if 0 < right[0] - left[1] <= gap or 0 < left[0] - right[1] <= gap:
                    yield left, right

    def evaluate(self, view: ArticleView) -> bool:
        return any(next(self.pairs(view, side), None) for side in ("text", "title"))

    def spans(self, view: ArticleView) -> Iterator[Span]:
        for side in ("text", "title"):
            for left, right in self.pairs(view, side):
                yield side, *left
                yield side, *right

    def triggers(self, vocabulary: Vocabulary) -> frozenset[int] | None:
        options = [_union(term.triggers(vocabulary) for term in side) for side in (self.left, self.right)]
        return _cheapest(options, vocabulary)

    def labels(self, view: ArticleView) -> Iterator[str]:
        if self.evaluate(view):
            names = (" | ".join(term.label for term in side) for side in (self.left, self.right))
            yield f" NEAR/{self.distance} ".join(names)


class AndRule(Rule):
    def __init__(self, items: tuple[Rule, ...]) -> None:
        # Cheap, selective checks first: words before phrases before NEAR.
        self.items = tuple(sorted(items, key=lambda rule: _EVAL_ORDER.get(type(rule), 3)))

    def evaluate(self, view: ArticleView) -> bool:
        for item in self.items:  # noqa: SIM110 (a loop is faster than any/all over a generator here)
            if not item.evaluate(view):
                return False
        return True

    def spans(self, view: ArticleView) -> Iterator[Span]:
        for item in self.items:
            yield from item.spans(view)

    def triggers(self, vocabulary: Vocabulary) -> frozenset[int] | None:
        return _cheapest([item.triggers(vocabulary) for item in self.items], vocabulary)

    def labels(self, view: ArticleView) -> Iterator[str]:
        for item in self.items:
            yield from item.labels(view)


class OrRule(AndRule):
    def evaluate(self, view: ArticleView) -> bool:
        for item in self.items:  # noqa: SIM110 (a loop is faster than any/all over a generator here)
            if item.evaluate(view):
                return True
        return False

    def triggers(self, vocabulary: Vocabulary) -> frozenset[int] | None:
        return _union(item.triggers(vocabulary) for item in self.items)

    def trigger_suffices(self) -> bool:
        return all(item.trigger_suffices() for item in self.items)


class NotRule(Rule):
    def __init__(self, item: Rule) -> None:
        self.item = item

    def evaluate(self, view: ArticleView) -> bool:
        return not self.item.evaluate(view)


class FilterRule(Rule):
    """source:/lang: on the article's metadata."""

    def __init__(self, field: str, value: str, prefix: bool) -> None:
        self.field = field
        self.value = value.lower()
        if field == "lang":
            self.value = text_analysis.LANGUAGE_ALIASES.get(self.value, self.value)
        self.prefix = prefix

    def evaluate(self, view: ArticleView) -> bool:
        if self.field == "lang":
            actual = view.lang
            return actual.startswith(self.value) if self.prefix else actual == self.value
        source = (view.source or "").lower().removeprefix("www.")
        if not source:
            return False
        if self.prefix:
            return source.startswith(self.value)
        return (
            source == self.value or source.endswith("." + self.value) or source.startswith(self.value + ".")
        )


_EVAL_ORDER: dict[type, int] = {FilterRule: 0, TermRule: 1, NotRule: 2, OrRule: 2, AndRule: 2, NearRule: 4}


def _union(options: Iterator[frozenset[int] | None]) -> frozenset[int] | None:
    found: set[int] = set()
    for option in options:
        if option is None:
            return None
        found |= option
    return frozenset(found)


def _cheapest(options: list[frozenset[int] | None], vocabulary: Vocabulary) -> frozenset[int] | None:
    usable = [option for option in options if option is not None]
    if not usable:
        return None
    return min(usable, key=lambda option: sum(vocabulary.cost(word_id) for word_id in option))
