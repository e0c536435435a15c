"""Rule-based Kazakh noun stemmer for matching.

Works in the term alphabet (Kazakh-only letters folded to their Russian-keyboard stand-ins: қ->к, ң->н,
ғ->г, ү/ұ->у, ө->о, ә->а, і->и, һ->х), so «Бейбітшілік», «Бейбiтшiлiк» and «Бейбитшилик» stem alike.

Suffixes are stripped outside-in, one per layer: case (incl. locative + -ғы), possessive, plural. Each
suffix form is allowed only after the letters its allomorph follows (-ның after vowels and м/н/ң, -дың
after л/р/й/у/з/ж, -тың after voiceless consonants...) and in agreement with the stem's vowel harmony
where the folded vowels still show it. A word gets every analysis it may have, the unstripped form
included: Kazakh has no reliable way to tell a suffix from the end of a root without a lexicon («Орда»
is not «Ор» + locative), and two words match when any analyses meet. Derivational suffixes (-лық,
-шы...) and verb morphology are left alone: «облыстық» is not «облыс».
"""

from __future__ import annotations

TERM_FOLD = str.maketrans("әғқңөұүһіёӘҒҚҢӨҰҮҺІЁ", "агкноуухиеАГКНОУУХИЕ")
KAZAKH_ONLY_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")

VOWELS = frozenset("аеиоуыэюяё")
SEMIVOWELS = frozenset("уи")  # у/и after a vowel are glides and take consonant-type suffixes too
SONORANTS_MN = frozenset("мн")
LIQUIDS = frozenset("лрйу")
VOICED_ZJ = frozenset("зж")
VOICED_LOAN = frozenset("бвгд")  # loanword finals: Kazakh speakers devoice them
VOICELESS = frozenset("кпстфхцчшщ")
CONSONANTS = SONORANTS_MN | LIQUIDS | VOICED_ZJ | VOICED_LOAN | VOICELESS

_AFTER_VOWEL = VOWELS
_N_CLASS = VOWELS | SONORANTS_MN  # genitive -ның
_D_GEN = LIQUIDS | VOICED_ZJ | VOICED_LOAN
_T_CLASS = VOICELESS | VOICED_LOAN
_D_ACC = SONORANTS_MN | LIQUIDS | VOICED_ZJ | VOICED_LOAN
_G_DAT = VOWELS | SONORANTS_MN | LIQUIDS | VOICED_ZJ | VOICED_LOAN
_K_DAT = VOICELESS | frozenset("бг")
_D_LOC = _G_DAT
_D_ABL = VOWELS | LIQUIDS | VOICED_ZJ | VOICED_LOAN
_MEN = VOWELS | SONORANTS_MN | LIQUIDS
_BEN = VOICED_ZJ
_PEN = VOICELESS | VOICED_LOAN
_L_PL = VOWELS | frozenset("рйу")
_D_PL = frozenset("лмнзж")

# (suffix, letters allowed before it, needs a 3rd-person possessive before it)
_Rule = tuple[str, frozenset[str], bool]


def _pair(back: str, front: str, before: frozenset[str], needs_poss: bool = False) -> list[_Rule]:
    return [(back, before, needs_poss), (front, before, needs_poss)]


CASE_RULES: list[_Rule] = [
    *_pair("ндагы", "ндеги", VOWELS, True),
    *_pair("дагы", "деги", _D_LOC),
    *_pair("тагы", "теги", _T_CLASS),
    *_pair("нын", "нин", _N_CLASS),
    *_pair("дын", "дин", _D_GEN),
    *_pair("тын", "тин", _T_CLASS),
    *_pair("ны", "ни", _AFTER_VOWEL),
    *_pair("ды", "ди", _D_ACC),
    *_pair("ты", "ти", _T_CLASS),
    ("н", VOWELS, True),
    *_pair("га", "ге", _G_DAT),
    *_pair("ка", "ке", _K_DAT),
    *_pair("на", "не", VOWELS, True),
    *_pair("нда", "нде", VOWELS, True),
    *_pair("да", "де", _D_LOC),
    *_pair("та", "те", _T_CLASS),
    *_pair("дан", "ден", _D_ABL),
    *_pair("тан", "тен", _T_CLASS),
    *_pair("нан", "нен", SONORANTS_MN),
    *_pair("нан", "нен", VOWELS, True),
    ("мен", _MEN, False),
    ("бен", _BEN, False),
    ("пен", _PEN, False),
]
POSSESSIVE_RULES: list[_Rule] = [
    *_pair("ымыз", "имиз", CONSONANTS),
    *_pair("мыз", "миз", VOWELS),
    *_pair("ыныз", "иниз", CONSONANTS),
    *_pair("ныз", "низ", VOWELS),
    *_pair("сы", "си", VOWELS),
    *_pair("ы", "и", CONSONANTS),
]
PLURAL_RULES: list[_Rule] = [
    *_pair("лар", "лер", _L_PL),
    *_pair("дар", "дер", _D_PL),
    *_pair("тар", "тер", _T_CLASS),
]
for _rules in (CASE_RULES, POSSESSIVE_RULES, PLURAL_RULES):
    _rules.sort(key=lambda rule: -len(rule[0]))


def _by_last_letter(rules: list[_Rule]) -> dict[str, list[_Rule]]:
    """A layer's rules under the letter their suffix ends with: a word is tried only against the suffixes
    it can end with (a tenth of them), which made stemming a new word three times faster."""
    grouped: dict[str, list[_Rule]] = {}
    for rule in rules:
        grouped.setdefault(rule[0][-1], []).append(rule)
    return grouped


_CASE_BY_LAST = _by_last_letter(CASE_RULES)
_POSSESSIVE_BY_LAST = _by_last_letter(POSSESSIVE_RULES)
_PLURAL_BY_LAST = _by_last_letter(PLURAL_RULES)

_BACK_SUFFIX_VOWELS = frozenset("аы")
_FRONT_SUFFIX_VOWELS = frozenset("еи")
_FRONT_STEM_VOWELS = frozenset("еи")
_BACK_STEM_VOWELS = frozenset("ы")
DEVOICED_FINAL = {"б": "п", "г": "к"}


def _last_vowel(stem: str) -> str:
    """The stem's last vowel for harmony; "" when folding hid it (у after a consonant is ұ or ү)."""
    for i in range(len(stem) - 1, -1, -1):
        ch = stem[i]
        if ch not in VOWELS:
            continue
        if ch in SEMIVOWELS and i > 0 and stem[i - 1] in VOWELS:
            continue  # a glide after a vowel: the vowel before it decides
        return "" if ch == "у" else ch
    return ""


INVARIANT_SUFFIXES = frozenset({"мен", "бен", "пен"})
# Each suffix's first vowel ("" for -н), which vowel harmony compares with the stem's.
_SUFFIX_VOWEL = {
    suffix: next((ch for ch in suffix if ch in VOWELS), "")
    for suffix, _, _ in (*CASE_RULES, *POSSESSIVE_RULES, *PLURAL_RULES)
}


def _harmonises(stem: str, suffix: str) -> bool:
    """False only where the folded stem vowel clearly contradicts the suffix vowel.

    Instrumental -мен/-бен/-пен has one form; Russian surnames in -ев take back suffixes (Назарбаевтың).
    """
    if suffix in INVARIANT_SUFFIXES or stem.endswith("ев"):
        return True
    suffix_vowel = _SUFFIX_VOWEL[suffix]
    last = _last_vowel(stem)
    if suffix_vowel in _FRONT_SUFFIX_VOWELS and last in _BACK_STEM_VOWELS:
        return stem[-1:] in {"к", "г"}  # loans like «банкке»
    return not (suffix_vowel in _BACK_SUFFIX_VOWELS and last in _FRONT_STEM_VOWELS)


def _allowed(word: str, suffix: str, before: frozenset[str]) -> str | None:
    """The stem left by stripping `suffix`, if this allomorph may stand after it."""
    if not word.endswith(suffix):
        return None
    stem = word[: -len(suffix)]
    min_len = 2 if (suffix[0] not in VOWELS or len(suffix) >= 3) else 3
    if len(stem) < min_len or VOWELS.isdisjoint(stem):
        return None
    last = stem[-2] if stem[-1] == "ь" and len(stem) > 1 else stem[-1]  # Кремльге, Беларусьпен
    if last not in before and not (last in SEMIVOWELS and before & CONSONANTS):
        return None
    return stem if _harmonises(stem, suffix) else None


def _strip_all(word: str, rules: dict[str, list[_Rule]]) -> list[str]:
    """Every stem a layer's suffixes may leave: «облысы» is облыс+ы, «ағасы» is аға+сы; both are tried."""
    stems = []
    for suffix, before, _ in rules.get(word[-1:], ()):
        stem = _allowed(word, suffix, before)
        if stem is not None:
            stems.append(stem)
    return stems


def _after_case(stem: str, needs_poss: bool) -> set[str]:
    """Analyses of what is left after a case suffix: possessive (mandatory or optional), then plural."""
    possessed = _strip_all(stem, _POSSESSIVE_BY_LAST)
    if needs_poss and not possessed:
        return set()
    bases = possessed if needs_poss else [stem, *possessed]
    results = set(bases)
    for base in bases:
        results.update(_strip_all(base, _PLURAL_BY_LAST))
    return results


def kazakh_stems(word: str) -> frozenset[str]:
    """All stems a lowercase Cyrillic Kazakh word may have, in the term alphabet (the word itself included)."""
    folded = word.lower().translate(TERM_FOLD)
    results = {folded}
    for suffix, before, needs_poss in _CASE_BY_LAST.get(folded[-1:], ()):
        stem = _allowed(folded, suffix, before)
        if stem is None:
            continue
        results |= _after_case(stem, needs_poss)
    results |= _after_case(folded, needs_poss=False)
    for stem in list(results):
        if stem != folded and stem[-1] in DEVOICED_FINAL:
            results.add(stem[:-1] + DEVOICED_FINAL[stem[-1]])
    return frozenset(results)
