"""What the matching sees of people and needs: plain frozen values, no database, no I/O.

The services build them from the database; the coverage command builds them from CSV files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

CEFR_ORDER = ("A1", "A2", "B1", "B2", "C1", "C2", "native")
"""Language levels, lowest first; "native" (Muttersprache) satisfies every requirement."""


def cefr_rank(level: str) -> int:
    """Position of a CEFR level in ``CEFR_ORDER`` (-1 when unknown)."""
    try:
        return CEFR_ORDER.index(level.strip())
    except ValueError:
        return -1


@dataclass(frozen=True, slots=True)
class Language:
    """A language with a CEFR level: spoken by a person, or required (minimum level) by a need."""

    language: str
    level: str = ""


@dataclass(frozen=True, slots=True)
class Place:
    """Where a person can work, or where a need's workplace is."""

    postcode: str = ""
    municipalities: tuple[str, ...] = ()
    radius_km: int | None = None
    """Only on the person's side: how far from ``postcode`` they can work."""


@dataclass(frozen=True, slots=True)
class Person:
    """A profile as the matching sees it (active profile, or a releasing member's employee)."""

    key: str
    """Profile id, or the row id of a CSV pool."""
    occupations: tuple[str, ...]
    """Desired occupations as entered (free text)."""
    occupation_uris: tuple[str, ...] = ()
    """ESCO URIs the occupations were classified to (best match per text; may be empty)."""
    skills: tuple[str, ...] = ()
    languages: tuple[Language, ...] = ()
    working_time: str = "either"
    """``full_time``, ``part_time`` or ``either`` (``profiles.models.WorkingTime`` values)."""
    earliest_start: dt.date | None = None
    place: Place = field(default_factory=Place)
    label: str = ""
    """What a page shows for the person (a profile reference such as "JFZ-0042"; never a name by default)."""


@dataclass(frozen=True, slots=True)
class Need:
    """An open position of a member, or one of a member's fields of interest (title only, no requirements)."""

    key: str
    """Position id, ``interest:<member id>:<n>`` for a field of interest, or the row id of a CSV."""
    member_key: str
    title: str
    occupation_uri: str | None = None
    """ESCO URI the title was classified to (or chosen from the suggestions)."""
    skills: tuple[str, ...] = ()
    """Required skills."""
    languages: tuple[Language, ...] = ()
    """Required languages with their minimum level."""
    working_time: str = "either"
    start: dt.date | None = None
    place: Place = field(default_factory=Place)
    member_label: str = ""
    """The member's name, for pages."""


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the score's parts (``settings.matching``); a part without data on either side drops out."""

    occupation: float = 0.45
    skills: float = 0.20
    languages: float = 0.10
    working_time: float = 0.05
    place: float = 0.15
    start: float = 0.05


@dataclass(frozen=True, slots=True)
class Part:
    """One readable part of a score."""

    name: str
    """``occupation``, ``skills``, ``languages``, ``working_time``, ``place`` or ``start``."""
    score: float
    """0.0-1.0."""
    weight: float
    detail: str
    """Short German reason, e.g. "gleiche Berufsgruppe (Pflegefachkräfte)" or "12 km, im Umkreis von 30 km"."""


@dataclass(frozen=True, slots=True)
class Fit:
    """How well a person fits a need, with its parts and the matched and missing terms."""

    person_key: str
    need_key: str
    score: float
    """0-100, the weighted mean of the parts that apply."""
    parts: tuple[Part, ...]
    matched: tuple[str, ...] = ()
    """Terms that matched, e.g. "Pflegefachkraft ↔ Altenpfleger/in", "Intensivpflege"."""
    missing: tuple[str, ...] = ()
    """Qualification hint for a near-match: required skills and languages the person lacks ("Deutsch C1")."""
