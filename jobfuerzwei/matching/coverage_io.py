"""CSV text in and out of the coverage model: needs and pool files in, the assignment and the people left over out.

The readers accept what spreadsheets save (a ";", "," or tab separator, a byte-order mark, DD.MM.YYYY dates,
postcodes that lost their leading zero, German working-time words) and refuse a bad value with a
``CoverageInputError`` that names the line; titles without an ESCO URI go through the occupation classifier. The
writers defuse cells that a spreadsheet would run as formulas. Streams and strings only: no files are opened here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol, TextIO, TypeVar

from jobfuerzwei.matching.coverage import Coverage
from jobfuerzwei.matching.facts import CEFR_ORDER, Language, Need, Person, Place
from jobfuerzwei.spreadsheets import safe_cell

if TYPE_CHECKING:
    from jobfuerzwei.matching.catalogue import Catalogue

CLASSIFY_CUTOFF = 80.0
"""Default: a CSV title without ESCO URI gets the classifier's best occupation when it scores at least this."""

LIST_SEPARATOR = ";"
"""Separates the values inside one cell (skills, languages, occupations, municipalities)."""

T = TypeVar("T")


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
    # An uploaded title such as "=HYPERLINK(...)" must stay text; the guard is shared with the results exports.
    return safe_cell(value)


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
