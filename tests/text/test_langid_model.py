"""The language model mapped from the cache answers as py3langid's own, is written once, and falls back."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from newsmon.text.langid_model import load_identifier
from tests.conftest import SAMPLES

TEXTS = [
    (SAMPLES / "zhambyl-conference.ru.txt").read_text(encoding="utf-8")[:2000],
    "Тараз қаласының әкімі шаруалармен кездесті.",
    "The akim of Taraz met farmers on Tuesday.",
    "Аким Тараза встретился с фермерами.",
    "Жамбыл облысы",
    "",
]


@pytest.fixture(scope="module")
def reference() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def test_mapped_model_ranks_as_the_packaged_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: LanguageIdentifier
) -> None:
    monkeypatch.setenv("NEWSMON_CACHE_DIR", str(tmp_path))
    mapped = load_identifier()
    assert isinstance(mapped.tk_nextmove, memoryview)  # mapped, not unpacked
    for text in TEXTS:
        assert mapped.rank(text) == reference.rank(text)
        assert mapped.classify(text)[0] == reference.classify(text)[0]


def test_model_is_written_once_and_then_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMON_CACHE_DIR", str(tmp_path))
    load_identifier()
    (directory,) = tmp_path.glob("langid-*")
    written = {path.name: path.stat().st_mtime_ns for path in directory.iterdir()}
    assert set(written) == {"ptc.npy", "pc.npy", "nextmove.npy", "row.npy", "output.npy", "classes.txt"}
    assert load_identifier().classify(TEXTS[1])[0] == "kk"
    assert {path.name: path.stat().st_mtime_ns for path in directory.iterdir()} == written
    assert [path.name for path in tmp_path.iterdir()] == [directory.name]  # no staging left behind


def test_an_incomplete_copy_is_written_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMON_CACHE_DIR", str(tmp_path))
    load_identifier()
    (directory,) = tmp_path.glob("langid-*")
    (directory / "classes.txt").unlink()
    (directory / "ptc.npy").write_bytes(b"truncated")
    identifier = load_identifier()
    assert isinstance(identifier.tk_nextmove, memoryview)
    assert identifier.classify(TEXTS[3])[0] == "ru"


def test_a_damaged_copy_falls_back_to_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("NEWSMON_CACHE_DIR", str(tmp_path))
    load_identifier()
    (directory,) = tmp_path.glob("langid-*")
    (directory / "ptc.npy").write_bytes(b"truncated")
    with caplog.at_level(logging.WARNING, logger="newsmon.text.langid_model"):
        identifier = load_identifier()
    assert identifier.classify(TEXTS[1])[0] == "kk"
    assert "language model kept in memory" in caplog.text


def test_unwritable_cache_keeps_the_model_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("NEWSMON_CACHE_DIR", str(blocker / "cache"))
    with caplog.at_level(logging.WARNING, logger="newsmon.text.langid_model"):
        identifier = load_identifier()
    assert not isinstance(identifier.tk_nextmove, memoryview)
    assert identifier.classify(TEXTS[1])[0] == "kk"
    assert "language model kept in memory" in caplog.text
    assert str(blocker / "cache") in caplog.text
