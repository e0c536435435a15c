"""Highlighted snippets: text escaped first, <mark> added after, so scraped text never becomes markup."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from newsmon.api.markup import highlighted_snippet, mark_spans, snippet_with_spans
from newsmon.api.searching import split_marked


def test_marks_go_around_spans_of_escaped_text() -> None:
    text = 'Тараз <b onclick="x()">школа</b> & Жайлау'
    html = str(mark_spans(text, [(0, 5), (23, 28)]))
    assert (
        html == "<mark>Тараз</mark> &lt;b onclick=&#34;x()&#34;&gt;<mark>школа</mark>&lt;/b&gt; &amp; Жайлау"
    )


def test_overlapping_and_out_of_range_spans_are_tolerated() -> None:
    assert (
        str(mark_spans("абвгд", [(3, 9), (1, 4), (-5, 1), (7, 8)]))
        == "<mark>а</mark><mark>бвг</mark><mark>д</mark>"
    )


def test_snippet_window_keeps_the_spans_aligned() -> None:
    text = "Вступление. " * 40 + "Аким Тараза открыл школу." + " Продолжение." * 40
    start = text.index("Тараза")
    snippet, spans = snippet_with_spans(text, [(start, start + 6)], width=120)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert [snippet[s:e] for s, e in spans] == ["Тараза"]
    assert "<mark>Тараза</mark>" in str(highlighted_snippet(text, [(start, start + 6)], width=120))


def test_marked_snippets_from_search_split_into_text_and_spans() -> None:
    assert split_marked("В «[[Таразе]]» открыли «[[школу]]»") == (
        "В Таразе открыли школу",
        [(2, 8), (17, 22)],
    )
    assert split_marked("без отметок «[[ незакрытая") == ("без отметок «[[ незакрытая", [])


def test_an_inverted_span_marks_nothing_and_loses_nothing() -> None:
    assert str(mark_spans("000", [(2, 1)])) == "000"
    assert str(mark_spans("Тараз", [(3, 3), (1, 0), (0, 2)])) == "<mark>Та</mark>раз"


@given(
    text=st.text(max_size=200),
    spans=st.lists(st.tuples(st.integers(-5, 220), st.integers(-5, 220)), max_size=6),
)
def test_no_tag_but_mark_ever_comes_out(text: str, spans: list[tuple[int, int]]) -> None:
    html = str(mark_spans(text, spans))
    assert re.sub(r"</?mark>", "", html).count("<") == 0
    unescaped = re.sub(r"</?mark>", "", html)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&#34;", '"'), ("&#39;", "'"), ("&amp;", "&")):
        unescaped = unescaped.replace(entity, char)
    assert unescaped == text
