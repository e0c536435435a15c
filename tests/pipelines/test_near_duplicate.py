"""Near-duplicate engine: copies join, template announcements stay apart, windows, persistence, Redis."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.near_duplicate import (
    Fingerprint,
    MemoryIndex,
    NearDuplicateDetector,
    RedisIndex,
    fingerprint,
)
from pipelines.near_duplicate import index as index_module
from pipelines.near_duplicate.index import MAX_CANDIDATES
from tests.conftest import FIXTURES, SAMPLES

ARTICLES = [
    json.loads(line)
    for line in (FIXTURES / "dedupe" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
]
DAY = datetime(2024, 3, 12, 9, 0, tzinfo=UTC)


def sample_text() -> str:
    paragraphs = [
        p for p in (SAMPLES / "zhambyl-conference.ru.txt").read_text(encoding="utf-8").split("\n\n")
    ]
    return "\n\n".join(p for p in paragraphs[3:] if p.strip())


def syndicated(text: str) -> str:
    """A regional paper's copy: its own header and footer, cut to 60%, Latin look-alikes in some words."""
    cut = text[: int(len(text) * 0.6)].rsplit(".", 1)[0] + "."
    cut = cut.replace("Таразе", "Тapaзe").replace("конференция", "кoнфeренция")
    return f"ТАРАЗ. 13.03.2024. КАЗИНФОРМ –\n\n{cut}\n\nПодписывайтесь на наш Telegram-канал."


def detector_with(items: dict[str, Fingerprint], **options: object) -> NearDuplicateDetector:
    index = MemoryIndex()
    for key, fp in items.items():
        index.add(key, fp)
    return NearDuplicateDetector(index, **options)  # type: ignore[arg-type]


def test_syndicated_copy_joins_its_original():
    original = fingerprint(sample_text(), title="Зарубежные эксперты предлагают...", published=DAY)
    detector = detector_with({"101": original})

    copy = fingerprint(
        syndicated(sample_text()), title="Опыт региона оценили", published=DAY + timedelta(days=1)
    )
    verdict = detector.find(copy)

    assert verdict is not None
    assert (verdict.key, verdict.reason) == ("101", "near_duplicate")
    assert verdict.score >= 0.5


def test_identical_text_is_an_exact_copy():
    text = sample_text()
    detector = detector_with({"1": fingerprint(text, published=DAY)})

    verdict = detector.find(fingerprint(" ".join(text.split()).replace("«", '"'), published=DAY))

    assert verdict is not None and verdict.reason == "exact" and verdict.score == 1.0


def test_a_word_typed_wholly_in_latin_look_alikes_reads_as_cyrillic_only_in_cyrillic_text():
    cyrillic = "В ТАРАЗЕ прошёл ОБЛАСТНОЙ СОВЕТ ветеранов, на нём выступил аким."
    typed = cyrillic.replace("СОВЕТ", "COBET")  # C, O, B, E, T in Latin

    assert fingerprint(typed).content_hash == fingerprint(cyrillic).content_hash
    english = "The COBET brand opened a shop in Taraz this week."
    assert fingerprint(english).content_hash != fingerprint(english.replace("COBET", "СОВЕТ")).content_hash


def test_kazakh_copy_with_russian_letters_joins():
    original = next(a for a in ARTICLES if a["lang"] == "kk" and a["kind"] == "original")
    text = original["text"]
    retyped = text.translate(str.maketrans("қүұіңғөә", "куyiнгоа"))
    detector = detector_with({"kk": fingerprint(text, lang="kk")})

    verdict = detector.find(fingerprint("Ақ жол газеті\n\n" + retyped, lang="kk"))

    assert verdict is not None and verdict.key == "kk"


@pytest.mark.parametrize(
    "family", ["ru-road-accidents", "ru-reception-notice", "kk-reception-notice", "ru-weather"]
)
def test_template_announcements_with_other_facts_stay_apart(family: str):
    instances = [a for a in ARTICLES if a["kind"] == f"template:{family}"]
    assert len(instances) >= 5
    first, others = instances[0], instances[1:]
    detector = detector_with({first["id"]: fingerprint(first["text"])})

    for other in others:
        assert detector.find(fingerprint(other["text"])) is None, other["id"]


def test_follow_up_repeating_the_lead_is_a_new_story():
    follow_ups = [a for a in ARTICLES if a["kind"] == "follow-up"]
    follow_up_stories = {f["story"] for f in follow_ups}
    index = MemoryIndex()
    for article in ARTICLES:
        if article["story"] not in follow_up_stories:
            index.add(article["id"], fingerprint(article["text"]))
    detector = NearDuplicateDetector(index)

    wrongly_joined = [f["id"] for f in follow_ups if detector.find(fingerprint(f["text"])) is not None]

    # A follow-up whose repeated lead is more than half of it is borderline; most must stay apart.
    assert len(wrongly_joined) <= len(follow_ups) // 8, wrongly_joined


def test_window_is_measured_between_publication_times():
    text = sample_text()
    archive_day = datetime(2015, 6, 1, 8, tzinfo=UTC)
    detector = detector_with({"old": fingerprint(text, published=archive_day)}, window_days=30)

    assert detector.find(fingerprint(syndicated(text), published=archive_day + timedelta(days=3))) is not None
    assert detector.find(fingerprint(syndicated(text), published=archive_day + timedelta(days=45))) is None
    assert detector.find(fingerprint(syndicated(text), published=None)) is not None


def test_fingerprint_is_deterministic_and_serialisable():
    first = fingerprint(sample_text(), lang="ru", published=DAY)
    again = fingerprint(sample_text(), lang="ru", published=DAY)

    assert first == again
    assert Fingerprint.from_dict(json.loads(json.dumps(first.to_dict()))) == first
    assert first.signature == again.signature
    with pytest.raises(ValueError, match="malformed fingerprint"):
        Fingerprint.from_dict({"content_hash": "x"})


def test_short_body_falls_back_on_title():
    fp = fingerprint("Фото", title="Аким Жамбылской области встретился с ветеранами")

    assert fp.words > 1 and fp.shingles > 0


def test_memory_index_survives_save_and_load(tmp_path: Path):
    fps = {a["id"]: fingerprint(a["text"]) for a in ARTICLES[:60]}
    index = MemoryIndex()
    for key, fp in fps.items():
        index.add(key, fp)
    index.remove(ARTICLES[0]["id"])
    path = tmp_path / "neardup.npz"

    index.save(path)
    loaded = MemoryIndex.load(path)

    assert len(loaded) == len(fps) - 1
    for key, fp in list(fps.items())[1:]:
        before = [(c.key, c.jaccard, c.features) for c in index.query(fp)]
        assert [(c.key, c.jaccard, c.features) for c in loaded.query(fp)] == before
        assert key in {c.key for c in loaded.query(fp)}


def test_a_crawl_sized_index_answers_alike_before_and_after_merging_and_skips_removed_copies(tmp_path: Path):
    """Over a thousand articles: new ones wait in a pending area, then join the sorted arrays. A removed
    copy must not take one of the MAX_CANDIDATES places a live copy would have."""
    base = sample_text()
    copies = {f"copy-{n}": fingerprint(f"{base}\n\nДополнение номер {n}.") for n in range(80)}
    others = {a["id"]: fingerprint(a["text"]) for a in ARTICLES}
    index = MemoryIndex()
    for n in range(1100 - len(copies) - len(others)):  # filler articles, to pass the merge point
        index.add(f"filler-{n}", fingerprint(f"{ARTICLES[n % len(ARTICLES)]['text']} Выпуск {n}, {n * 7}."))
    for key, fp in {**others, **copies}.items():
        index.add(key, fp)
    removed = [f"copy-{n}" for n in range(0, 80, 5)]
    for key in removed:
        index.remove(key)
    query = fingerprint(f"{base}\n\nДополнение номер 1000.")

    found = index.query(query)

    assert len(found) == MAX_CANDIDATES
    assert not {c.key for c in found} & set(removed)
    index.save(tmp_path / "index.npz")  # everything merged
    loaded = MemoryIndex.load(tmp_path / "index.npz")
    for fp in (query, *list(others.values())[:20]):
        assert [(c.key, c.jaccard) for c in loaded.query(fp)] == [(c.key, c.jaccard) for c in index.query(fp)]


def test_removed_rows_are_compacted_away_with_the_same_answers(monkeypatch: pytest.MonkeyPatch):
    """A long-running index that keeps removing (new versions, a sliding window) must not keep every removed
    row: once they outnumber the live ones they go, and the answers are those of an index of the live ones."""
    monkeypatch.setattr(index_module, "_MERGE_AT", 64)
    base = sample_text()
    items = {f"copy-{n}": fingerprint(f"{base}\n\nДополнение номер {n}.") for n in range(100)}
    items |= {f"other-{n}": fingerprint(f"{a['text']} Выпуск {n}.") for n, a in enumerate(ARTICLES)}
    index = MemoryIndex()
    for key, fp in items.items():
        index.add(key, fp)
    full = index.nbytes()
    keys = list(items)
    removed = keys[::2] + keys[1:60:2]
    for key in removed:
        index.remove(key)
    live = {key: fp for key, fp in items.items() if key not in removed}
    fresh = MemoryIndex()
    for key, fp in live.items():
        fresh.add(key, fp)

    for fp in [fingerprint(f"{base}\n\nДополнение номер 1000."), *list(live.values())[::7]]:
        assert [(c.key, c.jaccard) for c in index.query(fp)] == [(c.key, c.jaccard) for c in fresh.query(fp)]
    assert len(index) == len(live)
    assert index.nbytes() < full * 0.75


def test_a_bulk_load_that_replaces_most_rows_compacts_after_it_merges(monkeypatch: pytest.MonkeyPatch):
    """Reloading articles in bulk removes their old rows as it goes; compacting in the middle would renumber
    the rows it has appended but not yet merged."""
    import numpy as np

    from pipelines.near_duplicate.features import Features

    monkeypatch.setattr(index_module, "_MERGE_AT", 64)
    items = {f"a-{n}": fingerprint(f"{a['text']} Выпуск {n}.") for n, a in enumerate(ARTICLES[:200])}
    keys = list(items)

    def load(index: MemoryIndex, chosen: list[str]) -> None:
        values = np.stack([items[key].hashvalues for key in chosen])
        index.add_sketches(chosen, values, [Features.of(items[key]) for key in chosen])

    index, fresh = MemoryIndex(), MemoryIndex()
    load(index, keys)
    for key in keys[:90]:
        index.remove(key)
    load(index, keys[90:])  # every one replaced: removed rows come to outnumber the live ones mid-load
    load(fresh, keys[90:])

    for key in keys[90::9]:
        assert [(c.key, c.jaccard) for c in index.query(items[key])] == [
            (c.key, c.jaccard) for c in fresh.query(items[key])
        ]
    assert len(index) == 110


def test_loading_something_else_says_so(tmp_path: Path):
    path = tmp_path / "junk.npz"
    path.write_bytes(b"not an index")

    with pytest.raises(ValueError, match="not a near-duplicate index"):
        MemoryIndex.load(path)


def test_rebuild_remove_and_prune():
    old = fingerprint(sample_text(), published=DAY - timedelta(days=400))
    new = fingerprint(syndicated(sample_text()), published=DAY)
    index = MemoryIndex()
    index.rebuild([("old", old), ("new", new)])

    assert {c.key for c in index.query(new)} == {"old", "new"}
    assert index.prune(DAY - timedelta(days=30)) == 1
    assert {c.key for c in index.query(new)} == {"new"}
    index.remove("new")
    assert index.query(new) == []


@pytest.mark.redis
def test_redis_index_is_shared_between_workers(redis_url: str):
    worker_a = RedisIndex(redis_url, prefix="t:neardup", ttl_seconds=3600)
    worker_b = RedisIndex(redis_url, prefix="t:neardup", ttl_seconds=3600)
    original = fingerprint(sample_text(), published=DAY)
    worker_a.add("101", original)

    verdict = NearDuplicateDetector(worker_b).find(fingerprint(syndicated(sample_text()), published=DAY))

    assert verdict is not None and verdict.key == "101"
    assert [c.features for c in worker_b.query(original)] == [c.features for c in worker_a.query(original)]
    worker_b.remove("101")
    assert worker_a.query(original) == []
    worker_a.close()
    worker_b.close()


@pytest.mark.redis
def test_redis_index_stores_json_with_expiry_and_prunes(redis_url: str):
    import redis

    index = RedisIndex(redis_url, prefix="t:neardup", ttl_seconds=600)
    index.add("old", fingerprint(sample_text(), published=DAY - timedelta(days=90)))
    index.add("new", fingerprint(syndicated(sample_text()), published=DAY))
    client = redis.Redis.from_url(redis_url, decode_responses=True)

    doc = json.loads(client.get("t:neardup:doc:new"))
    assert set(doc) == {"k", "f", "b"}
    assert 0 < client.ttl("t:neardup:doc:new") <= 600
    assert index.prune(DAY - timedelta(days=30)) == 1
    assert client.get("t:neardup:doc:old") is None
    assert [c.key for c in index.query(fingerprint(sample_text()))] == ["new"]
    client.close()
    index.close()


def test_find_all_lists_every_verified_copy_best_first():
    text = sample_text()
    detector = detector_with(
        {
            "copy-a": fingerprint(syndicated(text), published=DAY),
            "copy-b": fingerprint("Новости Жамбылской области\n\n" + text, published=DAY),
            "other": fingerprint(ARTICLES[0]["text"], published=DAY),
        }
    )

    verdicts = detector.find_all(fingerprint(text, published=DAY))

    assert [v.key for v in verdicts] == ["copy-b", "copy-a"]
    assert verdicts[0].score >= verdicts[1].score
