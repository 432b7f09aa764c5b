"""The occupation labels the title classifier matches against, indexed for its lookups.

Each label (ESCO's preferred and alternative labels, and the curated synonyms of ``fixtures/occupation_synonyms.csv``)
yields a few normalised forms, "keys" (``Normaliser.variants``). ``LabelIndex`` indexes them for exact lookup of the
compacted form, for character-trigram retrieval, by compound parts (abbreviations such as "StB") and by prefixes
(as-you-type suggestions); ``occupations.Classifier`` adds the queries on top. Pure apart from reading the synonyms.
"""

from __future__ import annotations

import csv
import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

import numpy as np
import numpy.typing as npt

from jobfuerzwei.matching.catalogue import Catalogue
from jobfuerzwei.matching.normalise import Normaliser

SYNONYMS_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "occupation_synonyms.csv"

MIN_HEAD = 4
"""Shortest compound ending indexed for ``suggest`` ("lagerverwalter" in "warenlagerverwalter"); the classifier also
lets query words under MIN_HEAD letters match whole words of a key only."""
MIN_PREFIX = 2
SHORT_PREFIX = 4
SHORT_BUCKET = 100
"""Shortest input of ``suggest``; up to SHORT_PREFIX letters, the best SHORT_BUCKET index entries kept per prefix."""


@dataclass(frozen=True, slots=True)
class Synonym:
    """A curated extra label for an occupation, with the reason ESCO's own labels don't cover it."""

    term: str
    esco_uri: str
    reason: str


class LabelKind(IntEnum):
    """Where a label comes from; higher wins ties between occupations that share a label."""

    ALTERNATIVE = 0
    PREFERRED = 1
    SYNONYM = 2


def _compact(tokens: Iterable[str]) -> str:
    return "".join(tokens)


def _trigrams(tokens: Sequence[str]) -> set[str]:
    """Character trigrams of each token, padded so that word starts and ends count."""
    grams: set[str] = set()
    for token in tokens:
        padded = f"<{token}>"
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def _abbreviates(chunks: Sequence[str], parts: Sequence[str]) -> bool:
    """Whether the chunks, in order, each start a run of consecutive parts, the runs covering all parts."""
    reachable = [True] + [False] * len(parts)  # reachable[j]: the chunks so far cover exactly parts[:j]
    for chunk in chunks:
        following = [False] * (len(parts) + 1)
        for j, part in enumerate(parts):
            if reachable[j] and part.startswith(chunk):
                following[j + 1 :] = [True] * (len(parts) - j)
        reachable = following
    return reachable[-1]


def read_synonyms(path: Path = SYNONYMS_FILE) -> list[Synonym]:
    """The curated synonyms (CSV ``term,esco_uri,reason``), in file order."""
    with path.open(encoding="utf-8", newline="") as f:
        return [
            Synonym(term=row["term"].strip(), esco_uri=row["esco_uri"].strip(), reason=row["reason"].strip())
            for row in csv.DictReader(f)
            if (row["term"] or "").strip()
        ]


@dataclass(frozen=True, slots=True)
class _Label:
    occupation: int
    text: str
    kind: LabelKind


@dataclass(frozen=True, slots=True)
class _Form:
    """One label as one of the keys it produces, with that form's penalty."""

    label: _Label
    penalty: float

    def better_than(self, other: _Form) -> bool:
        return (-self.penalty, self.label.kind) > (-other.penalty, other.label.kind)


class LabelIndex:
    """Every key of every label, indexed: exact, by trigram, by compound part and by prefix.

    Built once per process (``occupations.default_classifier``, about a second); ``Classifier`` is a ``LabelIndex``
    that reads queries.
    """

    def __init__(self, catalogue: Catalogue, synonyms: Sequence[Synonym]) -> None:
        """Index every normalised form of every label (preferred, alternative, curated synonyms)."""
        self.occupations = catalogue.occupations
        index_of = {o.esco_uri: i for i, o in enumerate(self.occupations)}
        labels: list[_Label] = []
        for i, occupation in enumerate(self.occupations):
            labels.append(_Label(i, occupation.label, LabelKind.PREFERRED))
            labels.extend(_Label(i, alt, LabelKind.ALTERNATIVE) for alt in occupation.alt_labels)
        for synonym in synonyms:
            if synonym.esco_uri not in index_of:
                raise ValueError(f"synonym {synonym.term!r}: unknown ESCO URI {synonym.esco_uri}")
            labels.append(_Label(index_of[synonym.esco_uri], synonym.term, LabelKind.SYNONYM))
        self.normaliser = Normaliser((label.text for label in labels), (o.label for o in self.occupations))

        # Distinct normalised forms ("keys"); per key and occupation, the best label that produces it.
        key_index: dict[tuple[str, ...], int] = {}
        self.keys: list[tuple[str, ...]] = []
        forms: list[dict[int, _Form]] = []
        for label in labels:
            for tokens, penalty in self.normaliser.variants(label.text).items():
                k = key_index.setdefault(tokens, len(self.keys))
                if k == len(self.keys):
                    self.keys.append(tokens)
                    forms.append({})
                form = _Form(label, penalty)
                current = forms[k].get(label.occupation)
                if current is None or form.better_than(current):
                    forms[k][label.occupation] = form
        self.key_forms = [tuple(f.values()) for f in forms]
        self.key_compact = [_compact(key) for key in self.keys]
        self.exact: dict[str, list[int]] = defaultdict(list)
        for k, compact in enumerate(self.key_compact):
            self.exact[compact].append(k)
        self.token_frequency: dict[str, int] = defaultdict(int)
        for key in self.keys:
            for token in key:
                self.token_frequency[token] += 1
        self.preferred_strings = [" ".join(self.normaliser.tokens(o.label, query=False)) for o in self.occupations]
        self.group_strings = [
            " ".join(self.normaliser.tokens(catalogue.group_label(o.isco_group), query=False)) for o in self.occupations
        ]
        self._build_trigram_index()
        self._build_part_indexes()

    def _build_trigram_index(self) -> None:
        """Posting lists trigram → keys, trigram weights (squared idf) and each key's trigram mass."""
        grams_per_key = [_trigrams(key) for key in self.keys]
        postings: dict[str, list[int]] = defaultdict(list)
        for k, grams in enumerate(grams_per_key):
            for gram in grams:
                postings[gram].append(k)
        n = len(self.keys)
        # Squared idf: a trigram found in few labels says more than "er>" found in thousands.
        self.weight = {g: (math.log((1 + n) / (1 + len(ks))) + 1.0) ** 2 for g, ks in postings.items()}
        self.unknown_weight = (math.log(1 + n) + 1.0) ** 2
        self.key_mass = np.array([sum(self.weight[g] for g in grams) for grams in grams_per_key])
        self.postings = {g: np.array(ks, dtype=np.int32) for g, ks in postings.items()}

    def _build_part_indexes(self) -> None:
        """Indexes by compound parts: for abbreviations ("StB" → steuer|berater) and for ``suggest`` prefixes.

        ``suggest`` finds a key by its compact form, by each later word and by each later part of a compound
        ("lagerverwalter" in "warenlagerverwalter"), so typing "Lag" finds the Warenlagerverwalter too.
        """
        token_parts = {t: self.normaliser.parts(t) for key in self.keys for t in key}
        self.key_parts = [tuple(p for t in key for p in token_parts[t]) for key in self.keys]
        self.acronym_starts = sorted((parts[0], k) for k, parts in enumerate(self.key_parts) if len(parts) <= 8)
        self.acronym_first = [first for first, _ in self.acronym_starts]
        entries = {(compact, k) for k, compact in enumerate(self.key_compact)}
        for k, key in enumerate(self.keys):
            for i, token in enumerate(key):
                if i:
                    entries.add((token, k))
                parts = token_parts[token]
                for j in range(1, len(parts)):
                    rest = _compact(parts[j:])
                    if len(rest) >= MIN_HEAD and token.endswith(rest):
                        entries.add((rest, k))
        self.prefixes = sorted(entries)
        self.prefix_words = [word for word, _ in self.prefixes]
        # Two to four letters start thousands of entries ("fach..."): keep the best few per such prefix, whole
        # labels before later words, shorter before longer, as suggest() would rank them (a stable sort of the
        # sorted list: the same buckets in every process, whatever the string hash seed).
        short: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for word, k in sorted(
            self.prefixes, key=lambda e: (e[0] != self.key_compact[e[1]], len(self.key_compact[e[1]]))
        ):
            for n in range(MIN_PREFIX, SHORT_PREFIX + 1):
                bucket = short[word[:n]]
                if len(word) >= n and len(bucket) < SHORT_BUCKET:
                    bucket.append((word, k))
        self.short_prefixes = dict(short)

    # --- lookups -----------------------------------------------------------------------------------------------

    def _coverage(self, tokens: tuple[str, ...]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Per key: the share of the query's trigram mass found in the key, and of the key's found in the query."""
        grams = _trigrams(tokens)
        known = [g for g in grams if g in self.postings]
        if not known:
            zeros = np.zeros(len(self.keys))
            return zeros, zeros
        query_mass = sum(self.weight[g] for g in known) + self.unknown_weight * (len(grams) - len(known))
        lists = [self.postings[g] for g in known]
        weights = np.repeat([self.weight[g] for g in known], [len(ks) for ks in lists])
        shared = np.bincount(np.concatenate(lists), weights=weights, minlength=len(self.keys))
        return shared / query_mass, shared / self.key_mass

    def _acronym_keys(self, chunks: Sequence[str]) -> list[int]:
        """Keys whose compound parts the chunks abbreviate ("St"+"B" → steuer|berater, "Re"+"Fa" → ...).

        Each chunk starts a run of parts ("Re" → rechtsanwalt, "Fa" → fach|angestellte); the runs cover the key.
        """
        found = []
        for part, k in self.acronym_starts[bisect_left(self.acronym_first, chunks[0]) :]:
            if not part.startswith(chunks[0]):
                break
            if _abbreviates(chunks, self.key_parts[k]):
                found.append(k)
        return found
