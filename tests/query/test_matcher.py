"""Many watches against one article at once: what the alert worker relies on."""

from __future__ import annotations

from newsmon.models import Article, Watch
from newsmon.query import WatchMatcher, compile_query
from tests.conftest import FIXTURES, SAMPLES

KK_ARTICLE = (FIXTURES / "query" / "kk-peace-project.txt").read_text(encoding="utf-8")
RU_ARTICLE = (SAMPLES / "zhambyl-conference.ru.txt").read_text(encoding="utf-8")

WATCHES = [
    (1, "«Бейбітшілік пен келісім»"),
    (2, '"Жамбылская область" NEAR/5 аким'),
    (3, "Тараз -футбол"),
    (4, "Мексика"),
    (5, "ағаш"),
    (6, "title:Жамбыл"),
    (7, "Мерке* lang:kk"),
    (8, "=Тараз"),
    (9, "@zhambyl"),
    (10, "Сапарбаев OR Токаев"),
    (11, '"Бейбітшілік келісім"'),
]
ALIASES = {"zhambyl": "Жамбыл | Jambyl | Zhambyl | Жамбылская"}


def test_each_article_matches_the_right_watches():
    matcher = WatchMatcher.build(WATCHES, aliases=ALIASES)
    assert sorted(matcher.match(RU_ARTICLE, lang="ru")) == [1, 2, 3, 8, 9, 10]
    assert sorted(matcher.match(KK_ARTICLE, lang="kk", title="Жамбыл облысы")) == [1, 3, 5, 6, 7, 8, 9]


def test_the_matcher_agrees_with_single_queries():
    matcher = WatchMatcher.build(WATCHES, aliases=ALIASES)
    for text, lang in ((RU_ARTICLE, "ru"), (KK_ARTICLE, "kk"), (KK_ARTICLE, None)):
        found = matcher.match(text, lang=lang)
        for watch_id, query in WATCHES:
            expected = compile_query(query, aliases=ALIASES).match(text, lang)
            assert found.get(watch_id) == expected, (watch_id, query, lang)


def test_results_carry_terms_and_spans_in_the_original_text():
    matcher = WatchMatcher.build([(1, '"Бейбітшілік пен келісім" OR Шу')])
    result = matcher.match(KK_ARTICLE)[1]
    assert result.terms == ('"Бейбітшілік пен келісім"', "Шу")
    assert [KK_ARTICLE[s:e] for s, e in result.spans] == [
        "Бейбітшілік пен келісімге",
        "Бейбітшілік пен келісім",
        "Шу",
    ]


def test_title_matches_are_reported_with_title_spans():
    title = "Новости Жамбылской области"
    result = WatchMatcher.build([(6, "title:Жамбылская")]).match("Текст без названия", title=title)[6]
    assert result.spans == ()
    assert [title[s:e] for s, e in result.title_spans] == ["Жамбылской"]


def test_invalid_watches_are_skipped_and_reported_while_the_others_work():
    matcher = WatchMatcher.build(
        [(1, "(Тараз OR Шу"), (2, "NOT Тараз"), (3, "Тараз"), (4, "@nobody"), (3, "Шу")]
    )
    assert set(matcher.errors) == {1, 2, 3, 4}
    assert matcher.errors[1].startswith('expected ")" at 12')
    assert "at least one positive term" in matcher.errors[2]
    assert "appears more than once" in matcher.errors[3]
    assert "unknown alias @nobody" in matcher.errors[4]
    assert list(matcher.match(RU_ARTICLE)) == [3]


def test_watch_models_disabled_ones_and_their_source_and_language_lists():
    watches = [
        Watch(id=1, name="Taraz", query="Тараз"),
        Watch(id=2, name="off", query="Тараз", enabled=False),
        Watch(id=3, name="zakon only", query="Тараз", sources=("zakon.kz",)),
        Watch(id=4, name="Kazakh only", query="Тараз", languages=("kk",)),
    ]
    matcher = WatchMatcher.build(watches)
    assert len(matcher) == 3
    article = Article(url="https://www.zakon.kz/1", text=RU_ARTICLE, language="ru", source="zakon.kz")
    assert sorted(matcher.match_article(article)) == [1, 3]
    assert sorted(matcher.match(KK_ARTICLE, lang="kk", source="inform.kz")) == [1, 4]


def test_version_tells_when_to_rebuild():
    first = WatchMatcher.build([(1, "Тараз"), (2, "Шу")])
    same = WatchMatcher.build([(2, "Шу"), (1, "Тараз")])
    changed = WatchMatcher.build([(1, "Тараз"), (2, "Мерке")])
    new_alias = WatchMatcher.build([(1, "Тараз"), (2, "Шу")], aliases={"a": "Тараз"})
    assert first.version == same.version
    assert len({first.version, changed.version, new_alias.version}) == 3


def test_words_shared_by_many_watches_are_registered_once():
    matcher = WatchMatcher.build([(i, "Тараз Шу") for i in range(1, 51)])
    assert len(matcher.vocabulary) == 2
    assert len(matcher.match("Тараз и Шу")) == 50


def test_skipping_words_no_watch_can_match_changes_no_result():
    queries = [
        "человек",
        "день",
        "отец",
        "Сапарбаев",
        "облыс",
        "кітап",
        "Мерке",
        "Jambyl",
        "хороший",
        '"Жамбылская область"',
        "жер",
        "идти",
    ]
    watches = list(enumerate(queries, start=1))
    texts = [
        RU_ARTICLE,
        KK_ARTICLE,
        "Люди шли два дня; отца нет. Лучше кітабы. Сапарбаевым, Меркеде",
        "Jambyl oblysy",
    ]
    filtered = WatchMatcher.build(watches)
    unfiltered = WatchMatcher.build(watches, prefilter=False)
    for text in texts:
        for lang in (None, "ru", "kk"):
            assert filtered.match(text, lang=lang) == unfiltered.match(text, lang=lang)
    assert sorted(filtered.match(texts[2])) == [1, 2, 3, 4, 6, 7, 9, 12]


def test_triggers_learned_from_the_articles_read_change_no_result(monkeypatch):
    import newsmon.query.matcher as matcher_module
    import newsmon.query.vocabulary as vocabulary_module

    monkeypatch.setattr(matcher_module, "OBSERVED_AFTER", 3)
    monkeypatch.setattr(vocabulary_module, "OBSERVED_AFTER", 3)
    # Guessed from length, «бейбітшілік» looks rarer than «Мексика»; the articles read say otherwise.
    watches = [*WATCHES, (12, "«Бейбітшілік пен келісім» Мексика"), (13, "Бейбітшілік OR Сапарбаев")]
    learning = WatchMatcher.build(watches, aliases=ALIASES)
    guessed = learning._by_trigger
    articles = [(RU_ARTICLE, "ru"), (KK_ARTICLE, "kk"), (KK_ARTICLE, None)] * 3
    before = [sorted(learning.match(text, lang=lang)) for text, lang in articles]
    after = [sorted(learning.match(text, lang=lang)) for text, lang in articles]

    assert learning.vocabulary.articles_read == 18
    assert learning._by_trigger != guessed  # chosen again from how often words occurred
    assert (
        after
        == before
        == [sorted(WatchMatcher.build(watches, aliases=ALIASES).match(t, lang=la)) for t, la in articles]
    )


def test_an_article_in_a_language_without_rules_is_matched_as_plain_words():
    """An article's own language code may be any ("de", "uk"); it is read without Russian or Kazakh rules."""
    matcher = WatchMatcher.build([(1, "Taraz"), (2, "Тараз")])
    german = Article(
        url="https://dw.com/de/taraz", text="Die Stadt Taraz feiert ihr Jubiläum.", language="de"
    )
    ukrainian = Article(url="https://unian.ua/taraz", text="Місто Тараз святкує ювілей.", language="uk")

    assert sorted(matcher.match_article(german)) == [1]
    assert sorted(matcher.match_article(ukrainian)) == [1, 2]  # Latin «Taraz» reads Тараз too
