"""The ESCO occupation catalogue in German (3,039 occupations, ISCO-08 groups), shipped in the package's data.

ESCO classification, © European Union, CC BY 4.0 (see ``data/README.md``). Loaded once per process
(``load_catalogue`` is cached); pure data, no database.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

ESCO_CREDIT = "ESCO classification, © European Union, CC BY 4.0"
"""Shown wherever the catalogue is shipped or shown (imprint, README)."""


@dataclass(frozen=True, slots=True)
class Occupation:
    """One ESCO occupation."""

    esco_uri: str
    label: str
    """Preferred German label, usually "male form/female form"."""
    isco_group: str
    """ISCO-08 unit group as ESCO codes it, e.g. ``C2342``."""
    alt_labels: tuple[str, ...]
    """Synonyms and gender forms."""

    @property
    def unit_group(self) -> str:
        """The four-digit ISCO unit group (``C2342``)."""
        return self.isco_group

    @property
    def minor_group(self) -> str:
        """The three-digit ISCO minor group (``C234``)."""
        return self.isco_group[:4]


@dataclass(frozen=True, slots=True)
class IscoGroup:
    """An ISCO-08 group: major (``C2``), sub-major (``C23``), minor (``C234``) or unit (``C2342``)."""

    code: str
    label: str
    parent: str


@dataclass(frozen=True)
class Catalogue:
    """All occupations and ISCO groups, with lookups."""

    occupations: tuple[Occupation, ...]
    by_uri: dict[str, Occupation]
    groups: dict[str, IscoGroup]

    def get(self, esco_uri: str | None) -> Occupation | None:
        """The occupation with this URI, or ``None``."""
        return self.by_uri.get(esco_uri) if esco_uri else None

    def group_label(self, code: str) -> str:
        """German label of an ISCO group code, or the code itself when unknown."""
        group = self.groups.get(code)
        return group.label if group else code


def read_catalogue(directory: Path = DATA_DIR) -> Catalogue:
    """Read the catalogue's CSV files (use ``load_catalogue`` for the cached process-wide copy)."""
    with (directory / "esco_occupations_de.csv").open(encoding="utf-8", newline="") as f:
        occupations = tuple(
            Occupation(
                esco_uri=row["esco_uri"],
                label=row["preferred_label"],
                isco_group=row["isco_group"],
                alt_labels=tuple(a for a in row["alternative_labels"].split("|") if a),
            )
            for row in csv.DictReader(f)
        )
    with (directory / "isco_groups_de.csv").open(encoding="utf-8", newline="") as f:
        groups = {
            row["isco_code"]: IscoGroup(row["isco_code"], row["label"].rstrip("."), row["parent_code"])
            for row in csv.DictReader(f)
        }
    return Catalogue(occupations=occupations, by_uri={o.esco_uri: o for o in occupations}, groups=groups)


@functools.cache
def load_catalogue() -> Catalogue:
    """The catalogue, read once per process."""
    return read_catalogue()
