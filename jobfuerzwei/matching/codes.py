"""ESCO codes for stored titles: the classifier's best match when it is sure enough, else "" (ranked by text)."""

from __future__ import annotations

from collections.abc import Sequence

from jobfuerzwei.matching.occupations import default_classifier

CLASSIFY_CUTOFF = 80.0
"""A stored title counts as an ESCO occupation when the classifier's best match scores at least this (0-100).
Below it the title is matched by text similarity only, which is better than a confident wrong occupation."""


def best_uri(title: str, cutoff: float = CLASSIFY_CUTOFF) -> str:
    """The ESCO URI of the classifier's best match for ``title`` if it scores at least ``cutoff``, else ""."""
    matches = default_classifier().classify(title, limit=1) if title.strip() else []
    return matches[0].esco_uri if matches and matches[0].score >= cutoff else ""


def best_uris(titles: Sequence[str], cutoff: float = CLASSIFY_CUTOFF) -> list[str]:
    """``best_uri`` for each title, in order."""
    return [best_uri(t, cutoff) for t in titles]
