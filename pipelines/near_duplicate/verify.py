"""The second stage: decide whether an LSH candidate is a copy of the same story.

MinHash Jaccard alone cannot tell a syndicated copy (new header and footer, a paragraph cut, text truncated)
from a different announcement written on the same template (same boilerplate, other numbers and names). The
rule looks at three things:

1. Resemblance: the estimated Jaccard, or, when one text is at least `min_size_ratio` of the other, the
   containment of the shorter text in the longer (truncations and added paragraphs lower Jaccard but not
   containment). Containment is derived from Jaccard and the two shingle counts:
   |A∩B| = J(|A|+|B|)/(1+J).
2. Conflicts: a fact (number, date, amount, capitalised name) that sits between the same two words in both texts
   but has a different value there («зарегистрировано 12 ДТП» / «зарегистрировано 9 ДТП»). Copies keep their
   facts; template announcements differ exactly there.
3. Fact agreement: of the facts the two texts place in shared contexts, how many agree.

A candidate is a copy when resemblance ≥ threshold and it has no more conflicts than the agreeing facts allow
(see `VerifyRule`). Candidates published more than `window_days` apart (by their own publication times, not
the clock) are never copies; unknown dates are judged on the text alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pipelines.near_duplicate.features import Candidate
from pipelines.near_duplicate.index import NearDuplicateIndex
from pipelines.near_duplicate.signature import Fingerprint


@dataclass(frozen=True, slots=True)
class VerifyRule:
    """Tunable limits of the verification (defaults tuned on tests/fixtures/dedupe)."""

    # Containment counts only when the shorter text has at least this share of the longer one's shingles;
    # below that, a short notice quoted inside a long digest would pass as its copy.
    min_size_ratio: float = 0.3
    # Containment overstates resemblance (it ignores the rest of the longer text), so it must clear the
    # threshold by this margin; a follow-up that repeats a lead is about half contained in the original.
    containment_margin: float = 0.03
    # Conflicting numbers tolerated per agreeing fact (one corrected figure in a long text).
    conflicts_per_agreement: float = 0.1
    # Conflicting names tolerated outright: republishers fix and make typos in names («Маркин»/«Марин»).
    name_conflicts: int = 1
    # Resemblance above which facts are not consulted at all (the texts are nearly identical).
    sure_resemblance: float = 0.9


@dataclass(frozen=True, slots=True)
class Evidence:
    """What verification measured between a new article and one candidate."""

    jaccard: float
    containment: float
    size_ratio: float
    resemblance: float
    agreements: int
    conflicts: int
    name_conflicts: int
    exact: bool


@dataclass(frozen=True, slots=True)
class Verdict:
    """The story candidate found for a new article: `key` is the indexed key it matched."""

    key: str
    reason: str
    score: float
    evidence: Evidence


def _slot_map(slots: tuple[tuple[int, int], ...]) -> dict[int, set[int]]:
    by_context: dict[int, set[int]] = {}
    for context, value in slots:
        by_context.setdefault(context, set()).add(value)
    return by_context


def compare_facts(
    left: tuple[tuple[int, int], ...], right: tuple[tuple[int, int], ...]
) -> tuple[int, int, int]:
    """(agreements, number conflicts, name conflicts) over the fact contexts the two texts share."""
    return _compare_slot_maps(_slot_map(left), _slot_map(right))


def _compare_slot_maps(a: dict[int, set[int]], b: dict[int, set[int]]) -> tuple[int, int, int]:
    agreements = conflicts = name_conflicts = 0
    for context in a.keys() & b.keys():
        if a[context] & b[context]:
            agreements += 1
        elif any(value & 1 for value in a[context] | b[context]):
            conflicts += 1
        else:
            name_conflicts += 1
    return agreements, conflicts, name_conflicts


def measure(
    fp: Fingerprint, candidate: Candidate, rule: VerifyRule, own_slots: dict[int, set[int]] | None = None
) -> Evidence:
    """Resemblance and fact evidence between `fp` and `candidate` (`own_slots`: `fp`'s facts, mapped once
    for all its candidates)."""
    jaccard, containment, size_ratio, resemblance, exact = _resemblance(fp, candidate, rule)
    if min(fp.shingles, candidate.features.shingles) == 0:
        return Evidence(jaccard, 0.0, 0.0, 0.0, 0, 0, 0, False)
    own = _slot_map(fp.slots) if own_slots is None else own_slots
    facts = _compare_slot_maps(own, _slot_map(candidate.features.slots))
    return Evidence(jaccard, containment, size_ratio, resemblance, *facts, exact)


def _resemblance(
    fp: Fingerprint, candidate: Candidate, rule: VerifyRule
) -> tuple[float, float, float, float, bool]:
    """(jaccard, containment, size ratio, resemblance, exact) of `fp` and `candidate`."""
    features = candidate.features
    exact = fp.content_hash == features.content_hash and fp.shingles > 0
    jaccard = 1.0 if exact else candidate.jaccard
    small, large = sorted((fp.shingles, features.shingles))
    if small == 0:
        return jaccard, 0.0, 0.0, 0.0, False
    shared = jaccard * (small + large) / (1 + jaccard)
    containment = min(1.0, shared / small)
    size_ratio = small / large
    resemblance = jaccard
    if size_ratio >= rule.min_size_ratio:
        resemblance = max(jaccard, containment - rule.containment_margin)
    return jaccard, containment, size_ratio, resemblance, exact


def _within_window(fp: Fingerprint, candidate: Candidate, window: timedelta) -> bool:
    other = candidate.features.published
    if fp.published is None or other is None:
        return True
    return abs(fp.published - other) <= window


class NearDuplicateDetector:
    """Finds the indexed article a new one copies: LSH candidates, then verification.

    Keys are whatever the caller indexes (the article id as str is the intended use); the caller maps the
    returned key to its story and indexes the new article itself with `index.add` after storing it.
    """

    def __init__(
        self,
        index: NearDuplicateIndex,
        threshold: float = 0.5,
        window_days: int = 30,
        rule: VerifyRule | None = None,
    ) -> None:
        if not 0 < threshold < 1:
            raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
        if window_days < 0:
            raise ValueError(f"window_days must not be negative, got {window_days}")
        self.index = index
        self.threshold = threshold
        self.window = timedelta(days=window_days)
        self.rule = rule or VerifyRule()

    def accepts(self, evidence: Evidence) -> bool:
        """The decision rule (module docstring)."""
        if evidence.exact:
            return True
        if evidence.resemblance < self.threshold:
            return False
        if evidence.resemblance >= self.rule.sure_resemblance:
            return True
        if evidence.name_conflicts > self.rule.name_conflicts:
            return False
        return evidence.conflicts <= self.rule.conflicts_per_agreement * evidence.agreements

    def find(self, fp: Fingerprint) -> Verdict | None:
        """The best verified candidate for `fp`, or None when the article starts a new story."""
        verdicts = self.find_all(fp)
        return verdicts[0] if verdicts else None

    def find_all(self, fp: Fingerprint) -> list[Verdict]:
        """Every verified candidate, best first: when they belong to different stories (copies that arrived
        before their original), the caller may merge those stories."""
        verdicts = []
        own_slots: dict[int, set[int]] | None = None
        for candidate in self.index.query(fp):
            if not _within_window(fp, candidate, self.window):
                continue
            _jaccard, _containment, _ratio, resemblance, exact = _resemblance(fp, candidate, self.rule)
            if not exact and resemblance < self.threshold:
                continue  # rejected whatever the facts say (`accepts`): most candidates, not compared
            own_slots = _slot_map(fp.slots) if own_slots is None else own_slots
            evidence = measure(fp, candidate, self.rule, own_slots)
            if not self.accepts(evidence):
                continue
            reason = "exact" if evidence.exact else "near_duplicate"
            score = 1.0 if evidence.exact else evidence.resemblance
            verdicts.append(Verdict(candidate.key, reason, round(score, 4), evidence))
        verdicts.sort(key=lambda v: -v.score)
        return verdicts
