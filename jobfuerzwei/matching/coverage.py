"""Coverage model ("Modellrechnung"): which share of a set of needs a pool of people can fill, one person per need.

Job-to-job alliances ask "how many of the city's open positions could the firm's staff fill?". The answer is a
maximum one-to-one assignment between people and needs over the pairs that score at least a threshold: a greedy
loop (best pair first) undercounts, because taking one strong pair can block two good ones. ``solve`` works on a
plain score matrix; ``model`` scores ``Person`` and ``Need`` values first (``index.score_matrix``).

Pure functions, no database and no I/O: ``coverage_io`` reads and writes the CSV text, ``coverage_cli`` runs the
model on CSV files for ``jobfuerzwei coverage --needs FILE --pool FILE``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from jobfuerzwei.matching.facts import Need, Person, Weights

if TYPE_CHECKING:
    from jobfuerzwei.matching.catalogue import Catalogue


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
    from jobfuerzwei.matching.index import score_matrix

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
