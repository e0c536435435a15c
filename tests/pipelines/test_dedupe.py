"""Dedupe decisions on real storage: known URLs, versions, exact copies, translations, near-duplicates, merges."""

from __future__ import annotations

from newsmon.models import Article
from pipelines.dedupe import is_material_change, translation_urls
from tests.pipelines.conftest import Stages, article, sentences

KAZAKH = (
    "Тараз қаласында «Бейбітшілік пен келісім» жобасы бойынша халықаралық конференция өтті. Шетелдік "
    "сарапшылар Жамбыл облысының тәжірибесін басқа өңірлерге таратуды ұсынды. Конференцияға ғалымдар, "
    "қоғам қайраткерлері және этномәдени бірлестіктердің өкілдері қатысты."
)


def test_a_known_url_with_the_same_text_is_not_stored_again(stages: Stages, conference_text: str) -> None:
    _, first = stages.store(article("https://ztgzt.kz/news/conference/", conference_text))

    again = stages.decide(article("https://www.ztgzt.kz/news/conference?utm_source=tg", conference_text))

    assert first.outcome == "new"
    assert again.reason == "known_url"
    assert stages.repo.count_articles() == 1


def test_an_exact_copy_on_another_portal_joins_the_story(stages: Stages, conference_text: str) -> None:
    _, original = stages.store(article("https://ztgzt.kz/news/conference", conference_text))

    decision, copy = stages.store(
        article("https://inform.kz/ru/conference", conference_text, title="Другой заголовок")
    )

    assert decision.reason == "exact_copy"
    assert copy.outcome == "copy" and copy.story_id == original.story_id


def test_a_near_duplicate_joins_the_story(stages: Stages, conference_text: str) -> None:
    _, original = stages.store(article("https://ztgzt.kz/news/conference", conference_text))
    reprint = "Источник: пресс-служба акимата Жамбылской области.\n" + " ".join(
        sentences(conference_text)[:-2]
    )

    decision, copy = stages.store(article("https://aqjolgazet.kz/2025/02/conference", reprint))

    assert decision.reason == "near_duplicate" and decision.score is not None
    assert copy.story_id == original.story_id


def test_an_unrelated_article_starts_a_story(stages: Stages, conference_text: str) -> None:
    _, original = stages.store(article("https://ztgzt.kz/news/conference", conference_text))

    decision, other = stages.store(article("https://ztgzt.kz/news/sport", KAZAKH, language="kk"))

    assert decision.reason == "new"
    assert other.story_id != original.story_id


def test_kazakh_version_first_then_russian_joins_by_url_pattern(stages: Stages, conference_text: str) -> None:
    _, kazakh = stages.store(article("https://jambyltv.kz/kz/news/4521", KAZAKH, language="kk"))

    decision, russian = stages.store(article("https://jambyltv.kz/ru/news/4521", conference_text))

    assert decision.reason == "translation"
    assert russian.story_id == kazakh.story_id


def test_russian_version_first_then_kazakh_joins(stages: Stages, conference_text: str) -> None:
    _, russian = stages.store(article("https://jambyltv.kz/ru/news/4521", conference_text))

    decision, kazakh = stages.store(article("https://jambyltv.kz/kz/news/4521/", KAZAKH, language="kk"))

    assert decision.reason == "translation"
    assert kazakh.story_id == russian.story_id


def test_gov_kz_language_parameter_pairs_translations(stages: Stages, conference_text: str) -> None:
    base = "https://www.gov.kz/memleket/entities/zhambyl/press/news/details/912345"
    _, kazakh = stages.store(article(f"{base}?lang=kk", KAZAKH, language="kk"))

    decision, russian = stages.store(article(f"{base}?lang=ru", conference_text))

    assert decision.reason == "translation"
    assert russian.story_id == kazakh.story_id


def test_hreflang_alternates_pair_translations(stages: Stages, conference_text: str) -> None:
    _, russian = stages.store(article("https://inform.kz/ru/konferenciya-v-taraze_a4521", conference_text))
    kazakh = article(
        "https://inform.kz/kz/taraz-konferenciya_a4522",
        KAZAKH,
        language="kk",
        alternates=(("ru", "https://www.inform.kz/ru/konferenciya-v-taraze_a4521"),),
    )

    decision, stored = stages.store(kazakh)

    assert decision.reason == "translation"
    assert stored.story_id == russian.story_id


def test_translation_urls_cover_both_directions() -> None:
    ru = Article(url="https://jambyltv.kz/ru/news/1", text="x")
    kz = Article(url="https://jambyltv.kz/kz/news/1", text="x")
    gov = Article(url="https://gov.kz/press/news/details/7?lang=kk", text="x")

    assert "https://jambyltv.kz/kz/news/1" in translation_urls(ru)
    assert "https://jambyltv.kz/ru/news/1" in translation_urls(kz)
    assert "https://gov.kz/press/news/details/7?lang=ru" in translation_urls(gov)


def test_changed_text_at_a_known_url_is_a_new_version(stages: Stages, conference_text: str) -> None:
    url = "https://ztgzt.kz/news/conference"
    _, first = stages.store(article(url, conference_text))
    updated = conference_text + " Организаторы сообщили, что следующая конференция пройдёт в Шымкенте осенью."

    decision, second = stages.store(article(url, updated))

    assert decision.reason == "version" and decision.material
    assert second.outcome == "version" and second.article_id == first.article_id and second.version == 2
    versions = stages.repo.article_versions(first.article_id)
    assert [(v["version"], v["material"]) for v in versions] == [(1, True), (2, True)]
    assert stages.repo.get_article(first.article_id).text == updated  # type: ignore[union-attr]
    assert stages.repo.count_articles() == 1


def test_a_typo_fix_is_a_version_but_not_material(stages: Stages, conference_text: str) -> None:
    url = "https://ztgzt.kz/news/conference"
    stages.store(article(url, conference_text))
    fixed = conference_text.replace("конференция", "конференцыя", 1)
    assert fixed != conference_text

    decision, stored = stages.store(article(url, fixed))

    assert decision.reason == "version" and not decision.material
    assert stored.outcome == "version" and not stored.material
    assert stages.repo.article_versions(stored.article_id)[-1]["material"] is False


def test_material_change_counts_words_not_characters() -> None:
    text = "Аким Жамбылской области провёл совещание с руководителями районов по подготовке к зиме."

    assert not is_material_change(text, text.replace("провёл", "провел"))
    assert not is_material_change(text, text + " ")
    assert is_material_change(
        text, text + " На совещании решили закупить уголь, отремонтировать котельные и трубы."
    )


def test_copies_that_arrive_before_the_original_are_merged_into_one_story(
    stages: Stages, conference_text: str
) -> None:
    parts = sentences(conference_text)
    cut = int(len(parts) * 0.6)
    head = article("https://aqjolgazet.kz/2025/02/head", " ".join(parts[:cut]))
    tail = article("https://inform.kz/ru/tail", " ".join(parts[len(parts) - cut :]))
    _, first = stages.store(head)
    _, second = stages.store(tail)
    assert first.story_id != second.story_id  # neither copy resembles the other

    decision, original = stages.store(article("https://ztgzt.kz/news/conference", conference_text))

    assert decision.reason == "near_duplicate"
    assert original.story_id == first.story_id  # the oldest story is kept
    assert decision.merges == (second.story_id,)
    assert {a.id for a in stages.repo.story_articles(first.story_id)} == {
        first.article_id,
        second.article_id,
        original.article_id,
    }
    assert stages.repo.story_merged_into(second.story_id) == first.story_id
    assert stages.repo.story_articles(second.story_id) == []
    assert second.story_id not in {s.id for s in stages.repo.latest_stories()}


def test_an_article_in_a_language_without_rules_is_stored_and_searchable(stages: Stages) -> None:
    """Pages carry any language code; "de" is indexed as plain words, not refused."""
    text = "Die Stadt Taraz feiert heute ihr Jubiläum. " * 8
    decision, stored = stages.store(article("https://dw.com/de/taraz/a-1", text, "Taraz", language="de"))

    assert stored.outcome == "new"
    found = stages.repo.get_article(stored.article_id)
    assert found is not None and found.language == "de"
    assert "taraz" in decision.item.search_terms.split()
