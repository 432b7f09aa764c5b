"""The ``jobfuerzwei coverage`` command: run the coverage model on a needs and a pool CSV file, print the result.

``run_coverage`` opens and decodes the files (UTF-8 or, as German Excel saves them, Windows-1252), reads them with
``coverage_io``, runs ``coverage.model`` and writes a plain-text summary (``format_summary``) or the assignment as CSV.
"""

from __future__ import annotations

import io
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO, TypeVar

from jobfuerzwei.matching.coverage import Coverage, model
from jobfuerzwei.matching.coverage_io import (
    CLASSIFY_CUTOFF,
    LIST_SEPARATOR,
    CoverageInputError,
    TitleClassifier,
    _score,
    coverage_csv,
    read_needs_csv,
    read_pool_csv,
)
from jobfuerzwei.matching.facts import Need, Person, Weights

if TYPE_CHECKING:
    from jobfuerzwei.matching.catalogue import Catalogue

T = TypeVar("T")


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
