"""Rank many needs for one person quickly (``NeedIndex``), and score every person against every need (``score_matrix``).

``NeedIndex`` finds the candidates by dictionary lookups (URI, unit group, minor group) plus string distance over the
unclassified positions' distinct titles only, scores all candidates column-wise with numpy, and builds the readable
``Fit`` only for the best ones. The column-wise scores repeat ``ranking._fit``'s arithmetic operation by operation (the
same scalar helpers where strings are compared, and a place distance that needs no trigonometry per pair, see
``geo.chord_km``), so they equal ``fit``'s before rounding; a small margin around each cut-off makes the rounding
harmless, and the returned fits come from ``_fit`` itself. ``tests/matching/test_ranking.py`` checks the index against
``fit`` over every need.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from jobfuerzwei.matching.catalogue import Catalogue, load_catalogue
from jobfuerzwei.matching.facts import Fit, Language, Need, Person, Weights
from jobfuerzwei.matching.geo import EARTH_RADIUS_KM, Vector
from jobfuerzwei.matching.ranking import (
    LATE_START_DAYS,
    SAME_MINOR_GROUP,
    SAME_OCCUPATION,
    SAME_UNIT_GROUP,
    SKILL_CUTOFF,
    TITLE_BASE,
    TITLE_CUTOFF,
    _fit,
    _need_languages,
    _need_skills,
    _need_view,
    _order,
    _person_view,
    _PersonView,
    _place_limits,
    _point,
    _time_code,
    language_credit,
    similarity,
    title_key,
)
from jobfuerzwei.matching.scoring import SHORT_TERM

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_SKILL_MEMORY = 1024
"""Person skill wordings whose comparisons ``NeedIndex`` remembers (each costs one byte per distinct need skill)."""
_MARGIN = 0.1
"""Scores round to one decimal, so fits within 0.1 of the cut-off can still tie with it after rounding."""


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


def score_matrix(
    people: Sequence[Person], needs: Sequence[Need], weights: Weights, *, catalogue: Catalogue | None = None
) -> npt.NDArray[np.float32]:
    """Scores (0-100) of every person (rows) for every need (columns); 0 where the occupations are unrelated."""
    index = NeedIndex(needs, catalogue=catalogue)
    matrix = np.zeros((len(people), len(needs)), dtype=np.float32)
    for i, person in enumerate(people):
        matrix[i] = index.score_row(person, weights)
    return matrix
