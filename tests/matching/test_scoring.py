"""Text helpers of the matching: term splitting and title normalisation."""

from __future__ import annotations

import pytest

from jobfuerzwei.matching.scoring import process_term, split_terms


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("Pflege, Krankenpflege",), ("Pflege", "Krankenpflege")),
        (("Pflege\r\nAltenpflege;  Intensiv  pflege ", "pflege"), ("Pflege", "Altenpflege", "Intensiv pflege")),
        (("", "\n,;"), ()),
    ],
)
def test_split_terms_splits_lines_commas_and_semicolons(texts: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert split_terms(*texts) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Verfahrenstechnologe/-in (m/w/d)", "verfahrenstechnologe"),
        ("Fachkraft für Lagerlogistik", "fachkraft lagerlogistik"),
        ("Kaufmann/Kauffrau im Einzelhandel", "kaufmann kauffrau einzelhandel"),
        ("", ""),
    ],
)
def test_process_term_drops_filler_words_and_gender_endings(title: str, expected: str) -> None:
    assert process_term(title) == expected
