"""Explainable ranking of people against needs (open positions and fields of interest); pure, no database, no I/O.

A ``Fit`` is the weighted mean of readable parts (``Weights`` in ``settings.matching``):

- occupation: same ESCO occupation 1.0, same ISCO unit group 0.8, same minor group 0.55. Text similarity of the
  titles (0.1-0.5) is the fallback only where the catalogue cannot compare the two, i.e. the need or the person has
  no known ESCO occupation. Two classified occupations in different minor groups score 0: the classifier has read
  both titles already, and a string distance between, say, "Krankenpfleger" and "Tierpfleger" would only add noise.
  This rule is also what lets ``NeedIndex`` skip string distance for all classified positions outside the person's
  groups and still return exactly what ``fit`` over every position would.
- skills: share of the need's required skills the person has (fuzzy, umlaut- and case-insensitive).
- languages: share of the required languages spoken at the required level; one level below earns half.
- working time, place (postcode distance against the person's radius, or a wished-for municipality), earliest start.

A part without data on either side drops out, with its weight. When the occupation part is 0 the score is capped at
``UNRELATED_CAP``, so an unrelated job next door never outranks a related one further away. Pairs whose occupation
part is 0 are never returned by the rankings (and stay 0 in ``score_matrix``).

Speed: ``NeedIndex`` finds the candidates by dictionary lookups (URI, unit group, minor group) plus string distance
over the unclassified positions' distinct titles only, scores all candidates column-wise with numpy, and builds the
readable ``Fit`` only for the best ones. The column-wise scores repeat ``_fit``'s arithmetic operation by operation
(the same scalar helpers where strings are compared, and a place distance that needs no trigonometry per pair, see
``geo.chord_km``), so they equal ``fit``'s before rounding; a small margin around each cut-off makes the rounding
harmless, and the returned fits come from ``_fit`` itself. ``tests/matching/test_ranking.py`` checks the index
against ``fit`` over every need.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process, utils

from jobfuerzwei.matching.catalogue import Catalogue, Occupation, load_catalogue
from jobfuerzwei.matching.facts import Fit, Language, Need, Part, Person, Weights, cefr_rank
from jobfuerzwei.matching.geo import EARTH_RADIUS_KM, Vector, chord_km, chord_to_arc_km, coordinates, to_vector
from jobfuerzwei.matching.scoring import SHORT_TERM, process_term

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

SAME_OCCUPATION = 1.0
SAME_UNIT_GROUP = 0.8
SAME_MINOR_GROUP = 0.55
TITLE_CUTOFF = 60.0
"""Minimum title similarity (0-100) for the text fallback of the occupation part."""
TITLE_BASE = 50.0
"""Title similarity s maps to (s - 50) / 100: 60 % → 0.1, 100 % → 0.5, always below the same minor group."""
SKILL_CUTOFF = 85.0
"""Minimum similarity for a skill to count as present; high, because a wrong "vorhanden" misleads more than a miss."""
UNRELATED_CAP = 30.0
"""Highest score when the occupation part is 0."""
DEFAULT_RADIUS_KM = 30.0
"""Without a radius: full marks up to here ..."""
DEFAULT_ZERO_KM = 100.0
"""... and none from here on."""
LATE_START_DAYS = 183
"""A start this many days (about six months) after the need's start earns nothing."""

_SKILL_MEMORY = 1024
"""Person skill wordings whose comparisons ``NeedIndex`` remembers (each costs one byte per distinct need skill)."""
_MARGIN = 0.1
"""Scores round to one decimal, so fits within 0.1 of the cut-off can still tie with it after rounding."""

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_AD_NOISE = frozenset(
    ["senior", "junior", "vollzeit", "teilzeit", "befristet", "unbefristet", "all", "gender", "genders"]
)
"""Job-ad words that say nothing about the occupation (working time is a part of its own)."""
_TIME_CODES = {"either": 0, "full_time": 1, "part_time": 2}
_TIME_LABELS = {1: "Vollzeit", 2: "Teilzeit"}
_FALLBACK_TITLE_DETAIL = "anderer Beruf"


@functools.lru_cache(maxsize=1 << 15)
def title_key(text: str) -> str:
    """A title as compared: ``process_term`` (no case, punctuation, fillers, "(m/w/d)"), umlauts spelled out.

    Job-ad noise ("Senior", "in Teilzeit", "(all genders)") goes too: left in, it lowers the similarity of the
    same occupation, and it costs time in the fuzzy scorer, whose partial matching grows with the length.
    """
    return " ".join(w for w in process_term(text).translate(_UMLAUTS).split() if w not in _AD_NOISE)


@functools.lru_cache(maxsize=1 << 15)
def skill_key(text: str) -> str:
    """A skill or language as compared: lower case, punctuation as spaces, umlauts spelled out ("Führerschein")."""
    return " ".join(utils.default_process(text).translate(_UMLAUTS).split())


def similarity(a: str, b: str) -> float:
    """Similarity (0-100) of two keys: ``fuzz.WRatio``, but a very short key must be a whole word of the other.

    The short-key rule is the one of ``scoring``: WRatio finds "it" inside "mitarbeiter" and scores it high.
    """
    if not a or not b:
        return 0.0
    if len(a) < SHORT_TERM or len(b) < SHORT_TERM:
        short, other = (a, b) if len(a) <= len(b) else (b, a)
        return 100.0 if short in other.split() else 0.0
    return float(fuzz.WRatio(a, b))


def _place_limits(radius_km: float | None) -> tuple[float, float]:
    return (DEFAULT_RADIUS_KM, DEFAULT_ZERO_KM) if radius_km is None else (radius_km, 2 * radius_km)


def place_score(distance: float, radius_km: float | None) -> float:
    """Full marks within the radius, falling linearly to 0 at twice the radius (30 and 100 km without a radius)."""
    full, zero = _place_limits(radius_km)
    if distance <= full:
        return 1.0
    return max(0.0, (zero - distance) / (zero - full))


def start_score(days_late: int) -> float:
    """1 when the person is available by the need's start, then falling linearly to 0 at ``LATE_START_DAYS`` late."""
    return 1.0 if days_late <= 0 else max(0.0, 1.0 - days_late / LATE_START_DAYS)


def language_credit(spoken: int | None, required: int) -> float:
    """Credit for one required language: 1 at or above the level, 0.5 one level below, else 0 (ranks as ``cefr_rank``).

    A requirement without a known level is met by any spoken level; a spoken level that is unknown meets only such
    requirements, because guessing a level would hide the hint the coordinator needs.
    """
    if spoken is None:
        return 0.0
    if required < 0:
        return 1.0
    if spoken >= required:
        return 1.0
    return 0.5 if spoken >= 0 and spoken == required - 1 else 0.0


def _time_code(value: str) -> int:
    """0 either (also anything unknown), 1 full time, 2 part time."""
    return _TIME_CODES.get(value.strip(), 0)


def _working_time_score(person: int, need: int) -> float:
    return 1.0 if 0 in (person, need) or person == need else 0.0


def _level_text(level: str) -> str:
    return "Muttersprache" if level.strip() == "native" else level.strip()


def _date(day: dt.date) -> str:
    return f"{day.day:02d}.{day.month:02d}.{day.year}"  # strftime is several times slower


def _radius(value: int | None) -> float | None:
    # 0 or a negative radius is "not given" rather than "nowhere": the person did fill in a place
    return float(value) if value is not None and value > 0 else None


@dataclass(frozen=True, slots=True)
class _PersonView:
    """A person with everything ``fit`` compares precomputed once."""

    person: Person
    occupations: tuple[tuple[str, Occupation], ...]
    """(the person's wording, catalogue occupation) for every known URI."""
    titles: tuple[tuple[str, str], ...]
    """(wording, ``title_key``) of the desired occupations, for the text fallback."""
    skills: tuple[str, ...]
    languages: dict[str, tuple[int, str]]
    """Casefolded language → (best rank, its level as entered)."""
    point: Vector | None
    radius: float | None
    municipalities: frozenset[str]
    start: dt.date | None
    time: int


@dataclass(frozen=True, slots=True)
class _NeedView:
    """A need with everything ``fit`` compares precomputed once."""

    need: Need
    occupation: Occupation | None
    title: str
    skills: tuple[tuple[str, str], ...]
    """(wording, ``skill_key``), distinct keys."""
    languages: tuple[tuple[str, str, str, int], ...]
    """(wording, casefolded name, level as entered, rank), one per language."""
    point: Vector | None
    municipalities: frozenset[str]
    start: dt.date | None
    time: int


def _point(postcode: str) -> Vector | None:
    found = coordinates(postcode)
    return to_vector(found) if found else None


def _person_view(person: Person, catalogue: Catalogue) -> _PersonView:
    texts = tuple(t.strip() for t in person.occupations if t.strip())
    aligned = len(texts) == len(person.occupation_uris)
    occupations: list[tuple[str, Occupation]] = []
    for i, uri in enumerate(person.occupation_uris):
        occupation = catalogue.get(uri)
        if occupation is not None:
            # the URIs are the classifier's best match per text; show the person's own wording where we can pair them
            occupations.append((texts[i] if aligned else occupation.label, occupation))
    if not texts:
        texts = tuple(o.label for _, o in occupations)
    titles: dict[str, str] = {}
    for text in texts:
        titles.setdefault(title_key(text), text)
    languages: dict[str, tuple[int, str]] = {}
    for spoken in person.languages:
        name = spoken.language.strip().casefold()
        rank = cefr_rank(spoken.level)
        if name and (name not in languages or rank > languages[name][0]):
            languages[name] = (rank, spoken.level)
    return _PersonView(
        person=person,
        occupations=tuple(occupations),
        titles=tuple((text, key) for key, text in titles.items() if key),
        skills=tuple(dict.fromkeys(k for k in map(skill_key, person.skills) if k)),
        languages=languages,
        point=_point(person.place.postcode),
        radius=_radius(person.place.radius_km),
        municipalities=frozenset(m.strip().casefold() for m in person.place.municipalities if m.strip()),
        start=person.earliest_start,
        time=_time_code(person.working_time),
    )


def _need_skills(need: Need) -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    for wording in need.skills:
        key = skill_key(wording)
        if key:
            found.setdefault(key, wording.strip())
    return tuple((wording, key) for key, wording in found.items())


def _need_languages(need: Need) -> tuple[tuple[str, str, str, int], ...]:
    found: dict[str, tuple[str, str, str, int]] = {}
    for required in need.languages:
        name = required.language.strip().casefold()
        if name:
            found.setdefault(name, (required.language.strip(), name, required.level.strip(), cefr_rank(required.level)))
    return tuple(found.values())


def _need_view(need: Need, catalogue: Catalogue, *, title: str | None = None) -> _NeedView:
    return _NeedView(
        need=need,
        occupation=catalogue.get(need.occupation_uri),
        title=title_key(need.title) if title is None else title,
        skills=_need_skills(need),
        languages=_need_languages(need),
        point=_point(need.place.postcode),
        municipalities=frozenset(m.strip().casefold() for m in need.place.municipalities if m.strip()),
        start=need.start,
        time=_time_code(need.working_time),
    )


def _occupation(pv: _PersonView, nv: _NeedView, catalogue: Catalogue) -> tuple[float, str, str]:
    """Score, German detail and the person's wording that matched ("" when none)."""
    target = nv.occupation
    if pv.occupations and target is not None:
        best: tuple[float, str, str] = (0.0, _FALLBACK_TITLE_DETAIL, "")
        for wording, occupation in pv.occupations:
            if occupation.esco_uri == target.esco_uri:
                found = (SAME_OCCUPATION, f"gleicher Beruf: {target.label}", wording)
            elif occupation.unit_group == target.unit_group:
                label = catalogue.group_label(target.unit_group)
                found = (SAME_UNIT_GROUP, f"gleiche Berufsgruppe: {label}", wording)
            elif occupation.minor_group == target.minor_group:
                label = catalogue.group_label(target.minor_group)
                found = (SAME_MINOR_GROUP, f"verwandte Berufsgruppe: {label}", wording)
            else:
                continue
            if found[0] > best[0]:
                best = found
        return best
    best_similarity, best_wording = 0.0, ""
    for wording, key in pv.titles:
        s = similarity(key, nv.title)
        if s > best_similarity:
            best_similarity, best_wording = s, wording
    if best_similarity >= TITLE_CUTOFF:
        return (best_similarity - TITLE_BASE) / 100.0, f"ähnlicher Titel ({best_similarity:.0f} %)", best_wording
    return 0.0, _FALLBACK_TITLE_DETAIL if pv.titles and nv.title else "Beruf unbekannt", ""


def _has_skill(person_skills: Sequence[str], key: str) -> bool:
    return any(similarity(p, key) >= SKILL_CUTOFF for p in person_skills)


def _skills_part(
    pv: _PersonView, nv: _NeedView, w: float, matched: list[str], missing: list[str], *, present: Sequence[bool] | None
) -> Part | None:
    if not nv.skills:
        return None
    have = 0
    for i, (skill, key) in enumerate(nv.skills):
        if present[i] if present is not None else _has_skill(pv.skills, key):
            have += 1
            matched.append(skill)
        else:
            missing.append(skill)
    return Part("skills", have / len(nv.skills), w, f"{have} von {len(nv.skills)} Fähigkeiten")


def _languages_part(pv: _PersonView, nv: _NeedView, w: float, matched: list[str], missing: list[str]) -> Part | None:
    if not nv.languages:
        return None
    credit = 0.0
    notes = []
    for language, name, level, rank in nv.languages:
        spoken = pv.languages.get(name)
        got = language_credit(spoken[0] if spoken else None, rank)
        credit += got
        required = f"{language} {_level_text(level)}".strip()
        (matched if got == 1.0 else missing).append(required)
        if spoken is None:
            notes.append(f"{required} verlangt, nicht vorhanden")
        else:
            level_spoken = _level_text(spoken[1])
            notes.append(f"{required} verlangt, " + (f"{level_spoken} vorhanden" if level_spoken else "ohne Niveau"))
    return Part("languages", credit / len(nv.languages), w, "; ".join(notes))


def _working_time_part(pv: _PersonView, nv: _NeedView, w: float) -> Part:
    score = _working_time_score(pv.time, nv.time)
    if score == 0.0:
        detail = f"{_TIME_LABELS[nv.time]} gesucht, {_TIME_LABELS[pv.time]} gewünscht"
    elif pv.time == 0 and nv.time == 0:
        detail = "Arbeitszeit flexibel"
    else:
        detail = f"{_TIME_LABELS[max(pv.time, nv.time)]} passt"  # one side is 0 (either), or both are equal
    return Part("working_time", score, w, detail)


def _place_part(pv: _PersonView, nv: _NeedView, w: float) -> Part | None:
    wished = sorted(pv.municipalities & nv.municipalities)
    if wished:
        spelling = next((m.strip() for m in nv.need.place.municipalities if m.strip().casefold() == wished[0]), "")
        return Part("place", 1.0, w, f"Wunschort {spelling}")
    if pv.point is None or nv.point is None:
        return None
    distance = chord_km(pv.point, nv.point)
    # scored on the straight line (see chord_km), shown as the great-circle distance, which people know from maps
    detail = f"{chord_to_arc_km(distance):.0f} km" + (f" (Umkreis {pv.radius:.0f} km)" if pv.radius is not None else "")
    return Part("place", place_score(distance, pv.radius), w, detail)


def _start_part(pv: _PersonView, nv: _NeedView, w: float) -> Part | None:
    if pv.start is None or nv.start is None:
        return None
    detail = f"ab {_date(pv.start)} verfügbar, gesucht ab {_date(nv.start)}"
    return Part("start", start_score((pv.start - nv.start).days), w, detail)


def _fit(
    pv: _PersonView, nv: _NeedView, weights: Weights, catalogue: Catalogue, *, present: Sequence[bool] | None = None
) -> Fit:
    """``fit`` on precomputed views; ``present``: the answers of ``_has_skill`` for ``nv.skills``, when known.

    The part order is also the order ``NeedIndex`` adds them in (see the module docstring).
    """
    matched: list[str] = []
    missing: list[str] = []
    occupation, detail, wording = _occupation(pv, nv, catalogue)
    if occupation > 0:
        matched.append(f"{wording} ↔ {nv.need.title.strip()}")
    candidates = (
        Part("occupation", occupation, weights.occupation, detail),
        _skills_part(pv, nv, weights.skills, matched, missing, present=present),
        _languages_part(pv, nv, weights.languages, matched, missing),
        _working_time_part(pv, nv, weights.working_time),
        _place_part(pv, nv, weights.place),
        _start_part(pv, nv, weights.start),
    )
    parts = tuple(p for p in candidates if p is not None)
    # sum in part order: NeedIndex adds the same products in the same order and so gets the same float
    total = 0.0
    weight = 0.0
    for part in parts:
        total += part.weight * part.score
        weight += part.weight
    score = round(100 * total / weight, 1) if weight > 0 else 0.0
    if occupation == 0.0:
        score = min(score, UNRELATED_CAP)
    return Fit(pv.person.key, nv.need.key, score, parts, matched=tuple(matched), missing=tuple(missing))


def fit(person: Person, need: Need, weights: Weights, *, catalogue: Catalogue | None = None) -> Fit:
    """How well a person fits a need, part by part (``catalogue`` defaults to the shipped ESCO catalogue)."""
    catalogue = catalogue if catalogue is not None else load_catalogue()
    return _fit(_person_view(person, catalogue), _need_view(need, catalogue), weights, catalogue)


def _order(fit_: Fit, title: str, key: str) -> tuple[float, str, str]:
    return (-fit_.score, title.casefold(), key)


class _Titles:
    """Distinct title keys with the rows that carry them, searchable by string distance."""

    def __init__(self, rows: Iterable[tuple[int, str]]) -> None:
        members: dict[str, list[int]] = {}
        for row, key in rows:
            if key:
                members.setdefault(key, []).append(row)
        self.keys = list(members)
        self.rows = [np.asarray(r, dtype=np.int64) for r in members.values()]
        self._long_ids = [i for i, k in enumerate(self.keys) if len(k) >= SHORT_TERM]
        self._long = [self.keys[i] for i in self._long_ids]
        self._short_ids = [i for i, k in enumerate(self.keys) if len(k) < SHORT_TERM]

    def best(self, queries: Iterable[str]) -> dict[int, float]:
        """Title id → best ``similarity`` over the queries, for titles at or above ``TITLE_CUTOFF``."""
        best: dict[int, float] = {}

        def keep(i: int, score: float) -> None:
            if score >= TITLE_CUTOFF and score > best.get(i, 0.0):
                best[i] = score

        for query in queries:
            if len(query) >= SHORT_TERM:
                # WRatio in C++ over the long titles; scores equal similarity(), which calls the same scorer
                hits = process.extract(
                    query, self._long, scorer=fuzz.WRatio, processor=None, limit=None, score_cutoff=TITLE_CUTOFF
                )
                for _title, score, pos in hits:
                    keep(self._long_ids[pos], float(score))
                for i in self._short_ids:
                    keep(i, similarity(query, self.keys[i]))
            elif query:
                for i, key in enumerate(self.keys):
                    keep(i, similarity(query, key))
        return best


def _gather(ptr: IntArray, ids: IntArray, rows: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """For ragged lists stored as ``ids[ptr[r]:ptr[r + 1]]``: the rows' items, each item's row position, the lengths."""
    starts = ptr[rows]
    lengths = ptr[rows + 1] - starts
    owner = np.repeat(np.arange(rows.size, dtype=np.int64), lengths)
    offsets = np.cumsum(lengths) - lengths
    flat = ids[starts[owner] + np.arange(owner.size, dtype=np.int64) - offsets[owner]]
    return flat, owner, lengths


def _arrays(groups: dict[str, list[int]]) -> dict[str, IntArray]:
    return {k: np.asarray(v, dtype=np.int64) for k, v in groups.items()}


def _ragged(lists: Sequence[Sequence[int]]) -> tuple[IntArray, IntArray]:
    lengths = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    ids = np.fromiter((i for x in lists for i in x), dtype=np.int64, count=int(ptr[-1]))
    return ptr, ids


class _SkillMatcher:
    """Which of the needs' distinct skills a person's skill matches; remembered per person skill.

    Profiles share much of their skill wording, so ``score_matrix`` (and repeated rankings on one index) compare
    each pair of wordings once. The memory is bounded (``_SKILL_MEMORY`` person skills) and invisible: the answers
    are those of ``_has_skill``.
    """

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self._is_long = np.fromiter((len(k) >= SHORT_TERM for k in keys), dtype=np.bool_, count=len(keys))
        self._known: dict[str, npt.NDArray[np.int8]] = {}

    def hits(self, person_skills: Sequence[str], ids: IntArray) -> FloatArray:
        """1.0 for each skill id some person skill matches, else 0.0."""
        found = np.zeros(ids.size, dtype=np.float64)
        for skill in person_skills:
            known = self._known.get(skill)
            if known is None:
                if len(self._known) >= _SKILL_MEMORY:
                    self._known.clear()
                known = self._known[skill] = np.full(len(self.keys), -1, dtype=np.int8)  # -1: not compared yet
            new = ids[known[ids] < 0]
            if new.size:
                known[new] = self._compare(skill, new)
            found = np.maximum(found, known[ids])
        return found

    def _compare(self, skill: str, ids: IntArray) -> npt.NDArray[np.int8]:
        matches = np.zeros(ids.size, dtype=np.int8)
        long = self._is_long[ids] if len(skill) >= SHORT_TERM else np.zeros(ids.size, dtype=np.bool_)
        if long.any():
            # the long pairs in one call into C++; float64 so the cut-off sees the values similarity() returns
            scores = process.cdist(
                [skill],
                [self.keys[i] for i in ids[long].tolist()],
                scorer=fuzz.WRatio,
                processor=None,
                score_cutoff=SKILL_CUTOFF,
                dtype=np.float64,
            )
            matches[long] = scores[0] >= SKILL_CUTOFF
        for j in np.flatnonzero(~long).tolist():
            # pairs with a short side follow similarity()'s whole-word rule
            matches[j] = similarity(skill, self.keys[int(ids[j])]) >= SKILL_CUTOFF
        return matches


class NeedIndex:
    """Needs indexed by ESCO occupation and ISCO group, for ranking many needs for one person quickly.

    Build once per set of needs (e.g. per request or cached while the positions do not change); ``rank`` returns the
    same fits as ``fit`` over every need would, for all needs whose occupation part is above 0.
    """

    def __init__(self, needs: Sequence[Need], *, catalogue: Catalogue | None = None) -> None:
        self.catalogue = catalogue if catalogue is not None else load_catalogue()
        self.needs = tuple(needs)
        self._index_occupations()
        self._index_requirements()

    def _index_occupations(self) -> None:
        by_uri: dict[str, list[int]] = {}
        by_unit: dict[str, list[int]] = {}
        by_minor: dict[str, list[int]] = {}
        unclassified: list[int] = []
        keys: dict[str, str] = {}  # many needs share a title; key each distinct one once
        for row, need in enumerate(self.needs):
            occupation = self.catalogue.get(need.occupation_uri)
            if occupation is None:
                unclassified.append(row)
            else:
                by_uri.setdefault(occupation.esco_uri, []).append(row)
                by_unit.setdefault(occupation.unit_group, []).append(row)
                by_minor.setdefault(occupation.minor_group, []).append(row)
            if need.title not in keys:
                keys[need.title] = title_key(need.title)
        self._by_uri = _arrays(by_uri)
        self._by_unit = _arrays(by_unit)
        self._by_minor = _arrays(by_minor)
        self._titles = [keys[need.title] for need in self.needs]
        member_ids: dict[str, int] = {}
        self._members = np.fromiter(
            (member_ids.setdefault(need.member_key, len(member_ids)) for need in self.needs),
            dtype=np.int64,
            count=len(self.needs),
        )
        self._member_keys = list(member_ids)
        self._unclassified = _Titles((row, self._titles[row]) for row in unclassified)
        self._all_titles: _Titles | None = None  # only for people without a known occupation; built on first use

    def _index_requirements(self) -> None:
        skill_ids: dict[str, int] = {}
        language_ids: dict[tuple[str, int], int] = {}
        # needs repeat the same lists ("Deutsch B2"; a member's standard skills): resolve each distinct list once
        by_skills: dict[tuple[str, ...], list[int]] = {}
        by_languages: dict[tuple[Language, ...], list[int]] = {}
        postcode_ids: dict[str, int] = {}
        points: list[Vector] = []
        by_municipality: dict[str, list[int]] = {}
        need_skills: list[list[int]] = []
        need_languages: list[list[int]] = []
        postcodes: list[int] = []
        for row, need in enumerate(self.needs):
            ids = by_skills.get(need.skills)
            if ids is None:
                ids = by_skills[need.skills] = [skill_ids.setdefault(k, len(skill_ids)) for _, k in _need_skills(need)]
            need_skills.append(ids)
            ids = by_languages.get(need.languages)
            if ids is None:
                ids = by_languages[need.languages] = [
                    language_ids.setdefault((name, rank), len(language_ids))
                    for _, name, _, rank in _need_languages(need)
                ]
            need_languages.append(ids)
            code = need.place.postcode
            if code not in postcode_ids:
                point = _point(code)
                postcode_ids[code] = len(points) if point else -1
                if point:
                    points.append(point)
            postcodes.append(postcode_ids[code])
            for m in {m.strip().casefold() for m in need.place.municipalities if m.strip()}:
                by_municipality.setdefault(m, []).append(row)
        self._skills = _SkillMatcher(list(skill_ids))
        self._skill_ptr, self._skill_ids = _ragged(need_skills)
        self._languages = list(language_ids)
        self._language_ptr, self._language_ids = _ragged(need_languages)
        self._postcodes = np.asarray(postcodes, dtype=np.int64)
        self._vectors = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        self._by_municipality = _arrays(by_municipality)
        self._starts = np.asarray([n.start.toordinal() if n.start else 0 for n in self.needs], dtype=np.int64)
        self._times = np.asarray([_time_code(n.working_time) for n in self.needs], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.needs)

    def _candidates(self, pv: _PersonView) -> tuple[IntArray, FloatArray]:
        """Rows whose occupation part is above 0, with that part."""
        occupation = np.zeros(len(self.needs), dtype=np.float64)
        if pv.occupations:
            # lowest level first, so a row reached on several levels keeps its best
            for rows in (self._by_minor.get(o.minor_group) for _, o in pv.occupations):
                if rows is not None:
                    occupation[rows] = SAME_MINOR_GROUP
            for rows in (self._by_unit.get(o.unit_group) for _, o in pv.occupations):
                if rows is not None:
                    occupation[rows] = SAME_UNIT_GROUP
            for rows in (self._by_uri.get(o.esco_uri) for _, o in pv.occupations):
                if rows is not None:
                    occupation[rows] = SAME_OCCUPATION
            titles = self._unclassified
        else:
            if self._all_titles is None:
                self._all_titles = _Titles(enumerate(self._titles))
            titles = self._all_titles
        for i, s in titles.best(key for _, key in pv.titles).items():
            occupation[titles.rows[i]] = (s - TITLE_BASE) / 100.0
        rows = np.flatnonzero(occupation).astype(np.int64)
        return rows, occupation[rows]

    def _raw_scores(
        self, pv: _PersonView, rows: IntArray, occupation: FloatArray, weights: Weights
    ) -> tuple[FloatArray, FloatArray]:
        """Unrounded scores of the rows, and which distinct need skills (by id) the person has, 1.0 or 0.0.

        Column-wise, with the same helpers and the same order of operations as ``_fit``.
        """
        has = np.zeros(len(self._skills.keys), dtype=np.float64)
        total = weights.occupation * occupation
        weight = np.full(rows.size, weights.occupation)
        for applies, score, w in self._columns(pv, rows, weights, has):
            # adding 0.0 where a part does not apply leaves the sum bit-identical to skipping it, as _fit does
            total = total + np.where(applies, w * score, 0.0)
            weight = weight + np.where(applies, w, 0.0)
        scores: FloatArray = np.divide(100 * total, weight, out=np.zeros(rows.size), where=weight > 0)
        return scores, has

    def _columns(
        self, pv: _PersonView, rows: IntArray, weights: Weights, has: FloatArray
    ) -> Iterator[tuple[npt.NDArray[np.bool_], FloatArray, float]]:
        """(applies, score, weight) of every part after the occupation, in ``_fit``'s order; fills ``has``."""
        size = rows.size
        flat, owner, lengths = _gather(self._skill_ptr, self._skill_ids, rows)
        if flat.size:
            if pv.skills:
                # each distinct required skill once, however many needs ask for it
                distinct = np.unique(flat)
                has[distinct] = self._skills.hits(pv.skills, distinct)
            hits = np.bincount(owner, weights=has[flat], minlength=size)
            yield lengths > 0, np.divide(hits, lengths, out=np.zeros(size), where=lengths > 0), weights.skills

        flat, owner, lengths = _gather(self._language_ptr, self._language_ids, rows)
        if flat.size:
            credit = np.zeros(len(self._languages), dtype=np.float64)
            for lid in np.unique(flat).tolist():
                name, rank = self._languages[lid]
                spoken = pv.languages.get(name)
                credit[lid] = language_credit(spoken[0] if spoken else None, rank)
            got = np.bincount(owner, weights=credit[flat], minlength=size)
            yield lengths > 0, np.divide(got, lengths, out=np.zeros(size), where=lengths > 0), weights.languages

        times = self._times[rows]
        time = np.where((times == 0) | (pv.time == 0) | (times == pv.time), 1.0, 0.0)
        yield np.ones(size, dtype=np.bool_), time, weights.working_time

        yield (*self._place_column(pv, rows), weights.place)

        if pv.start is not None:
            starts = self._starts[rows]
            late = pv.start.toordinal() - starts
            yield starts > 0, np.where(late <= 0, 1.0, np.maximum(0.0, 1.0 - late / LATE_START_DAYS)), weights.start

    def _place_column(self, pv: _PersonView, rows: IntArray) -> tuple[npt.NDArray[np.bool_], FloatArray]:
        applies = np.zeros(rows.size, dtype=np.bool_)
        place = np.zeros(rows.size, dtype=np.float64)
        if pv.point is not None:
            postcodes = self._postcodes[rows]
            applies = postcodes >= 0
            vectors = self._vectors[postcodes[applies]]
            # chord_km and place_score column-wise, operation by operation, so the floats equal _fit's
            dx = pv.point[0] - vectors[:, 0]
            dy = pv.point[1] - vectors[:, 1]
            dz = pv.point[2] - vectors[:, 2]
            distance = EARTH_RADIUS_KM * np.sqrt(dx * dx + dy * dy + dz * dz)
            full, zero = _place_limits(pv.radius)
            place[applies] = np.where(distance <= full, 1.0, np.maximum(0.0, (zero - distance) / (zero - full)))
        if pv.municipalities:
            wished = np.zeros(len(self.needs), dtype=np.bool_)
            for m in pv.municipalities:
                found = self._by_municipality.get(m)
                if found is not None:
                    wished[found] = True
            wished_rows = wished[rows]
            place = np.where(wished_rows, 1.0, place)
            applies = applies | wished_rows
        return applies, place

    def rank(
        self,
        person: Person,
        weights: Weights,
        *,
        limit: int | None = 50,
        min_score: float = 0.0,
        per_member: bool = False,
    ) -> list[Fit]:
        """The needs that fit the person best, best first (ties by need title, then key); only related occupations.

        Args:
            person: The profile.
            weights: The parts' weights.
            limit: At most this many fits (``None``: all related needs).
            min_score: Leave out fits below this score.
            per_member: Only each member's best need (the first of its needs in the full ranking); ``limit`` then
                counts members. Much cheaper than ``limit=None`` and picking in the caller: only the members'
                best candidates get a readable ``Fit``.
        """
        if limit is not None and limit <= 0:
            return []
        pv = _person_view(person, self.catalogue)
        rows, occupation = self._candidates(pv)
        if not rows.size:
            return []
        raw, has = self._raw_scores(pv, rows, occupation, weights)
        # Which rows can still be in the result after rounding: those within _MARGIN of a cut-off.
        keep = raw >= min_score - _MARGIN
        best = raw
        if per_member:
            members = self._members[rows]
            top = np.full(len(self._member_keys), -np.inf)
            np.maximum.at(top, members[keep], raw[keep])
            best = top[members]
            keep &= raw >= best - _MARGIN
            contenders = top[top > -np.inf]
        else:
            contenders = raw[keep]
        if limit is not None and contenders.size > limit:
            cut = np.partition(contenders, contenders.size - limit)[contenders.size - limit]  # the limit-th best
            keep &= best >= cut - _MARGIN
        found: list[tuple[Fit, Need]] = []
        ptr, ids = self._skill_ptr, self._skill_ids
        for row in rows[keep].tolist():
            need = self.needs[row]
            nv = _need_view(need, self.catalogue, title=self._titles[row])
            # the skill comparisons are done already: reuse them (the ids follow the order of nv.skills)
            present = [h > 0 for h in has[ids[ptr[row] : ptr[row + 1]]].tolist()]
            result = _fit(pv, nv, weights, self.catalogue, present=present)
            if result.score >= min_score:
                found.append((result, need))
        found.sort(key=lambda pair: _order(pair[0], pair[1].title, pair[1].key))
        if per_member:
            firsts: dict[str, tuple[Fit, Need]] = {}
            for pair in found:
                firsts.setdefault(pair[1].member_key, pair)
            found = list(firsts.values())  # dicts keep the insertion order, i.e. the ranking's
        return [f for f, _ in found[:limit]]

    def score_row(self, person: Person, weights: Weights) -> FloatArray:
        """Scores (0-100, rounded as ``fit``) of all needs for a person; 0 where the occupation part is 0."""
        pv = _person_view(person, self.catalogue)
        row = np.zeros(len(self.needs), dtype=np.float64)
        rows, occupation = self._candidates(pv)
        if rows.size:
            raw, _ = self._raw_scores(pv, rows, occupation, weights)
            # Python's round, not np.round: they differ on halves, and fit uses Python's
            row[rows] = [round(x, 1) for x in raw.tolist()]
        return row


def rank_people(
    need: Need,
    people: Sequence[Person],
    weights: Weights,
    *,
    catalogue: Catalogue | None = None,
    limit: int | None = None,
    min_score: float = 0.0,
) -> list[Fit]:
    """The people that fit a need best, best first (ties by label, then key); only related occupations."""
    catalogue = catalogue if catalogue is not None else load_catalogue()
    nv = _need_view(need, catalogue)
    target = nv.occupation
    found: list[tuple[Fit, Person]] = []
    for person in people:
        if target is not None:
            known = [o for o in map(catalogue.get, person.occupation_uris) if o is not None]
            # a classified person outside the need's minor group scores 0 on occupation: skip the text work
            if known and all(o.minor_group != target.minor_group for o in known):
                continue
        pv = _person_view(person, catalogue)
        if _occupation(pv, nv, catalogue)[0] == 0.0:
            continue
        result = _fit(pv, nv, weights, catalogue)
        if result.score >= min_score:
            found.append((result, person))
    found.sort(key=lambda pair: _order(pair[0], pair[1].label, pair[1].key))
    return [f for f, _ in found[:limit]]


def score_matrix(
    people: Sequence[Person], needs: Sequence[Need], weights: Weights, *, catalogue: Catalogue | None = None
) -> npt.NDArray[np.float32]:
    """Scores (0-100) of every person (rows) for every need (columns); 0 where the occupations are unrelated."""
    index = NeedIndex(needs, catalogue=catalogue)
    matrix = np.zeros((len(people), len(needs)), dtype=np.float32)
    for i, person in enumerate(people):
        matrix[i] = index.score_row(person, weights)
    return matrix
