"""Canonical URLs: the same page reached through a tracking link, a mobile host or a rel=canonical is one key."""

from __future__ import annotations

import pytest

from pipelines.canonical import canonical_url, choose_canonical, same_site

ARTICLE = "https://inform.kz/ru/news/akim-provel-soveshanie-123"


@pytest.mark.parametrize(
    "url",
    [
        "https://inform.kz/ru/news/akim-provel-soveshanie-123",
        "http://inform.kz/ru/news/akim-provel-soveshanie-123",
        "https://www.inform.kz/ru/news/akim-provel-soveshanie-123",
        "https://m.inform.kz/ru/news/akim-provel-soveshanie-123",
        "https://inform.kz:443/ru/news/akim-provel-soveshanie-123",
        "http://inform.kz:80/ru/news/akim-provel-soveshanie-123",
        "https://inform.kz/ru/news/akim-provel-soveshanie-123/",
        "https://INFORM.KZ/ru/news/akim-provel-soveshanie-123#comments",
        "https://inform.kz/ru/news/akim-provel-soveshanie-123?utm_source=telegram&utm_medium=social",
        "https://inform.kz/ru/news/akim-provel-soveshanie-123?fbclid=IwAR0xyz",
        "https://m.inform.kz:443/ru//news/akim-provel-soveshanie-123/?utm_campaign=x&gclid=1&yclid=2#top",
    ],
)
def test_spellings_of_one_article_share_one_key(url: str) -> None:
    assert canonical_url(url) == ARTICLE


def test_meaningful_parameters_stay_in_a_stable_order() -> None:
    a = canonical_url(
        "https://www.gov.kz/memleket/entities/zhambyl/press/news/details/123?lang=ru&utm_source=fb"
    )
    b = canonical_url("https://gov.kz/memleket/entities/zhambyl/press/news/details/123?lang=ru")

    assert a == b == "https://gov.kz/memleket/entities/zhambyl/press/news/details/123?lang=ru"
    assert canonical_url("https://x.kz/search?page=2&q=тараз") == canonical_url(
        "https://x.kz/search?q=тараз&page=2"
    )
    assert (
        canonical_url("https://x.kz/archive?from_date=2024-01-01")
        == "https://x.kz/archive?from_date=2024-01-01"
    )


def test_other_languages_and_other_ports_are_other_pages() -> None:
    assert canonical_url(ARTICLE.replace("/ru/", "/kz/")) != ARTICLE
    assert canonical_url("https://inform.kz:8443/ru/news/1") == "https://inform.kz:8443/ru/news/1"
    assert canonical_url("https://gov.kz/news/1?lang=kk") != canonical_url("https://gov.kz/news/1?lang=ru")


def test_a_cyrillic_path_typed_or_percent_encoded_is_one_key() -> None:
    typed = canonical_url("https://zakon.kz/новости/аким-тараза")
    encoded = canonical_url(
        "https://zakon.kz/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/%d0%b0%d0%ba%d0%b8%d0%bc-%d1%82%d0%b0%d1%80%d0%b0%d0%b7%d0%b0"
    )

    assert typed == encoded == "https://zakon.kz/новости/аким-тараза"
    assert canonical_url("https://x.kz/a%2fb") == "https://x.kz/a%2Fb"  # an escaped slash keeps its meaning


def test_rel_canonical_into_the_same_site_wins() -> None:
    fetched = "https://m.inform.kz/ru/news/akim-provel-soveshanie-123?utm_source=tg"

    assert choose_canonical(fetched, "https://www.inform.kz/ru/news/akim-provel-soveshanie-123") == ARTICLE
    assert choose_canonical(fetched, "/ru/news/akim-provel-soveshanie-123") == ARTICLE


def test_rel_canonical_to_another_site_is_ignored() -> None:
    copy = "https://ztgzt.kz/news/akim-provel-soveshanie/"

    chosen = choose_canonical(copy, ARTICLE)

    assert chosen == "https://ztgzt.kz/news/akim-provel-soveshanie"


def test_missing_or_unusable_rel_canonical_falls_back_to_the_fetched_url() -> None:
    fetched = "https://jambyltv.kz/ru/news/42/"

    assert choose_canonical(fetched, None) == "https://jambyltv.kz/ru/news/42"
    assert choose_canonical(fetched, "  ") == "https://jambyltv.kz/ru/news/42"
    assert choose_canonical(fetched, "javascript:void(0)") == "https://jambyltv.kz/ru/news/42"


def test_same_site_ignores_www_mobile_and_default_port() -> None:
    assert same_site("https://m.inform.kz/a", "http://www.inform.kz:80/b")
    assert not same_site("https://qz.inform.kz/a", "https://inform.kz/a")
    assert not same_site("https://ztgzt.kz/a", "https://inform.kz/a")
