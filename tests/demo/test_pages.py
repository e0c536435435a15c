"""The demo articles as served: titles, bodies, dates, translations, syndicated copies and watched names."""

from __future__ import annotations

import re

import pytest
from lxml import html

from newsmon.demo.portals.outcome import expected_alerts, expected_stories
from newsmon.demo.portals.site import DemoArticle, demo_articles
from tests.conftest import SAMPLES
from tests.demo.conftest import BODY_XPATH

ARTICLES = demo_articles()
BY_KEY = {f"{a.portal}:{a.id}": a for a in ARTICLES}
SITE_NAMES = {
    ("akimat", "ru"): "Акимат Жамбылской области",
    ("akimat", "kk"): "Жамбыл облысы әкімдігі",
    ("gazeta", "ru"): "Таразский вестник",
    ("agency", "ru"): "МИА «Дала Инфо»",
    ("agency", "kk"): "«Дала Инфо» ХАА",
}


def _page(portals, client, article: DemoArticle) -> html.HtmlElement:
    response = client.get(portals.urls[article.portal] + article.path)
    assert response.status_code == 200
    return html.fromstring(response.content.decode(article.encoding))


def _body(page: html.HtmlElement, portal: str) -> str:
    (body,) = page.xpath(BODY_XPATH[portal])
    return " ".join(body.text_content().split())


def _shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def _resemblance(a: str, b: str) -> float:
    first, second = _shingles(a), _shingles(b)
    return len(first & second) / len(first | second)


def test_there_are_fourteen_articles_on_three_portals():
    counts = {portal: sum(a.portal == portal for a in ARTICLES) for portal in ("akimat", "gazeta", "agency")}
    assert counts == {"akimat": 6, "gazeta": 5, "agency": 3}


@pytest.mark.parametrize("key", list(BY_KEY))
def test_article_page_has_title_canonical_byline_and_its_text(portals, client, key):
    article = BY_KEY[key]
    page = _page(portals, client, article)
    url = portals.urls[article.portal] + article.path

    assert page.findtext(".//title") == f"{article.title} — {SITE_NAMES[article.portal, article.lang]}"
    assert page.xpath("//link[@rel='canonical']/@href") == [url]
    assert page.xpath("string(//h1)").strip() == article.title
    assert page.xpath("//*[contains(@class, 'author')]")
    body = _body(page, article.portal)
    for paragraph in article.paragraphs:
        assert paragraph in body
    assert page.get("lang") == article.lang


def test_most_articles_carry_opengraph_and_some_a_published_time(portals, client):
    pages = {key: _page(portals, client, a) for key, a in BY_KEY.items()}
    with_og = [k for k, p in pages.items() if p.xpath("//meta[@property='og:title']")]
    with_time = {k: p.xpath("//meta[@property='article:published_time']/@content") for k, p in pages.items()}

    assert len(with_og) >= len(pages) - 2
    assert all(
        pages[k].xpath("//meta[@property='og:image']/@content") for k in with_og if k != "gazeta:olympiad"
    )
    assert 3 <= sum(bool(v) for v in with_time.values()) < len(pages)
    assert with_time["akimat:agro-ru"] == ["2024-02-28T18:30:00+06:00"]  # before the switch to UTC+5
    assert with_time["akimat:conference-ru"] == ["2024-12-10T13:02:00+05:00"]


@pytest.mark.parametrize(
    ("key", "dateline"),
    [
        ("akimat:conference-ru", "10 декабря 2024, 13:02"),
        ("akimat:meeting-kk", "16 Қараша 2024, 16:49"),
        ("akimat:merke-kk", "3 Наурыз 2025, 10:20"),
        ("gazeta:mirny", "13:51, 15 августа 2025"),
        ("gazeta:flats-cp1251", "24.08.2025, 15:10"),
        ("agency:conference-ru", "10 декабря 2024 г. 11:40"),
        ("agency:beet-kk", "17 Қыркүйек 2024, 09:15"),
    ],
)
def test_visible_dates_are_absolute_and_in_the_portal_format(portals, client, key, dateline):
    page = _page(portals, client, BY_KEY[key])
    assert dateline in " ".join(page.text_content().split())


def test_undated_article_shows_no_date_anywhere(portals, client):
    article = BY_KEY["gazeta:olympiad"]
    page = _page(portals, client, article)
    text = " ".join(page.text_content().split())

    assert article.published is None
    assert not page.xpath(
        "//meta[@property='article:published_time'] | //script[@type='application/ld+json']"
    )
    assert not re.search(r"\d\d\.\d\d\.\d{4}|\d{4}-\d\d-\d\d|\d{1,2} [а-яё]+ \d{4}|\d\d:\d\d", text)
    assert not re.search(r"/\d{4}/\d\d/", article.path)


def test_agency_original_is_the_sample_text_verbatim(portals, client):
    sample = [
        line for line in (SAMPLES / "zhambyl-conference.ru.txt").read_text().splitlines() if line.strip()
    ]
    original = BY_KEY["agency:conference-ru"]
    body = _body(_page(portals, client, original), "agency")

    assert original.title == sample[1]
    assert " ".join(original.paragraphs) == sample[-1]
    assert body == sample[-1]


def test_syndicated_copies_share_most_of_their_text_but_differ(portals, client):
    original = _body(_page(portals, client, BY_KEY["agency:conference-ru"]), "agency")
    akimat = BY_KEY["akimat:conference-ru"]
    gazeta = BY_KEY["gazeta:conference"]
    akimat_body = _body(_page(portals, client, akimat), "akimat")
    gazeta_body = _body(_page(portals, client, gazeta), "gazeta")

    assert _resemblance(original, akimat_body) >= 0.85
    assert _resemblance(original, gazeta_body) >= 0.8
    assert akimat_body.startswith("Участники международной конференции") and akimat_body.endswith(
        original[-80:]
    )
    assert original.startswith(gazeta_body[:200]) and "были единодушны" not in gazeta_body
    assert len({akimat.title, gazeta.title, BY_KEY["agency:conference-ru"].title}) == 3


def test_translations_point_at_each_other_with_hreflang(portals, client):
    pairs = [(a, BY_KEY[f"{a.portal}:{a.alternate}"]) for a in ARTICLES if a.alternate]
    assert len(pairs) == 4
    for article, other in pairs:
        links = dict(
            (link.get("hreflang"), link.get("href"))
            for link in _page(portals, client, article).xpath("//link[@rel='alternate'][@hreflang]")
        )
        assert links == {
            article.lang: portals.urls[article.portal] + article.path,
            other.lang: portals.urls[other.portal] + other.path,
        }
        assert other.alternate == article.id and other.story == article.story


@pytest.mark.parametrize("key", [k for k, a in BY_KEY.items() if a.mentions])
def test_watched_names_occur_in_the_planned_forms(portals, client, key):
    article = BY_KEY[key]
    body = _body(_page(portals, client, article), article.portal)
    for forms in article.mentions.values():
        for form in forms:
            assert form in body


def test_the_inflected_forms_the_demo_relies_on_are_all_present():
    bodies = " ".join(" ".join(a.paragraphs) for a in ARTICLES)
    for form in (
        "Сапарбаеву",
        "Сапарбаевым",
        "Сапарбаева",
        "Жамбылской области",
        "Жамбылскую область",
        "Жамбыл облысының",
        "Жамбыл облысында",
        "Бейбітшілік пен келісімге",
    ):
        assert re.search(rf"{form}\b", bodies), form


def test_near_misses_do_not_name_what_is_watched():
    quiet = [a for story in expected_stories() if not story.watches for a in story.articles]
    assert {a.id for a in quiet} == {"football", "mirny", "aitys"}
    for article in quiet:
        body = " ".join(article.paragraphs).lower()
        assert "сапарбаев" not in body
        assert "бейбітшілік" not in body
        assert not re.search(r"жамбыл облыс|жамбылск\w* област", body)
    near = " ".join(" ".join(a.paragraphs) for a in quiet)
    for decoy in (
        "Сапарбеков",
        "Мирный",
        "с согласия",
        "Жамбылского района Алматинской области",
        "мир и согласие",
    ):
        assert decoy in near


def test_expected_outcome_covers_every_article_once():
    stories = expected_stories()
    members = [f"{a.portal}:{a.id}" for story in stories for a in story.articles]

    assert sorted(members) == sorted(BY_KEY)
    assert expected_alerts() == {
        "Бейбітшілік пен келісім": ["conference", "merke-awards"],
        "Сапарбаев": ["conference", "meeting", "flats"],
        "Жамбыл облысы": ["conference", "meeting", "sowing", "flats", "olympiad", "beet"],
    }
    conference = next(s for s in stories if s.key == "conference")
    assert {f"{a.portal}:{a.id}" for a in conference.articles} == {
        "agency:conference-ru",
        "akimat:conference-ru",
        "akimat:conference-kk",
        "gazeta:conference",
    }


@pytest.mark.parametrize(
    ("portal", "path", "heading"),
    [
        ("akimat", "/ru/contacts/", "Контакты"),
        ("gazeta", "/contacts/", "Контакты редакции"),
        ("gazeta", "/sport/", "Спорт"),
    ],
)
def test_section_and_contact_pages_are_served_but_are_not_articles(portals, client, portal, path, heading):
    response = client.get(portals.urls[portal] + path)
    page = html.fromstring(response.content)

    assert response.status_code == 200
    assert page.xpath("string(//h1)").strip() == heading
    assert not page.xpath("//meta[@property='og:type'][@content='article']")
    assert path not in {a.path for a in ARTICLES}
