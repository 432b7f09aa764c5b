"""Cells that spreadsheets open safely: the formula-injection guard shared by every CSV and XLSX export.

No domain imports: ``matching`` (coverage CSV) and ``results`` (exports) both use it.
"""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet runs a cell that starts with one of these as a formula (``=HYPERLINK(...)`` from a typed name)."""


def is_formula_like(value: str) -> bool:
    """Would a spreadsheet treat this text as a formula?"""
    return value.startswith(FORMULA_PREFIXES)


def safe_cell(value: str) -> str:
    """Text for a CSV cell: a leading apostrophe makes a formula-like value plain text (Excel does not show it)."""
    return "'" + value if is_formula_like(value) else value
