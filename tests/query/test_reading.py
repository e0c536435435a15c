"""The matcher's fast reading of words must split text exactly as newsmon.text.tokenize does."""

from __future__ import annotations

import gzip
import json

import pytest

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
