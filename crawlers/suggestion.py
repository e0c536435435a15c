"""The definition `newsmon sources test` suggests, written the way docs/sources.md asks.

What a crawl discovers by itself (feeds on the home page or at the usual paths, sitemaps in robots.txt,
the home page as the listing) is left out of the definition and said in a comment instead, and so is
anything that does not read cleanly: a definition names only what discovery would not find.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from crawlers.readings import (
    DEFINITION,
    DISCOVERED,
    FEED,
    HOME_LISTING,
    LISTING,
    NOT_CRAWLED,
    SITEMAP_KINDS,
    Offer,
    Reading,
)
from crawlers.sources import name_from_url, source_from_url
from newsmon.models import Source


def _clean(offer: Offer, origin: str, *kinds: str) -> set[str]:
    return {r.url for r in offer.of_kind(*kinds) if r.origin == origin and not r.problem}


def _candidates_as_listings(offer: Offer) -> bool:
    """Section pages are suggested only when nothing else yields articles: no feed or sitemap reads and
    the home page links to no article (naming listings stops a crawl from reading the home page)."""
    readable = [r for r in offer.of_kind(FEED, *SITEMAP_KINDS) if r.entries and not r.problem]
    home = offer.of_kind(HOME_LISTING)
    return bool(offer.listings) and not readable and bool(home) and not home[0].entries


def suggest_definition(
    url: str, offer: Offer, defined: Source | None = None, seen_languages: Sequence[str] = ()
) -> Source:
    """A definition for the portal: `defined` (a registered source) keeps its name and fields, less the
    feeds, sitemaps and listings that do not read; a URL gets a one-line definition plus its languages: those
    the home page declares, then those of the sample articles (`seen_languages`; a portal in Russian and
    Kazakh often declares one)."""
    languages = tuple(dict.fromkeys([*offer.languages, *(code.split("-")[0] for code in seen_languages)]))
    if defined is not None:
        feeds = _clean(offer, DEFINITION, FEED)
        sitemaps = _clean(offer, DEFINITION, *SITEMAP_KINDS)
        listings = _clean(offer, DEFINITION, LISTING)
        return replace(
            defined,
            languages=defined.languages or languages,
            feeds=tuple(u for u in defined.feeds if u in feeds),
            sitemaps=tuple(u for u in defined.sitemaps if u in sitemaps),
            listings=tuple(u for u in defined.listings if u in listings),
            render=defined.render or offer.needs_render,
            origin=None,
        )
    base = source_from_url(url)
    return replace(
        base,
        name=name_from_url(url),
        languages=languages,
        listings=offer.listings[:3] if _candidates_as_listings(offer) else (),
        render=offer.needs_render,
    )


def _summary(reading: Reading) -> str:
    return f"{reading.kind} {reading.url} ({reading.amount})"


def definition_notes(offer: Offer) -> list[str]:
    """Comment lines for the top of the suggested file: what was read, what was left out and why."""
    paths = [r for r in offer.of_kind(FEED, *SITEMAP_KINDS) if r.parent is None]
    read = [r for r in paths if not r.problem and r.origin != NOT_CRAWLED]
    unread = [r for r in paths if not r.problem and r.origin == NOT_CRAWLED]
    broken = [r for r in offer.readings if r.problem and r.origin != NOT_CRAWLED and r.kind != HOME_LISTING]
    notes: list[str] = []
    if read:
        notes.append("Read by `newsmon sources test`: " + "; ".join(_summary(r) for r in read) + ".")
    if any(r.origin == DISCOVERED for r in paths):
        notes.append("Feeds and sitemaps are discovered at crawl time (home page, robots.txt): not listed.")
    if unread:
        notes.append(
            "Discovery also finds, not read while the definition names its own: "
            + "; ".join(_summary(r) for r in unread)
            + "."
        )
    if broken:
        notes.append(
            "Left out, they do not read: " + "; ".join(f"{r.url} ({r.problem})" for r in broken) + "."
        )
    notes += _listing_notes(offer)
    return [f"# {note}" for note in notes]


def _listing_notes(offer: Offer) -> list[str]:
    """The home page is the listing when the definition names none; section pages are candidates."""
    notes: list[str] = []
    for home in offer.of_kind(HOME_LISTING):
        if _candidates_as_listings(offer):
            notes.append("The home page links to no article: listings are its section pages; check them.")
        elif home.problem:
            notes.append(f"No listings, and the home page does not read ({home.problem}).")
        else:
            notes.append(f"No listings: a crawl reads the home page as the listing ({home.amount}).")
    if offer.listings and not _candidates_as_listings(offer):
        notes.append("Section pages to consider for `listings`: " + ", ".join(offer.listings[:5]) + ".")
    return notes
