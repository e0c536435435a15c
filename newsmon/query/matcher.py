"""All active watches against one article in one pass.

Every watch is compiled into one shared `Vocabulary`; each watch is indexed under its triggers (word
ids one of which must occur for it to match). Matching an article reads it once (tokens -> query word
ids through a per-form cache), collects the watches whose triggers occurred and evaluates only those.
Triggers are first chosen by a guess (longer words are rarer), then by how often words occurred in the
articles read so far.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from newsmon.models import Article, Watch
from newsmon.query.compiler import MatchResult, compile_rule, normalise_aliases
from newsmon.query.parser import QuerySyntaxError
from newsmon.query.rules import AndRule, ArticleView, FilterRule, OrRule, Rule
from newsmon.query.vocabulary import OBSERVED_AFTER, Vocabulary

log = logging.getLogger(__name__)

# Bump when compiled matchers of an older release must not be reused.
MATCHER_FORMAT = "newsmon-matcher-1"
RETRIGGER_MAX_GAP = 50_000  # articles between trigger choices, at most


@dataclass(frozen=True, slots=True)
class WatchSpec:
    """What the matcher needs of a watch: its id, query and the metadata restrictions stored with it."""

    id: int
    query: str
    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


def watch_specs(watches: Iterable[tuple[int, str] | Watch]) -> list[WatchSpec]:
    """Active watches as specs: (id, query) pairs or `Watch` models (disabled ones are left out)."""
    specs: list[WatchSpec] = []
    for watch in watches:
        if isinstance(watch, Watch):
            if watch.enabled:
                specs.append(WatchSpec(watch.id, watch.query, tuple(watch.sources), tuple(watch.languages)))
        else:
            watch_id, query = watch
            specs.append(WatchSpec(int(watch_id), query))
    return specs


def matcher_version(specs: Iterable[WatchSpec], aliases: Mapping[str, str] | None = None) -> str:
    """A hash of the watch set and aliases: equal versions mean an existing matcher is still current."""
    payload = {
        "format": MATCHER_FORMAT,
        "watches": sorted([s.id, s.query, list(s.sources), list(s.languages)] for s in specs),
        "aliases": sorted((aliases or {}).items()),
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:16]


class WatchMatcher:
    """Compiled rule set of many watches. Build with `WatchMatcher.build`; then `match` per article."""

    def __init__(
        self, vocabulary: Vocabulary, rules: dict[int, Rule], errors: dict[int, str], version: str
    ) -> None:
        self.vocabulary = vocabulary
        self.rules = rules
        self.errors = errors
        self.version = version
        # Watches true whenever one of their triggers occurs (a word, or words ORed): no evaluation needed.
        self._sufficient = {watch_id for watch_id, rule in rules.items() if rule.trigger_suffices()}
        self._by_trigger = self._triggers()
        self._retrigger_at = OBSERVED_AFTER

    def _triggers(self) -> dict[int, list[int]]:
        """Each watch under its cheapest necessary words (any choice is correct; rarer ones are faster)."""
        by_trigger: dict[int, list[int]] = {}
        for watch_id, rule in self.rules.items():
            for word_id in rule.triggers(self.vocabulary) or ():
                by_trigger.setdefault(word_id, []).append(watch_id)
        return by_trigger

    def _learn(self) -> None:
        """Once enough articles were read, and again at growing intervals, choose triggers by how often
        words actually occur: fewer watches are evaluated in vain."""
        if self.vocabulary.articles_read >= self._retrigger_at:
            self._retrigger_at = min(self._retrigger_at * 4, self._retrigger_at + RETRIGGER_MAX_GAP)
            self._by_trigger = self._triggers()

    @classmethod
    def build(
        cls,
        watches: Iterable[tuple[int, str] | Watch],
        aliases: Mapping[str, str] | None = None,
        *,
        prefilter: bool = True,
    ) -> WatchMatcher:
        """Compile every active watch; a watch whose query is invalid is skipped and its error kept.

        `prefilter=False` analyses every text word instead of only those that could match (for checks)."""
        book = normalise_aliases(aliases)
        specs = watch_specs(watches)
        vocabulary = Vocabulary(prefilter=prefilter)
        rules: dict[int, Rule] = {}
        errors: dict[int, str] = {}
        for spec in specs:
            if spec.id in rules or spec.id in errors:
                errors[spec.id] = f"watch id {spec.id} appears more than once; only the first is used"
                continue
            try:
                rules[spec.id] = _restricted(compile_rule(spec.query, vocabulary, book)[1], spec)
            except QuerySyntaxError as exc:
                errors[spec.id] = str(exc)
            except Exception as exc:  # one broken watch must not stop the others
                log.exception("watch %d: query %r could not be compiled", spec.id, spec.query)
                errors[spec.id] = f"{type(exc).__name__}: {exc}"
        if errors:
            log.warning("%d of %d watches have invalid queries: %s", len(errors), len(specs), sorted(errors))
        return cls(vocabulary, rules, errors, matcher_version(specs, book))

    def __len__(self) -> int:
        return len(self.rules)

    def match(
        self, text: str, *, lang: str | None = None, title: str | None = None, source: str | None = None
    ) -> dict[int, MatchResult]:
        """Watch id -> what matched, for every watch the article (body, title, source name) satisfies."""
        view = ArticleView(self.vocabulary, text, lang=lang, title=title, source=source)
        hit_ids = view.hit_ids()
        self.vocabulary.observe(hit_ids)
        self._learn()
        candidates: set[int] = set()
        by_trigger = self._by_trigger
        for word_id in hit_ids:
            found = by_trigger.get(word_id)
            if found:
                candidates.update(found)
        results: dict[int, MatchResult] = {}
        rules, sufficient = self.rules, self._sufficient
        for watch_id in sorted(candidates):
            rule = rules[watch_id]
            if watch_id in sufficient or rule.evaluate(view):
                results[watch_id] = MatchResult(rule, view)
        return results

    def match_article(self, article: Article) -> dict[int, MatchResult]:
        """`match` for an extracted article (its text, title, language and source)."""
        return self.match(article.text, lang=article.language, title=article.title, source=article.source)


def _restricted(rule: Rule, spec: WatchSpec) -> Rule:
    """The watch's own source and language lists, ANDed to its query."""
    extra: list[Rule] = []
    for field, values in (("source", spec.sources), ("lang", spec.languages)):
        if values:
            filters = tuple(FilterRule(field, value, prefix=False) for value in values)
            extra.append(filters[0] if len(filters) == 1 else OrRule(filters))
    return AndRule((rule, *extra)) if extra else rule
