"""Coverage model ("Modellrechnung"): which share of a set of needs a pool of people can fill, one person per need.

Job-to-job alliances ask "how many of the city's open positions could the firm's staff fill?". The answer is a
maximum one-to-one assignment between people and needs over the pairs that score at least a threshold: a greedy
loop (best pair first) undercounts, because taking one strong pair can block two good ones. ``solve`` works on a
plain score matrix; ``model`` scores ``Person`` and ``Need`` values first (``ranking.score_matrix``).

Pure functions, no database. The CSV helpers read and write text (streams and strings); only ``run_coverage``,
behind ``jobfuerzwei coverage --needs FILE --pool FILE``, opens files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, TextIO, TypeVar

import numpy as np
from numpy.typing import NDArray

from jobfuerzwei.matching.facts import CEFR_ORDER, Language, Need, Person, Place, Weights

if TYPE_CHECKING:
    from jobfuerzwei.matching.catalogue import Catalogue

CLASSIFY_CUTOFF = 80.0
"""Default: a CSV title without ESCO URI gets the classifier's best occupation when it scores at least this."""

LIST_SEPARATOR = ";"
"""Separates the values inside one cell (skills, languages, occupations, municipalities)."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Assignment:
    """One person assigned to one need, by their positions in the model's input."""

    person_index: int
    need_index: int
    score: float


@dataclass(frozen=True, slots=True)
class Coverage:
    """Result of the coverage model: the assignment and what is left over, as indices into the input."""

    assignments: tuple[Assignment, ...]
    """Sorted by need index."""
    unfilled_needs: tuple[int, ...]
    unassigned_people: tuple[int, ...]
    need_count: int
    person_count: int
    threshold: float

    @property
    def filled(self) -> int:
        """Number of needs that get a person."""
        return len(self.assignments)

    @property
    def share(self) -> float:
        """Filled needs as a share of all needs (0.0-1.0; 0.0 when there are no needs)."""
        return self.filled / self.need_count if self.need_count else 0.0

    @property
    def total_score(self) -> float:
        """Sum of the assigned pairs' scores."""
        return sum(a.score for a in self.assignments)

    @property
    def mean_score(self) -> float:
        """Mean score of the assigned pairs (0.0 when nothing is filled)."""
        return self.total_score / self.filled if self.filled else 0.0


SPARSE_DENSITY = 0.3
"""Below this share of allowed pairs ``solve`` uses the sparse solver (measured crossover on 2,000 x 2,000)."""

Method = Literal["auto", "dense", "sparse"]


def solve(
    scores: NDArray[np.floating] | Sequence[Sequence[float]],
    threshold: float,
    *,
    method: Method = "auto",
) -> Coverage:
    """Assign people (rows) to needs (columns): as many needs as possible, then the highest total score.

    Pairs scoring below ``threshold`` (or NaN) are never assigned. Ties between equally good assignments are
    broken by the solver, deterministically for the same input. ``method`` picks the solver (both give an
    optimal assignment): ``auto`` takes the sparse one when fewer than ``SPARSE_DENSITY`` of the pairs are allowed.
    """
    matrix = np.asarray(scores, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"scores must be a 2-d matrix (people x needs), got shape {matrix.shape}")
    if np.isinf(matrix).any():
        raise ValueError("scores must be finite")
    person_count, need_count = matrix.shape
    valid = matrix >= threshold  # NaN compares False, so an unscored pair counts as forbidden
    # People and needs without a single allowed pair stay unassigned whatever happens; leaving them out keeps
    # the solver's matrix small when the threshold is strict.
    rows = np.flatnonzero(valid.any(axis=1))
    cols = np.flatnonzero(valid.any(axis=0))
    assignments: list[Assignment] = []
    if rows.size and cols.size:
        sub = matrix[np.ix_(rows, cols)]
        sub_valid = valid[np.ix_(rows, cols)]
        is_sparse = method == "sparse" or (method == "auto" and sub_valid.mean() < SPARSE_DENSITY)
        sub_rows, sub_cols = (_solve_sparse if is_sparse else _solve_dense)(sub, sub_valid)
        assignments = [
            Assignment(person_index=int(rows[r]), need_index=int(cols[c]), score=float(sub[r, c]))
            for r, c in zip(sub_rows, sub_cols, strict=True)
        ]
        assignments.sort(key=lambda a: a.need_index)
    filled_needs = {a.need_index for a in assignments}
    busy_people = {a.person_index for a in assignments}
    return Coverage(
        assignments=tuple(assignments),
        unfilled_needs=tuple(i for i in range(need_count) if i not in filled_needs),
        unassigned_people=tuple(i for i in range(person_count) if i not in busy_people),
        need_count=need_count,
        person_count=person_count,
        threshold=threshold,
    )


Pairs = tuple[NDArray[np.intp], NDArray[np.intp]]


def _solve_dense(scores: NDArray[np.float64], allowed: NDArray[np.bool_]) -> Pairs:
    """Best matching of allowed pairs with ``linear_sum_assignment`` on the full (rectangular) matrix."""
    from scipy.optimize import linear_sum_assignment  # imported here: scipy takes ~0.2 s to import

    values = scores[allowed]
    low = float(values.min())
    span = float(values.max()) - low
    # Why this maximises the count first and the score second: an allowed pair weighs big + (score - low), a
    # forbidden one 0. For any set of c allowed pairs the objective is c * big + S with 0 <= S <= c * span <=
    # min(shape) * span < big, so one more allowed pair (+big) always outweighs any score difference; among sets
    # of equal size, S (= total score - c * low) decides. Every matching of allowed pairs extends to a full
    # rectangular assignment by adding forbidden pairs at weight 0, so the solver's optimum is the best matching,
    # and dropping its forbidden pairs afterwards loses nothing. The margin between counts is at least 1 while
    # the objective stays below ~1e9 (2,000 pairs of 0-100), far inside float64's exact range, so rounding
    # cannot swap the two criteria.
    big = min(scores.shape) * span + 1.0
    rows, cols = linear_sum_assignment(np.where(allowed, big + (scores - low), 0.0), maximize=True)
    keep = allowed[rows, cols]
    return rows[keep], cols[keep]


def _solve_sparse(scores: NDArray[np.float64], allowed: NDArray[np.bool_]) -> Pairs:
    """Best matching of allowed pairs with ``min_weight_full_bipartite_matching`` on the allowed pairs only."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    # The sparse solver (LAPJVsp) only touches allowed pairs: with a few percent of them allowed, as when
    # candidates share an occupation group, it is several times faster than the dense one. It needs a matching
    # that covers every row, so each row also gets a private "unassigned" column at a cost above everything
    # else, and the smaller side goes into the rows (fewer such columns; LAPJVsp is faster that way round).
    is_transposed = scores.shape[0] > scores.shape[1]
    if is_transposed:
        scores, allowed = scores.T, allowed.T
    row_count, col_count = scores.shape
    rows, cols = np.nonzero(allowed)
    values = scores[rows, cols]
    high = float(values.max())
    span = high - float(values.min())
    # Why this maximises the count first and the score second (the mirror of the dense case, as a cost): an
    # allowed pair costs (high - score) + 1, in [1, span + 1] (the sparse format needs costs above 0); an
    # unassigned row costs dummy > row_count * (span + 1). Trading one unassigned row for one more allowed pair
    # saves dummy and adds less than that in pair costs, so the count comes first; among matchings of equal
    # size the cost is c * (high + 1) - total score, so the total decides.
    dummy = row_count * (span + 1.0) + 1.0
    costs = csr_matrix(
        (
            np.concatenate([high - values + 1.0, np.full(row_count, dummy)]),
            (np.concatenate([rows, np.arange(row_count)]), np.concatenate([cols, col_count + np.arange(row_count)])),
        ),
        shape=(row_count, col_count + row_count),
    )
    matched_rows, matched_cols = min_weight_full_bipartite_matching(costs)
    keep = matched_cols < col_count
    matched_rows, matched_cols = matched_rows[keep], matched_cols[keep]
    return (matched_cols, matched_rows) if is_transposed else (matched_rows, matched_cols)


def model(
    people: Sequence[Person],
    needs: Sequence[Need],
    weights: Weights,
    threshold: float,
    *,
    catalogue: Catalogue | None = None,
) -> tuple[Coverage, NDArray[np.float32]]:
    """Score every person against every need and solve; also returns the score matrix (people x needs)."""
    from jobfuerzwei.matching.ranking import score_matrix

    scores = score_matrix(people, needs, weights, catalogue=catalogue)
    return solve(scores, threshold), scores


@dataclass(frozen=True, slots=True)
class MemberCoverage:
    """Filled and total needs of one member, e.g. for a bar per member on the coverage page."""

    member_key: str
    member_label: str
    filled: int
    total: int

    @property
    def share(self) -> float:
        """Filled needs as a share of the member's needs (0.0-1.0)."""
        return self.filled / self.total if self.total else 0.0


def by_member(coverage: Coverage, needs: Sequence[Need]) -> list[MemberCoverage]:
    """Coverage per member, in the order the members first appear among the needs."""
    filled = {a.need_index for a in coverage.assignments}
    counts: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    for index, need in enumerate(needs):
        count = counts.setdefault(need.member_key, [0, 0])
        count[0] += index in filled
        count[1] += 1
        labels.setdefault(need.member_key, need.member_label or need.member_key)
    return [MemberCoverage(key, labels[key], f, t) for key, (f, t) in counts.items()]


# --- CSV input ------------------------------------------------------------------------------------------------


class CoverageInputError(ValueError):
    """A CSV file for the coverage model cannot be read; the message (English) names the line and the problem."""

    def __init__(self, message: str, line: int | None = None, source: str = "") -> None:
        where = ", ".join(part for part in (source, f"line {line}" if line is not None else "") if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.line = line
        self.source = source


class ClassifiedTitle(Protocol):
    """What the coverage model reads from a classifier's match (``occupations.OccupationMatch``)."""

    @property
    def esco_uri(self) -> str: ...

    @property
    def score(self) -> float: ...


class TitleClassifier(Protocol):
    """Anything that maps a job title to ranked ESCO occupations (``occupations.default_classifier()``)."""

    def classify(self, text: str, *, limit: int = ...) -> Sequence[ClassifiedTitle]: ...


NEEDS_COLUMNS = {
    "id": True,
    "member": True,
    "title": True,
    "esco_uri": False,
    "skills": False,
    "languages": False,
    "working_time": False,
    "start": False,
    "postcode": False,
    "municipality": False,
}
"""Columns of a needs CSV; ``True`` marks the required ones."""

POOL_COLUMNS = {
    "id": True,
    "occupations": True,
    "esco_uris": False,
    "skills": False,
    "languages": False,
    "working_time": False,
    "earliest_start": False,
    "postcode": False,
    "radius_km": False,
    "municipalities": False,
}
"""Columns of a pool CSV; ``True`` marks the required ones."""

_WORKING_TIMES = {
    "full_time": "full_time",
    "full-time": "full_time",
    "full time": "full_time",
    "vollzeit": "full_time",
    "part_time": "part_time",
    "part-time": "part_time",
    "part time": "part_time",
    "teilzeit": "part_time",
    "either": "either",
    "": "either",
    "beides": "either",
    "egal": "either",
    "flexibel": "either",
    "vollzeit/teilzeit": "either",
    "voll- oder teilzeit": "either",
}
_NATIVE = {"native", "muttersprache", "muttersprachlich"}
_LEVEL = re.compile(r"^(?:[abc][12]|native|muttersprache|muttersprachlich)$", re.IGNORECASE)
_POSTCODE = re.compile(r"^\d{5}$")


class _BadValueError(Exception):
    """A cell's value is wrong; the row loop adds the line number."""


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip())


def _date(column: str, cell: str) -> dt.date | None:
    cell = cell.strip()
    if not cell:
        return None
    # ISO as documented; DD.MM.YYYY too, because German spreadsheets turn ISO dates into that on saving.
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(cell, fmt).date()  # noqa: DTZ007  # a calendar date, no time of day
        except ValueError:
            continue
    raise _BadValueError(f"{column} {cell!r} is not a date (YYYY-MM-DD)")


def _working_time(cell: str) -> str:
    value = _WORKING_TIMES.get(" ".join(cell.lower().split()))
    if value is None:
        raise _BadValueError(
            f"working_time {cell!r} is not one of full_time, part_time, either (Vollzeit, Teilzeit, beides)"
        )
    return value


def _languages(cell: str) -> tuple[Language, ...]:
    languages = []
    for item in _split(cell):
        name, colon, level = item.partition(":")
        if not colon:  # "Deutsch C1" without the colon is common enough to accept
            head, _, tail = item.rpartition(" ")
            name, level = (head, tail) if head and _LEVEL.match(tail) else (item, "")
        name, level = name.strip(), level.strip()
        if not name:
            raise _BadValueError(f"languages: {item!r} has no language before the level")
        if level:
            if not _LEVEL.match(level):
                raise _BadValueError(
                    f"languages: level {level!r} of {name} is not a CEFR level ({', '.join(CEFR_ORDER[:-1])} or native)"
                )
            level = "native" if level.lower() in _NATIVE else level.upper()
        languages.append(Language(name, level))
    return tuple(languages)


def _postcode(cell: str) -> str:
    cell = "".join(cell.split())  # "73 430" is a way of writing 73430
    # Spreadsheets read postcodes as numbers and drop the leading zero (01067 Dresden becomes 1067); German
    # postcodes always have five digits, so four digits can only mean that.
    if cell.isascii() and cell.isdigit() and len(cell) == 4:
        cell = "0" + cell
    if cell and not _POSTCODE.match(cell):
        raise _BadValueError(f"postcode {cell!r} is not a German postcode (five digits)")
    return cell


def _radius(cell: str) -> int | None:
    cell = cell.strip()
    if not cell:
        return None
    if not (cell.isascii() and cell.isdigit()):
        raise _BadValueError(f"radius_km {cell!r} is not a whole number of kilometres")
    return int(cell)


def _uri(column: str, cell: str, catalogue: Catalogue) -> str:
    # A mistyped URI would silently cost the occupation part of every score, so unknown ones are refused.
    if catalogue.get(cell) is None:
        raise _BadValueError(f"{column} {cell!r} is not an ESCO occupation URI of the catalogue")
    return cell


def _header(header: list[str] | None, columns: dict[str, bool]) -> list[str]:
    """The header's column names (lower case; "" for an unnamed column), checked against ``columns``."""
    if header is None or not any(h.strip() for h in header):
        raise CoverageInputError("the file is empty; the first line must name the columns", line=1)
    names = [h.strip().lower() for h in header]
    for name in names:
        if not name:  # spreadsheets add unnamed columns after the table (";;;"); they must stay empty
            continue
        if name not in columns:
            raise CoverageInputError(f"unknown column {name!r}; the columns are {', '.join(columns)}", line=1)
        if names.count(name) > 1:
            raise CoverageInputError(f"column {name!r} appears twice", line=1)
    for name, is_required in columns.items():
        if is_required and name not in names:
            raise CoverageInputError(f"required column {name!r} is missing", line=1)
    return names


def _rows(stream: TextIO, columns: dict[str, bool]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, cells by column) for each non-blank data row, after checking the header."""
    text = stream.read().removeprefix("\ufeff")  # Excel's "CSV UTF-8" starts with a byte-order mark
    header_line = text.split("\n", 1)[0]
    # German spreadsheets save CSV with ";" (the comma is the decimal separator); column names contain neither
    # separator, so the header line tells which one the file uses.
    delimiter = max((",", ";", "\t"), key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        names = _header(next(reader, None), columns)
        end = reader.line_num
        for cells in reader:
            line, end = end + 1, reader.line_num  # a quoted cell may span lines: report where the row starts
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(names):
                raise CoverageInputError(f"the row has {len(cells)} cells but the header names {len(names)}", line)
            row = dict.fromkeys(columns, "")  # trailing empty cells may be cut off by some tools
            for position, (name, cell) in enumerate(zip(names, cells, strict=False), start=1):
                if name:
                    row[name] = cell.strip()
                elif cell.strip():
                    raise CoverageInputError(f"cell {position} has a value but its column has no name", line)
            yield line, row
    except csv.Error as exc:
        raise CoverageInputError(f"malformed CSV ({exc})", line=reader.line_num) from exc


class _Classify:
    """Title -> ESCO URI via the classifier, loaded only if a row needs it, each distinct title classified once."""

    def __init__(self, classifier: TitleClassifier | None, cutoff: float) -> None:
        self.classifier = classifier
        self.cutoff = cutoff
        self.cache: dict[str, str | None] = {}

    def __call__(self, title: str) -> str | None:
        key = " ".join(title.lower().split())
        if key not in self.cache:
            if self.classifier is None:
                from jobfuerzwei.matching.occupations import default_classifier

                self.classifier = default_classifier()
            best = self.classifier.classify(title, limit=1)
            self.cache[key] = best[0].esco_uri if best and best[0].score >= self.cutoff else None
        return self.cache[key]


def _read(stream: TextIO, columns: dict[str, bool], make: Callable[[dict[str, str]], T]) -> list[T]:
    items: list[T] = []
    first_line: dict[str, int] = {}
    for line, row in _rows(stream, columns):
        try:
            for name, is_required in columns.items():
                if is_required and not row[name]:
                    raise _BadValueError(f"{name} is empty")
            if row["id"] in first_line:
                raise _BadValueError(f"id {row['id']!r} already appears on line {first_line[row['id']]}")
            first_line[row["id"]] = line
            items.append(make(row))
        except _BadValueError as exc:
            raise CoverageInputError(str(exc), line) from None
    return items


def read_needs_csv(
    stream: TextIO,
    *,
    classifier: TitleClassifier | None = None,
    catalogue: Catalogue | None = None,
    classify_cutoff: float = CLASSIFY_CUTOFF,
) -> list[Need]:
    """Read needs (open positions) from CSV text; see ``NEEDS_COLUMNS`` and the README for the columns.

    A row without ``esco_uri`` gets the best ESCO occupation for its title when the classifier (default:
    ``occupations.default_classifier()``, loaded only then) scores it at least ``classify_cutoff``.

    Raises:
        CoverageInputError: a missing or unknown column, or a bad row (the message names the line).
    """
    classify = _Classify(classifier, classify_cutoff)
    known = catalogue if catalogue is not None else _catalogue()

    def make(row: dict[str, str]) -> Need:
        municipality = row["municipality"]
        return Need(
            key=row["id"],
            member_key=row["member"],
            title=row["title"],
            occupation_uri=_uri("esco_uri", row["esco_uri"], known) if row["esco_uri"] else classify(row["title"]),
            skills=_split(row["skills"]),
            languages=_languages(row["languages"]),
            working_time=_working_time(row["working_time"]),
            start=_date("start", row["start"]),
            place=Place(postcode=_postcode(row["postcode"]), municipalities=(municipality,) if municipality else ()),
            member_label=row["member"],
        )

    return _read(stream, NEEDS_COLUMNS, make)


def read_pool_csv(
    stream: TextIO,
    *,
    classifier: TitleClassifier | None = None,
    catalogue: Catalogue | None = None,
    classify_cutoff: float = CLASSIFY_CUTOFF,
) -> list[Person]:
    """Read the pool of people from CSV text; see ``POOL_COLUMNS`` and the README for the columns.

    A row without ``esco_uris`` gets, for each of its occupations, the classifier's best ESCO occupation when it
    scores at least ``classify_cutoff``. The person's label is the row's id (the pool carries no names).

    Raises:
        CoverageInputError: a missing or unknown column, or a bad row (the message names the line).
    """
    classify = _Classify(classifier, classify_cutoff)
    known = catalogue if catalogue is not None else _catalogue()

    def make(row: dict[str, str]) -> Person:
        occupations = _split(row["occupations"])
        if not occupations:
            raise _BadValueError("occupations is empty")
        if row["esco_uris"]:
            uris = tuple(_uri("esco_uris", u, known) for u in _split(row["esco_uris"]))
        else:
            uris = tuple(u for u in (classify(o) for o in occupations) if u is not None)
        return Person(
            key=row["id"],
            occupations=occupations,
            occupation_uris=tuple(dict.fromkeys(uris)),  # two titles of the same occupation count once
            skills=_split(row["skills"]),
            languages=_languages(row["languages"]),
            working_time=_working_time(row["working_time"]),
            earliest_start=_date("earliest_start", row["earliest_start"]),
            place=Place(
                postcode=_postcode(row["postcode"]),
                municipalities=_split(row["municipalities"]),
                radius_km=_radius(row["radius_km"]),
            ),
            label=row["id"],
        )

    return _read(stream, POOL_COLUMNS, make)


def _catalogue() -> Catalogue:
    from jobfuerzwei.matching.catalogue import load_catalogue

    return load_catalogue()


# --- CSV output -----------------------------------------------------------------------------------------------

COVERAGE_CSV_COLUMNS = ("need_id", "member", "title", "filled", "person_id", "person_label", "score")
LEFTOVER_PEOPLE_CSV_COLUMNS = ("person_id", "person_label", "occupations")


def _cell(value: str) -> str:
    # A spreadsheet runs a cell that starts with one of these as a formula ("=HYPERLINK(...)" from an uploaded
    # title); the apostrophe makes it plain text and is not shown.
    return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


def _csv(header: Sequence[str], rows: Iterator[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180 line ends, as spreadsheets expect
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def _score(score: float) -> str:
    return f"{score:.1f}"


def coverage_csv(coverage: Coverage, people: Sequence[Person], needs: Sequence[Need]) -> str:
    """One row per need (input order) with its assigned person and score, or empty cells when unfilled."""
    by_need = {a.need_index: a for a in coverage.assignments}

    def rows() -> Iterator[Sequence[str]]:
        for index, need in enumerate(needs):
            a = by_need.get(index)
            person = people[a.person_index] if a else None
            yield (
                need.key,
                need.member_label or need.member_key,
                need.title,
                "yes" if a else "no",
                person.key if person else "",
                (person.label or person.key) if person else "",
                _score(a.score) if a else "",
            )

    return _csv(COVERAGE_CSV_COLUMNS, rows())


def leftover_people_csv(coverage: Coverage, people: Sequence[Person]) -> str:
    """The people no need was assigned to, with their occupations (``;``-separated)."""
    rows = (
        (people[i].key, people[i].label or people[i].key, f"{LIST_SEPARATOR} ".join(people[i].occupations))
        for i in coverage.unassigned_people
    )
    return _csv(LEFTOVER_PEOPLE_CSV_COLUMNS, rows)


# --- Command line ---------------------------------------------------------------------------------------------


def _plain(text: str, width: int = 40) -> str:
    # Cells go to a terminal: control characters (escape sequences in a crafted file) become spaces.
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _section(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A titled plain-text table with columns as wide as their widest cell."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    return ["", title] + [
        "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in (header, *rows)
    ]


def format_summary(coverage: Coverage, people: Sequence[Person], needs: Sequence[Need]) -> str:
    """Human summary: the share, the assignment as a table, the needs and people left over."""

    def need_cells(i: int) -> tuple[str, str, str]:
        need = needs[i]
        return _plain(need.key), _plain(need.member_label or need.member_key), _plain(need.title)

    def person_cell(i: int) -> str:
        return _plain(people[i].label or people[i].key)

    lines = [
        f"{coverage.filled} of {coverage.need_count} needs ({coverage.share * 100:.1f} %) can be filled, "
        f"mean score {coverage.mean_score:.1f}",
        f"(threshold {coverage.threshold:g}, {coverage.person_count} people in the pool)",
    ]
    if coverage.assignments:
        lines += _section(
            "Assignment:",
            ("need", "member", "title", "person", "score"),
            [(*need_cells(a.need_index), person_cell(a.person_index), _score(a.score)) for a in coverage.assignments],
        )
    if coverage.unfilled_needs:
        lines += _section(
            f"Needs left over ({len(coverage.unfilled_needs)}):",
            ("need", "member", "title"),
            [need_cells(i) for i in coverage.unfilled_needs],
        )
    if coverage.unassigned_people:
        lines += _section(
            f"People left over ({len(coverage.unassigned_people)}):",
            ("person", "occupations"),
            [
                (person_cell(i), _plain(f"{LIST_SEPARATOR} ".join(people[i].occupations), 60))
                for i in coverage.unassigned_people
            ],
        )
    return "\n".join(lines) + "\n"


def _read_file(path: Path, read: Callable[[TextIO], list[T]]) -> list[T]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # German Excel's plain "CSV" is Windows-1252; a file that is not valid UTF-8 is almost surely that.
        text = raw.decode("cp1252", errors="replace")
    try:
        return read(io.StringIO(text, newline=""))
    except CoverageInputError as exc:
        raise CoverageInputError(exc.message, exc.line, source=str(path)) from None


def run_coverage(
    needs_path: Path,
    pool_path: Path,
    *,
    threshold: float,
    weights: Weights,
    out: TextIO,
    err: TextIO | None = None,
    fmt: Literal["text", "csv"] = "text",
    classify_cutoff: float = CLASSIFY_CUTOFF,
    classifier: TitleClassifier | None = None,
    catalogue: Catalogue | None = None,
) -> int:
    """``jobfuerzwei coverage``: read both CSV files, run the model, write the summary (or the CSV) to ``out``.

    Returns:
        0, or 2 when an input is unreadable or invalid (the message goes to ``err``, default stderr).
    """
    err = err if err is not None else sys.stderr
    if not 0 <= threshold <= 100:
        print(f"jobfuerzwei coverage: threshold {threshold:g} is not between 0 and 100", file=err)
        return 2
    try:
        needs = _read_file(
            needs_path,
            lambda s: read_needs_csv(s, classifier=classifier, catalogue=catalogue, classify_cutoff=classify_cutoff),
        )
        people = _read_file(
            pool_path,
            lambda s: read_pool_csv(s, classifier=classifier, catalogue=catalogue, classify_cutoff=classify_cutoff),
        )
    except (CoverageInputError, OSError) as exc:
        print(f"jobfuerzwei coverage: {exc}", file=err)
        return 2
    coverage, _ = model(people, needs, weights, threshold, catalogue=catalogue)
    out.write(coverage_csv(coverage, people, needs) if fmt == "csv" else format_summary(coverage, people, needs))
    return 0
