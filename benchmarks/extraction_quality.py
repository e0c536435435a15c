"""Extraction quality: newsmon's extract_article against trafilatura alone, on the same pages, same run.

Two page sets, reported separately:
- ours: tests/fixtures/pages/manifest.json (pages modelled on Kazakh portals, full gold body text);
- shared: ../shared/datasets/pages/manifest.json (57 real pages, 27 languages, with/without snippets).

Main-text metric (as in the public article-extraction benchmark): 4-token shingles of the body,
precision and recall of their multisets, F1 per page, averaged over pages. Tokens are \\w+ runs, except
that each CJK/kana character is a token of its own (those scripts have no spaces). A text of fewer than
4 tokens is one shingle (found when its tokens occur in a row in the extracted body).
Where only snippets exist (the shared set): recall = share of the shingles of `with` snippets found in the
extracted body; precision = 1 - share of the shingles of `without` snippets found (1.0 when a page has
no `without`). Both sides are compared after folding whitespace (U+00A0 as a space) and dropping soft
hyphens.
Title: exact match after whitespace folding. Published: a gold value with an offset must match to the
minute; a day-level gold value ("YYYY-MM-DD", or a time with no offset) must match the calendar day of
the extracted instant in UTC or in Asia/Almaty (pages are read with the Asia/Almaty default, and the
publisher's own zone lies between them for nearly every page). Date rates count pages that show a date.

Run: .venv/bin/python benchmarks/extraction_quality.py [--details]
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crawlers.pages.zones import zone_for_url  # noqa: E402  (after the path is set)

OURS = ROOT / "tests" / "fixtures" / "pages" / "manifest.json"
SHARED = ROOT.parent / "shared" / "datasets" / "pages" / "manifest.json"
ALMATY = ZoneInfo("Asia/Almaty")
TOKEN_RE = re.compile(
    r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+"
)
SHINGLE = 4


def fold(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").replace("\xad", "").split())


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(fold(text).lower())


def shingles(text: str) -> Counter[tuple[str, ...]]:
    words = tokens(text)
    if len(words) < SHINGLE:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def text_scores(extracted: str, expected: dict) -> tuple[float, float]:
    """(precision, recall) of the body: against the full gold text when given, else the snippets."""
    got = shingles(extracted)
    if expected.get("text"):
        gold = shingles(expected["text"])
        common = sum((got & gold).values())
        precision = common / sum(got.values()) if got else float(not gold)
        recall = common / sum(gold.values()) if gold else 1.0
        return precision, recall
    words = tokens(extracted)
    grams = {n: {tuple(words[i : i + n]) for i in range(len(words) - n + 1)} for n in range(1, SHINGLE + 1)}
    with_shingles = [s for snippet in expected.get("with", []) for s in shingles(snippet)]
    without_shingles = [s for snippet in expected.get("without", []) for s in shingles(snippet)]
    recall = (
        sum(1 for s in with_shingles if s in grams[len(s)]) / len(with_shingles) if with_shingles else 1.0
    )
    leaked = (
        sum(1 for s in without_shingles if s in grams[len(s)]) / len(without_shingles)
        if without_shingles
        else 0.0
    )
    return 1.0 - leaked, recall


def date_matches(got: datetime | None, gold: str, url: str = "") -> bool:
    """An instant with an offset to the minute; a day ("2024-04-30", or a time without an offset) in the
    page's own zone, as the manifest says, taken as the zone of its domain's country, or in UTC or Almaty."""
    if got is None:
        return False
    value = datetime.fromisoformat(gold.replace("Z", "+00:00"))
    if len(gold) > 10 and value.tzinfo is not None:
        return abs((got - value).total_seconds()) < 60
    zones = (UTC, ALMATY, ZoneInfo(zone_for_url(url))) if url else (UTC, ALMATY)
    return value.date() in {got.astimezone(zone).date() for zone in zones}


@dataclass
class Tally:
    name: str
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    f1: list[float] = field(default_factory=list)
    titles: list[bool] = field(default_factory=list)
    dates: list[bool] = field(default_factory=list)
    authors: list[bool] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def add(
        self,
        page: dict,
        text: str,
        title: str | None,
        published: datetime | None,
        authors: Sequence[str] = (),
    ) -> None:
        expected = page["expected"]
        precision, recall = text_scores(text, expected)
        self.precision.append(precision)
        self.recall.append(recall)
        self.f1.append(f1(precision, recall))
        if f1(precision, recall) < 0.9:
            self.failures.append(f"{page['file']}: text P={precision:.2f} R={recall:.2f}")
        if expected.get("title"):
            ok = fold(title or "") == fold(expected["title"])
            self.titles.append(ok)
            if not ok:
                self.failures.append(f"{page['file']}: title {title!r} != {expected['title']!r}")
        if expected.get("published"):
            ok = date_matches(published, expected["published"], page.get("url", ""))
            self.dates.append(ok)
            if not ok:
                self.failures.append(f"{page['file']}: published {published} != {expected['published']}")
        if "authors" in expected:
            ok = [fold(a) for a in authors] == [fold(a) for a in expected["authors"]]
            self.authors.append(ok)
            if not ok:
                self.failures.append(f"{page['file']}: authors {list(authors)} != {expected['authors']}")

    def summary(self) -> dict[str, float]:
        def mean(values: list) -> float:
            return sum(values) / len(values) if values else 1.0

        return {
            "pages": len(self.f1),
            "precision": mean(self.precision),
            "recall": mean(self.recall),
            "f1": mean(self.f1),
            "title_exact": mean(self.titles),
            "title_pages": len(self.titles),
            "date_right": mean(self.dates),
            "date_pages": len(self.dates),
            "authors_exact": mean(self.authors),
            "author_pages": len(self.authors),
        }


def load_pages(manifest: Path) -> list[tuple[dict, bytes]]:
    data = json.loads(manifest.read_text(encoding="utf-8"))
    pages = []
    for page in data["pages"]:
        if page.get("kind", "article") != "article":
            continue
        expected = dict(page["expected"])
        if expected.get("text_file"):
            expected["text"] = (manifest.parent / expected["text_file"]).read_text(encoding="utf-8")
        pages.append(({**page, "expected": expected}, (manifest.parent / page["file"]).read_bytes()))
    return pages


def evaluate_newsmon(pages: list[tuple[dict, bytes]], now: datetime | None = None) -> Tally:
    from crawlers.pages import extract_article

    tally = Tally("newsmon extract_article")
    for page, data in pages:
        article = extract_article(data, page["url"], headers_charset=page.get("headers_charset"), now=now)
        tally.add(page, article.text, article.title, article.published, article.authors)
    return tally


def evaluate_trafilatura(pages: list[tuple[dict, bytes]]) -> Tally:
    import trafilatura

    from crawlers.pages.dates import parse_iso

    tally = Tally("trafilatura.bare_extraction alone (defaults, with_metadata)")
    params = {"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True, "extensive_search": True}
    for page, data in pages:
        doc = trafilatura.bare_extraction(
            data, url=page["url"], with_metadata=True, date_extraction_params=params
        )
        text, title, date = (doc.text or "", doc.title, doc.date) if doc is not None else ("", None, None)
        authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()] if doc is not None else []
        tally.add(page, text, title, parse_iso(date) if date else None, authors)
    return tally


def report(label: str, tallies: list[Tally], details: bool) -> None:
    print(f"\n== {label}")
    print(
        f"{'extractor':<62} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'title':>7} {'date':>7} {'authors':>7}"
    )
    for tally in tallies:
        s = tally.summary()
        print(
            f"{tally.name:<62} {s['pages']:>5} {s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f} "
            f"{s['title_exact']:>6.1%} {s['date_right']:>6.1%} {s['authors_exact']:>6.1%}"
        )
    print(
        f"(titles on {tallies[0].summary()['title_pages']} pages, dates on {tallies[0].summary()['date_pages']}, "
        f"authors on {tallies[0].summary()['author_pages']})"
    )
    if details:
        for tally in tallies:
            for failure in tally.failures:
                print(f"  [{tally.name.split()[0]}] {failure}")


def main() -> None:
    details = "--details" in sys.argv
    fixed_now = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)
    for label, manifest in (("ours: tests/fixtures/pages", OURS), ("shared: datasets/pages", SHARED)):
        if not manifest.exists():
            print(f"\n== {label}: {manifest} not found, skipped")
            continue
        pages = load_pages(manifest)
        now = fixed_now if manifest == OURS else None
        report(label, [evaluate_newsmon(pages, now), evaluate_trafilatura(pages)], details)


if __name__ == "__main__":
    main()
