"""Classify free-text German job titles to ESCO occupations, and suggest occupations while a form field is typed.

Pure: reads only the catalogue (``catalogue.py``) and the curated synonyms (``fixtures/occupation_synonyms.csv``);
``default_classifier()`` builds the index once per process (about a second).

How a title is matched:

1. Labels (preferred, alternative, curated synonyms) and queries go through the same ``normalise.Normaliser``:
   gender markers, case, umlauts, abbreviations, compound prefixes, filler words and female or gender-neutral forms
   become one canonical token tuple ("Erzieher/in (m/w/d)" and "Erzieherin" read as "Erzieher"). Queries also lose
   job-ad noise ("Teilzeit", "Senior"); labels keep every word.
2. Each label yields a few normalised forms ("keys"): the whole label, each alternative of a coordination
   ("Lohn- und Gehaltsbuchhalter" is a "Lohnbuchhalter" too) and the label without a bracketed qualifier
   (``labels.LabelIndex`` indexes them).
3. A query is read in several ways (the whole title, its part before "(m/w/d)" or a dash, its first specific
   words, a German reading of English words, "-leiter" as "-manager"), each with a penalty. For each reading:
   exact lookup of the compacted form (tokens joined: "Software-Developer" = "Software Developer"), including
   compound reorderings ("Leiter Produktion" → "Produktionsleiter"); then character-trigram retrieval, which sees
   through compounds and word order and survives typos; the few dozen best keys are re-scored with rapidfuzz
   and two rules: a label that contains every query word ("Omnibusfahrer" for "Busfahrer"), and a label that is
   the query with a typo.
4. Scores are aggregated per occupation (best key wins). Occupations that share a label (ESCO gives "Erzieher"
   to three) are ordered by: curated synonym, preferred label, and how much the preferred label and the ISCO
   group's label resemble the query.

Scores are 0-100: 100 is an exact match after normalisation; 90-99 a reordered or trimmed exact match; 70-90 a
strong partial match; below ``MIN_SCORE`` nothing is returned.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TextIO

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from jobfuerzwei.matching.catalogue import load_catalogue
from jobfuerzwei.matching.labels import (
    MIN_HEAD,
    MIN_PREFIX,
    SHORT_PREFIX,
    LabelIndex,
    _compact,
    _Label,
    read_synonyms,
)
from jobfuerzwei.matching.normalise import (
    _ACRONYM,
    _ACRONYM_CHUNK,
    _CORE_END,
    _ENGLISH,
    _PARTIAL_FEMALE,
    _STOPWORDS,
    _SWAP,
    _SWAP_ENDING,
    _fold,
    _raw_words,
)

MAX_QUERY = 200
"""Characters of a query that are looked at: job titles are short, a pasted ad text is cut off."""

MIN_SCORE = 40.0
"""Occupations scoring below this are not returned: below it, matches are mostly shared word endings."""

CANDIDATES = 40
"""Keys the trigram retrieval hands to the re-scoring, per reading of the query."""

# Re-scoring of a candidate key (0-100 before penalties).
QUERY_COVER = 0.65
KEY_COVER = 0.35
"""Weights of the shares of trigram mass: of the query found in the key, and of the key found in the query.
A key should cover what was typed more than the reverse: "Landschaftsgärtner" is a fair answer to "Gärtner",
"Engineer" a poor one to "DevOps Engineer"."""
WHOLE = 0.6
"""Weight of rapidfuzz's ratio of the whole compacted strings, against 1.0 for the trigram coverage."""
CONTAINED_BASE = 72.0
CONTAINED_SPAN = 24.0
SUFFIX_PENALTY = 4.0
"""A key containing every query word scores CONTAINED_BASE plus CONTAINED_SPAN times the share of the key the
query makes up, less SUFFIX_PENALTY when a word only ends a compound of the key; words under MIN_HEAD letters
must match whole words."""
TYPO_COST = 8.0
MIN_TYPO = 5
MAX_TYPOS = 3
"""A key that is the query with one typo scores 96 less TYPO_COST (less still for short words); see
``_typo_score`` for how many typos a word may have (MAX_TYPOS at most)."""

# Readings of a query, each with the score it loses.
CORE_PENALTY = 1.0
"""The title before the gender marker or a dash ("Koch (m/w/d) Vollzeit für Landgasthof ...")."""
PREFIX_PENALTY = 6.0
PREFIX_SPAN = 24.0
"""The title's first word(s) alone: PREFIX_PENALTY plus PREFIX_SPAN times the share of the title left out."""
GENERIC_FREQUENCY = 12
"""Words in more keys than this ("Leiter", "Sachbearbeiter", "Mitarbeiter") are too generic to be read alone."""
HEAD_PENALTY = 20.0
MIN_BACKOFF = 6
"""An unknown compound read as its known head ("LKW-Disponent" → "Disponent"), exact matches only; heads under
MIN_BACKOFF letters mislead ("Kälteanlagenbauer" → "Bauer", the farmer)."""
ENGLISH_PENALTY = 3.0
"""The word-by-word German reading of an English title."""
SWAP_PENALTY = 3.0
"""Reading "-leiter" as "-manager" and back, "-direktor" as "-leiter"."""
ACRONYM_SCORE = 75.0
ACRONYM_SPAN = 20.0
MIN_ACRONYM = 3
"""A label that an abbreviation of MIN_ACRONYM+ letters spells out part by part ("NotSan" → Notfallsanitäter)
scores ACRONYM_SCORE less ACRONYM_SPAN times the share of the title besides it; such abbreviations are
ambiguous ("StB" fits Steuerberater and Steinbohrer), so the score stays modest."""

# Ties between occupations that share a label.
GROUP_WEIGHT = 0.5
"""Weight of the ISCO group label's resemblance to the query, against 1.0 for the preferred label's."""
TIE_WINDOW = 30
"""Leading occupations whose order the resemblance may change (it moves an occupation by 2.5 points at most)."""

# As-you-type suggestions.
SUGGEST_SCAN = 1000
WORD_PREFIX_FACTOR = 0.85
PREFIX_BOOST = 20.0
KIND_BOOST = 5.0
"""Beyond SHORT_PREFIX letters at most SUGGEST_SCAN index entries read; score factor when only a later word of a
label starts with the input; ordering bonus of completions, and of synonyms (twice) and preferred labels (once)."""


@dataclass(frozen=True, slots=True)
class OccupationMatch:
    """One ranked occupation for a query."""

    esco_uri: str
    label: str
    """The occupation's preferred label (what to show)."""
    isco_group: str
    score: float
    """0-100; 100 is an exact match of a label after normalisation."""
    matched_label: str
    """The label that matched best: preferred, alternative or curated synonym (e.g. "Erzieher")."""


_Scored = tuple[int, float, _Label]
"""(occupation index, score, best label)."""


def _typo_score(query: str, key: str) -> float:
    """Score for a key that is the query with a typo or two ("Fahlrehrer"), else 0.

    Allowed: one edit up to 12 letters, two up to 20, three beyond (a transposition counts as one edit); none
    under MIN_TYPO letters ("Mita" is no typo of "MTA"). The first letter must agree: a different first letter
    mostly means a different compound ("Kita-Leiter" / "IT-Leiter").
    """
    allowed = 1 if len(query) <= 12 else 2 if len(query) <= 20 else 3
    if len(query) < MIN_TYPO or abs(len(query) - len(key)) > allowed or query[0] != key[0]:
        return 0.0
    distance = OSA.distance(query, key, score_cutoff=allowed)
    return 0.0 if distance > allowed else 96.0 - TYPO_COST * distance * 10 / max(len(query), 10)


class Classifier(LabelIndex):
    """Ranks ESCO occupations for free-text job titles; build once (``default_classifier``), query often."""

    # --- reading a query ---------------------------------------------------------------------------------------

    def _is_generic(self, tokens: Sequence[str]) -> bool:
        """Whether all words are generic heads ("Mitarbeiter", "Leiter") that say little on their own."""
        return all(self.token_frequency.get(t, 0) > GENERIC_FREQUENCY for t in tokens)

    def _query_forms(self, text: str, tokens: tuple[str, ...]) -> list[tuple[tuple[str, ...], float, bool]]:
        """Readings of a query: (tokens, penalty, whether only exact label matches count).

        - The whole query.
        - The title before the gender marker or a dash ("Koch (m/w/d) Vollzeit für Landgasthof bei Ellwangen").
        - Its first words alone, when they are specific ("Berufsberaterin Agentur für Arbeit"), losing more the
          more of the title they leave out; generic heads such as "Sachbearbeiter" alone say too little.
        - An unknown compound's head, when specific ("LKW-Disponent" → "Disponent").
        """
        forms = [(tokens, 0.0, False)]
        core = self.normaliser.tokens(_CORE_END.split(text, maxsplit=1)[0])
        if core and self._is_generic(core):
            core = ()  # "Mitarbeiter (m/w/d) Vertriebsinnendienst": the part after the marker matters
        if core and core != tokens:
            forms.append((core, CORE_PENALTY, False))
        main = core or tokens
        length = len(_compact(main))
        for n in range(1, min(len(main), 3)):
            if not any(self.token_frequency.get(t, 0) > GENERIC_FREQUENCY for t in main[:n]):
                dropped = 1.0 - len(_compact(main[:n])) / length
                forms.append((main[:n], PREFIX_PENALTY + PREFIX_SPAN * dropped, False))
        if len(main) <= 2:
            for i, token in enumerate(main):
                head = None if token in self.normaliser.vocabulary else self.normaliser.head(token)
                if head and len(head) >= MIN_BACKOFF and self.token_frequency.get(head, 0) <= GENERIC_FREQUENCY:
                    forms.append(((*main[:i], head, *main[i + 1 :]), HEAD_PENALTY, True))
        return forms

    def _compounds(self, tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The query plus the compounds German writes for the same title.

        "Ingenieur Maschinenbau" ~ "Maschinenbauingenieur", "Leitung Lager und Versand" ~ "Lagerleiter" (the
        first word as the head of a compound, with or without the linking "s"), and "Sachbearbeiter
        Lohnbuchhaltung" ~ "Sachbearbeiter Lohnbuchhalter" (the field's agent noun, when the catalogue knows it).
        """
        out = [tokens]
        if len(tokens) >= 2:
            rest = _compact(tokens[1:])
            out.extend([(rest + tokens[0],), (rest + "s" + tokens[0],)])
        if len(tokens) >= 3:
            out.extend([(tokens[1] + tokens[0],), (tokens[1] + "s" + tokens[0],)])
        vocabulary = self.normaliser.vocabulary
        agents = tuple(t[:-3] + "er" if t.endswith("ung") and t[:-3] + "er" in vocabulary else t for t in tokens)
        if agents != tokens:
            out.append(agents)
        return out

    # --- scoring -----------------------------------------------------------------------------------------------

    def _contained(self, tokens: tuple[str, ...], k: int) -> float:
        """Score when every query word is a word of the key or ends one of its compounds, else 0.

        "Mediengestalter" in "Mediengestalter Digital und Print", "Busfahrer" in "Omnibusfahrer": the label says
        everything the query says, and more; the more it adds, the lower the score. (The caller skips queries
        of generic words only: "Mitarbeiter" ends "Parteimitarbeiter" and a hundred others.)
        """
        key, compact = self.keys[k], self.key_compact[k]
        base = CONTAINED_BASE
        for token in tokens:
            if token not in compact:
                return 0.0  # cheap test first: most candidates fail here
            if token in key:
                continue
            if len(token) < MIN_HEAD or not any(w.endswith(token) for w in key):
                return 0.0
            base = CONTAINED_BASE - SUFFIX_PENALTY  # the key's extra first part may change the meaning
        return base + CONTAINED_SPAN * len(_compact(tokens)) / len(compact)

    def _score_keys(
        self,
        tokens: tuple[str, ...],
        penalty: float,
        scored: dict[int, float],
        *,
        compound: bool = False,
        exact_only: bool = False,
    ) -> None:
        """Score the keys that fit one reading into ``scored`` (the best reading wins per key).

        ``compound``: the words may also be read as one compound in their order ("Quality Engineer" →
        "Qualitätsingenieur"). ``exact_only``: only keys that are exactly a form of these words count.
        """
        variants = self._compounds(tokens)
        if compound and len(tokens) > 1:
            variants.append((_compact(tokens),))
        compacts = [_compact(v) for v in variants]
        for variant, compact in zip(variants, compacts, strict=True):
            for k in self.exact.get(compact, ()):
                scored[k] = max(scored.get(k, 0.0), (100.0 if variant is tokens else 98.0) - penalty)
        if exact_only:
            return
        query_cover, key_cover = self._coverage(tokens)
        retrieval = QUERY_COVER * query_cover + KEY_COVER * key_cover
        candidates = [k for k in np.argpartition(-retrieval, CANDIDATES)[:CANDIDATES].tolist() if retrieval[k] > 0]
        if not candidates:
            return
        key_compacts = [self.key_compact[k] for k in candidates]
        wholes = process.cdist(compacts, key_compacts, scorer=fuzz.ratio).max(axis=0)
        contains = not self._is_generic(tokens)
        query = compacts[0]
        for k, key_compact, whole in zip(candidates, key_compacts, wholes.tolist(), strict=True):
            score = (100.0 * float(retrieval[k]) + WHOLE * whole) / (1.0 + WHOLE)
            if contains:
                score = max(score, self._contained(tokens, k))
            if abs(len(query) - len(key_compact)) <= MAX_TYPOS:
                score = max(score, _typo_score(query, key_compact))
            scored[k] = max(scored.get(k, 0.0), min(97.0, score) - penalty)

    def _score_acronyms(self, text: str, tokens: tuple[str, ...], scored: dict[int, float]) -> None:
        """Abbreviations written with a capital per part ("StB", "ReFa", "NotSan", "MTRA") → labels they spell."""
        length = len(_compact(tokens))
        for match in _ACRONYM.finditer(text):
            word = _fold(match.group())
            # Three capitals alone ("SAP", "PTA") fit too many labels; the common ones are curated synonyms.
            minimum = MIN_ACRONYM + 1 if match.group().isupper() else MIN_ACRONYM
            if len(word) < minimum or word in self.normaliser.vocabulary or word in self.exact:
                continue
            score = ACRONYM_SCORE - ACRONYM_SPAN * max(0.0, 1.0 - len(word) / length)
            for k in self._acronym_keys([_fold(c) for c in _ACRONYM_CHUNK.findall(match.group())]):
                scored[k] = max(scored.get(k, 0.0), score)

    def _scored(self, text: str) -> list[_Scored]:
        """Every occupation scoring at least MIN_SCORE for the query, best first."""
        tokens = self.normaliser.tokens(text)
        if not tokens:
            return []
        scored: dict[int, float] = {}
        self._score_acronyms(text, tokens, scored)
        for form, penalty, exact_only in self._query_forms(text, tokens):
            self._score_keys(form, penalty, scored, exact_only=exact_only)
            # English titles ("Quality Engineer", "Head of Sales") read word by word in German as well.
            german = tuple(w for t in form for w in _ENGLISH.get(t, t).split())
            english = german != form
            if english:
                self._score_keys(german, penalty + ENGLISH_PENALTY, scored, compound=True, exact_only=exact_only)
            # German titles use "-leiter" and "-manager" for the same job ("Projektleiter", "Projektmanager").
            swapped = tuple(_SWAP_ENDING.sub(lambda m: _SWAP[m.group()], t) for t in german)
            if swapped != german and not exact_only:
                extra = ENGLISH_PENALTY if english else 0.0
                self._score_keys(swapped, penalty + extra + SWAP_PENALTY, scored, compound=english)
        return self._by_occupation(" ".join(tokens), scored)

    def _by_occupation(self, query: str, scored: dict[int, float]) -> list[_Scored]:
        """Aggregate key scores per occupation (its best label wins) and order them, ties broken.

        Ties (ESCO gives a label to several occupations): curated synonym, then preferred label, then the
        occupation whose preferred label or ISCO group resembles the query most ("Rezeptionist Hotel": three
        occupations say "Rezeptionist", one is in the group "Hotelrezeptionisten"). The resemblance only
        decides between close scores, so it is computed for the leading occupations only.
        """
        best: dict[int, tuple[float, int, _Label]] = {}
        for k, key_score in scored.items():
            for form in self.key_forms[k]:
                label = form.label
                score = key_score - form.penalty
                current = best.get(label.occupation)
                if current is None or (score, label.kind) > current[:2]:
                    best[label.occupation] = (score, label.kind, label)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
        ranked = [item for item in ranked if item[1][0] >= MIN_SCORE]
        lead = ranked[:TIE_WINDOW]
        ties = {
            i: 0.5 * kind
            + fuzz.token_set_ratio(query, self.preferred_strings[i]) / 100
            + GROUP_WEIGHT * fuzz.partial_ratio(query, self.group_strings[i]) / 100
            for i, (_score, kind, _label) in lead
        }
        lead.sort(key=lambda item: (-(item[1][0] + ties[item[0]]), item[0]))
        return [(i, score, label) for i, (score, _kind, label) in lead + ranked[TIE_WINDOW:]]

    def _match(self, occupation: int, score: float, label: _Label) -> OccupationMatch:
        found = self.occupations[occupation]
        return OccupationMatch(
            esco_uri=found.esco_uri,
            label=found.label,
            isco_group=found.isco_group,
            score=round(float(min(score, 100.0)), 1),
            matched_label=label.text,
        )

    # --- public ------------------------------------------------------------------------------------------------

    def classify(self, text: str, limit: int = 5) -> list[OccupationMatch]:
        """The best ``limit`` occupations for a job title, best first ([] when nothing fits).

        Scores never rise down the list: when the tie-break moved an occupation above one that scored a little
        higher, the latter shows the former's score (a reader takes the list as ordered by its numbers).
        """
        matches = [self._match(*found) for found in self._scored(text[:MAX_QUERY])[:limit]]
        for i in range(1, len(matches)):
            if matches[i].score > matches[i - 1].score:
                matches[i] = dataclasses.replace(matches[i], score=matches[i - 1].score)
        return matches

    def suggest(self, text: str, limit: int = 8) -> list[OccupationMatch]:
        """As-you-type suggestions, best first: labels that start with the input, then ``classify``'s matches.

        A label that starts with the input ("Erzie" → Erzieher) scores 50-100 by how much of it was typed and
        comes before fuzzy matches (typos, word order); a label whose later word or compound part starts with it
        ("Montessori-Erzieher", "Warenlagerverwalter") scores a little less. Curated synonyms and preferred
        labels are everyday words and come first among equals. The order, not the score, is what to show.
        """
        text = text[:MAX_QUERY]
        # A filler word may be the start of a title ("Mit" → "Mitarbeiter"); noise ("(m/w/d)") is not.
        prefix = _compact(self.normaliser.tokens(text)) or _compact(w for w in _raw_words(text) if w in _STOPWORDS)
        if len(prefix) < MIN_PREFIX:
            return []
        best: dict[int, tuple[float, float, _Label]] = {}

        def offer(occupation: int, score: float, order: float, label: _Label) -> None:
            if occupation not in best or order > best[occupation][1]:
                best[occupation] = (score, order, label)

        # While a female form is being typed ("Erzieheri"), the labels start with its male stem.
        stems = [prefix, *(prefix[: -len(e)] for e in _PARTIAL_FEMALE if prefix.endswith(e) and len(prefix) > 4)]
        for stem in stems:
            if len(stem) <= SHORT_PREFIX:
                entries = self.short_prefixes.get(stem, [])
            else:
                start = bisect_left(self.prefix_words, stem)
                entries = self.prefixes[start : start + SUGGEST_SCAN]
            for word, k in entries:
                if not word.startswith(stem):
                    break
                whole = word == self.key_compact[k]
                score = (50.0 + 50.0 * len(stem) / len(self.key_compact[k])) * (1.0 if whole else WORD_PREFIX_FACTOR)
                for form in self.key_forms[k]:
                    order = score + (PREFIX_BOOST if whole else 0.0) + KIND_BOOST * form.label.kind - form.penalty
                    offer(form.label.occupation, score, order, form.label)
        for occupation, score, label in self._scored(text)[:limit]:
            offer(occupation, score, score, label)
        ranked = sorted(best.items(), key=lambda item: (-item[1][1], item[0]))[:limit]
        return [self._match(i, score, label) for i, (score, _order, label) in ranked]


@functools.cache
def default_classifier() -> Classifier:
    """The classifier over the shipped catalogue and curated synonyms, built once per process."""
    return Classifier(load_catalogue(), read_synonyms())


def classify_lines(lines: Iterable[str], out: TextIO, *, classifier: Classifier | None = None, limit: int = 5) -> int:
    """Classify one title per non-empty line, write one JSON object per title to ``out``; return the count.

    Each object: ``{"input": ..., "matches": [{"esco_uri", "label", "isco_group", "score"}, ...]}``, best first.
    """
    classifier = classifier or default_classifier()
    count = 0
    for line in lines:
        title = line.strip()
        if not title:
            continue
        matches = [
            {"esco_uri": m.esco_uri, "label": m.label, "isco_group": m.isco_group, "score": m.score}
            for m in classifier.classify(title, limit)
        ]
        out.write(json.dumps({"input": title, "matches": matches}, ensure_ascii=False) + "\n")
        count += 1
    return count
