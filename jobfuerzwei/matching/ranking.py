"""Explainable ranking of people against needs (open positions and fields of interest); pure, no database, no I/O.

A ``Fit`` is the weighted mean of readable parts (``Weights`` in ``settings.matching``):

- occupation: same ESCO occupation 1.0, same ISCO unit group 0.8, same minor group 0.55. Text similarity of the
  titles (0.1-0.5) is the fallback only where the catalogue cannot compare the two, i.e. the need or the person has
  no known ESCO occupation. Two classified occupations in different minor groups score 0: the classifier has read
  both titles already, and a string distance between, say, "Krankenpfleger" and "Tierpfleger" would only add noise.
  This rule is also what lets ``index.NeedIndex`` skip string distance for all classified positions outside the
  person's groups and still return exactly what ``fit`` over every position would.
- skills: share of the need's required skills the person has (fuzzy, umlaut- and case-insensitive).
- languages: share of the required languages spoken at the required level; one level below earns half.
- working time, place (postcode distance against the person's radius, or a wished-for municipality), earliest start.

A part without data on either side drops out, with its weight. When the occupation part is 0 the score is capped at
``UNRELATED_CAP``, so an unrelated job next door never outranks a related one further away. Pairs whose occupation
part is 0 are never returned by the rankings (and stay 0 in ``score_matrix``).

``fit`` and ``rank_people`` compare pair by pair; ``index.NeedIndex`` and ``index.score_matrix`` score many needs at
once and return the same scores.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import escape
from rapidfuzz import fuzz, utils

from jobfuerzwei.i18n import DEFAULT, N_, current_language, format_date, gettext
from jobfuerzwei.matching.catalogue import Catalogue, Occupation, load_catalogue
from jobfuerzwei.matching.facts import Fit, Need, Part, Person, Weights, cefr_rank
from jobfuerzwei.matching.geo import Vector, chord_km, chord_to_arc_km, coordinates, to_vector
from jobfuerzwei.matching.scoring import SHORT_TERM, process_term

SAME_OCCUPATION = 1.0
SAME_UNIT_GROUP = 0.8
SAME_MINOR_GROUP = 0.55
TITLE_CUTOFF = 75.0
"""Minimum title similarity (0-100) for the text fallback of the occupation part. Below 75, WRatio pairs
unrelated German words that share a few letters ("Controller" ~ "Lehre": 68)."""
TITLE_BASE = 50.0
"""Title similarity s maps to (s - 50) / 100: 75 % → 0.25, 100 % → 0.5, always below the same minor group."""
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


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_AD_NOISE = frozenset(
    ["senior", "junior", "vollzeit", "teilzeit", "befristet", "unbefristet", "all", "gender", "genders"]
)
"""Job-ad words that say nothing about the occupation (working time is a part of its own)."""
_TIME_CODES = {"either": 0, "full_time": 1, "part_time": 2}
_TIME_MISMATCH = {
    (1, 2): N_("Vollzeit gesucht, Teilzeit gewünscht"),
    (2, 1): N_("Teilzeit gesucht, Vollzeit gewünscht"),
}
"""(need, person) → reason, for the two working times that do not fit."""
_TIME_FITS = {1: N_("Vollzeit passt"), 2: N_("Teilzeit passt")}
_FALLBACK_TITLE_DETAIL = N_("anderer Beruf")


class Reason(str):
    """An explanation of a score: equal to its German text (compared, hashed, stored as such), shown translated.

    Fits are computed once and kept (``matches.cache``) while pages in either language show them, so the text is
    translated when it is shown: ``str()`` and Jinja's escaping give the current language. ``message`` is the
    German message id (marked with ``N_``); ``values`` fill its ``%(name)s`` placeholders and may be reasons
    themselves or dates (written as the language writes them).
    """

    __slots__ = ("_message", "_values")
    _message: str
    _values: dict[str, object]

    def __new__(cls, message: str, /, **values: object) -> Reason:
        text = message % {k: _german(v) for k, v in values.items()} if values else message
        self = super().__new__(cls, text)
        self._message = message
        self._values = values
        return self

    @classmethod
    def joined(cls, separator: str, reasons: Iterable[str]) -> Reason:
        """The reasons one after the other, each translated when shown (``separator`` is not translated)."""
        values = {f"r{i}": r for i, r in enumerate(reasons)}
        return cls(separator.replace("%", "%%").join(f"%({k})s" for k in values), **values)

    def __str__(self) -> str:
        """The text in the current language (the German text itself in German)."""
        if current_language() == DEFAULT:
            return str.__str__(self)
        message = gettext(self._message)
        return message % {k: _shown(v) for k, v in self._values.items()} if self._values else message

    def __html__(self) -> str:
        """The text in the current language, escaped (Jinja calls this)."""
        return str(escape(str(self)))


def german(text: str) -> str:
    """The German text of a reason (a plain ``str``), e.g. to store it; any other text as it is."""
    return str.__str__(text)


def _german(value: object) -> object:
    if isinstance(value, str):
        return str.__str__(value)
    return _date(value) if isinstance(value, dt.date) else value


def _shown(value: object) -> object:
    if isinstance(value, str):
        return str(value)
    return format_date(value) if isinstance(value, dt.date) else value


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


def _required_text(language: str, level: str) -> str:
    """A required language with its level as shown ("Deutsch C1", "Englisch Muttersprache", "Französisch")."""
    if level.strip() == "native":
        return Reason(N_("%(language)s Muttersprache"), language=language)
    return f"{language} {level.strip()}".strip()


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
    """Score, detail (a ``Reason``) and the person's wording that matched ("" when none)."""
    target = nv.occupation
    if pv.occupations and target is not None:
        best: tuple[float, str, str] = (0.0, Reason(_FALLBACK_TITLE_DETAIL), "")
        for wording, occupation in pv.occupations:
            if occupation.esco_uri == target.esco_uri:
                found = (
                    SAME_OCCUPATION,
                    Reason(N_("gleicher Beruf: %(occupation)s"), occupation=target.label),
                    wording,
                )
            elif occupation.unit_group == target.unit_group:
                label = catalogue.group_label(target.unit_group)
                found = (SAME_UNIT_GROUP, Reason(N_("gleiche Berufsgruppe: %(group)s"), group=label), wording)
            elif occupation.minor_group == target.minor_group:
                label = catalogue.group_label(target.minor_group)
                found = (SAME_MINOR_GROUP, Reason(N_("verwandte Berufsgruppe: %(group)s"), group=label), wording)
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
        detail = Reason(N_("ähnlicher Titel (%(similarity)s %%)"), similarity=f"{best_similarity:.0f}")
        return (best_similarity - TITLE_BASE) / 100.0, detail, best_wording
    return 0.0, Reason(_FALLBACK_TITLE_DETAIL if pv.titles and nv.title else N_("Beruf unbekannt")), ""


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
    detail = Reason(N_("%(have)s von %(total)s Fähigkeiten"), have=have, total=len(nv.skills))
    return Part("skills", have / len(nv.skills), w, detail)


def _languages_part(pv: _PersonView, nv: _NeedView, w: float, matched: list[str], missing: list[str]) -> Part | None:
    if not nv.languages:
        return None
    credit = 0.0
    notes: list[str] = []
    for language, name, level, rank in nv.languages:
        spoken = pv.languages.get(name)
        got = language_credit(spoken[0] if spoken else None, rank)
        credit += got
        required = _required_text(language, level)
        (matched if got == 1.0 else missing).append(required)
        level_spoken = spoken[1].strip() if spoken else ""
        if spoken is None:
            notes.append(Reason(N_("%(language)s verlangt, nicht vorhanden"), language=required))
        elif level_spoken == "native":
            notes.append(Reason(N_("%(language)s verlangt, Muttersprache vorhanden"), language=required))
        elif level_spoken:
            notes.append(
                Reason(N_("%(language)s verlangt, %(level)s vorhanden"), language=required, level=level_spoken)
            )
        else:
            notes.append(Reason(N_("%(language)s verlangt, ohne Niveau"), language=required))
    return Part("languages", credit / len(nv.languages), w, Reason.joined("; ", notes))


def _working_time_part(pv: _PersonView, nv: _NeedView, w: float) -> Part:
    score = _working_time_score(pv.time, nv.time)
    if score == 0.0:
        detail = Reason(_TIME_MISMATCH[nv.time, pv.time])
    elif pv.time == 0 and nv.time == 0:
        detail = Reason(N_("Arbeitszeit flexibel"))
    else:
        detail = Reason(_TIME_FITS[max(pv.time, nv.time)])  # one side is 0 (either), or both are equal
    return Part("working_time", score, w, detail)


def _place_part(pv: _PersonView, nv: _NeedView, w: float) -> Part | None:
    wished = sorted(pv.municipalities & nv.municipalities)
    if wished:
        spelling = next((m.strip() for m in nv.need.place.municipalities if m.strip().casefold() == wished[0]), "")
        return Part("place", 1.0, w, Reason(N_("Wunschort %(place)s"), place=spelling))
    if pv.point is None or nv.point is None:
        return None
    distance = chord_km(pv.point, nv.point)
    # scored on the straight line (see chord_km), shown as the great-circle distance, which people know from maps
    km = f"{chord_to_arc_km(distance):.0f}"
    if pv.radius is None:
        detail = f"{km} km"
    else:
        detail = Reason(N_("%(distance)s km (Umkreis %(radius)s km)"), distance=km, radius=f"{pv.radius:.0f}")
    return Part("place", place_score(distance, pv.radius), w, detail)


def _start_part(pv: _PersonView, nv: _NeedView, w: float) -> Part | None:
    if pv.start is None or nv.start is None:
        return None
    detail = Reason(N_("ab %(available)s verfügbar, gesucht ab %(wanted)s"), available=pv.start, wanted=nv.start)
    return Part("start", start_score((pv.start - nv.start).days), w, detail)


def _fit(
    pv: _PersonView, nv: _NeedView, weights: Weights, catalogue: Catalogue, *, present: Sequence[bool] | None = None
) -> Fit:
    """``fit`` on precomputed views; ``present``: the answers of ``_has_skill`` for ``nv.skills``, when known.

    The part order is also the order ``index.NeedIndex`` adds them in (see that module's docstring).
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
