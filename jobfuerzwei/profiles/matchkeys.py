"""The normalised forms of a partner's email, phone and residence that duplicate detection compares.

``Profile`` keeps them in indexed columns (``email_key``, ``phone_key``, ``place_key``), set on every insert and
update through the ORM, so the review finds a profile's possible duplicates with an index lookup instead of reading
every profile. Migration 0013 filled them for existing rows with a frozen copy of these rules: a change here needs a
migration that fills the columns again.
"""

from __future__ import annotations

import re


def normalize_email(value: str) -> str:
    """Lower-case, trimmed."""
    return value.strip().lower()


def normalize_phone(value: str) -> str:
    """Digits only, with +49 / 0049 folded to a leading 0; empty when too short to compare."""
    digits = re.sub(r"\D", "", value)
    if value.strip().startswith("+"):
        digits = "0" + digits[2:] if digits.startswith("49") else "00" + digits
    elif digits.startswith("0049"):
        digits = "0" + digits[4:]
    return digits if len(digits) >= 6 else ""


def normalize_place(value: str) -> str:
    """Case- and whitespace-insensitive form of a place name."""
    return " ".join(value.casefold().split())
