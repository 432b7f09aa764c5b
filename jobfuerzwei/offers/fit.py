"""Which offers fit a partner's situation: small pure functions, no DB and no I/O.

The rules, in the order they apply:

- Expired offers never fit.
- Relocation and housing help fits only partners who are moving into the region (job-to-job profiles already live
  and work here).
- A language course fits when the partner does not yet speak a taught language well (below C1); a course that
  names no language teaches German.
- Advice, further training and other offers fit when they are held in a language the partner speaks at B1 or
  better, or name no language. Childcare and relocation help are not filtered by language: a child goes to the
  Kita whatever the parents speak, and relocation help reaches the household.
- Place: region-wide and online offers fit everyone; a local offer fits when its municipality is one of the
  situation's places (residence, desired work places, the recruiting or releasing member's municipality).

Childcare is therefore always relevant, limited only by the place.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from jobfuerzwei.offers.models import ONLINE, REGIONWIDE, OfferCategory

LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2", "native")
"""CEFR levels as stored on profiles, lowest first (``native``: Muttersprache)."""
FOLLOWS = LEVELS.index("B1")
"""From this level on a partner can follow advice or a course held in the language."""
FLUENT = LEVELS.index("C1")
"""From this level on a language course in that language is no longer suggested."""
LANGUAGE_FILTERED = {OfferCategory.ADVICE, OfferCategory.FURTHER_TRAINING, OfferCategory.OTHER}
CATEGORY_ORDER = {category: i for i, category in enumerate(OfferCategory)}
_SEPARATORS = (" ", "-", "(", "/", ",")


@dataclass(frozen=True)
class Situation:
    """What the fit depends on, taken from a profile (see ``situation_of`` in ``offers.services``)."""

    places: tuple[str, ...] = ()
    """Municipalities that matter to the partner: residence, desired work places, the member's municipality."""
    languages: tuple[tuple[str, str], ...] = ()
    """``(language, CEFR level)`` as on the profile."""
    is_moving: bool = False
    """A partner moving into the region (not a job-to-job profile)."""


class OfferFacts(Protocol):
    """The parts of an offer the fit looks at (an ``Offer`` row, or any object with these attributes)."""

    @property
    def category(self) -> str: ...
    @property
    def place(self) -> str: ...
    @property
    def languages(self) -> list[str]: ...
    @property
    def title(self) -> str: ...
    @property
    def valid_until(self) -> dt.date | None: ...


OfferT = TypeVar("OfferT", bound=OfferFacts)


def place_key(place: str) -> str:
    """A municipality as compared: case-folded, without postcode digits and extra spaces ("73430 Aalen" → "aalen")."""
    return " ".join(re.sub(r"\d", " ", place.casefold()).split()).strip(" ,;")


def same_place(a: str, b: str) -> bool:
    """Two municipality names name the same place, or one a district of the other ("Aalen" / "Aalen-Unterkochen")."""
    ka, kb = place_key(a), place_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    short, long = sorted((ka, kb), key=len)
    return any(long.startswith(short + sep) for sep in _SEPARATORS)


def _level(situation: Situation, language: str) -> int:
    """Index of the partner's level in ``LEVELS`` for ``language``; -1 when the partner does not speak it."""
    wanted = language.casefold().strip()
    best = -1
    for name, level in situation.languages:
        if name.casefold().strip() == wanted and level in LEVELS:
            best = max(best, LEVELS.index(level))
    return best


def _fits_place(situation: Situation, offer: OfferFacts) -> bool:
    if offer.place in (REGIONWIDE, ONLINE):
        return True
    return any(same_place(offer.place, place) for place in situation.places)


def _fits_language(situation: Situation, offer: OfferFacts) -> bool:
    category = OfferCategory(offer.category)
    if category == OfferCategory.LANGUAGE_COURSE:
        taught = offer.languages or ["Deutsch"]
        return any(_level(situation, language) < FLUENT for language in taught)
    if category in LANGUAGE_FILTERED and offer.languages:
        return any(_level(situation, language) >= FOLLOWS for language in offer.languages)
    return True


def fits(situation: Situation, offer: OfferFacts, *, today: dt.date) -> bool:
    """Whether ``offer`` fits ``situation`` on ``today`` (the rules in the module docstring)."""
    if offer.valid_until is not None and offer.valid_until < today:
        return False
    if OfferCategory(offer.category) == OfferCategory.RELOCATION and not situation.is_moving:
        return False
    return _fits_place(situation, offer) and _fits_language(situation, offer)


def _rank(situation: Situation, offer: OfferFacts) -> tuple[int, int, str]:
    # Local offers in the partner's places first, then region-wide, then online; within a category by title.
    where = 0 if offer.place not in (REGIONWIDE, ONLINE) else (1 if offer.place == REGIONWIDE else 2)
    return (CATEGORY_ORDER[OfferCategory(offer.category)], where, offer.title.casefold())


def fitting_offers(
    situation: Situation, offers: Iterable[OfferT], *, today: dt.date, limit: int | None = None
) -> Sequence[OfferT]:
    """The offers that fit, by category (childcare first), local before region-wide before online, then title."""
    chosen = sorted((o for o in offers if fits(situation, o, today=today)), key=lambda o: _rank(situation, o))
    return chosen if limit is None else chosen[:limit]
