from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from jobfuerzwei.matching.coverage import Assignment, Coverage, Method, by_member, model, solve
from jobfuerzwei.matching.coverage_cli import format_summary, run_coverage
from jobfuerzwei.matching.coverage_io import (
    CoverageInputError,
    coverage_csv,
    leftover_people_csv,
    read_needs_csv,
    read_pool_csv,
)
from jobfuerzwei.matching.facts import Language, Need, Person, Place, Weights

NURSE = "http://data.europa.eu/esco/occupation/87d0795a-d41f-47ee-979f-0ab7d73836e7"
DEVELOPER = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
REGISTERED_NURSE = "http://data.europa.eu/esco/occupation/8d3e8aaa-791b-4c75-a465-f3f827028f50"
"""ISCO 2221; the curated synonyms send "Krankenpfleger" here (ESCO files the word under an assistant, 5321)."""
MILLER = "http://data.europa.eu/esco/occupation/a1c9f8b7-c4ce-4b15-ac3c-3378c300d8f2"


# --- solver ---------------------------------------------------------------------------------------------------

METHODS = pytest.mark.parametrize("method", ["auto", "dense", "sparse"])


def pairs(coverage: Coverage) -> set[tuple[int, int]]:
    return {(a.person_index, a.need_index) for a in coverage.assignments}


def brute_force(scores: np.ndarray, threshold: float) -> tuple[int, float]:
    """Best (count, total) over every one-to-one set of allowed pairs, by enumeration."""
    people, needs = scores.shape
    best = (0, 0.0)
    for targets in itertools.product(range(-1, needs), repeat=people):
        chosen = [(p, n) for p, n in enumerate(targets) if n >= 0]
        if len({n for _, n in chosen}) < len(chosen) or any(scores[p, n] < threshold for p, n in chosen):
            continue
        candidate = (len(chosen), float(sum(scores[p, n] for p, n in chosen)))
        if candidate[0] > best[0] or (candidate[0] == best[0] and candidate[1] > best[1]):
            best = candidate
    return best


@METHODS
def test_solve_fills_more_needs_than_greedy(method: Method) -> None:
    # Greedy takes the best pair (0, 0) = 90 first; person 1 then has no allowed need left: 1 of 2 filled.
    coverage = solve(np.array([[90, 80], [85, 0]], dtype=np.float32), threshold=50, method=method)
    assert pairs(coverage) == {(0, 1), (1, 0)}
    assert coverage.filled == 2
    assert coverage.total_score == pytest.approx(165)
    assert coverage.unfilled_needs == ()
    assert coverage.unassigned_people == ()


@METHODS
def test_solve_prefers_more_filled_needs_over_a_higher_total(method: Method) -> None:
    # One pair scores 100, two pairs only 2: the count comes first.
    coverage = solve(np.array([[100.0, 1.0], [1.0, 0.0]]), threshold=1, method=method)
    assert pairs(coverage) == {(0, 1), (1, 0)}
    assert coverage.total_score == pytest.approx(2)


@METHODS
def test_solve_prefers_the_higher_total_among_equal_counts(method: Method) -> None:
    coverage = solve(np.array([[70.0, 90.0], [90.0, 60.0]]), threshold=50, method=method)
    assert pairs(coverage) == {(0, 1), (1, 0)}
    assert coverage.mean_score == pytest.approx(90)


@METHODS
def test_solve_never_assigns_a_pair_below_the_threshold(method: Method) -> None:
    coverage = solve(np.array([[49.9, 10.0], [20.0, 50.0]]), threshold=50, method=method)
    assert pairs(coverage) == {(1, 1)}  # exactly at the threshold is allowed
    assert coverage.unfilled_needs == (0,)
    assert coverage.unassigned_people == (0,)
    assert all(a.score >= 50 for a in coverage.assignments)


def test_solve_with_every_pair_below_the_threshold_fills_nothing() -> None:
    coverage = solve(np.full((3, 4), 30.0), threshold=50)
    assert coverage.assignments == ()
    assert coverage.unfilled_needs == (0, 1, 2, 3)
    assert coverage.unassigned_people == (0, 1, 2)
    assert (coverage.share, coverage.mean_score) == (0.0, 0.0)


@METHODS
def test_solve_treats_nan_as_a_forbidden_pair(method: Method) -> None:
    coverage = solve(np.array([[math.nan, 60.0], [70.0, math.nan]]), threshold=50, method=method)
    assert pairs(coverage) == {(0, 1), (1, 0)}


@METHODS
def test_solve_with_more_people_than_needs_leaves_people_over(method: Method) -> None:
    scores = np.array([[60.0], [95.0], [80.0]])
    coverage = solve(scores, threshold=50, method=method)
    assert coverage.assignments == (Assignment(person_index=1, need_index=0, score=95.0),)
    assert coverage.unassigned_people == (0, 2)
    assert (coverage.person_count, coverage.need_count, coverage.share) == (3, 1, 1.0)


@METHODS
def test_solve_with_more_needs_than_people_leaves_needs_over(method: Method) -> None:
    scores = np.array([[60.0, 95.0, 80.0, 0.0]])
    coverage = solve(scores, threshold=50, method=method)
    assert coverage.assignments == (Assignment(person_index=0, need_index=1, score=95.0),)
    assert coverage.unfilled_needs == (0, 2, 3)
    assert coverage.share == pytest.approx(0.25)


@pytest.mark.parametrize("shape", [(0, 0), (0, 3), (3, 0)], ids=["nothing", "no-people", "no-needs"])
def test_solve_with_empty_input(shape: tuple[int, int]) -> None:
    coverage = solve(np.zeros(shape, dtype=np.float32), threshold=50)
    assert coverage.assignments == ()
    assert coverage.unfilled_needs == tuple(range(shape[1]))
    assert coverage.unassigned_people == tuple(range(shape[0]))
    assert (coverage.filled, coverage.share, coverage.mean_score) == (0, 0.0, 0.0)


def test_solve_accepts_nested_lists() -> None:
    assert solve([[55.0, 0.0], [0.0, 65.0]], threshold=50).filled == 2


@pytest.mark.parametrize("scores", [np.zeros(3), np.zeros((2, 2, 2)), np.array([[math.inf]])])
def test_solve_rejects_what_is_no_finite_matrix(scores: np.ndarray) -> None:
    with pytest.raises(ValueError, match="scores must be"):
        solve(scores, threshold=50)


@METHODS
@pytest.mark.parametrize("seed", range(40))
def test_solve_matches_brute_force(seed: int, method: Method) -> None:
    rng = np.random.default_rng(seed)
    people, needs = rng.integers(1, 5, size=2)
    # Coarse scores make ties likely; zeros stand for pairs that are no candidates at all.
    scores = rng.choice([0, 40, 50, 55, 60, 75, 90, 100], size=(people, needs)).astype(np.float32)
    coverage = solve(scores, threshold=50, method=method)
    count, total = brute_force(scores, 50)
    assert (coverage.filled, coverage.total_score) == (count, pytest.approx(total))
    assert len(pairs(coverage)) == coverage.filled
    assert len({a.person_index for a in coverage.assignments}) == coverage.filled
    assert all(scores[a.person_index, a.need_index] >= 50 for a in coverage.assignments)
    assert sorted(coverage.unfilled_needs + tuple(a.need_index for a in coverage.assignments)) == list(range(needs))


@pytest.mark.parametrize(("people", "needs", "density"), [(60, 40, 0.1), (40, 60, 0.1), (50, 50, 0.9)])
def test_dense_and_sparse_solvers_agree_on_larger_matrices(people: int, needs: int, density: float) -> None:
    rng = np.random.default_rng(people * needs)
    scores = (rng.random((people, needs)) * 60 + 40).astype(np.float32)
    scores[rng.random((people, needs)) > density] = 0
    dense = solve(scores, threshold=50, method="dense")
    sparse = solve(scores, threshold=50, method="sparse")
    assert dense.filled == sparse.filled
    assert dense.total_score == pytest.approx(sparse.total_score)


def test_share_and_mean_score() -> None:
    coverage = Coverage(
        assignments=(Assignment(0, 0, 80.0), Assignment(1, 2, 70.0)),
        unfilled_needs=(1, 3),
        unassigned_people=(),
        need_count=4,
        person_count=2,
        threshold=50,
    )
    assert (coverage.filled, coverage.share, coverage.mean_score, coverage.total_score) == (2, 0.5, 75.0, 150.0)


def test_by_member_counts_filled_needs_per_member() -> None:
    needs = [need("a", member="Stadt"), need("b", member="Klinik"), need("c", member="Stadt")]
    coverage = solve(np.array([[60.0, 0.0, 0.0], [0.0, 0.0, 70.0]]), threshold=50)
    rows = [(m.member_key, m.filled, m.total, m.share) for m in by_member(coverage, needs)]
    assert rows == [("Stadt", 2, 2, 1.0), ("Klinik", 0, 1, 0.0)]


# --- CSV input ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeMatch:
    esco_uri: str
    score: float


class FakeClassifier:
    def __init__(self, table: dict[str, FakeMatch]) -> None:
        self.table = table
        self.calls: list[str] = []

    def classify(self, text: str, *, limit: int = 5) -> list[FakeMatch]:
        self.calls.append(text)
        match = self.table.get(text)
        return [match] if match else []


def classifier() -> FakeClassifier:
    return FakeClassifier({"Softwareentwickler": FakeMatch(DEVELOPER, 95), "Pflege": FakeMatch(NURSE, 60)})


NEEDS_CSV = f"""id,member,title,esco_uri,skills,languages,working_time,start,postcode,municipality
N1,Stadt Aalen,Pflegefachkraft,{NURSE},Intensivpflege; Doku,Deutsch:C1; Englisch:B2,Vollzeit,2026-03-01,73430,Aalen
N2,Software GmbH,Softwareentwickler,,Python,Englisch C1,part_time,,1067,
N3,Klinik,Pflege,,,,,,,
N4,Klinik,Softwareentwickler,,,deutsch:muttersprache,beides,01.04.2026,,
"""

POOL_CSV = f"""id,occupations,esco_uris,skills,languages,working_time,earliest_start,postcode,radius_km,municipalities
P1,Krankenpfleger; Altenpfleger,{NURSE},Intensivpflege,Deutsch:native,either,2026-02-01,73433,30,Aalen; Oberkochen
P2,Softwareentwickler; Pflege,,,Englisch:c1,Teilzeit,,,,
"""


def test_read_needs_csv_reads_every_column() -> None:
    fake = classifier()
    needs = read_needs_csv(io.StringIO(NEEDS_CSV), classifier=fake)
    assert needs[0] == Need(
        key="N1",
        member_key="Stadt Aalen",
        title="Pflegefachkraft",
        occupation_uri=NURSE,
        skills=("Intensivpflege", "Doku"),
        languages=(Language("Deutsch", "C1"), Language("Englisch", "B2")),
        working_time="full_time",
        start=dt.date(2026, 3, 1),
        place=Place(postcode="73430", municipalities=("Aalen",)),
        member_label="Stadt Aalen",
    )
    assert needs[1].occupation_uri == DEVELOPER  # classified: best score 95 >= 80
    assert needs[1].languages == (Language("Englisch", "C1"),)
    assert needs[1].place == Place(postcode="01067")  # the leading zero a spreadsheet dropped
    assert needs[2].occupation_uri is None  # best score 60 < 80
    assert (needs[2].working_time, needs[2].start, needs[2].skills) == ("either", None, ())
    assert needs[3].languages == (Language("deutsch", "native"),)
    assert needs[3].start == dt.date(2026, 4, 1)
    assert fake.calls == ["Softwareentwickler", "Pflege"]  # each distinct title once; N1 had its URI


def test_read_needs_csv_honours_the_classify_cutoff() -> None:
    needs = read_needs_csv(io.StringIO(NEEDS_CSV), classifier=classifier(), classify_cutoff=50)
    assert needs[2].occupation_uri == NURSE


def test_read_pool_csv_reads_every_column() -> None:
    fake = classifier()
    people = read_pool_csv(io.StringIO(POOL_CSV), classifier=fake)
    assert people[0] == Person(
        key="P1",
        occupations=("Krankenpfleger", "Altenpfleger"),
        occupation_uris=(NURSE,),
        skills=("Intensivpflege",),
        languages=(Language("Deutsch", "native"),),
        working_time="either",
        earliest_start=dt.date(2026, 2, 1),
        place=Place(postcode="73433", municipalities=("Aalen", "Oberkochen"), radius_km=30),
        label="P1",
    )
    assert people[1].occupation_uris == (DEVELOPER,)  # "Pflege" scores below the cutoff
    assert (people[1].working_time, people[1].place, people[1].languages) == (
        "part_time",
        Place(),
        (Language("Englisch", "C1"),),
    )
    assert fake.calls == ["Softwareentwickler", "Pflege"]


def test_read_csv_accepts_a_semicolon_file_with_byte_order_mark_and_blank_lines() -> None:
    text = '\ufeffID;Member;Title;Skills;Start\r\n\r\nN1;Stadt;Pflegefachkraft;"Pflege; Doku";01.03.2026\r\n'
    (need,) = read_needs_csv(io.StringIO(text), classifier=classifier())
    assert (need.key, need.skills, need.start) == ("N1", ("Pflege", "Doku"), dt.date(2026, 3, 1))


def test_read_needs_csv_restores_the_leading_zero_of_a_postcode() -> None:
    text = f"id,member,title,esco_uri,postcode\nN1,Stadt,Koch,{NURSE},7343\nN2,Stadt,Koch,{NURSE},01067\n"
    assert [n.place.postcode for n in read_needs_csv(io.StringIO(text))] == ["07343", "01067"]


def test_read_csv_ignores_empty_unnamed_columns() -> None:
    text = "id;member;title;;\nN1;Stadt;Koch;;\nN2;Stadt;Koch;;x\n"
    with pytest.raises(CoverageInputError, match=r"^line 3: cell 5 has a value but its column has no name$"):
        read_needs_csv(io.StringIO(text), classifier=classifier())
    assert [n.key for n in read_needs_csv(io.StringIO(text[: text.index("N2")]), classifier=classifier())] == ["N1"]


def test_read_csv_fills_missing_trailing_cells() -> None:
    (need,) = read_needs_csv(io.StringIO("id,member,title,postcode\nN1,Stadt,Koch\n"), classifier=classifier())
    assert need.place == Place()


GOOD_NEED = f"N1,Stadt,Koch,{NURSE},,,,,"
NEEDS_HEADER = "id,member,title,esco_uri,languages,working_time,start,postcode,municipality"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (f"N2,Stadt,Koch,{NURSE},,,2026-13-01,,", "start '2026-13-01' is not a date (YYYY-MM-DD)"),
        (f"N2,Stadt,Koch,{NURSE},,nachts,,,", "working_time 'nachts' is not one of full_time, part_time, either"),
        (f"N2,Stadt,Koch,{NURSE},,,,ABC12,", "postcode 'ABC12' is not a German postcode (five digits)"),
        (f"N2,Stadt,Koch,{NURSE},Deutsch:C3,,,,", "level 'C3' of Deutsch is not a CEFR level"),
        (f"N2,Stadt,Koch,{NURSE},:B2,,,,", "languages: ':B2' has no language before the level"),
        (f"N2,,Koch,{NURSE},,,,,", "member is empty"),
        (f"N1,Stadt,Koch,{NURSE},,,,,", "id 'N1' already appears on line 2"),
        ("N2,Stadt,Koch,http://example.org/koch,,,,,", "esco_uri 'http://example.org/koch' is not an ESCO occupation"),
        (f"N2,Stadt,Koch,{NURSE},,,,,,extra", "the row has 10 cells but the header names 9"),
        ('N2,Stadt,"Koch,,,,,,,,', "malformed CSV"),
    ],
    ids=[
        "date",
        "working-time",
        "postcode",
        "language-level",
        "language-name",
        "required-cell",
        "duplicate-id",
        "unknown-uri",
        "too-many-cells",
        "unclosed-quote",
    ],
)
def test_read_needs_csv_names_the_line_of_a_bad_row(row: str, message: str) -> None:
    text = f"{NEEDS_HEADER}\n{GOOD_NEED}\n\n{row}\n"
    with pytest.raises(CoverageInputError) as caught:
        read_needs_csv(io.StringIO(text), classifier=classifier())
    assert str(caught.value).startswith("line 4: ")
    assert message in str(caught.value)
    assert caught.value.line == 4


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("P2,Koch,,,,,,,3O,", "radius_km '3O' is not a whole number of kilometres"),
        ("P2,Koch,,,,,,,-5,", "radius_km '-5' is not a whole number"),
        ("P2,Koch,,,,,1.2.2026x,,,", "earliest_start '1.2.2026x' is not a date"),
        ("P2, ; ,,,,,,,,", "occupations is empty"),
        ("P2,Koch,http://example.org/x; ,,,,,,,", "esco_uris 'http://example.org/x' is not an ESCO occupation"),
        ("P2,Koch,,,Englisch:fließend,,,,,", "level 'fließend' of Englisch is not a CEFR level"),
    ],
    ids=["radius", "negative-radius", "date", "no-occupation", "unknown-uri", "language-level"],
)
def test_read_pool_csv_names_the_line_of_a_bad_row(row: str, message: str) -> None:
    header = "id,occupations,esco_uris,skills,languages,working_time,earliest_start,postcode,radius_km,municipalities"
    text = f'{header}\nP1,"Koch;\nBäcker",,,,,,,,\n{row}\n'  # the first row spans two lines
    with pytest.raises(CoverageInputError, match=r"^line 4: ") as caught:
        read_pool_csv(io.StringIO(text), classifier=classifier())
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,title\nN1,Koch\n", "line 1: required column 'member' is missing"),
        ("id,member,titel\nN1,Stadt,Koch\n", "line 1: unknown column 'titel'; the columns are id, member, title, "),
        ("id,member,title,id\n", "line 1: column 'id' appears twice"),
        ("", "line 1: the file is empty"),
        ("\n\n", "line 1: the file is empty"),
    ],
    ids=["missing", "unknown", "twice", "empty", "blank"],
)
def test_read_needs_csv_checks_the_header(text: str, message: str) -> None:
    with pytest.raises(CoverageInputError) as caught:
        read_needs_csv(io.StringIO(text), classifier=classifier())
    assert str(caught.value).startswith(message)


def test_read_pool_csv_requires_the_occupations_column() -> None:
    with pytest.raises(CoverageInputError, match="required column 'occupations' is missing"):
        read_pool_csv(io.StringIO("id,skills\nP1,Kochen\n"), classifier=classifier())


def test_read_csv_does_not_classify_rows_that_carry_their_uri() -> None:
    fake = classifier()
    read_needs_csv(io.StringIO(f"id,member,title,esco_uri\nN1,Stadt,Koch,{NURSE}\n"), classifier=fake)
    read_pool_csv(io.StringIO(f"id,occupations,esco_uris\nP1,Koch,{NURSE}\n"), classifier=fake)
    assert fake.calls == []


# --- CSV output -----------------------------------------------------------------------------------------------


def need(key: str, *, member: str = "Stadt Aalen", title: str = "Pflegefachkraft") -> Need:
    return Need(key=key, member_key=member, title=title, member_label=member)


def person(key: str, *occupations: str, label: str = "") -> Person:
    return Person(key=key, occupations=occupations or ("Pflegefachkraft",), label=label)


NEEDS = [need("N1"), need("N2", member="Klinik", title="Arzt"), need("N3", title="Koch")]
PEOPLE = [person("P1", label="JFZ-0001"), person("P2", "Koch", "Bäcker"), person("P3")]
COVERAGE = solve(np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 72.25], [88.0, 0.0, 0.0]]), threshold=50)


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_coverage_csv_lists_every_need_with_its_person() -> None:
    assert parse(coverage_csv(COVERAGE, PEOPLE, NEEDS)) == [
        ["need_id", "member", "title", "filled", "person_id", "person_label", "score"],
        ["N1", "Stadt Aalen", "Pflegefachkraft", "yes", "P3", "P3", "88.0"],
        ["N2", "Klinik", "Arzt", "no", "", "", ""],
        ["N3", "Stadt Aalen", "Koch", "yes", "P2", "P2", "72.2"],
    ]


def test_leftover_people_csv_lists_the_unassigned_people() -> None:
    assert parse(leftover_people_csv(COVERAGE, PEOPLE)) == [
        ["person_id", "person_label", "occupations"],
        ["P1", "JFZ-0001", "Pflegefachkraft"],
    ]


@pytest.mark.parametrize(
    "title",
    ['=HYPERLINK("http://evil.example","x")', "+49 7361", "-1+1", "@SUM(A1)", "\tKoch", "\rKoch"],
    ids=["equals", "plus", "minus", "at", "tab", "carriage-return"],
)
def test_coverage_csv_defuses_formulas(title: str) -> None:
    needs = [need("N1", title=title), need("=N2", member="@Klinik")]
    people = [person("-P1", label="+JFZ")]
    rows = parse(coverage_csv(solve(np.array([[90.0, 0.0]]), threshold=50), people, needs))
    assert rows[1][2] == "'" + title
    assert rows[1][4:6] == ["'-P1", "'+JFZ"]
    assert rows[2][:2] == ["'=N2", "'@Klinik"]
    left = parse(leftover_people_csv(solve(np.zeros((1, 0)), threshold=50), people))
    assert left[1][:2] == ["'-P1", "'+JFZ"]


def test_coverage_csv_leaves_harmless_cells_alone() -> None:
    needs = [need("N-1", title="Koch = Küchenchef")]
    rows = parse(coverage_csv(solve(np.zeros((0, 1)), threshold=50), [], needs))
    assert rows[1][:3] == ["N-1", "Stadt Aalen", "Koch = Küchenchef"]


def test_format_summary_reports_share_assignment_and_leftovers() -> None:
    text = format_summary(COVERAGE, PEOPLE, NEEDS)
    lines = text.splitlines()
    assert lines[0] == "2 of 3 needs (66.7 %) can be filled, mean score 80.1"
    assert "(threshold 50, 3 people in the pool)" in lines[1]
    assert "Assignment:" in lines
    assert any(line.split() == ["N1", "Stadt", "Aalen", "Pflegefachkraft", "P3", "88.0"] for line in lines)
    assert "Needs left over (1):" in lines
    assert any(line.split() == ["N2", "Klinik", "Arzt"] for line in lines)
    assert "People left over (1):" in lines
    assert any(line.split() == ["JFZ-0001", "Pflegefachkraft"] for line in lines)


def test_format_summary_strips_control_characters() -> None:
    needs = [need("N1", title="Koch\x1b[2J")]
    text = format_summary(solve(np.zeros((0, 1)), threshold=50), [], needs)
    assert "\x1b" not in text
    assert "0 of 1 needs (0.0 %) can be filled, mean score 0.0" in text


# --- command line ---------------------------------------------------------------------------------------------


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_run_coverage_rejects_a_bad_row_with_file_and_line(tmp_path: Path) -> None:
    needs = write(tmp_path / "needs.csv", f"id,member,title,esco_uri,start\nN1,Stadt,Koch,{NURSE},morgen\n")
    pool = write(tmp_path / "pool.csv", f"id,occupations,esco_uris\nP1,Koch,{NURSE}\n")
    out, err = io.StringIO(), io.StringIO()
    code = run_coverage(needs, pool, threshold=50, weights=Weights(), out=out, err=err, classifier=classifier())
    assert code == 2
    assert out.getvalue() == ""
    assert err.getvalue() == (f"jobfuerzwei coverage: {needs}, line 2: start 'morgen' is not a date (YYYY-MM-DD)\n")


def test_run_coverage_reports_a_missing_file(tmp_path: Path) -> None:
    pool = write(tmp_path / "pool.csv", f"id,occupations,esco_uris\nP1,Koch,{NURSE}\n")
    err = io.StringIO()
    code = run_coverage(tmp_path / "nope.csv", pool, threshold=50, weights=Weights(), out=io.StringIO(), err=err)
    assert code == 2
    assert "jobfuerzwei coverage:" in err.getvalue()
    assert "nope.csv" in err.getvalue()


@pytest.mark.parametrize("threshold", [-1, 100.5])
def test_run_coverage_rejects_a_threshold_outside_0_to_100(tmp_path: Path, threshold: float) -> None:
    err = io.StringIO()
    code = run_coverage(
        tmp_path / "a", tmp_path / "b", threshold=threshold, weights=Weights(), out=io.StringIO(), err=err
    )
    assert code == 2
    assert "is not between 0 and 100" in err.getvalue()


def test_run_coverage_reads_windows_1252_files(tmp_path: Path) -> None:
    # German Excel's plain "CSV" is Windows-1252; the bad date stops the run before the scoring.
    needs = write(tmp_path / "needs.csv", f"id,member,title,esco_uri,start\nN1,Stadt,Koch,{NURSE},März\n", "cp1252")
    pool = write(tmp_path / "pool.csv", f"id,occupations,esco_uris\nP1,Koch,{NURSE}\n")
    err = io.StringIO()
    assert run_coverage(needs, pool, threshold=50, weights=Weights(), out=io.StringIO(), err=err) == 2
    assert "line 2: start 'März' is not a date" in err.getvalue()


# --- end to end with the real classifier and ranking -----------------------------------------------------------

E2E_NEEDS = """id,member,title,esco_uri,skills,languages,working_time,start,postcode,municipality
S1,Stadt Aalen,Gesundheits- und Krankenpfleger,,Intensivpflege,Deutsch:B2,Vollzeit,2026-03-01,73430,Aalen
S2,Software GmbH,Softwareentwickler,,Python,,either,,73430,Aalen
S3,Stadt Aalen,CNC-Fräser,,,,,,73430,Aalen
"""
E2E_POOL = """id,occupations,esco_uris,skills,languages,working_time,earliest_start,postcode,radius_km,municipalities
F1,Krankenpfleger,,Intensivpflege,Deutsch:native,either,2026-02-01,73433,30,
F2,Softwareentwickler,,Python,Deutsch:C1,Teilzeit,,73430,20,
F3,Koch,,,,,,73430,20,
"""


def test_read_csv_classifies_titles_with_the_default_classifier() -> None:
    needs = read_needs_csv(io.StringIO("id,member,title\nN1,Stadt,Softwareentwickler\nN2,Stadt,Xyzzy Qwertz\n"))
    assert [n.occupation_uri for n in needs] == [DEVELOPER, None]
    (p,) = read_pool_csv(
        io.StringIO("id,occupations\nP1,Krankenpfleger; Xyzzy Qwertz; Gesundheits- und Krankenpfleger\n")
    )
    assert p.occupation_uris == (REGISTERED_NURSE,)


def test_model_scores_every_pair_and_solves() -> None:
    needs = read_needs_csv(io.StringIO(E2E_NEEDS))
    people = read_pool_csv(io.StringIO(E2E_POOL))
    coverage, scores = model(people, needs, Weights(), 50)
    assert scores.shape == (3, 3)
    assert scores.dtype == np.float32
    assert pairs(coverage) == {(0, 0), (1, 1)}
    assert coverage.unfilled_needs == (2,)
    assert coverage.unassigned_people == (2,)
    assert all(a.score == pytest.approx(scores[a.person_index, a.need_index]) for a in coverage.assignments)


def test_run_coverage_prints_the_summary(tmp_path: Path) -> None:
    needs, pool = write(tmp_path / "needs.csv", E2E_NEEDS), write(tmp_path / "pool.csv", E2E_POOL)
    out, err = io.StringIO(), io.StringIO()
    assert run_coverage(needs, pool, threshold=50, weights=Weights(), out=out, err=err) == 0
    assert err.getvalue() == ""
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("2 of 3 needs (66.7 %) can be filled, mean score ")
    assert any(line.split()[:2] == ["S1", "Stadt"] and line.split()[-2] == "F1" for line in lines)
    assert any(line.split()[:3] == ["S2", "Software", "GmbH"] and line.split()[-2] == "F2" for line in lines)
    assert lines[lines.index("Needs left over (1):") + 2].split() == ["S3", "Stadt", "Aalen", "CNC-Fräser"]
    assert lines[lines.index("People left over (1):") + 2].split() == ["F3", "Koch"]


def test_run_coverage_writes_csv(tmp_path: Path) -> None:
    needs, pool = write(tmp_path / "needs.csv", E2E_NEEDS), write(tmp_path / "pool.csv", E2E_POOL)
    out = io.StringIO()
    assert run_coverage(needs, pool, threshold=50, weights=Weights(), out=out, err=io.StringIO(), fmt="csv") == 0
    rows = parse(out.getvalue())
    assert [(r[0], r[3], r[4]) for r in rows] == [
        ("need_id", "filled", "person_id"),
        ("S1", "yes", "F1"),
        ("S2", "yes", "F2"),
        ("S3", "no", ""),
    ]


def test_run_coverage_with_a_strict_threshold_fills_nothing(tmp_path: Path) -> None:
    needs = write(tmp_path / "needs.csv", "id,member,title\nS3,Stadt Aalen,CNC-Fräser\n")
    pool = write(tmp_path / "pool.csv", E2E_POOL)
    out = io.StringIO()
    assert run_coverage(needs, pool, threshold=100, weights=Weights(), out=out, err=io.StringIO()) == 0
    assert out.getvalue().startswith("0 of 1 needs (0.0 %) can be filled, mean score 0.0\n")
