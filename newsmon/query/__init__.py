"""The query language shared by alerts and search: parse -> compile -> match, highlight.

    from newsmon.query import compile_query, WatchMatcher
    query = compile_query('@zhambyl NEAR/3 аким -спорт', aliases={"zhambyl": "Жамбыл | Jambyl | Zhambyl"})
    query.matches(text, "ru")            # bool
    query.highlight(text)                # [(start, end), ...] in the text as given
    matcher = WatchMatcher.build([(1, "Тараз"), (2, '"Бейбітшілік пен келісім"')])
    matcher.match(text, lang="kk")       # {watch_id: MatchResult}

The syntax tree (`nodes`) is public for search backends: `parse_query` + `walk`/`format_query`.
docs/query-language.md describes the language for the people who write queries.
"""

from newsmon.query.compiler import MatchResult, Query, compile_query, expand_aliases
from newsmon.query.highlight import highlight_snippet, snippet_with_spans, split_marked
from newsmon.query.matcher import WatchMatcher, WatchSpec, matcher_version, watch_specs
from newsmon.query.nodes import (
    FIELDS,
    AliasRef,
    And,
    Filter,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Word,
    format_query,
    positive_leaves,
    walk,
)
from newsmon.query.parser import QuerySyntaxError, parse_alias_definitions, parse_query

__all__ = [
    "FIELDS",
    "AliasRef",
    "And",
    "Filter",
    "MatchResult",
    "Near",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Query",
    "QuerySyntaxError",
    "WatchMatcher",
    "WatchSpec",
    "Word",
    "compile_query",
    "expand_aliases",
    "format_query",
    "highlight_snippet",
    "matcher_version",
    "parse_alias_definitions",
    "parse_query",
    "positive_leaves",
    "snippet_with_spans",
    "split_marked",
    "walk",
    "watch_specs",
]
