"""Text helpers of the matching: normalising job titles and splitting free-text lists into terms.

Pure functions, no I/O. ``process_term`` removes what carries no meaning in a German job title (filler words,
gender endings such as "/-in", "(m/w/d)"); the ranking compares titles by text with it where no catalogue
occupation is known. Terms shorter than ``SHORT_TERM`` characters only count as whole words: WRatio finds "IT"
inside "Mitarbeiterin" and "Kita", and with two or three letters one letter off is another word.
"""

from __future__ import annotations

import re

from rapidfuzz import utils

SHORT_TERM = 4
"""Processed terms shorter than this match only as a whole word (see module docstring)."""

_SPLIT = re.compile(r"[\n\r,;]+")

_FILLER = frozenset(
    [
        "für",
        "fuer",
        "und",
        "oder",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "in",
        "im",
        "am",
        "an",
        "auf",
        "mit",
        "von",
        "vom",
        "zur",
        "zum",
        "bei",
        "als",
        "m",
        "w",
        "d",
        "r",
        "e",
        "n",
        "in",
        "innen",
        "mwd",
    ]
)
"""Words that carry no meaning in a job title; left in, "für" alone makes unrelated titles look 60 % alike."""


def process_term(text: str) -> str:
    """``utils.default_process`` without filler words and gender endings ("Technologe/-in (m/w/d)")."""
    return " ".join(w for w in utils.default_process(text).split() if w not in _FILLER)


def split_terms(*texts: str) -> tuple[str, ...]:
    """Split free text (lines, commas, semicolons) into distinct, stripped terms in their first order."""
    seen: dict[str, str] = {}
    for text in texts:
        for part in _SPLIT.split(text or ""):
            term = " ".join(part.split())
            key = term.casefold()
            if term and key not in seen:
                seen[key] = term
    return tuple(seen.values())
