"""The matcher's fast reading of words must split text exactly as newsmon.text.tokenize does."""

from __future__ import annotations

import gzip
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsmon.query.reading import offsets, surfaces
from newsmon.text import tokenize
from newsmon.text.tokens import norm_of
from tests.conftest import DATASETS, FIXTURES, SAMPLES

TRICKY = [
    "Нур-Султан, Қазақстан-2050 и O’Neil; &laquo;Тараз&raquo; &#1058;",
    "Та\u00adраз\u200b, Жам-\nбыл — «Бейбітшілік пен келісімге»",
    "Тaрaз oблысы Jambyl oblysynyń 12:30 4%",
    "",
    "   \n\t",
]


def _texts() -> list[str]:
    texts = [*TRICKY, (SAMPLES / "zhambyl-conference.ru.txt").read_text(encoding="utf-8")]
    texts += [path.read_text(encoding="utf-8") for path in sorted((FIXTURES / "query").glob("*.txt"))]
    with gzip.open(DATASETS / "kazakh" / "kaznerd_test_sentences.jsonl.gz", "rt", encoding="utf-8") as lines:
        texts += [json.loads(line)["text"] for _, line in zip(range(300), lines, strict=False)]
    return texts


@pytest.mark.parametrize("text", _texts())
def test_fast_reading_agrees_with_tokenize(text):
    tokens = tokenize(text)
    assert [t.surface for t in tokens] == [s for s in surfaces(text) if norm_of(s)]
    assert offsets(text) == [(t.start, t.end) for t in tokens]


@pytest.mark.parametrize("text", _texts())
def test_offsets_found_from_read_words_agree(text):
    """Search and alerts find a match's offsets from the words already read, and only as many as needed."""
    words, every = surfaces(text), offsets(text)
    assert offsets(text, words) == every
    for count in (0, 1, len(every) // 2, len(every), len(every) + 3):
        assert offsets(text, words, count) == every[:count]


@given(st.text(alphabet="аәқTaраз-’'\u0301\u00ad\u200b&#;1x .\n«»", max_size=60))
def test_offsets_agree_on_any_mix_of_letters_marks_joiners_and_entities(text):
    expected = [(t.start, t.end) for t in tokenize(text)]
    assert offsets(text) == expected
    assert offsets(text, surfaces(text)) == expected
    assert offsets(text, surfaces(text), 2) == expected[:2]
