"""The pure fit function: which offers fit a partner's situation (table-driven)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from jobfuerzwei.offers.fit import Situation, fits, fitting_offers, same_place

TODAY = dt.date(2027, 3, 1)


@dataclass
class O:  # noqa: E742  # a tiny stand-in for an Offer row
    category: str
    place: str = "regionweit"
    languages: list[str] = field(default_factory=list)
    title: str = "Angebot"
    valid_until: dt.date | None = None


NATIVE_DE = (("Deutsch", "native"),)
ENGLISH_ONLY = (("Englisch", "C2"),)
SOME_GERMAN = (("Deutsch", "A2"), ("Englisch", "B2"))
MOVER = Situation(places=("Leipzig", "Aalen"), languages=NATIVE_DE, is_moving=True)
STAYER = Situation(places=("Aalen-Wasseralfingen",), languages=NATIVE_DE, is_moving=False)


@pytest.mark.parametrize(
    ("situation", "offer", "expected"),
    [
        # childcare: always relevant, limited by place only (not by language, not by kind)
        (MOVER, O("childcare", "Aalen"), True),
        (STAYER, O("childcare", "Aalen"), True),  # Aalen-Wasseralfingen is a district of Aalen
        (MOVER, O("childcare", "Heidenheim an der Brenz"), False),
        (Situation(languages=ENGLISH_ONLY), O("childcare", "regionweit", ["Deutsch"]), True),
        (MOVER, O("childcare", "online"), True),
        # relocation: only for partners moving in
        (MOVER, O("relocation"), True),
        (STAYER, O("relocation"), False),
        (Situation(places=("Aalen",), is_moving=False), O("relocation", "Aalen"), False),
        # language courses: when the partner does not yet speak a taught language at C1
        (MOVER, O("language_course", "Aalen", ["Deutsch"]), False),
        (Situation(languages=SOME_GERMAN), O("language_course", "regionweit", ["Deutsch"]), True),
        (Situation(languages=ENGLISH_ONLY), O("language_course"), True),  # no language named: German
        (Situation(languages=(("Deutsch", "C1"),)), O("language_course", "online", ["Deutsch"]), False),
        (Situation(languages=(("Deutsch", "B2"),)), O("language_course", "online", ["Deutsch"]), True),
        (Situation(languages=NATIVE_DE), O("language_course", "online", ["Deutsch", "Englisch"]), True),
        # advice, training, other: held in a language the partner speaks at B1 or better
        (Situation(languages=ENGLISH_ONLY), O("advice", "regionweit", ["Deutsch", "Englisch"]), True),
        (Situation(languages=ENGLISH_ONLY), O("advice", "regionweit", ["Deutsch"]), False),
        (Situation(languages=SOME_GERMAN), O("further_training", "online", ["Deutsch"]), False),
        (Situation(languages=SOME_GERMAN), O("further_training", "online", ["englisch"]), True),
        (Situation(languages=()), O("other", "regionweit", []), True),
        # expired offers never fit
        (MOVER, O("childcare", "Aalen", valid_until=TODAY - dt.timedelta(days=1)), False),
        (MOVER, O("childcare", "Aalen", valid_until=TODAY), True),
    ],
)
def test_fits(situation: Situation, offer: O, expected: bool) -> None:
    assert fits(situation, offer, today=TODAY) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Aalen", "aalen", True),
        ("73430 Aalen", "Aalen", True),
        ("Aalen-Unterkochen", "Aalen", True),
        ("Heidenheim", "Heidenheim an der Brenz", True),
        ("Ellwangen (Jagst)", "Ellwangen", True),
        ("Aalen", "Aalenberg", False),
        ("Lorch", "Schwäbisch Gmünd", False),
        ("", "Aalen", False),
    ],
)
def test_same_place(a: str, b: str, expected: bool) -> None:
    assert same_place(a, b) is expected


def test_fitting_offers_are_ordered_by_category_then_local_first_then_title() -> None:
    offers = [
        O("advice", "online", [], "Z Online-Beratung"),
        O("advice", "Aalen", [], "Y Beratung vor Ort"),
        O("relocation", "regionweit", [], "Umzugslotsen"),
        O("childcare", "regionweit", [], "B Tagespflege"),
        O("childcare", "Aalen", [], "C Kita Aalen"),
        O("childcare", "Heidenheim", [], "A Kita Heidenheim"),
        O("advice", "regionweit", [], "X Beratung regionweit"),
    ]

    chosen = fitting_offers(MOVER, offers, today=TODAY)

    assert [o.title for o in chosen] == [
        "C Kita Aalen",
        "B Tagespflege",
        "Umzugslotsen",
        "Y Beratung vor Ort",
        "X Beratung regionweit",
        "Z Online-Beratung",
    ]
    assert [o.title for o in fitting_offers(MOVER, offers, today=TODAY, limit=2)] == ["C Kita Aalen", "B Tagespflege"]
