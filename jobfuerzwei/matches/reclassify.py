"""Classify every stored title again: after the upgrade that introduced ESCO codes, or when the synonyms changed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.employers.models import Position
from jobfuerzwei.matching.codes import best_uri, best_uris
from jobfuerzwei.profiles.models import Profile


async def reclassify_all(session: AsyncSession) -> int:
    """Recompute the ESCO codes of profiles and positions; returns the number of titles classified."""
    count = 0
    for profile in await session.scalars(select(Profile)):
        profile.occupation_uris = best_uris(list(profile.occupations))
        count += len(profile.occupations)
    for position in await session.scalars(select(Position)):
        position.esco_uri = best_uri(position.title) or None
        count += 1
    await session.flush()
    return count
