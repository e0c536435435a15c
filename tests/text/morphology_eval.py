"""The morphology evaluation set and its scoring, shared by tests/text/test_quality.py and
benchmarks/quality_morphology.py.

A case is (keyword in dictionary form, sentence, expected match). Positives: inflected words of real
sentences with their gold lemma (Russian CoNLL-U; Kazakh KazNERD words with hand-checked base forms),
adjective + noun phrases, hand-written cases. Negatives: a look-alike keyword of another lemma whose stem
(or the keyword itself) occurs inside a word of the sentence while no word of the sentence has that lemma.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from newsmon.query import Query, compile_query
from newsmon.text import analyse, fold, tokenize, word_terms
from newsmon.text.russian import morph_analyzer

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "text"
DATASETS = ROOT.parent / "shared" / "datasets"
RUSSIAN_FILES = (
    "MorphoRuEval2017-Lenta-train.conllu",
    "GramEval2020-RuEval2017-Lenta-news-dev.conllu",
    "ru_taiga-ud-test.conllu",
)
KAZNERD = DATASETS / "kazakh" / "kaznerd_test_sentences.jsonl.gz"
CONTENT = frozenset({"NOUN", "PROPN", "ADJ"})
GENDERS = {"Masc": "masc", "Fem": "femn", "Neut": "neut"}


@dataclass(frozen=True)
class Case:
    lang: str
    keyword: str
    sentence: str
    expected: bool
    source: str


@dataclass(frozen=True)
class Word:
    form: str
    lemma: str
    upos: str
    feats: dict[str, str]
    head: int


@dataclass(frozen=True)
class Scores:
    recall: float
    precision: float
    positives: int
    negatives: int
    misses: tuple[Case, ...]
    false_alarms: tuple[Case, ...]


Matcher = Callable[[str, str, str], bool]


# ---- matchers -------------------------------------------------------------------------------------


@lru_cache(maxsize=20_000)
def _sentence_terms(sentence: str, lang: str) -> tuple[frozenset[str], ...]:
    return tuple(token.terms for token in analyse(sentence, lang))


def morphology_match(keyword: str, sentence: str, lang: str) -> bool:
    """The analyser: every keyword word shares a term with the adjacent sentence word in its place."""
    wanted = [word_terms(token.norm) for token in tokenize(keyword)]
    found = _sentence_terms(sentence, lang)
    return _phrase_in(found, wanted, lambda have, want: bool(have & want))


def exact_substring_match(keyword: str, sentence: str, lang: str) -> bool:
    """Baseline: the casefolded keyword occurs in the casefolded sentence."""
    return fold(keyword).casefold() in fold(sentence).casefold()


def stem_prefix_match(keyword: str, sentence: str, lang: str) -> bool:
    """Baseline (not Snowball): strip the last 2 letters of each keyword word (words of 5+ letters) and
    match adjacent sentence words that start with those stems."""
    stems = [t.norm[:-2] if len(t.norm) >= 5 else t.norm for t in tokenize(keyword)]
    norms = tuple(t.norm for t in tokenize(sentence))
    return _phrase_in(norms, stems, lambda have, want: have.startswith(want))


@lru_cache(maxsize=4)
def _snowball(lang: str) -> object | None:
    """Snowball has Russian but no Kazakh stemmer; Kazakh falls back to the 2-letter strip."""
    import snowballstemmer

    return snowballstemmer.stemmer("russian") if lang == "ru" else None


def snowball_prefix_match(keyword: str, sentence: str, lang: str) -> bool:
    """Baseline: Snowball stems of the keyword words, matched as prefixes of adjacent sentence words."""
    stemmer = _snowball(lang)
    if stemmer is None:
        return stem_prefix_match(keyword, sentence, lang)
    stems = [stemmer.stemWord(t.norm) for t in tokenize(keyword)]  # type: ignore[attr-defined]
    norms = tuple(t.norm for t in tokenize(sentence))
    return _phrase_in(norms, stems, lambda have, want: have.startswith(want))


@lru_cache(maxsize=20_000)
def _compiled(keyword: str) -> Query:
    return compile_query(f'"{keyword}"' if " " in keyword else keyword)


def query_match(keyword: str, sentence: str, lang: str) -> bool:
    """The public engine, as a watch uses it: `compile_query(keyword).matches(sentence, lang)`."""
    return _compiled(keyword).matches(sentence, lang=lang)


def _phrase_in(found: tuple, wanted: list, same: Callable) -> bool:
    if not wanted:
        return False
    for start in range(len(found) - len(wanted) + 1):
        if all(same(found[start + i], want) for i, want in enumerate(wanted)):
            return True
    return False


def score(cases: list[Case], matcher: Matcher) -> Scores:
    misses, alarms = [], []
    hits = positives = negatives = 0
    for case in cases:
        matched = matcher(case.keyword, case.sentence, case.lang)
        if case.expected:
            positives += 1
            hits += matched
            if not matched:
                misses.append(case)
        else:
            negatives += 1
            if matched:
                alarms.append(case)
    predicted = hits + len(alarms)
    return Scores(
        recall=hits / positives if positives else 0.0,
        precision=hits / predicted if predicted else 0.0,
        positives=positives,
        negatives=negatives,
        misses=tuple(misses),
        false_alarms=tuple(alarms),
    )


# ---- Russian cases from CoNLL-U -------------------------------------------------------------------


def read_conllu(path: Path) -> Iterator[tuple[str, list[Word]]]:
    text, words = "", []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# text = "):
            text = line[len("# text = ") :]
        elif not line.strip():
            if words:
                yield text or _join(words), words
            text, words = "", []
        elif not line.startswith("#"):
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue
            feats = dict(f.split("=", 1) for f in cols[5].split("|") if "=" in f)
            head = int(cols[6]) if cols[6].isdigit() else 0
            words.append(Word(cols[1], cols[2].lower().replace("ё", "е"), cols[3], feats, head))
    if words:
        yield text or _join(words), words


def _join(words: list[Word]) -> str:
    out = ""
    for word in words:
        glue = not out or out[-1] in '(«"' or word.form in {",", ".", ";", ":", "!", "?", ")", "»", "…"}
        out += word.form if glue else " " + word.form
    return out


def _is_word(form: str) -> bool:
    return len(form) >= 3 and form.replace("-", "").isalpha() and any("а" <= c.lower() <= "я" for c in form)


def _dictionary_phrase(adj: Word, noun: Word) -> str | None:
    """«жамбылская область» from the gold lemmas: the adjective put in the noun's gender, singular."""
    gender = GENDERS.get(noun.feats.get("Gender", ""))
    if not gender:
        return None
    for parse in morph_analyzer().parse(adj.lemma):
        if parse.tag.POS == "ADJF" and parse.normal_form == adj.lemma:
            form = parse.inflect({gender, "sing", "nomn"})
            return f"{form.word} {noun.lemma}" if form else None
    return None


def _phrases(words: list[Word]) -> Iterator[tuple[str, str]]:
    for i in range(len(words) - 1):
        adj, noun = words[i], words[i + 1]
        agree = all(adj.feats.get(k) == noun.feats.get(k) for k in ("Case", "Number"))
        if adj.upos == "ADJ" and noun.upos in {"NOUN", "PROPN"} and adj.head == i + 2 and agree:
            inflected = adj.form.lower() != adj.lemma or noun.form.lower() != noun.lemma
            if inflected and _is_word(adj.form) and _is_word(noun.form):
                phrase = _dictionary_phrase(adj, noun)
                if phrase:
                    yield phrase, f"{adj.form} {noun.form}"


def russian_cases(limit_positive: int = 700, limit_negative: int = 450, seed: int = 7) -> list[Case]:
    sentences = [s for name in RUSSIAN_FILES for s in read_conllu(DATASETS / "russian" / name)]
    vocabulary: dict[str, list[str]] = {}
    for lemma in sorted(
        {
            w.lemma
            for _, ws in sentences
            for w in ws
            if w.upos in CONTENT and _is_word(w.lemma) and len(w.lemma) >= 4
        }
    ):
        vocabulary.setdefault(lemma[:3], []).append(lemma)
    rng = random.Random(seed)
    singles, phrases, negatives = [], [], []
    for text, words in sentences:
        lemmas = {w.lemma for w in words}
        content = [w for w in words if w.upos in CONTENT and _is_word(w.form)]
        for w in content:
            if w.form.lower().replace("ё", "е") != w.lemma and "+" not in w.lemma:
                singles.append(Case("ru", w.lemma, text, True, "ru-conllu"))
        phrases += [Case("ru", p, text, True, "ru-conllu-phrase") for p, _ in _phrases(words)]
        negatives += _russian_negatives(text, content, lemmas, vocabulary, rng)
    rng.shuffle(singles)
    rng.shuffle(phrases)
    rng.shuffle(negatives)
    n_phrases = min(len(phrases), limit_positive // 4)
    return singles[: limit_positive - n_phrases] + phrases[:n_phrases] + negatives[:limit_negative]


def _russian_negatives(
    text: str, content: list[Word], lemmas: set[str], vocabulary: dict[str, list[str]], rng: random.Random
) -> list[Case]:
    out = []
    norms = [w.form.lower().replace("ё", "е") for w in content]
    for norm, gold in zip(norms, (w.lemma for w in content), strict=True):
        lookalikes = [
            lemma
            for lemma in vocabulary.get(norm[:3], ())
            if lemma not in lemmas
            and norm.startswith(lemma[:-2] if len(lemma) >= 5 else lemma)
            and not _variants(lemma, gold)
        ]
        if lookalikes:
            out.append(Case("ru", rng.choice(lookalikes), text, False, "ru-conllu-lookalike"))
    return out


def _variants(lemma: str, gold: str) -> bool:
    """Lemma-convention variants rather than other words: главное/главный, стихи/стих, мощнейший/мощный."""
    common = 0
    for a, b in zip(lemma, gold, strict=False):
        if a != b:
            break
        common += 1
    return common >= max(len(lemma), len(gold)) - 2


# ---- Kazakh cases from KazNERD ---------------------------------------------------------------------


def _read_tsv(name: str) -> list[list[str]]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def kaznerd_sentences() -> dict[str, str]:
    with gzip.open(KAZNERD, "rt", encoding="utf-8") as stream:
        return {row["id"]: row["text"] for row in map(json.loads, stream)}


def kazakh_cases() -> list[Case]:
    sentences = kaznerd_sentences()
    cases = [
        Case("kk", base, sentences[sid], True, "kk-kaznerd") for _, base, sid, _ in _read_tsv("kk_forms.tsv")
    ]
    cases += [
        Case("kk", keyword, sentences[sid], False, "kk-kaznerd-lookalike")
        for keyword, _, _, sid in _read_tsv("kk_negatives.tsv")
    ]
    return cases


def hand_cases() -> list[Case]:
    return [
        Case(lang, keyword, sentence, expected == "1", f"{lang}-hand")
        for lang, keyword, expected, sentence in _read_tsv("hand_cases.tsv")
    ]


def all_cases() -> list[Case]:
    return russian_cases() + kazakh_cases() + hand_cases()


# ---- the benchmarks' report ---------------------------------------------------------------------


def print_report(
    matchers: dict[str, Matcher], cases: list[Case], show: int = 0, phrases: bool = False
) -> None:
    """Recall and precision of each matcher on all cases, per language (and on phrases), then `show` misses
    and false alarms of the first matcher. Shared by benchmarks/quality_morphology.py and quality_query.py."""
    groups: dict[str, list[Case]] = {"all": cases}
    for lang in ("ru", "kk"):
        groups[lang] = [c for c in cases if c.lang == lang]
    if phrases:
        groups["phrases"] = [c for c in cases if " " in c.keyword]
    width = max(map(len, matchers)) + 2
    for group, members in groups.items():
        positives = sum(c.expected for c in members)
        print(f"\n{group}: {positives} positive, {len(members) - positives} negative cases")
        for name, matcher in matchers.items():
            result = score(members, matcher)
            print(f"  {name:{width}s} recall {result.recall:.3f}  precision {result.precision:.3f}")
    if show:
        result = score(cases, next(iter(matchers.values())))
        for title, found in (("misses", result.misses), ("false alarms", result.false_alarms)):
            print(f"\n{title}:")
            for case in found[:show]:
                print(f"  [{case.source}] {case.keyword!r} in {case.sentence[:150]!r}")
